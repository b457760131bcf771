"""Business relationships, assignments and client groups: DELEG-2, DELEG-4, DELEG-5, DELEG-6."""

from datetime import timedelta

import pytest
from django.utils import timezone

from business.tests.factories import BusinessFactory
from carm_portal.audit import AuditContext
from carm_portal.models import AuditEntry
from delegation import services
from delegation.models import ClientAssignment, ClientGroup, Relationship
from delegation.services import DelegationError
from delegation.tests.matrix_world import build_world, client_for
from notices.models import Notice
from tests.html import soup, text

pytestmark = pytest.mark.django_db


def notices_to(user):
    return list(Notice.objects.filter(recipients__user=user).values_list("type__code", flat=True))


@pytest.fixture
def world():
    return build_world()


def own(world, principal):
    return client_for(world, principal, client_current=False)


@pytest.mark.spec("DELEG-2", "DELEG-6")
@pytest.mark.parametrize(
    ("lang", "sent"),
    [("en", "Your request was sent to"), ("fr", "Votre demande a été envoyée à")],
)
def test_a_provider_requests_a_relationship_by_bn9(world, lang, sent):
    from delegation.tests.matrix import _new_client

    other = _new_client()
    client = own(world, "biz_bam")
    response = client.post(
        f"/{lang}/portal/configure/relationships/request/",
        {"bn9": other.bn9, "comment": "We clear your goods."},
        follow=True,
    )
    assert sent in text(soup(response))
    relationship = Relationship.objects.get(provider=world.broker1, client=other)
    assert relationship.status == "pending" and relationship.comment == "We clear your goods."
    entry = AuditEntry.objects.get(action="relationship.requested")
    assert entry.business == world.broker1 and entry.acting_for == other
    manager = other.employments.get().user
    assert notices_to(manager) == ["relationship_requested"]


@pytest.mark.spec("DELEG-2", "X-4")
@pytest.mark.parametrize(
    ("lang", "bn9", "message"),
    [
        ("en", "999999998", "No business with this business number is registered on the portal."),
        ("fr", "999999998", "Aucune entreprise inscrite au portail n'a ce numéro d'entreprise."),
        ("en", "12345", "Enter the 9 digits of the business number"),
        ("en", "client", "already has a pending or active relationship"),
        ("en", "self", "cannot have a relationship with itself"),
    ],
)
def test_bad_requests_are_refused_next_to_the_field(world, lang, bn9, message):
    bn9 = {"client": world.client.bn9, "self": world.broker1.bn9}.get(bn9, bn9)
    client = own(world, "biz_bam")
    response = client.post(
        f"/{lang}/portal/configure/relationships/request/",
        {"bn9": bn9, "comment": "Kept after the error"},
    )
    page = soup(response)
    assert response.status_code == 200
    error = page.select_one("#id_bn9").get("aria-describedby", "")
    assert message in text(page.select_one(f"#{error.split()[0]}"))
    assert page.select_one("#id_comment").text.strip() == "Kept after the error"


@pytest.mark.spec("DELEG-2", "DELEG-6")
def test_the_client_approves_program_management_of_chosen_accounts(world):
    relationship = world.extra["pending_relationship"]
    client = client_for(world, "bam")
    response = client.post(
        f"/en/portal/configure/relationships/{relationship.pk}/answer/",
        {"decision": "approve", "kind": "program", "program_accounts": [world.account_b.pk]},
    )
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert relationship.status == "active" and relationship.kind == "program"
    assert list(relationship.program_accounts.all()) == [world.account_b]
    assert AuditEntry.objects.filter(action="relationship.approved").count() == 1
    assert Notice.objects.filter(
        type__code="relationship_answered", business=world.broker4
    ).exists()


