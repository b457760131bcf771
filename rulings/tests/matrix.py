# ruff: noqa: E501  (one row per line keeps the table readable)
"""Permission-matrix rows of the rulings (STYLE 4; DELEG-3 "requests": view and edit for
the client's Editors and managers and for service providers under either relationship;
Readers view; RUL-1, RUL-2).

Columns, in order (see delegation/tests/matrix_world.py):
anonymous, unlinked, bam, pam, editor, reader, removed, biz_bam, biz_assigned, biz_group,
biz_reader, biz_unassigned, prog_assigned, ended.

The list and *Request a ruling* act on the current program account: the client's account
A, or one's own when A is out of reach (biz_unassigned and ended see their own broker's
requests). Object routes act on a request of account A (or B: program management and the
PAM, scoped to A, do not see it).
"""

from django.utils import timezone

from delegation.tests.matrix_world import Route, expect
from rulings.models import Ruling


def _ruling(w, status=Ruling.Status.SUBMITTED, account=None):
    from rulings.tests.factories import RulingFactory

    fields = {}
    if status != Ruling.Status.DRAFT:
        fields.update(submitted_at=timezone.now(), target_date=timezone.localdate())
    if status == Ruling.Status.DECISION_RENDERED:
        fields.update(decision_en="Classified.", decision_fr="Classé.", decided_at=timezone.now())
    ruling = RulingFactory(
        program_account=account or w.account_a,
        created_by=w.users["editor"],
        status=status,
        **fields,
    )
    return {"pk": ruling.pk}


def _draft(w):
    return _ruling(w, Ruling.Status.DRAFT)


def _on_b(w):
    return _ruling(w, account=w.account_b)


CONTEXT = {
    "kind": "marking",
    "port_of_entry": "Lacolle",
    "prior": "none",
    "imported_before": "yes",
    "will_continue": "yes",
    "consent_to_publish": "no",
}

VIEW = expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404, 200, 404)
EDIT_GET = expect(302, 404, 200, 200, 200, 403, 404, 200, 200, 200, 403, 404, 200, 404)
EDIT_POST = expect(302, 404, 302, 302, 302, 403, 404, 302, 302, 302, 403, 404, 302, 404)

# fmt: off
ROUTES = [
    Route("rulings:list", "GET", expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 200, 200, 200)),
    Route("rulings:new", "GET", expect(302, 404, 200, 200, 200, 403, 404, 200, 200, 200, 403, 200, 200, 200)),
    Route("rulings:new", "POST", expect(302, 404, 302, 302, 302, 403, 404, 302, 302, 302, 403, 302, 302, 302), data=lambda w: CONTEXT),
    Route("rulings:detail", "GET", VIEW, args=_ruling, label="account A"),
    Route("rulings:detail", "GET", expect(302, 404, 200, 404, 200, 200, 404, 200, 200, 200, 200, 404, 404, 404, account_a_only=404), args=_on_b, label="account B"),
    Route("rulings:context", "GET", EDIT_GET, args=_draft),
    Route("rulings:context", "POST", EDIT_POST, args=_draft, data=lambda w: CONTEXT),
    Route("rulings:details", "GET", EDIT_GET, args=_draft),
    Route("rulings:details", "POST", EDIT_POST, args=_draft, data=lambda w: {"goods_description": "Mugs", "save_draft": "1"}),
    Route("rulings:attachments", "GET", EDIT_GET, args=_draft),
    Route("rulings:submit", "POST", EDIT_POST, args=_draft),
    Route("rulings:withdraw", "GET", EDIT_GET, args=_ruling),
    Route("rulings:withdraw", "POST", EDIT_POST, args=_ruling),
    Route("rulings:answer", "GET", EDIT_GET, args=lambda w: _ruling(w, Ruling.Status.INFORMATION_REQUESTED)),
    Route("rulings:answer", "POST", EDIT_POST, args=lambda w: _ruling(w, Ruling.Status.INFORMATION_REQUESTED), data=lambda w: {"message": "Photos uploaded."}),
    Route("rulings:request_change", "GET", EDIT_GET, args=lambda w: _ruling(w, Ruling.Status.DECISION_RENDERED)),
    Route("rulings:request_change", "POST", EDIT_POST, args=lambda w: _ruling(w, Ruling.Status.DECISION_RENDERED), data=lambda w: {"message": "The charger too."}),
    # Public (beyond the guide): anyone, signed in or not.
    Route("rulings:published", "GET", expect(*[200] * 14)),
]
# fmt: on
