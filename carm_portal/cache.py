"""The Redis cache, degraded instead of broken when Redis is unreachable (SEC-5, ADR 0007).

Everything the portal keeps in the cache can be lost: a calculator memo is recomputed,
a per-address counter (API throttles, sign-in attempts per address, lookups per address)
starts again, the worker heartbeat is "not seen". So while Redis is down:

- reads answer as a miss (``get`` returns the default, ``get_many`` nothing, ``has_key``
  False);
- writes are dropped (``set``/``add``/``touch``/``delete`` report failure);
- ``incr`` raises ``ValueError``, as for a key that does not exist.

Each failure is logged (one warning per call, no key or value). Counters that must hold
(the AC-7 lock, second-factor failures, used codes) live in PostgreSQL, not here.
"""

from __future__ import annotations

import logging

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# What "Redis is unreachable" raises: refused or reset connections and timeouts.
OUTAGE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _outage(operation: str) -> None:
    logger.warning("cache unreachable: %s skipped (degraded, SEC-5)", operation)


class ResilientRedisCache(RedisCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OUTAGE:
            _outage("add")
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OUTAGE:
            _outage("get")
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except OUTAGE:
            _outage("set")
            return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except OUTAGE:
            _outage("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except OUTAGE:
            _outage("delete")
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except OUTAGE:
            _outage("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except OUTAGE:
            _outage("has_key")
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except OUTAGE:
            _outage("incr")
            raise ValueError("cache unreachable") from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except OUTAGE:
            _outage("set_many")
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except OUTAGE:
            _outage("delete_many")
            return False

    def clear(self):
        try:
            return super().clear()
        except OUTAGE:
            _outage("clear")
            return False