@pytest.mark.spec("DELEG-2", "X-4")
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"decision": "approve"}, "kind", "Choose the type of relationship."),
        (
            {"decision": "approve", "kind": "program"},
            "program_accounts",
            "Choose at least one program account.",
        ),
        ({"decision": "reject"}, "reason", "Enter the reason for the rejection."),
    ],
)
def test_answer_errors_are_next_to_the_field(world, data, field, message):
    relationship = world.extra["pending_relationship"]
    response = client_for(world, "bam").post(
        f"/en/portal/configure/relationships/{relationship.pk}/answer/", data
    )
    assert response.status_code == 200
    assert message in text(soup(response))
    relationship.refresh_from_db()
    assert relationship.status == "pending"


@pytest.mark.spec("DELEG-2", "X-4")
def test_a_pam_cannot_delegate_accounts_outside_their_scope(world):
    relationship = world.extra["pending_relationship"]
    response = client_for(world, "pam").post(
        f"/en/portal/configure/relationships/{relationship.pk}/answer/",
        {"decision": "approve", "kind": "program", "program_accounts": [world.account_b.pk]},
    )
    assert response.status_code == 200
    relationship.refresh_from_db()
    assert relationship.status == "pending"


@pytest.mark.spec("DELEG-2", "X-4")
def test_answering_twice_is_refused_without_partial_writes(world):
    relationship = world.extra["pending_relationship"]
    audit = AuditContext(actor=world.users["bam"])
    services.relationship_reject(relationship=relationship, reason="No.", audit=audit)
    with pytest.raises(DelegationError):
        services.relationship_approve(relationship=relationship, kind="business", audit=audit)
    relationship.refresh_from_db()
    assert relationship.status == "rejected" and relationship.kind == ""
    assert AuditEntry.objects.filter(action__startswith="relationship.").count() == 1


@pytest.mark.spec("DELEG-2", "DELEG-6")
def test_either_side_ends_it_and_both_are_told(world):
    relationship = world.extra["business_relationship"]
    response = own(world, "biz_bam").post(
        f"/en/portal/configure/relationships/{relationship.pk}/withdraw/"
    )
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert relationship.status == "ended" and relationship.ended_by == world.users["biz_bam"]
    told = set(
        Notice.objects.filter(type__code="relationship_ended").values_list("business", flat=True)
    )
    assert told == {world.client.pk, world.broker1.pk}
    # The history keeps it.
    page = soup(client_for(world, "bam").get("/en/portal/configure/relationships/"))
    assert "Broker 1 Ltd." in text(page.select_one("#history-heading").parent)


@pytest.mark.spec("DELEG-2")
def test_requests_unanswered_for_30_days_expire(world):
    pending = world.extra["pending_relationship"]
    Relationship.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timedelta(days=30, minutes=1)
    )
    fresh = Relationship.objects.create(provider=world.broker2, client=world.broker4)
    assert services.relationships_expire() == 1
    assert services.relationships_expire() == 0  # idempotent
    pending.refresh_from_db()
    fresh.refresh_from_db()
    assert pending.status == "expired" and fresh.status == "pending"
    assert AuditEntry.objects.filter(action="relationship.expired").count() == 1


@pytest.mark.spec("DELEG-2", "HOME-4")
@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "Pending third-party requests"), ("fr", "Demandes de tiers en attente")],
)
def test_the_client_sees_pending_requests_and_providers(world, lang, heading):
    page = soup(client_for(world, "bam").get(f"/{lang}/portal/configure/relationships/"))
    pending = page.select_one("#pending-heading").parent
    assert heading in text(pending)
    assert "Broker 4 Ltd." in text(pending)
    providers = text(page.select_one("#providers-heading").parent)
    assert "Broker 1 Ltd." in providers and "Broker 2 Ltd." in providers
    assert "Broker 3 Ltd." not in providers  # ended


