"""Session limits for signed-in people (ITSG-33 AC-11 session lock, AC-12 termination).

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
from django.utils.translation import gettext as _

STARTED_KEY = "_carm_session_started"
LAST_SEEN_KEY = "_carm_session_last_seen"


def clock() -> float:
    """The time source of the session limits; tests move it."""
    return time.time()


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
