# ruff: noqa: E501  (one row per line keeps the table readable)
"""Permission-matrix rows of the commercial accounting declarations (STYLE 4; DELEG-3,
DECL-5). Their namespace is ``declarations`` (the calculator app's « Déclarations »).

Columns, in order (see delegation/tests/matrix_world.py):
anonymous, unlinked, bam, pam, editor, reader, removed, biz_bam, biz_assigned, biz_group,
biz_reader, biz_unassigned, prog_assigned, ended.

The list and a new CAD act on the current program account: the client's account A for
whoever may open it; one's own broker account for ``biz_unassigned`` and ``ended``.
Accounting is what a customs broker does for its client: both relationship types may
view and submit CADs; Readers (the client's or the broker's) only view.
"""

from delegation.tests.matrix_world import Route, expect


def _cad(w, account, status="draft"):
    from calculator.models import Declaration, DeclarationVersion

    declaration = Declaration.objects.create(
        program_account=account,
        transaction_number=f"{10000000000000 + Declaration.objects.count() + 500:014d}",
        status=status,
        created_by=w.users["bam"],
    )
    version = DeclarationVersion.objects.create(
        declaration=declaration,
        number=1,
        kind="original",
        status="draft" if status == "draft" else "accepted",
        port_code="0395",
        created_by=declaration.created_by,
    )
    declaration.current_version = version
    declaration.save()
    return declaration


def _draft_a(w):
    return {"pk": _cad(w, w.account_a).pk}


def _draft_b(w):
    return {"pk": _cad(w, w.account_b).pk}


def _submitted_a(w):
    return {"pk": _cad(w, w.account_a, "submitted").pk}


def _number_a(w):
    return {"number": _cad(w, w.account_a).transaction_number}


def _draft_form(w):
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "999",
        "port_code": "0395",
        "lines-0-description": "Goods",
        "save_draft": "1",
    }


# DECL-5 on the current account (biz_unassigned and ended: their own account).
VIEW = expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 200, 200, 200)
SUBMIT = expect(302, 404, 200, 200, 200, 403, 404, 200, 200, 200, 403, 200, 200, 200)
SUBMIT_POST = expect(302, 404, 302, 302, 302, 403, 404, 302, 302, 302, 403, 302, 302, 302)
# One CAD of account A / B.
READ_A = expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404, 200, 404)
READ_B = expect(
    302, 404, 200, 404, 200, 200, 404, 200, 200, 200, 200, 404, 404, 404, account_a_only=404
)
EDIT_A = expect(302, 404, 200, 200, 200, 403, 404, 200, 200, 200, 403, 404, 200, 404)
EDIT_A_POST = expect(302, 404, 302, 302, 302, 403, 404, 302, 302, 302, 403, 404, 302, 404)
EDIT_B = expect(
    302, 404, 200, 404, 200, 403, 404, 200, 200, 200, 403, 404, 404, 404, account_a_only=404
)
# A number not on one's current account leads to the list's search (no dead end).
BY_NUMBER = expect(302, 404, 302, 302, 302, 302, 404, 302, 302, 302, 302, 302, 302, 302)

# fmt: off
ROUTES = [
    Route("declarations:list", "GET", VIEW),
    Route("declarations:export", "GET", VIEW),
    Route("declarations:new", "GET", SUBMIT),
    Route("declarations:new", "POST", SUBMIT_POST, data=_draft_form, label="save a draft"),
    Route("declarations:by_number", "GET", BY_NUMBER, args=_number_a),
    Route("declarations:detail", "GET", READ_A, args=_draft_a, label="account A"),
    Route("declarations:detail", "GET", READ_B, args=_draft_b, label="account B"),
    Route("declarations:edit", "GET", EDIT_A, args=_draft_a, label="account A"),
    Route("declarations:edit", "GET", EDIT_B, args=_draft_b, label="account B"),
    Route("declarations:edit", "POST", EDIT_A_POST, args=_draft_a, data=_draft_form),
    Route("declarations:upload", "GET", EDIT_A, args=_draft_a),
    Route("declarations:upload", "POST", EDIT_A, args=_draft_a, label="no file"),
    Route("declarations:change", "GET", EDIT_A, args=_submitted_a),
    Route("declarations:change", "POST", EDIT_A, args=_submitted_a, label="empty form"),
    Route("declarations:cancel", "POST", EDIT_A_POST, args=_draft_a),
]
# fmt: on