@pytest.mark.spec("DELEG-4", "DELEG-5", "DELEG-6")
def test_bulk_assignment_gives_access_and_tells_the_employee(world):
    """Two steps: the clients checked on a page of the list, then, on a page of their own,
    the employees; back to the same page of the list."""
    client = own(world, "biz_bam")
    employee = world.employment("biz_unassigned")
    response = client.post("/en/portal/configure/clients/?page=1", {"clients": [world.client.pk]})
    assert response.status_code == 302
    step = response["Location"]
    assert step == f"/en/portal/configure/clients/assign/?clients={world.client.pk}&page=1"
    page = soup(client.get(step))
    assert world.client.display_name in text(page.select_one("#chosen-clients"))
    assert page.select_one(f'input[name="employees"][value="{employee.pk}"]')
    response = client.post(step, {"employees": [employee.pk]})
    assert response.status_code == 302
    assert response["Location"] == "/en/portal/configure/clients/?page=1"
    assert ClientAssignment.objects.filter(employment=employee, client=world.client).exists()
    assert notices_to(employee.user) == ["client_access_changed"]
    assert AuditEntry.objects.filter(action="client_assignment.created").count() == 1
    listed = soup(client.get(response["Location"]))
    assert "1 assignment added." in text(listed)
    assert employee.user.display_name in text(listed.select_one("main table"))
    # A second identical submission adds nothing (double submit).
    client.post(step, {"employees": [employee.pk]})
    assert ClientAssignment.objects.filter(employment=employee).count() == 1


@pytest.mark.spec("DELEG-5")
def test_the_second_step_adds_the_chosen_clients_to_a_group(world):
    group = ClientGroup.objects.create(provider=world.broker1, name="Ontario")
    client = own(world, "biz_bam")
    step = f"/fr/portal/configure/clients/assign/?clients={world.client.pk}"
    response = client.post(step, {"group": group.pk}, follow=True)
    assert "Les clients ont été ajoutés au groupe." in text(soup(response))
    assert list(group.clients.all()) == [world.client]


@pytest.mark.spec("DELEG-4", "X-4")
@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "Select at least one client."), ("fr", "Sélectionnez au moins un client.")],
)
def test_no_client_checked_is_said_next_to_the_list(world, lang, message):
    response = own(world, "biz_bam").post(f"/{lang}/portal/configure/clients/", {})
    assert response.status_code == 200
    page = soup(response)
    assert message in text(page.select_one("#clients-error"))
    box = page.select_one(f'input[name="clients"][value="{world.client.pk}"]')
    assert box["aria-describedby"] == "clients-error"
    # The summary's link reaches the first box of the list.
    link = page.select_one(".error-summary a")["href"]
    assert page.select_one(f'input[name="clients"]{link}')


@pytest.mark.spec("DELEG-4", "X-4")
@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Choose employees or a client group."),
        ("fr", "Choisissez des employés ou un groupe de clients."),
    ],
)
def test_neither_employees_nor_group_is_said_next_to_the_employees_and_keeps_the_clients(
    world, lang, message
):
    client = own(world, "biz_bam")
    before = ClientAssignment.objects.count()
    step = f"/{lang}/portal/configure/clients/assign/?clients={world.client.pk}&page=2"
    response = client.post(step, {})
    assert response.status_code == 200
    page = soup(response)
    assert message in text(page.select_one("#id_employees-error"))
    assert world.client.display_name in text(page.select_one("#chosen-clients"))
    assert page.select_one("main form").get("action") is None  # posts back to the same address
    assert ClientAssignment.objects.count() == before


@pytest.mark.spec("DELEG-4", "X-4")
@pytest.mark.parametrize(
    "query",
    [
        "",
        "clients=",
        "clients=x",
        "clients={broker4}",
        "clients=²",
        "clients=1%00",
        "clients=" + "9" * 30,
    ],
)
def test_the_second_step_without_a_client_of_the_provider_goes_back_to_the_list(world, query):
    client = own(world, "biz_bam")
    query = query.format(broker4=world.broker4.pk)
    for method in ("get", "post"):
        response = getattr(client, method)(f"/en/portal/configure/clients/assign/?{query}")
        assert response.status_code == 302
        assert response["Location"] == "/en/portal/configure/clients/"
    assert "Select at least one client." in text(soup(client.get("/en/portal/configure/clients/")))
    assert not ClientAssignment.objects.filter(client=world.broker4).exists()


