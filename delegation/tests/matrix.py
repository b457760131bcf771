# ruff: noqa: E501  (one row per line keeps the table readable)
"""Permission-matrix rows of Configure my portal (STYLE 4; DELEG-1 … DELEG-6).

Columns, in order (see delegation/tests/matrix_world.py):
anonymous, unlinked, bam, pam, editor, reader, removed, biz_bam, biz_assigned, biz_group,
biz_reader, biz_unassigned, prog_assigned, ended.
"""

from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from delegation.tests.matrix_world import Route, expect


def _new_client():
    """A business on the portal (with its BAM) that no provider has asked yet."""
    return EmploymentFactory(role=Employment.Role.BUSINESS_ACCOUNT_MANAGER).business


def _pending(w):
    return {"pk": w.extra["pending_request"].pk}


def _scoped(account_attr):
    """A client's Reader limited to account A (or B), created for the row."""

    def args(w):
        employment = EmploymentFactory(business=w.client, role=Employment.Role.READER)
        employment.program_accounts.add(getattr(w, account_attr))
        return {"pk": employment.pk}

    return args


def _employee(principal):
    return lambda w: {"pk": w.employment(principal).pk}


def _grant(prefix):
    return lambda w: {f"{prefix}-role": "editor", f"{prefix}-program_accounts": [w.account_a.pk]}


