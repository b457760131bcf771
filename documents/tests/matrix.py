# ruff: noqa: E501  (one row per line keeps the table readable)
"""Permission-matrix rows of the document upload (STYLE 4; DOC-1 … DOC-4, DELEG-3, X-4).

Columns, in order (see delegation/tests/matrix_world.py):
anonymous, unlinked, bam, pam, editor, reader, removed, biz_bam, biz_assigned, biz_group,
biz_reader, biz_unassigned, prog_assigned, ended.

Uploading needs *edit requests* on the current program account (account A, or one's own
when A is out of reach); confirmations and downloads need *view requests* on the
document's program account; a file that is not clean is never served (404 for all).
"""

from delegation.tests.matrix_world import Route, expect


def _batch(account):
    from documents.tests.factories import UploadBatchFactory

    return UploadBatchFactory(program_account=account)


def _document(account, state="clean"):
    from documents.tests.factories import DocumentFactory

    return DocumentFactory(batch=_batch(account), scan_state=state)


# fmt: off
ROUTES = [
    # Step 1 and 2 (DOC-2): readers may not upload; step 2 without step 1 goes back to step 1 (302).
    Route("documents:upload", "GET", expect(302, 404, 200, 200, 200, 403, 404, 200, 200, 200, 403, 200, 200, 200)),
    Route("documents:upload", "POST", expect(302, 404, 200, 200, 200, 403, 404, 200, 200, 200, 403, 200, 200, 200), label="empty form"),
    Route("documents:upload_files", "GET", expect(302, 404, 302, 302, 302, 403, 404, 302, 302, 302, 403, 302, 302, 302)),
    Route("documents:upload_files", "POST", expect(302, 404, 302, 302, 302, 403, 404, 302, 302, 302, 403, 302, 302, 302), label="without step 1"),
    # The confirmation of an upload on the client's account A / B.
    Route("documents:confirmation", "GET", expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404, 200, 404), args=lambda w: {"pk": _batch(w.account_a).pk}, label="account A"),
    Route("documents:confirmation", "GET", expect(302, 404, 200, 404, 200, 200, 404, 200, 200, 200, 200, 404, 404, 404, account_a_only=404), args=lambda w: {"pk": _batch(w.account_b).pk}, label="account B"),
    # Downloads (DOC-4): a clean file to whoever may view the account's requests …
    Route("documents:download", "GET", expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404, 200, 404), args=lambda w: {"pk": _document(w.account_a).pk}, label="clean, account A"),
    Route("documents:download", "GET", expect(302, 404, 200, 404, 200, 200, 404, 200, 200, 200, 200, 404, 404, 404, account_a_only=404), args=lambda w: {"pk": _document(w.account_b).pk}, label="clean, account B"),
    # … and nothing in quarantine, to anyone.
    Route("documents:download", "GET", expect(302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404), args=lambda w: {"pk": _document(w.account_a, "pending").pk}, label="pending"),
    Route("documents:download", "GET", expect(302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404), args=lambda w: {"pk": _document(w.account_a, "infected").pk}, label="infected"),
]
# fmt: on