@pytest.mark.spec("DELEG-4", "X-4")
def test_assignment_ignores_clients_without_relationship_and_foreign_employees(world):
    audit = AuditContext(actor=world.users["biz_bam"])
    with pytest.raises(DelegationError):
        services.clients_assign(
            provider=world.broker1,
            clients=[world.broker4],  # no relationship with Broker 1
            employments=[world.employment("biz_unassigned")],
            audit=audit,
        )
    with pytest.raises(DelegationError):
        services.clients_assign(
            provider=world.broker1,
            clients=[world.client],
            employments=[world.employment("editor")],  # the client's employee
            audit=audit,
        )
    assert not ClientAssignment.objects.filter(employment__in=[world.employment("editor")]).exists()


@pytest.mark.spec("DELEG-5", "X-4")
@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "A client group with this name exists or existed before."),
        ("fr", "Un groupe de clients portant ce nom existe ou a déjà existé."),
    ],
)
def test_a_group_name_may_not_equal_an_active_or_deleted_groups(world, lang, message):
    client = own(world, "biz_bam")
    group = world.extra["client_group"]
    for name in ("quebec CLIENTS", "Old group"):
        if name == "Old group":
            ClientGroup.objects.create(
                provider=world.broker1, name="Old group", deleted_at=timezone.now()
            )
        response = client.post(f"/{lang}/portal/configure/client-groups/", {"name": name})
        assert response.status_code == 200
        assert message in text(soup(response))
        assert soup(response).select_one("#id_name")["value"] == name
    assert ClientGroup.objects.filter(provider=world.broker1).count() == 2
    # Renaming to a deleted group's name is refused too.
    response = client.post(
        f"/{lang}/portal/configure/client-groups/{group.pk}/",
        {"rename": "1", "group-name": "old group"},
    )
    assert message in text(soup(response))


@pytest.mark.spec("DELEG-5")
def test_group_members_get_every_client_of_the_group(world):
    from delegation.access import Access

    client = own(world, "biz_bam")
    group = ClientGroup.objects.create(provider=world.broker1, name="Ontario")
    employee = world.employment("biz_unassigned")
    response = client.post(
        f"/en/portal/configure/client-groups/{group.pk}/",
        {"save_members": "1", "clients": [world.client.pk], "members": [employee.pk]},
    )
    assert response.status_code == 302
    assert world.client.pk in Access(employee.user).grants
    assert AuditEntry.objects.filter(action="client_group.changed").count() == 1
    # Deleting the group: the access goes, the name stays taken.
    client.post(f"/en/portal/configure/client-groups/{group.pk}/delete/")
    assert world.client.pk not in Access(employee.user).grants
    with pytest.raises(DelegationError):
        services.client_group_create(
            provider=world.broker1,
            name="ontario",
            audit=AuditContext(actor=world.users["biz_bam"]),
        )
    assert client.get(f"/en/portal/configure/client-groups/{group.pk}/").status_code == 404


@pytest.mark.spec("DELEG-5")
def test_client_groups_page_query_count_does_not_grow(world, django_assert_max_num_queries):
    for n in range(15):
        group = ClientGroup.objects.create(provider=world.broker1, name=f"Group {n}")
        group.clients.add(world.client)
    client = own(world, "biz_bam")
    with django_assert_max_num_queries(12):
        response = client.get("/en/portal/configure/client-groups/")
    assert len(soup(response).select("tbody tr")) == 16


@pytest.mark.spec("DELEG-2", "X-4")
def test_fields_a_person_may_not_set_are_ignored(world):
    """A hand-made POST naming the provider, the status or another business's account
    changes none of them."""
    relationship = world.extra["pending_relationship"]
    foreign = world.broker1.program_accounts.get()
    response = client_for(world, "bam").post(
        f"/en/portal/configure/relationships/{relationship.pk}/answer/",
        {
            "decision": "approve",
            "kind": "program",
            "program_accounts": [world.account_a.pk, foreign.pk],
            "status": "ended",
            "provider": world.broker1.pk,
            "client": world.broker2.pk,
        },
    )
    assert response.status_code == 200  # the foreign account is not a valid choice
    relationship.refresh_from_db()
    assert relationship.status == "pending" and relationship.provider == world.broker4


