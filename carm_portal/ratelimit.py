"""Anti-automation limits (SPEC SEC-6, SC-5): fixed windows counted in the Redis cache.

``over_limit(scope, ident, limit=…, window=…)`` counts one hit and answers the seconds
to wait when the caller is over the limit, else None. The client address comes from
``client_ip`` (trusted proxies only, SEC-6). When the cache cannot be reached the limit
is not applied (fails open): a Redis outage degrades a limit, never a page (SEC-5).
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def over_limit(scope: str, ident: str | int | None, *, limit: int, window: int) -> int | None:
    if ident is None or ident == "":
        return None
    now = time.time()
    count_key, start_key = f"rate:{scope}:{ident}", f"rate-start:{scope}:{ident}"
    try:
        cache.add(start_key, now, timeout=window)
        cache.add(count_key, 0, timeout=window)
        try:
            count = cache.incr(count_key)
        except ValueError:  # the window closed between the two calls
            cache.set(count_key, 1, timeout=window)
            count = 1
        if count <= limit:
            return None
        started = cache.get(start_key) or now
    except Exception:  # noqa: BLE001 - cache down: no limit rather than no page
        logger.warning("rate limit %s not applied: cache unreachable", scope)
        return None
    return max(1, int(window - (now - started)) + 1)


def too_many(request, retry_after: int, message: str) -> HttpResponse:
    """The 429 page with ``message`` and Retry-After."""
    html = render_to_string("429.html", {"message": message}, request=request)
    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(retry_after)
    return response
