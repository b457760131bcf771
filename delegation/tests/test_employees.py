"""Manage my employees (SPEC DELEG-0, DELEG-1; DELEG-5 bulk approval; DELEG-6 audit and
notices; X-4 forms ignore what a person may not set)."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from business.navigation import CURRENT_ACCOUNT_KEY
from business.tests.factories import BusinessFactory, ProgramAccountFactory
from carm_portal.audit import AuditContext
from carm_portal.models import AuditEntry
from delegation import services
from delegation.access import DelegationError, Grant, Perm, Reach
from delegation.models import Employment, TransitionError
from delegation.tests.factories import EmploymentFactory
from notices.models import NoticeRecipient
from tests.html import soup, text

pytestmark = pytest.mark.django_db
R, S = Employment.Role, Employment.Status


@pytest.fixture
def business():
    return BusinessFactory(legal_name="Northern Maple Foods Ltd.", bn9="123456782")


@pytest.fixture
def account_a(business):
    return ProgramAccountFactory(business=business, reference_number="0001", name="Imports")


@pytest.fixture
def account_b(business):
    return ProgramAccountFactory(business=business, reference_number="0002", name="Exports")


def signed_in(employment, account, client_for):
    client = client_for(employment.user)
    session = client.session
    session[CURRENT_ACCOUNT_KEY] = account.pk
    session.save()
    return client


def person(first, last, **kwargs):
    return UserFactory(first_name=first, last_name=last, **kwargs)


@pytest.fixture
def bam(business, account_a, account_b):
    return EmploymentFactory(
        business=business, role=R.BUSINESS_ACCOUNT_MANAGER, user=person("Ana", "Bam")
    )


@pytest.fixture
def bam_client(bam, account_a, client_for):
    return signed_in(bam, account_a, client_for)


@pytest.fixture
def pam(business, account_a):
    employment = EmploymentFactory(
        business=business, role=R.PROGRAM_ACCOUNT_MANAGER, user=person("Paul", "Pam")
    )
    employment.program_accounts.add(account_a)
    return employment


@pytest.fixture
def pam_client(pam, account_a, client_for):
    return signed_in(pam, account_a, client_for)


@pytest.fixture
def pending(business):
    return EmploymentFactory(
        business=business,
        status=S.PENDING,
        comment="I file our B3 declarations.",
        user=person("Jo", "Tremblay"),
    )


def scoped(business, account, role=R.READER, **kwargs):
    employment = EmploymentFactory(business=business, role=role, **kwargs)
    employment.program_accounts.add(account)
    return employment


def notices(code, user=None):
    rows = NoticeRecipient.objects.filter(notice__type__code=code)
    return rows.filter(user=user) if user else rows


def as_person(user) -> AuditContext:
    """What a view hands to the services for ``user`` (a task would do the same)."""
    return AuditContext(actor=user, ip="192.0.2.7")


def reach_of(employment, account_ids=None) -> Reach:
    return Reach(business_id=employment.business_id, role=employment.role, account_ids=account_ids)


# --- The list -------------------------------------------------------------------------------


@pytest.mark.spec("DELEG-1", "X-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_list_shows_employees_and_pending_requests(
    bam_client, business, account_a, pending, language
):
    scoped(business, account_a, user=person("Rita", "Reader"))
    page = soup(bam_client.get(f"/{language}/portal/configure/employees/"))
    rows = [text(tr) for tr in page.select("#employees tbody tr")]
    assert len(rows) == 2
    manager = (
        "Business Account Manager" if language == "en" else "Gestionnaire du compte d'entreprise"
    )
    everything = "All program accounts" if language == "en" else "Tous les comptes de programme"
    assert rows[0].startswith("Ana Bam") and manager in rows[0] and everything in rows[0]
    assert rows[1].startswith("Rita Reader") and "RM0001" in rows[1]
    assert ("Reader" if language == "en" else "Lecteur") in rows[1]
    requests = text(page.select_one("#pending-requests tbody"))
    assert "Jo Tremblay" in requests and "I file our B3 declarations." in requests
    assert page.select_one(
        f"a[href='/{language}/portal/configure/employees/requests/{pending.pk}/']"
    )


@pytest.mark.spec("DELEG-1")
def test_list_is_paginated_in_the_database_with_a_constant_number_of_queries(
    bam_client, business, account_a, pending, django_assert_max_num_queries
):
    for n in range(30):
        scoped(business, account_a, user=person(f"P{n:02d}", "Employee"))
    with django_assert_max_num_queries(14):
        first = soup(bam_client.get("/en/portal/configure/employees/"))
    assert len(first.select("#employees tbody tr")) == 25
    assert "1 to 25 of 31" in text(first.select_one("#employees-range"))
    with django_assert_max_num_queries(14):
        second = soup(bam_client.get("/en/portal/configure/employees/?page=2"))
    assert len(second.select("#employees tbody tr")) == 6


@pytest.mark.spec("DELEG-1", "X-4")
def test_a_page_of_whole_business_employees_reads_no_program_accounts(
    bam_client, business, account_a
):
    """The employees' program accounts are read only for those whose access names some:
    a page where everyone covers the whole business makes one query less, and shows
    each of them with all the accounts; one scoped employee brings the query and their
    account back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        EmploymentFactory(business=business, role=R.EDITOR, user=person(f"W{n}", "Whole"))

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = bam_client.get("/en/portal/configure/employees/")
        # Django's prefetch of the accounts names its key column so.
        prefetch = [q for q in queries if "_prefetch_related_val_employment_id" in q["sql"]]
        rows = {
            text(tr).split(" ")[0]: text(tr) for tr in soup(response).select("#employees tbody tr")
        }
        return len(queries), prefetch, rows

    whole_count, prefetch, rows = page()
    assert all("All program accounts" in rows[f"W{n}"] for n in range(3))
    assert prefetch == []
    scoped(business, account_a, user=person("Sam", "Scoped"))
    scoped_count, prefetch, rows = page()
    assert len(prefetch) == 1 and scoped_count == whole_count + 1
    assert "RM0001" in rows["Sam"] and "All program accounts" in rows["W0"]