@pytest.mark.spec("HOME-4", "DELEG-0")
@pytest.mark.parametrize(
    ("principal", "services"),
    [
        ("bam", ["Manage my employees", "Manage my business relationships"]),
        ("reader", []),
    ],
)
def test_configure_my_portal_lists_only_what_the_person_may_use(world, principal, services):
    page = soup(client_for(world, principal).get("/en/portal/home/"))
    tiles = [text(a) for a in page.select(".tiles h2 a, .tile a")]
    configure = client_for(world, principal).get("/en/portal/area/configure/")
    if services:
        listed = [text(a) for a in soup(configure).select("ul.services a")]
        for service in services:
            assert service in listed
        assert "Manage my client groups" not in listed  # an importer is no service provider
    else:
        assert configure.status_code == 404
        assert "Configure my portal" not in " ".join(tiles)


@pytest.mark.spec("DELEG-1", "DELEG-4")
def test_a_brokers_employees_page_leads_to_client_assignment(world):
    page = soup(own(world, "biz_bam").get("/en/portal/configure/employees/"))
    assert page.select_one('main a[href="/en/portal/configure/clients/"]')
    page = soup(client_for(world, "bam").get("/en/portal/configure/employees/"))
    assert not page.select_one('main a[href="/en/portal/configure/clients/"]')


@pytest.mark.spec("DELEG-5", "DELEG-6")
def test_group_changes_tell_each_member_of_the_clients_they_gain(world):
    """A new member hears of every client of the group; a member already there hears
    only of the clients added."""
    audit = AuditContext(actor=world.users["biz_bam"])
    group = world.extra["client_group"]  # holds the client; biz_group is a member
    other = BusinessFactory(legal_name="Second Client Inc.")
    Relationship.objects.create(
        provider=world.broker1, client=other, kind="business", status="active"
    )
    newcomer = world.employment("biz_unassigned")
    services.client_group_update(
        group=group, add_clients=[other], add_members=[newcomer], audit=audit
    )

    def told(principal):
        return sorted(
            Notice.objects.filter(
                type__code="client_access_changed", recipients__user=world.users[principal]
            ).values_list("subject_en", flat=True)
        )

    assert told("biz_unassigned") == [
        "You can now act for Client Importer Inc.",
        "You can now act for Second Client Inc.",
    ]
    assert told("biz_group") == ["You can now act for Second Client Inc."]


@pytest.mark.spec("DELEG-5", "DELEG-6")
def test_group_losses_and_deletion_tell_each_member_of_the_clients_they_lose(world):
    """DELEG-6: removing a member or a client from a group, or deleting the group, tells
    each member who loses a client (gains only were told)."""
    audit = AuditContext(actor=world.users["biz_bam"])
    group = world.extra["client_group"]  # holds the client; biz_group is a member
    other = BusinessFactory(legal_name="Second Client Inc.")
    Relationship.objects.create(
        provider=world.broker1, client=other, kind="business", status="active"
    )
    newcomer = world.employment("biz_unassigned")
    services.client_group_update(
        group=group, add_clients=[other], add_members=[newcomer], audit=audit
    )

    def lost(principal):
        return sorted(
            Notice.objects.filter(
                type__code="client_access_changed",
                recipients__user=world.users[principal],
                subject_en__startswith="You no longer",
            ).values_list("subject_en", flat=True)
        )

    services.client_group_update(group=group, remove_clients=[other], audit=audit)
    assert lost("biz_group") == ["You no longer act for Second Client Inc."]
    assert lost("biz_unassigned") == ["You no longer act for Second Client Inc."]
    services.client_group_update(group=group, remove_members=[newcomer], audit=audit)
    assert lost("biz_unassigned") == [
        "You no longer act for Client Importer Inc.",
        "You no longer act for Second Client Inc.",
    ]
    services.client_group_delete(group=group, audit=audit)
    assert lost("biz_group") == [
        "You no longer act for Client Importer Inc.",
        "You no longer act for Second Client Inc.",
    ]


