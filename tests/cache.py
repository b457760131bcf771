"""The test cache: Redis, cleared by its own key prefix instead of FLUSHDB.

Django's ``RedisCache.clear()`` empties the whole Redis database. Under pytest-xdist the
workers share that database with each other and with Celery's broker queues, so one
worker's ``cache.clear()`` would erase another's counters and a real worker's messages.
Each xdist worker has its own prefix (``settings.test``); ``clear()`` deletes only the
keys under it.
"""

from carm_portal.cache import ResilientRedisCache


class PrefixScopedRedisCache(ResilientRedisCache):
    """The portal's own cache (it degrades when Redis is down, SEC-5), cleared by prefix."""

    def clear(self):
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return True
