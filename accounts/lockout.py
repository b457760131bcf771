"""Sign-in limits (ITSG-33 AC-7, SPEC SIGN-5).

- Per username (known or not): 5 failures within 15 minutes lock it for 15 minutes; the
  right password is refused meanwhile.
- Per client address: more than 20 attempts in a minute get 429 with Retry-After.
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import SignInLock


def _key(username: str) -> str:
    return username.strip().casefold()[:150]


def locked_until(username: str) -> datetime.datetime | None:
    lock = SignInLock.objects.filter(username_key=_key(username)).first()
    if lock and lock.locked_until and lock.locked_until > timezone.now():
        return lock.locked_until
    return None


@transaction.atomic
def record_failure(username: str) -> datetime.datetime | None:
    """Count a failed sign-in; return the lock's end when this failure locks it."""
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.SIGN_IN_FAILURE_WINDOW)
    lock, _created = SignInLock.objects.select_for_update().get_or_create(
        username_key=_key(username), defaults={"window_started_at": now}
    )
    if now - lock.window_started_at > window:
        lock.failures, lock.window_started_at = 0, now
    lock.failures += 1
    if lock.failures >= settings.SIGN_IN_MAX_FAILURES:
        lock.locked_until = now + datetime.timedelta(seconds=settings.SIGN_IN_LOCK_DURATION)
        lock.failures, lock.window_started_at = 0, now
    lock.save()
    return lock.locked_until if lock.locked_until and lock.locked_until > now else None


@transaction.atomic
def lock(username: str) -> datetime.datetime:
    """Lock ``username`` now, as 5 wrong passwords would (SEC-1: 10 wrong codes)."""
    now = timezone.now()
    entry, _created = SignInLock.objects.select_for_update().get_or_create(
        username_key=_key(username), defaults={"window_started_at": now}
    )
    entry.locked_until = now + datetime.timedelta(seconds=settings.SIGN_IN_LOCK_DURATION)
    entry.failures, entry.window_started_at = 0, now
    entry.save()
    return entry.locked_until


def record_success(username: str) -> None:
    """A right password clears the password failures only: never a lock (checked before)
    nor the second factor's failures (SEC-1, accounts.mfa)."""
    SignInLock.objects.filter(username_key=_key(username)).delete()


def address_over_limit(address: str | None) -> int | None:
    """Count one attempt from ``address``; return seconds to wait when over the limit.

    A window opens at the address's first attempt and lasts a minute.
    """
    if not address:
        return None
    now = time.time()
    count_key, start_key = f"sign-in-rate:{address}", f"sign-in-rate-start:{address}"
    cache.add(start_key, now, timeout=60)
    cache.add(count_key, 0, timeout=60)
    try:
        count = cache.incr(count_key)
    except ValueError:  # the window closed between the two calls
        cache.set(count_key, 1, timeout=60)
        count = 1
    if count > settings.SIGN_IN_MAX_PER_ADDRESS_PER_MINUTE:
        started = cache.get(start_key) or now
        return max(1, int(60 - (now - started)) + 1)
    return None


# Steps that tell whether a username or a business exists (SEC-3): how many tries per
# address and per person (when signed in), and over how many seconds.
LOOKUP_LIMITS = {
    "forgot_username": (20, 600),
    "forgot_password": (20, 600),
    "register_username": (10, 600),
    "request_access": (20, 600),
    "register_business": (30, 600),
}


def lookup_over_limit(request, scope: str) -> int | None:
    """Count one lookup of ``scope``; seconds to wait when over its limit, else None.

    Counted in the cache per address and per signed-in person; while Redis is down the
    counts are lost and the limit fails open (ADR 0007, SEC-5).
    """
    from carm_portal.audit import client_ip

    limit, window = LOOKUP_LIMITS[scope]
    keys = []
    address = client_ip(request)
    if address:
        keys.append(f"lookup:{scope}:address:{address}")
    if request.user.is_authenticated:
        keys.append(f"lookup:{scope}:user:{request.user.pk}")
    wait = None
    for key in keys:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired meanwhile, or the cache is down
            cache.set(key, 1, timeout=window)
            count = 1
        if count > limit:
            wait = window
    return wait