@pytest.mark.spec("DELEG-1", "DELEG-4", "X-4")
def test_an_employee_assigned_to_one_of_a_clients_two_accounts_sees_only_that_one(world):
    """DELEG-1, DELEG-4 (« Gérez l'accès de vos employés à certains clients/comptes »): the
    broker's manager limits an employee's assignment to account A; the employee then acts
    on A only: B's pages answer 404 and B leaves their header; the change is audited and
    the employee told."""
    from carm_portal.models import AuditEntry

    manager = own(world, "biz_bam")
    assignment = world.employment("biz_assigned").client_assignments.get()
    url = f"/fr/portal/configure/clients/assignments/{assignment.pk}/accounts/"
    page = soup(manager.get(url))
    boxes = page.select("input[name=program_accounts]")
    assert len(boxes) == 2 and text(page.h1).startswith("Les comptes de")
    response = manager.post(url, {"program_accounts": [world.account_a.pk]})
    assert response.status_code == 302
    assert list(assignment.program_accounts.all()) == [world.account_a]
    assert AuditEntry.objects.filter(action="client_assignment.accounts_changed").exists()
    employee = client_for(world, "biz_assigned")
    a = f"/en/portal/program-accounts/{world.account_a.pk}/"
    b = f"/en/portal/program-accounts/{world.account_b.pk}/"
    assert employee.get(a).status_code == 200
    assert employee.get(b).status_code == 404
    home = soup(employee.get("/en/portal/home/"))
    offered = [o.get("value") for o in home.select("form.switcher option")]
    assert str(world.account_a.pk) in offered and str(world.account_b.pk) not in offered
    # Choosing none gives back every account the relationship covers.
    manager.post(url, {})
    assert client_for(world, "biz_assigned").get(b).status_code == 200


@pytest.mark.spec("DELEG-2", "X-4")
def test_every_list_of_the_relationships_page_is_read_once_whatever_its_length(world):
    """Each of the page's lists filled (requests to the business, its providers, its sent
    requests, its clients, its history on either side): one row each, then four, take the
    same queries (no row reads what its list's query left out), and every row is shown
    by its names."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    broker = world.broker1
    manager = world.users["biz_bam"]
    account = broker.program_accounts.get()
    status = Relationship.Status
    now = timezone.now()
    names: list[str] = []

    def business(label: str):
        names.append(f"{label} {len(names)} Ltd.")
        return BusinessFactory(legal_name=names[-1])

    def fill(count: int) -> None:
        for _ in range(count):
            Relationship.objects.create(
                provider=business("Asking"),
                client=broker,
                status=status.PENDING,
                comment="We clear your goods.",
                requested_by=manager,
            )
            Relationship.objects.create(
                provider=business("Acting"),
                client=broker,
                status=status.ACTIVE,
                kind=Relationship.Kind.PROGRAM,
                answered_at=now,
            ).program_accounts.add(account)
            Relationship.objects.create(
                provider=broker, client=business("Asked"), status=status.PENDING
            )
            Relationship.objects.create(
                provider=broker,
                client=business("Served"),
                status=status.ACTIVE,
                kind=Relationship.Kind.BUSINESS,
                answered_at=now,
            )
            Relationship.objects.create(
                provider=broker, client=business("Former"), status=status.ENDED, reason="Done"
            )
            Relationship.objects.create(
                provider=business("Refused"), client=broker, status=status.REJECTED, reason="No"
            )

    client = own(world, "biz_bam")
    url = "/en/portal/configure/relationships/"
    client.get(url)
    counts = []
    for count in (1, 3):
        fill(count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        shown = text(soup(response).main)
        missing = [name for name in names if name not in shown]
        assert not missing, missing
        assert shown.count(account.reference) >= len(names) // 6
    assert counts[0] == counts[1], counts