@pytest.mark.spec("DELEG-0", "DELEG-1")
def test_a_business_with_a_single_manager_is_asked_to_name_a_second(bam_client, business):
    page = soup(bam_client.get("/en/portal/configure/employees/"))
    assert "Name a second Business Account Manager" in text(
        page.select_one("[data-single-manager]")
    )
    EmploymentFactory(business=business, role=R.BUSINESS_ACCOUNT_MANAGER)
    page = soup(bam_client.get("/en/portal/configure/employees/"))
    assert page.select_one("[data-single-manager]") is None


@pytest.mark.spec("DELEG-0", "DELEG-1")
def test_a_program_account_manager_sees_only_their_program_accounts(
    pam_client, business, account_a, account_b, bam, pending
):
    both = scoped(business, account_a, user=person("Bo", "Both"))
    both.program_accounts.add(account_b)
    scoped(business, account_b, user=person("Bea", "Bonly"))
    page = soup(pam_client.get("/en/portal/configure/employees/"))
    rows = {text(tr).split(" ")[0]: tr for tr in page.select("#employees tbody tr")}
    # The BAM (whole business) and those with access to A; nobody limited to B.
    assert set(rows) == {"Ana", "Bo", "Paul"}
    assert "RM0002" not in text(rows["Bo"]) and "RM0001" in text(rows["Bo"])
    # Nothing to change on the BAM or on someone with access outside A.
    assert not rows["Ana"].select("a") and not rows["Bo"].select("a")
    # The approval choices: never the BAM role, only account A.
    detail = soup(pam_client.get(f"/en/portal/configure/employees/requests/{pending.pk}/"))
    roles = {i["value"] for i in detail.select("input[name='approve-role']")}
    assert roles == {"pam", "editor", "reader"}
    accounts = {int(i["value"]) for i in detail.select("input[name='approve-program_accounts']")}
    assert accounts == {account_a.pk}


