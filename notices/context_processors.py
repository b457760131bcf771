"""The notices bell in the header of every signed-in page (SPEC HOME-1)."""

from __future__ import annotations

from functools import cached_property

from accounts.onboarding import DONE_KEY
from notices.selectors import notice_unread_count


class NoticesBell:
    """Counts unread notices when a template first asks, once per page, never cached
    across requests: the count is right just after a notice was opened."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def unread(self) -> int:
        return notice_unread_count(user=self._user)


def notices_bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not request.session.get(DONE_KEY):  # onboarding first (PROF-1, SIGN-7)
        return {}
    return {"notices_bell": NoticesBell(user)}
