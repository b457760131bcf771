# ruff: noqa: E501  (one row per line keeps the table readable)
"""Permission-matrix rows of the business pages (STYLE 4; DELEG-3, HOME-5, LINK-2 … LINK-4).

Columns, in order (see delegation/tests/matrix_world.py):
anonymous, unlinked, bam, pam, editor, reader, removed, biz_bam, biz_assigned, biz_group,
biz_reader, biz_unassigned, prog_assigned, ended.
"""

from delegation.tests.matrix_world import Route, expect


def _client(w):
    return {"pk": w.client.pk}


def _a(w):
    return {"pk": w.account_a.pk}


def _b(w):
    return {"pk": w.account_b.pk}


# fmt: off
ROUTES = [
    # Home: people with no program account go to the first-setup page (302).
    Route("business:home", "GET", expect(302, 302, 200, 200, 200, 200, 302, 200, 200, 200, 200, 200, 200, 200)),
    # Switching to the client's account A / B (HOME-1, DELEG-4).
    Route("business:switch_account", "POST", expect(302, 404, 302, 302, 302, 302, 404, 302, 302, 302, 302, 404, 302, 404), data=lambda w: {"account": w.account_a.pk}, label="account A"),
    Route("business:switch_account", "POST", expect(302, 404, 302, 404, 302, 302, 404, 302, 302, 302, 302, 404, 404, 404, account_a_only=404), data=lambda w: {"account": w.account_b.pk}, label="account B"),
    # The switcher as a page (HOME-1): every signed-in person, their own scope only.
    Route("business:account_search", "GET", expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Route("business:area", "GET", expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), args=lambda w: {"key": "accounts"}),
    # Linking (LINK-2 … LINK-4): open to every signed-in person.
    Route("business:request_access", "GET", expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Route("business:request_access", "POST", expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), label="empty form"),
    # Cancelling someone else's pending request: nobody but its author.
    Route("business:cancel_request", "POST", expect(302, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404), args=lambda w: {"pk": w.extra["pending_request"].pk}),
    Route("business:register", "GET", expect(302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)),
    Route("business:register_business", "GET", expect(302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    Route("business:register_questions", "GET", expect(302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    # DELEG-3: business profile — business management reads it, program management not.
    Route("business:business_profile", "GET", expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404, 403, 404), args=_client),
    # The program list of the current business (account A's, or one's own when A is out of reach).
    Route("business:program_accounts", "GET", expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 200, 403, 200)),
    # Program account profiles: delegated accounts only.
    Route("business:program_account_profile", "GET", expect(302, 404, 200, 200, 200, 200, 404, 200, 200, 200, 200, 404, 200, 404), args=_a, label="account A"),
    Route("business:program_account_profile", "GET", expect(302, 404, 200, 404, 200, 200, 404, 200, 200, 200, 200, 404, 404, 404, account_a_only=404), args=_b, label="account B"),
    # FIN-9, DELEG-3: changing business information is the BAM's; a program account's, its
    # managers'; never a service provider's, whatever the relationship.
    Route("business:request_change", "GET", expect(302, 404, 200, 403, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_client),
    Route("business:request_change", "POST", expect(302, 404, 200, 403, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_client, label="empty form"),
    Route("business:request_account_change", "GET", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_a, label="account A"),
    Route("business:request_account_change", "POST", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_a, label="account A, empty form"),
    Route("business:request_account_change", "GET", expect(302, 404, 200, 404, 403, 403, 404, 403, 403, 403, 403, 404, 404, 404, account_a_only=404), args=_b, label="account B"),
]
# fmt: on
