"""Middleware of the portal.

- ``TrustedProxyMiddleware`` (SPEC SEC-6): the client's address, from trusted proxies only.
- ``RequestIdMiddleware`` (SPEC SEC-9): a request id for logs, audit and the response.
- ``NoStoreMiddleware`` (SPEC SEC-7): signed-in pages are never stored by caches.
- ``SessionTimeoutMiddleware``: session limits, below.

Session limits for signed-in people (ITSG-33 AC-11 session lock, AC-12 termination).

A session ends after SESSION_IDLE_TIMEOUT seconds without a request (20 minutes) and,
whatever the activity, SESSION_ABSOLUTE_TIMEOUT seconds after sign-in (12 hours). Pages
warn SESSION_WARNING_BEFORE seconds before the idle limit (static/js/session.js) and
offer to continue, which calls the keep-alive view.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from carm_portal import request_id

STARTED_KEY = "_carm_session_started"
LAST_SEEN_KEY = "_carm_session_last_seen"


def clock() -> float:
    """The time source of the session limits; tests move it."""
    return time.time()


class TrustedProxyMiddleware:
    """One notion of the client's address (SPEC SEC-6; SC-5, AU-3).

    ``TRUSTED_PROXY_COUNT`` reverse proxies stand in front of the portal, each appending
    the address it received the request from to ``X-Forwarded-For``. The client is the
    entry the outermost trusted proxy appended: the N-th from the right. Entries further
    left were written by the client and are ignored. With no trusted proxy the header is
    dropped altogether, so nothing downstream (DRF's throttles, the sign-in limit, audit,
    logs) can read a forged value; ``REMOTE_ADDR`` is then the peer's address.

    A request carrying fewer entries than there are proxies did not come through them
    all: its ``REMOTE_ADDR`` (the nearest hop) is kept.

    django-xff was tried: with no trusted depth it rewrites ``REMOTE_ADDR`` from the
    header's first entry, which is the very forgery this middleware exists to ignore.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = settings.TRUSTED_PROXY_COUNT
        header = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        # Came through a proxy at all: /metrics never answers such a request (OPS-4).
        request.META["carm.forwarded"] = bool(header)
        if count > 0 and header:
            hops = [hop.strip() for hop in header.split(",") if hop.strip()]
            if len(hops) >= count:
                request.META["REMOTE_ADDR"] = hops[-count]
                request.META["HTTP_X_FORWARDED_FOR"] = ", ".join(hops[-count:])
        request.__dict__.pop("headers", None)  # HttpHeaders is cached on first read
        return self.get_response(request)


class RequestIdMiddleware:
    """A request id for every log line, audit entry and response (SPEC SEC-9; AU-3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = request_id.choose(
            request.META.get("HTTP_X_REQUEST_ID"), trusted=settings.TRUSTED_PROXY_COUNT > 0
        )
        request.request_id = value
        # Kept until the response is closed (request_finished): Django logs 4xx/5xx
        # responses after the middleware chain has returned.
        request_id.set_current(value)
        response = self.get_response(request)
        response["X-Request-ID"] = value
        return response


class NoStoreMiddleware:
    """Responses to a signed-in person are never stored (SPEC SEC-7; SC-4, SC-28).

    Pages, PDFs and CSVs alike: ``Cache-Control: no-store`` (with ``private``,
    ``no-cache`` and ``max-age=0`` for old caches). Also when the request signed the
    person out, since the page was built for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)
                messages.info(request, expired)
                return redirect(self._sign_in_url(request))
        return self.get_response(request)

    def _expired(self, request) -> str | None:
        now = clock()
        session = request.session
        started = session.setdefault(STARTED_KEY, now)
        last_seen = session.get(LAST_SEEN_KEY, now)
        if now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
            return _("Your session reached its 12-hour limit. Please sign in again.")
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            return _("Your session ended after 20 minutes without activity. Please sign in again.")
        # Requests made by the page itself (the warning's polling) are not activity.
        if request.headers.get("X-Session-Poll") != "1":
            session[LAST_SEEN_KEY] = now
        return None

    @staticmethod
    def _sign_in_url(request) -> str:
        return reverse("portal:access")
