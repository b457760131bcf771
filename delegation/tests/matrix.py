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


# fmt: off
EMPLOYEE_ROUTES = [
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
    Route("delegation:clients", "POST", expect(302, 404, 403, 403, 403, 403, 404, 302, 403, 403, 403, 403, 403, 403), client_current=False, label="own business", data=lambda w: {"clients": [w.client.pk], "employees": [w.employment("biz_unassigned").pk]}),
    Route("delegation:assignment_remove", "POST", expect(302, 404, 404, 404, 404, 404, 404, 302, 403, 403, 403, 403, 404, 404), args=lambda w: {"pk": w.employment("biz_assigned").client_assignments.get().pk}),
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
