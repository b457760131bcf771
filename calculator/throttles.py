"""Rate limits of the open API (SC-5), counted in the Redis cache; 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous callers, counted per address."""

    def get_rate(self):
        return settings.API_ANONYMOUS_RATE


class SignedInThrottle(UserRateThrottle):
    """Signed-in portal users (the calculator's own pages), counted per user."""

    def get_rate(self):
        return settings.API_SIGNED_IN_RATE
