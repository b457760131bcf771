"""The grants behind every page (delegation.access): DELEG-0, DELEG-2, DELEG-3, DELEG-4."""

import pytest
from django.test import RequestFactory
from django.utils import timezone

from business.tests.factories import ProgramAccountFactory
from delegation.access import Access, Perm, access_for
from delegation.models import ClientAssignment, Employment, Relationship
from delegation.tests.matrix_world import build_world, client_for

pytestmark = pytest.mark.django_db


def grants(user):
    return Access(user).grants


@pytest.mark.spec("DELEG-3")
def test_business_management_covers_accounts_added_later():
    world = build_world()
    grant = grants(world.users["biz_assigned"])[world.client.pk]
    later = ProgramAccountFactory(business=world.client, reference_number="0003")
    assert grant.account_ids is None and grant.covers(later.pk)
    assert grant.relationship_kind == "business" and grant.is_provider


@pytest.mark.spec("DELEG-3")
def test_program_management_covers_only_the_delegated_accounts():
    world = build_world()
    grant = grants(world.users["prog_assigned"])[world.client.pk]
    assert grant.account_ids == frozenset({world.account_a.pk})
    assert grant.allows(Perm.VIEW_TRANSACTIONS, world.account_a.pk)
    assert not grant.allows(Perm.VIEW_TRANSACTIONS, world.account_b.pk)
    assert not grant.allows(Perm.VIEW_BUSINESS_PROFILE)
    assert not grant.allows(Perm.VIEW_FINANCIAL_SECURITY)


@pytest.mark.spec("DELEG-3", "FIN-7", "FIN-8", "FIN-9")
@pytest.mark.parametrize("principal", ["biz_bam", "biz_assigned", "biz_group", "prog_assigned"])
def test_restricted_actions_are_never_granted_to_a_service_provider(principal):
    """Changing business or program information, PAD, collections, the client's employees
    and relationships: restricted whatever the relationship type (DELEG-3)."""
    world = build_world()
    grant = grants(world.users[principal])[world.client.pk]
    for perm in (
        Perm.CHANGE_BUSINESS_PROFILE,
        Perm.CHANGE_PROGRAM_ACCOUNT,
        Perm.MANAGE_PAD,
        Perm.VIEW_COLLECTIONS,
        Perm.PROPOSE_PAYMENT_ARRANGEMENT,
        Perm.MANAGE_EMPLOYEES,
        Perm.MANAGE_CLIENT_RELATIONSHIPS,
        Perm.MANAGE_PROVIDER_RELATIONSHIPS,
        Perm.MANAGE_CLIENT_GROUPS,
        Perm.VIEW_DELEGATION_HISTORY,
    ):
        assert perm not in grant.permissions, perm


@pytest.mark.spec("DELEG-0", "DELEG-4")
def test_a_provider_reader_only_reads_for_clients():
    world = build_world()
    grant = grants(world.users["biz_reader"])[world.client.pk]
    assert Perm.VIEW_REQUESTS in grant.permissions
    assert Perm.EDIT_REQUESTS not in grant.permissions
    assert Perm.EDIT_TRANSACTIONS not in grant.permissions


@pytest.mark.spec("DELEG-4")
def test_unassigned_and_ended_give_no_access_to_the_client():
    world = build_world()
    assert world.client.pk not in grants(world.users["biz_unassigned"])
    assert world.client.pk not in grants(world.users["ended"])
    assert world.client.pk in grants(world.users["biz_group"])


@pytest.mark.spec("DELEG-5")
def test_a_deleted_group_gives_nothing_at_once():
    world = build_world()
    group = world.extra["client_group"]
    group.deleted_at = timezone.now()
    group.save()
    assert world.client.pk not in grants(world.users["biz_group"])


@pytest.mark.spec("DELEG-1", "X-4")
def test_removal_takes_effect_on_the_very_next_request():
    world = build_world()
    client = client_for(world, "editor")
    url = f"/en/portal/program-accounts/{world.account_a.pk}/"
    assert client.get(url).status_code == 200
    Employment.objects.filter(pk=world.employment("editor").pk).update(
        status=Employment.Status.REMOVED
    )
    assert client.get(url).status_code == 404


@pytest.mark.spec("DELEG-2", "X-4")
def test_ending_a_relationship_takes_effect_on_the_next_request():
    world = build_world()
    client = client_for(world, "biz_assigned")
    url = f"/en/portal/businesses/{world.client.pk}/"
    assert client.get(url).status_code == 200
    Relationship.objects.filter(pk=world.extra["business_relationship"].pk).update(
        status=Relationship.Status.ENDED
    )
    assert client.get(url).status_code == 404


@pytest.mark.spec("DELEG-4")
def test_unassigning_takes_effect_on_the_next_request():
    world = build_world()
    client = client_for(world, "biz_assigned")
    url = f"/en/portal/program-accounts/{world.account_a.pk}/"
    assert client.get(url).status_code == 200
    ClientAssignment.objects.filter(employment=world.employment("biz_assigned")).delete()
    assert client.get(url).status_code == 404


@pytest.mark.spec("DELEG-0")
def test_an_importers_manager_has_no_provider_permissions():
    world = build_world()
    grant = grants(world.users["bam"])[world.client.pk]
    assert Perm.MANAGE_EMPLOYEES in grant.permissions
    assert Perm.MANAGE_PROVIDER_RELATIONSHIPS not in grant.permissions
    broker_grant = grants(world.users["biz_bam"])[world.broker1.pk]
    assert Perm.MANAGE_CLIENT_GROUPS in broker_grant.permissions


@pytest.mark.spec("DELEG-0")
def test_a_scoped_pam_covers_only_their_account():
    world = build_world()
    grant = grants(world.users["pam"])[world.client.pk]
    assert grant.account_ids == frozenset({world.account_a.pk})


@pytest.mark.spec("X-4")
def test_grants_take_two_queries_for_a_provider_employee(django_assert_num_queries):
    world = build_world()
    request = RequestFactory().get("/")
    request.user = world.users["biz_assigned"]
    with django_assert_num_queries(2):
        access_for(request).grants  # noqa: B018
    request = RequestFactory().get("/")
    request.user = world.users["editor"]
    with django_assert_num_queries(1):
        access_for(request).grants  # noqa: B018


@pytest.mark.spec("DELEG-4", "HOME-1")
@pytest.mark.parametrize(
    ("lang", "acting", "client_label"),
    [
        ("en", "Acting for Client Importer Inc.", "Client: "),
        ("fr", "Au nom de Client Importer Inc.", "Client : "),
    ],
)
def test_the_header_shows_the_client_acted_for_and_switches(lang, acting, client_label):
    from tests.html import soup, text

    world = build_world()
    client = client_for(world, "biz_assigned")
    page = soup(client.get(f"/{lang}/portal/home/"))
    assert acting in text(page.select_one(".signed-in .business"))
    groups = [g["label"] for g in page.select("#switch-account optgroup")]
    assert groups[0] == "Broker 1 Ltd." and groups[1].startswith(client_label)
    # Switch back to the person's own business.
    own = world.broker1.program_accounts.get()
    client.post(f"/{lang}/portal/home/account/", {"account": own.pk})
    page = soup(client.get(f"/{lang}/portal/home/"))
    assert "Broker 1 Ltd." in text(page.select_one(".signed-in .business"))
    assert acting not in text(page.select_one(".signed-in"))