# fmt: off
EMPLOYEE_ROUTES = [
    # DELEG-1: the client's BAM and PAM manage its employees; nobody else, never a service provider (DELEG-3).
    Route("delegation:employees", "GET", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)),
    Route("delegation:employees_bulk_approve", "POST", expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403), data=lambda w: {**_grant("bulk")(w), "bulk-requests": [w.extra["pending_request"].pk]}),
    Route("delegation:employees_bulk_approve", "POST", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403), label="nothing selected"),
    # A pending request of the client (LINK-2): details, approve, reject.
    Route("delegation:employee_request", "GET", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_pending),
    Route("delegation:employee_approve", "POST", expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_pending, data=_grant("approve")),
    Route("delegation:employee_reject", "POST", expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_pending, data=lambda w: {"reject-reason": "Unknown to us."}),
    # Changing and removing: the PAM only within account A, never the BAM.
    Route("delegation:employee_change", "GET", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_scoped("account_a"), label="Reader of A"),
    Route("delegation:employee_change", "GET", expect(302, 404, 200, 404, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_scoped("account_b"), label="Reader of B"),
    Route("delegation:employee_change", "GET", expect(302, 404, 200, 403, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_employee("editor"), label="Editor of every account"),
    Route("delegation:employee_change", "GET", expect(302, 404, 200, 403, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_employee("bam"), label="the BAM"),
    # The only BAM may not remove themselves (the last-manager rule: a clear refusal, 200).
    Route("delegation:employee_remove", "POST", expect(302, 404, 200, 403, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_employee("bam"), label="the only BAM"),
    Route("delegation:employee_change", "GET", expect(302, 404, 404, 404, 404, 404, 404, 200, 403, 403, 403, 403, 404, 404), args=_employee("biz_assigned"), label="a broker's employee"),
    Route("delegation:employee_change", "POST", expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_scoped("account_a"), data=_grant("change"), label="Reader of A"),
    Route("delegation:employee_remove", "GET", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_scoped("account_a"), label="Reader of A"),
    Route("delegation:employee_remove", "POST", expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_scoped("account_a"), label="Reader of A"),
    Route("delegation:employee_remove", "POST", expect(302, 404, 302, 404, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=_scoped("account_b"), label="Reader of B"),
    # DELEG-6: the delegation history, for the client's BAM only.
    Route("delegation:history", "GET", expect(302, 404, 200, 403, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)),
    Route("delegation:history_csv", "GET", expect(302, 404, 200, 403, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)),
]

RELATIONSHIP_ROUTES = [
    # DELEG-2: the client's managers answer; a service provider never sees the client's relationships.
    Route("delegation:relationships", "GET", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)),
    Route("delegation:relationships", "GET", expect(302, 404, 200, 200, 403, 403, 404, 200, 403, 403, 403, 403, 403, 403), client_current=False, label="own business"),
    Route("delegation:relationship_request", "GET", expect(302, 404, 403, 403, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)),
    Route("delegation:relationship_request", "GET", expect(302, 404, 403, 403, 403, 403, 404, 200, 403, 403, 403, 403, 403, 403), client_current=False, label="own business"),
    Route("delegation:relationship_request", "POST", expect(302, 404, 403, 403, 403, 403, 404, 302, 403, 403, 403, 403, 403, 403), client_current=False, label="own business, a new client", data=lambda w: {"bn9": _new_client().bn9}),
    Route("delegation:relationship_answer", "GET", expect(302, 404, 200, 200, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=lambda w: {"pk": w.extra["pending_relationship"].pk}),
    # A PAM may grant program management only (the form refuses business management: 200).
    Route("delegation:relationship_answer", "POST", expect(302, 404, 302, 200, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=lambda w: {"pk": w.extra["pending_relationship"].pk}, data=lambda w: {"decision": "approve", "kind": "business"}, label="business management"),
    Route("delegation:relationship_answer", "POST", expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=lambda w: {"pk": w.extra["pending_relationship"].pk}, data=lambda w: {"decision": "approve", "kind": "program", "program_accounts": [w.account_a.pk]}, label="program management of A"),
    Route("delegation:relationship_end", "POST", expect(302, 404, 302, 302, 403, 403, 404, 403, 403, 403, 403, 404, 403, 404), args=lambda w: {"pk": w.extra["business_relationship"].pk}),
    Route("delegation:relationship_withdraw", "POST", expect(302, 404, 404, 404, 404, 404, 404, 302, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.extra["business_relationship"].pk}),
    # DELEG-4: the provider's BAM assigns its employees to clients.
    Route("delegation:clients", "GET", expect(302, 404, 403, 403, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)),
    Route("delegation:clients", "GET", expect(302, 404, 403, 403, 403, 403, 404, 200, 403, 403, 403, 403, 403, 403), client_current=False, label="own business"),
    Route("delegation:clients", "POST", expect(302, 404, 403, 403, 403, 403, 404, 302, 403, 403, 403, 403, 403, 403), client_current=False, label="own business", data=lambda w: {"clients": [w.client.pk]}),
    # The bulk assignment's second step: the clients in the address, the employees posted.
    Route("delegation:clients_assign", "GET", expect(302, 404, 403, 403, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403), data=lambda w: {"clients": [w.client.pk]}),
    Route("delegation:clients_assign", "GET", expect(302, 404, 403, 403, 403, 403, 404, 200, 403, 403, 403, 403, 403, 403), client_current=False, label="own business", data=lambda w: {"clients": [w.client.pk]}),
    Route("delegation:clients_assign", "POST", expect(302, 404, 403, 403, 403, 403, 404, 302, 403, 403, 403, 403, 403, 403), client_current=False, label="own business", query=lambda w: {"clients": [w.client.pk]}, data=lambda w: {"employees": [w.employment("biz_unassigned").pk]}),
    Route("delegation:assignment_remove", "POST", expect(302, 404, 404, 404, 404, 404, 404, 302, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.employment("biz_assigned").client_assignments.get().pk}),
    Route("delegation:assignment_accounts", "GET", expect(302, 404, 404, 404, 404, 404, 404, 200, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.employment("biz_assigned").client_assignments.get().pk}),
    Route("delegation:assignment_accounts", "POST", expect(302, 404, 404, 404, 404, 404, 404, 302, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.employment("biz_assigned").client_assignments.get().pk}, data=lambda w: {"program_accounts": [w.account_a.pk]}, label="account A only"),
    # DELEG-5: client groups, the service provider's BAM only.
    Route("delegation:client_groups", "GET", expect(302, 404, 403, 403, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403)),
    Route("delegation:client_groups", "GET", expect(302, 404, 403, 403, 403, 403, 404, 200, 403, 403, 403, 403, 403, 403), client_current=False, label="own business"),
    Route("delegation:client_groups", "POST", expect(302, 404, 403, 403, 403, 403, 404, 302, 403, 403, 403, 403, 403, 403), client_current=False, label="own business", data=lambda w: {"name": "Ontario clients"}),
    Route("delegation:client_group", "GET", expect(302, 404, 404, 404, 404, 404, 404, 200, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.extra["client_group"].pk}),
    Route("delegation:client_group", "POST", expect(302, 404, 404, 404, 404, 404, 404, 302, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.extra["client_group"].pk}, data=lambda w: {"rename": "1", "group-name": "Québec"}, label="rename"),
    Route("delegation:client_group_delete", "POST", expect(302, 404, 404, 404, 404, 404, 404, 302, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.extra["client_group"].pk}),
]
# fmt: on

ROUTES = EMPLOYEE_ROUTES + RELATIONSHIP_ROUTES