# --- Pending requests: details, approve, reject ----------------------------------------------


@pytest.mark.spec("DELEG-1", "X-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_request_details_show_the_comment(bam_client, pending, language):
    page = soup(bam_client.get(f"/{language}/portal/configure/employees/requests/{pending.pk}/"))
    assert "I file our B3 declarations." in text(page.select_one("#request-details"))
    assert page.select_one("input[name='approve-role'][value='bam']")
    assert page.select_one("textarea[name='reject-reason']")


@pytest.mark.spec("DELEG-1", "DELEG-6", "X-4")
def test_approve_with_role_and_account_ignores_fields_sent_by_hand(
    bam_client, bam, business, account_a, account_b, pending
):
    other = BusinessFactory()
    response = bam_client.post(
        f"/en/portal/configure/employees/requests/{pending.pk}/approve/",
        {
            "approve-role": "editor",
            "approve-program_accounts": [account_a.pk],
            # Not the person's to set: ignored.
            "approve-status": "removed",
            "status": "removed",
            "business": other.pk,
            "user": bam.user_id,
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/portal/configure/employees/"
    pending.refresh_from_db()
    assert (pending.status, pending.role, pending.business_id) == (S.ACTIVE, R.EDITOR, business.pk)
    assert list(pending.program_accounts.all()) == [account_a]
    pending.user.refresh_from_db()
    assert not pending.user.is_staff and not pending.user.is_superuser
    entry = AuditEntry.objects.get(action="employment.approved")
    assert (entry.actor, entry.business, entry.acting_for) == (bam.user, business, None)
    assert entry.changes["before"] == {"status": "pending"}
    assert entry.changes["after"] == {
        "status": "active",
        "role": "editor",
        "accounts": [account_a.full_reference],
    }
    assert entry.ip_address == "127.0.0.1"
    answered = notices("access_request_answered", pending.user).get().notice
    assert "was approved" in answered.subject_en and "approuvée" in answered.subject_fr.lower()
    assert "Northern Maple Foods Ltd." in answered.body_en
    # The business's managers are told too.
    assert notices("employees_changed", bam.user).exists()


@pytest.mark.spec("DELEG-1")
def test_approving_as_business_account_manager_covers_every_account(bam_client, pending, account_a):
    bam_client.post(
        f"/en/portal/configure/employees/requests/{pending.pk}/approve/",
        {"approve-role": "bam", "approve-program_accounts": [account_a.pk]},
    )
    pending.refresh_from_db()
    assert pending.role == R.BUSINESS_ACCOUNT_MANAGER and not pending.program_accounts.exists()


@pytest.mark.spec("DELEG-0", "DELEG-1", "X-4")
@pytest.mark.parametrize(
    "data",
    [
        {"approve-role": "bam", "approve-program_accounts": "A"},
        {"approve-role": "reader", "approve-program_accounts": "B"},
        {"approve-role": "reader"},  # a PAM must choose their account(s): never "all"
    ],
    ids=["the BAM role", "account B", "every account"],
)
def test_a_program_account_manager_cannot_grant_beyond_their_reach(
    pam_client, pending, account_a, account_b, data
):
    accounts = {"A": account_a.pk, "B": account_b.pk}
    if "approve-program_accounts" in data:
        data = {**data, "approve-program_accounts": accounts[data["approve-program_accounts"]]}
    response = pam_client.post(
        f"/en/portal/configure/employees/requests/{pending.pk}/approve/", data
    )
    assert response.status_code == 200
    assert soup(response).select_one("[data-error-summary]")
    pending.refresh_from_db()
    assert pending.status == S.PENDING
    assert not AuditEntry.objects.filter(action__startswith="employment.").exists()


@pytest.mark.spec("DELEG-1", "X-4")
def test_a_double_submit_approves_once(bam_client, pending, account_a):
    url = f"/en/portal/configure/employees/requests/{pending.pk}/approve/"
    data = {"approve-role": "reader", "approve-program_accounts": [account_a.pk]}
    assert bam_client.post(url, data).status_code == 302
    response = bam_client.post(
        url, {"approve-role": "pam", "approve-program_accounts": []}, follow=True
    )
    assert "no longer possible" in text(soup(response).main)
    pending.refresh_from_db()
    assert pending.role == R.READER
    assert AuditEntry.objects.filter(action="employment.approved").count() == 1
    assert notices("access_request_answered", pending.user).count() == 1


@pytest.mark.spec("DELEG-1", "X-4")
@pytest.mark.parametrize("status", [S.REJECTED, S.CANCELLED, S.REMOVED])
def test_an_answered_or_cancelled_request_cannot_be_approved(
    bam_client, pending, account_a, status
):
    Employment.objects.filter(pk=pending.pk).update(status=status)
    response = bam_client.post(
        f"/en/portal/configure/employees/requests/{pending.pk}/approve/",
        {"approve-role": "bam"},
        follow=True,
    )
    assert "no longer possible" in text(soup(response).main)
    pending.refresh_from_db()
    assert (pending.status, pending.role) == (status, R.READER)
    assert not AuditEntry.objects.filter(action__startswith="employment.").exists()
    assert not notices("access_request_answered").exists()
    # Its details page is gone too.
    assert (
        bam_client.get(f"/en/portal/configure/employees/requests/{pending.pk}/").status_code == 404
    )


@pytest.mark.spec("DELEG-1", "X-4")
def test_nobody_approves_their_own_request(bam, pending):
    """The rule holds in the model and the service, whatever the page lets through."""
    with pytest.raises(TransitionError):
        pending.approve(role=R.BUSINESS_ACCOUNT_MANAGER, by=pending.user)
    # Give the requester a manager's reach on the business (as if a form were forged).
    with pytest.raises(DelegationError):
        services.employment_approve(
            employment=pending,
            role=R.BUSINESS_ACCOUNT_MANAGER,
            program_accounts=[],
            reach=reach_of(bam),
            audit=as_person(pending.user),
        )
    with pytest.raises(DelegationError):
        services.employment_approve(
            employment=pending,
            role=R.BUSINESS_ACCOUNT_MANAGER,
            program_accounts=[],
            reach=reach_of(bam),
            audit=as_person(UserFactory()),  # and nobody who is not a manager
        )
    pending.refresh_from_db()
    assert pending.status == S.PENDING
    assert not AuditEntry.objects.exists()


@pytest.mark.spec("DELEG-3", "DELEG-1")
def test_a_service_providers_grant_never_manages_employees():
    grant = Grant(
        business_id=1,
        permissions=frozenset({Perm.VIEW_TRANSACTIONS}),
        account_ids=None,
        role=R.BUSINESS_ACCOUNT_MANAGER,
        relationship_kind="business",
        provider_id=2,
    )
    with pytest.raises(DelegationError):
        Reach.of(grant)


@pytest.mark.spec("DELEG-1", "DELEG-6", "X-1")
def test_reject_needs_a_reason_and_tells_the_requester(bam_client, bam, pending):
    url = f"/en/portal/configure/employees/requests/{pending.pk}/reject/"
    response = bam_client.post(url, {"reject-reason": "   "})
    assert response.status_code == 200
    assert soup(response).select_one("#id_reject-reason[aria-invalid='true']")
    pending.refresh_from_db()
    assert pending.status == S.PENDING
    assert bam_client.post(url, {"reject-reason": "We do not know you."}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == S.REJECTED
    entry = AuditEntry.objects.get(action="employment.rejected")
    assert entry.changes["reason"] == "We do not know you."
    notice = notices("access_request_answered", pending.user).get().notice
    assert "refused" in notice.subject_en and "We do not know you." in notice.body_fr
    # A rejected request cannot be rejected (or approved) again.
    bam_client.post(url, {"reject-reason": "Again"})
    assert AuditEntry.objects.filter(action="employment.rejected").count() == 1


# --- Bulk approval (DELEG-5) ---------------------------------------------------------------


@pytest.mark.spec("DELEG-5", "DELEG-1", "DELEG-6")
def test_bulk_approve_many_requests_in_one_role(bam_client, business, account_a):
    requests = [
        EmploymentFactory(business=business, status=S.PENDING, user=person(f"R{n}", "Req"))
        for n in range(3)
    ]
    response = bam_client.post(
        "/en/portal/configure/employees/requests/approve/",
        {
            "bulk-requests": [requests[0].pk, requests[1].pk],
            "bulk-role": "editor",
            "bulk-program_accounts": [account_a.pk],
        },
        follow=True,
    )
    assert "2 access requests were approved." in text(soup(response).main)
    statuses = [Employment.objects.get(pk=r.pk).status for r in requests]
    assert statuses == [S.ACTIVE, S.ACTIVE, S.PENDING]
    assert AuditEntry.objects.filter(action="employment.approved").count() == 2
    assert notices("access_request_answered").count() == 2


@pytest.mark.spec("DELEG-5", "X-4")
def test_bulk_approve_is_all_or_nothing(bam, business, account_a):
    fresh = EmploymentFactory(business=business, status=S.PENDING)
    answered = EmploymentFactory(business=business, status=S.REJECTED)
    with pytest.raises(DelegationError):
        services.employments_bulk_approve(
            employments=[fresh, answered],
            role=R.READER,
            program_accounts=[account_a],
            reach=reach_of(bam),
            audit=as_person(bam.user),
        )
    fresh.refresh_from_db()
    assert fresh.status == S.PENDING
    assert not AuditEntry.objects.exists() and not NoticeRecipient.objects.exists()


@pytest.mark.spec("DELEG-5", "X-4")
def test_bulk_approve_refuses_a_request_no_longer_pending(bam_client, business, account_a):
    fresh = EmploymentFactory(business=business, status=S.PENDING)
    cancelled = EmploymentFactory(business=business, status=S.CANCELLED)
    other_business = EmploymentFactory(status=S.PENDING)
    response = bam_client.post(
        "/en/portal/configure/employees/requests/approve/",
        {
            "bulk-requests": [fresh.pk, cancelled.pk, other_business.pk],
            "bulk-role": "reader",
        },
    )
    assert response.status_code == 200
    assert soup(response).select_one("[data-error-summary]")
    assert Employment.objects.get(pk=fresh.pk).status == S.PENDING
    assert Employment.objects.get(pk=other_business.pk).status == S.PENDING


# --- Change and remove -----------------------------------------------------------------------


@pytest.mark.spec("DELEG-1", "DELEG-6")
def test_change_role_and_accounts(bam_client, bam, business, account_a, account_b):
    employee = scoped(business, account_a, user=person("Ed", "Editor"))
    url = f"/en/portal/configure/employees/{employee.pk}/"
    page = soup(bam_client.get(url))
    assert page.select_one("input[name='change-role'][value='reader'][checked]")
    assert page.select_one(
        f"input[name='change-program_accounts'][value='{account_a.pk}'][checked]"
    )
    response = bam_client.post(
        url,
        {
            "change-role": "pam",
            "change-program_accounts": [account_b.pk],
            "change-status": "pending",
        },
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert (employee.role, employee.status) == (R.PROGRAM_ACCOUNT_MANAGER, S.ACTIVE)
    assert list(employee.program_accounts.all()) == [account_b]
    entry = AuditEntry.objects.get(action="employment.role_changed")
    assert entry.changes["before"]["role"] == "reader"
    assert entry.changes["after"] == {
        "status": "active",
        "role": "pam",
        "accounts": [account_b.full_reference],
    }
    notice = notices("access_changed", employee.user).get().notice
    assert "Program Account Manager" in notice.body_en
    assert "Gestionnaire du compte de programme" in notice.body_fr


@pytest.mark.spec("DELEG-1")
def test_the_business_account_manager_can_make_others_managers(bam_client, business, account_a):
    employee = scoped(business, account_a)
    bam_client.post(f"/en/portal/configure/employees/{employee.pk}/", {"change-role": "bam"})
    employee.refresh_from_db()
    assert employee.role == R.BUSINESS_ACCOUNT_MANAGER and not employee.program_accounts.exists()


@pytest.mark.spec("DELEG-0", "DELEG-1")
@pytest.mark.parametrize("how", ["demote", "remove"])
def test_the_last_business_account_manager_is_never_demoted_or_removed(bam_client, bam, how):
    if how == "demote":
        response = bam_client.post(
            f"/en/portal/configure/employees/{bam.pk}/", {"change-role": "reader"}
        )
    else:
        response = bam_client.post(f"/en/portal/configure/employees/{bam.pk}/remove/")
    assert response.status_code == 200
    assert "only Business Account Manager" in text(
        soup(response).select_one("[data-error-summary]")
    )
    bam.refresh_from_db()
    assert (bam.role, bam.status) == (R.BUSINESS_ACCOUNT_MANAGER, S.ACTIVE)
    assert not AuditEntry.objects.exists() and not NoticeRecipient.objects.exists()


@pytest.mark.spec("DELEG-0", "DELEG-1")
def test_two_managers_removing_each_other_leave_one(bam, business):
    """With stale pages, the second removal is refused: the business keeps a manager."""
    second = EmploymentFactory(business=business, role=R.BUSINESS_ACCOUNT_MANAGER)
    services.employment_remove(employment=second, reach=reach_of(bam), audit=as_person(bam.user))
    with pytest.raises(DelegationError):
        services.employment_remove(
            employment=bam, reach=reach_of(second), audit=as_person(second.user)
        )
    bam.refresh_from_db()
    assert bam.status == S.ACTIVE
    assert AuditEntry.objects.filter(action="employment.removed").count() == 1


@pytest.mark.spec("DELEG-0", "DELEG-1")
def test_a_program_account_manager_cannot_touch_a_manager_or_others_accounts(
    pam_client, pam, bam, business, account_a, account_b
):
    wide = scoped(business, account_a)
    wide.program_accounts.add(account_b)
    assert pam_client.get(f"/en/portal/configure/employees/{bam.pk}/").status_code == 403
    assert pam_client.post(f"/en/portal/configure/employees/{bam.pk}/remove/").status_code == 403
    assert pam_client.post(f"/en/portal/configure/employees/{wide.pk}/remove/").status_code == 403
    b_only = scoped(business, account_b)
    assert pam_client.get(f"/en/portal/configure/employees/{b_only.pk}/").status_code == 404
    # The service refuses as well, whatever the view.
    with pytest.raises(DelegationError):
        services.employment_remove(
            employment=bam,
            reach=reach_of(pam, frozenset({account_a.pk})),
            audit=as_person(pam.user),
        )
    assert Employment.objects.filter(status=S.ACTIVE).count() == 4


@pytest.mark.spec("DELEG-1", "DELEG-6", "X-4")
def test_removing_access_takes_effect_on_the_next_request(
    bam_client, bam, business, account_a, client_for
):
    employee = scoped(business, account_a, role=R.EDITOR, user=person("Ed", "Gone"))
    employee_client = signed_in(employee, account_a, client_for)
    assert employee_client.get(f"/en/portal/program-accounts/{account_a.pk}/").status_code == 200
    assert employee_client.get("/en/portal/home/").status_code == 200
    confirm = soup(bam_client.get(f"/en/portal/configure/employees/{employee.pk}/remove/"))
    assert "Ed Gone" in text(confirm.main)
    assert (
        bam_client.post(f"/en/portal/configure/employees/{employee.pk}/remove/").status_code == 302
    )
    employee.refresh_from_db()
    assert employee.status == S.REMOVED
    # The same session, the very next request: nothing of the business any more.
    assert employee_client.get(f"/en/portal/program-accounts/{account_a.pk}/").status_code == 404
    assert employee_client.get("/en/portal/home/").status_code == 302
    entry = AuditEntry.objects.get(action="employment.removed")
    assert entry.changes["before"]["status"] == "active"
    assert entry.changes["after"]["status"] == "removed"
    notice = notices("access_changed", employee.user).get().notice
    assert "removed" in notice.subject_en
    # A second removal (double submit) is a 404: the person is no longer an employee.
    assert (
        bam_client.post(f"/en/portal/configure/employees/{employee.pk}/remove/").status_code == 404
    )
    assert AuditEntry.objects.filter(action="employment.removed").count() == 1


@pytest.mark.spec("DELEG-1")
def test_a_manager_may_leave_when_another_remains(bam_client, bam, business):
    EmploymentFactory(business=business, role=R.BUSINESS_ACCOUNT_MANAGER)
    assert bam_client.post(f"/en/portal/configure/employees/{bam.pk}/remove/").status_code == 302
    bam.refresh_from_db()
    assert bam.status == S.REMOVED


@pytest.mark.spec("DELEG-6", "DELEG-0", "STAFF-2")
def test_staff_corrections_of_an_employment_are_audited_told_and_keep_a_manager(
    staff_client, importer_account
):
    """DELEG-6: staff editing an employment in the admin is audited and tells the person
    and the managers; the last Business Account Manager is never demoted."""
    from carm_portal.models import AuditEntry
    from notices.models import NoticeRecipient

    business = importer_account.business
    bam = EmploymentFactory(business=business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER)
    reader = EmploymentFactory(business=business, role=Employment.Role.READER)

    def post(employment, role):
        data = {"role": role, "status": employment.status, "comment": employment.comment}
        return staff_client.post(f"/admin/delegation/employment/{employment.pk}/change/", data)

    response = post(bam, Employment.Role.READER)
    assert response.status_code == 302
    bam.refresh_from_db()
    assert bam.role == Employment.Role.BUSINESS_ACCOUNT_MANAGER
    assert not AuditEntry.objects.filter(action="employment.changed_by_staff").exists()

    assert post(reader, Employment.Role.EDITOR).status_code == 302
    reader.refresh_from_db()
    assert reader.role == Employment.Role.EDITOR
    entry = AuditEntry.objects.get(action="employment.changed_by_staff")
    assert (
        entry.changes["before"]["role"] == "reader" and entry.changes["after"]["role"] == "editor"
    )
    assert NoticeRecipient.objects.filter(user=reader.user).exists()
    assert NoticeRecipient.objects.filter(user=bam.user).exists()


@pytest.mark.spec("X-1", "DELEG-1")
def test_the_requesters_comment_carries_their_language(bam_client, pending):
    """X-1: text a person typed stays as typed; its element says its language (the
    requester's), so a French page reads an English comment with English rules."""
    pending.user.preferred_language = "en"
    pending.user.save(update_fields=["preferred_language"])
    page = soup(bam_client.get(f"/fr/portal/configure/employees/requests/{pending.pk}/"))
    assert page.select_one(".request-comment")["lang"] == "en"
    listed = soup(bam_client.get("/fr/portal/configure/employees/"))
    [cell] = [td for td in listed.select("td[lang]") if "B3" in text(td)]
    assert cell["lang"] == "en"
