"""A customs broker with thousands of clients (HOME-1, DELEG-2, DELEG-4, DELEG-5).

The header's switcher, the switcher's own page, the relationships, client-assignment and
client-group pages answer with the same number of queries and stay small whether the
broker has 30 clients or 5,000: lists are bounded or paged in the database.
"""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from business.models import Business, ProgramAccount
from business.navigation import CURRENT_ACCOUNT_KEY, SWITCHER_SIZE
from delegation.models import ClientGroup, Relationship
from tests.html import soup, text

MAX_PAGE = 100 * 1024


def add_clients(provider, start: int, count: int) -> list[Business]:
    """``count`` clients in business relationships with ``provider`` (bulk: through the
    models, so their defaults and constraints apply)."""
    clients = Business.objects.bulk_create(
        Business(bn9=f"{600000000 + n:09d}", legal_name=f"Client {n:05d} Ltd.")
        for n in range(start, start + count)
    )
    ProgramAccount.objects.bulk_create(
        ProgramAccount(business=client, reference_number="0001") for client in clients
    )
    Relationship.objects.bulk_create(
        Relationship(
            provider=provider,
            client=client,
            client_name=client.legal_name,  # bulk_create calls no save()
            kind=Relationship.Kind.BUSINESS,
            status=Relationship.Status.ACTIVE,
        )
        for client in clients
    )
    return clients


def url(name: str, language: str = "en", query: str = "", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else "")


def pages(group, chosen) -> dict[str, str]:
    return {
        "home": url("business:home"),
        "switcher page": url("business:account_search"),
        "switcher search": url("business:account_search", query="q=client+000"),
        "switcher page 3": url("business:account_search", "fr", query="page=3"),
        "relationships": url("delegation:relationships"),
        "client assignment": url("delegation:clients"),
        "client assignment, page 2": url("delegation:clients", query="page=2"),
        "assigning chosen clients": url(
            "delegation:clients_assign", query="&".join(f"clients={c.pk}" for c in chosen)
        ),
        "client groups": url("delegation:client_groups"),
        "client group": url("delegation:client_group", pk=group.pk),
        "client group, page 2": url("delegation:client_group", query="page=2", pk=group.pk),
    }


def measure(client, urls: dict[str, str], warm: bool) -> dict[str, tuple[int, int]]:
    """Queries and bytes of each page (``warm``: after a first request for the caches)."""
    out = {}
    for name, url in urls.items():
        if warm:
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        out[name] = (len(queries), len(response.content))
    return out


@pytest.mark.spec("HOME-1", "DELEG-2", "DELEG-4", "DELEG-5")
def test_a_broker_with_5000_clients_gets_the_same_queries_and_small_pages(
    broker_client, broker_account
):
    provider = broker_account.business
    first = add_clients(provider, 0, 30)
    group = ClientGroup.objects.create(provider=provider, name="Ontario")
    group.clients.add(*first[:10])
    session = broker_client.session
    session[CURRENT_ACCOUNT_KEY] = broker_account.pk
    session.save()
    urls = pages(group, first[:3])

    few = measure(broker_client, urls, warm=True)
    add_clients(provider, 30, 4970)
    many = measure(broker_client, urls, warm=False)

    for name in urls:
        assert many[name][0] == few[name][0], f"{name}: {few[name][0]} then {many[name][0]} queries"
        assert many[name][1] < MAX_PAGE, f"{name}: {many[name][1]:,} bytes"

    # The header's switcher is bounded; its page finds any client and switches to it.
    home = soup(broker_client.get(url("business:home")))
    assert len(home.select("#switch-account option")) <= SWITCHER_SIZE
    assert home.select_one("a.all-accounts")["href"] == url("business:account_search")
    found = soup(broker_client.get(url("business:account_search", query="q=Client+04321")))
    assert "Client 04321 Ltd." in text(found.main)
    account = ProgramAccount.objects.get(business__legal_name="Client 04321 Ltd.")
    assert found.select_one(f'form input[name="account"][value="{account.pk}"]')
    broker_client.post(url("business:switch_account"), {"account": account.pk})
    home = soup(broker_client.get(url("business:home")))
    assert "Acting for Client 04321 Ltd." in text(home.select_one(".signed-in .business"))
    # The account just chosen is among the recent ones the switcher lists.
    options = [o["value"] for o in home.select("#switch-account option")]
    assert str(account.pk) in options and str(broker_account.pk) in options
    # By business number too, and in French.
    bn9 = account.business.bn9
    page = soup(broker_client.get(url("business:account_search", "fr", query=f"q={bn9}")))
    assert "Client : Client 04321 Ltd." in text(page.main)


@pytest.mark.spec("DELEG-5")
def test_saving_a_page_of_the_client_group_changes_only_that_page(broker_client, broker_account):
    provider = broker_account.business
    clients = add_clients(provider, 0, 60)  # 3 pages of 25
    group = ClientGroup.objects.create(provider=provider, name="Québec")
    group.clients.add(clients[0], clients[30])  # one on page 1, one on page 2
    session = broker_client.session
    session[CURRENT_ACCOUNT_KEY] = broker_account.pk
    session.save()
    group_url = url("delegation:client_group", pk=group.pk) + "?page=2"
    page = soup(broker_client.get(group_url))
    boxes = page.select('input[name="clients"]')
    assert len(boxes) == 25
    assert [b["value"] for b in boxes if b.has_attr("checked")] == [str(clients[30].pk)]
    response = broker_client.post(
        group_url, {"save_members": "1", "clients": [clients[26].pk, clients[31].pk]}
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=2")
    assert set(group.clients.all()) == {clients[0], clients[26], clients[31]}
    # A client of another page cannot be slipped into this one's form.
    response = broker_client.post(group_url, {"save_members": "1", "clients": [clients[1].pk]})
    assert response.status_code == 200
    assert set(group.clients.all()) == {clients[0], clients[26], clients[31]}


@pytest.mark.spec("X-4", "DELEG-3", "DELEG-4")
def test_a_provider_managers_clients_are_a_subquery_not_a_list(broker_account):
    """The broker manager's grants are not built one per client on each request: the
    accounts they may open are a subquery whose SQL does not grow with the clients, and a
    client's grant is read when asked for (program management: the delegated accounts)."""
    from business.tests.factories import ProgramAccountFactory
    from delegation.access import Access, Perm
    from delegation.tests.factories import EmploymentFactory

    provider = broker_account.business
    manager = EmploymentFactory(business=provider, role="bam").user
    add_clients(provider, 0, 3)
    program_client = Business.objects.create(bn9="699999999", legal_name="Program Client")
    delegated = ProgramAccountFactory(business=program_client, reference_number="0001")
    ProgramAccountFactory(business=program_client, reference_number="0002")
    relationship = Relationship.objects.create(
        provider=provider,
        client=program_client,
        kind=Relationship.Kind.PROGRAM,
        status=Relationship.Status.ACTIVE,
    )
    relationship.program_accounts.add(delegated)

    def sql(perm=None) -> str:
        return str(Access(manager).program_accounts(perm).query)

    few, few_profile = sql(), sql(Perm.VIEW_BUSINESS_PROFILE)
    add_clients(provider, 3, 50)
    assert sql() == few and sql(Perm.VIEW_BUSINESS_PROFILE) == few_profile

    access = Access(manager)
    accounts = set(access.program_accounts().values_list("pk", flat=True))
    clients = ProgramAccount.objects.filter(business__bn9__startswith="6000")
    assert accounts == {broker_account.pk, delegated.pk, *clients.values_list("pk", flat=True)}
    # Program management gives no business profile: only the business-management clients.
    profile = set(access.program_accounts(Perm.VIEW_BUSINESS_PROFILE).values_list("pk", flat=True))
    assert delegated.pk not in profile and broker_account.pk in profile
    grant = access.grant(program_client.pk)
    assert grant.account_ids == frozenset({delegated.pk}) and grant.is_provider
    assert access.is_client(program_client.pk) and not access.is_client(provider.pk)
    assert len(access._clients) == 1  # only the client asked for was read


@pytest.mark.spec("HOME-1", "DELEG-4", "X-4")
def test_the_account_page_lists_a_big_scopes_recent_and_own_accounts_and_searches_the_rest(
    broker_client, broker_account
):
    """More accounts than the switcher shows: the page without words lists the person's
    own and recently chosen accounts, as the header does, and the search finds the others
    (a broker does not page through thousands of clients by name)."""
    add_clients(broker_account.business, 0, SWITCHER_SIZE + 5)
    chosen = ProgramAccount.objects.get(business__legal_name="Client 00007 Ltd.")
    broker_client.post(url("business:switch_account"), {"account": chosen.pk})

    page = soup(broker_client.get(url("business:account_search")))
    assert text(page.select_one("#account-results")) == "Your recent accounts and your own"
    rows = [text(row) for row in page.select("main table tbody tr")]
    assert len(rows) == 2 and not page.select("main nav.pagination, main .results-range")
    assert any("Maple Leaf Customs Brokers Ltd." in row for row in rows)
    assert any("Client: Client 00007 Ltd." in row and "Current account" in row for row in rows)
    french = soup(broker_client.get(url("business:account_search", "fr")))
    assert text(french.select_one("#account-results")) == "Vos comptes récents et les vôtres"

    found = soup(broker_client.get(url("business:account_search", query="q=Client+0001")))
    assert text(found.select_one("#account-results")) == "Results"
    assert text(found.select_one(".results-range")) == "1 to 10 of 10"
    assert len(found.select("main table tbody tr")) == 10


@pytest.mark.spec("HOME-1", "X-4")
def test_the_account_page_lists_every_account_of_a_small_scope(broker_client, broker_account):
    add_clients(broker_account.business, 0, 3)
    page = soup(broker_client.get(url("business:account_search")))
    assert text(page.select_one("#account-results")) == "Results"
    assert text(page.select_one(".results-range")) == "1 to 4 of 4"
    assert len(page.select("main table tbody tr")) == 4


@pytest.mark.spec("HOME-1", "X-4")
def test_the_switcher_remembers_for_ten_minutes_that_the_person_has_many_accounts(
    broker_client, broker_account
):
    """The hint saves a broker's pages the probe query; it only chooses the switcher's
    layout, and is read again once it expires."""
    import time

    from business.navigation import MANY_ACCOUNTS_KEY

    clients = add_clients(broker_account.business, 0, SWITCHER_SIZE + 5)
    with CaptureQueriesContext(connection) as first:
        home = soup(broker_client.get(url("business:home")))
    assert home.select_one("a.all-accounts")
    assert broker_client.session[MANY_ACCOUNTS_KEY] > time.time() + 590
    with CaptureQueriesContext(connection) as second:
        broker_client.get(url("business:home"))
    assert len(second) == len(first) - 1  # no probe

    Relationship.objects.filter(client__in=clients[2:]).update(status=Relationship.Status.ENDED)
    home = soup(broker_client.get(url("business:home")))
    assert home.select_one("a.all-accounts")  # the layout, until the hint expires
    options = [o["value"] for o in home.select("#switch-account option")]
    assert len(options) == 1  # the accounts listed are read through the scope

    session = broker_client.session
    session[MANY_ACCOUNTS_KEY] = time.time() - 1
    session.save()
    home = soup(broker_client.get(url("business:home")))
    assert not home.select_one("a.all-accounts")
    assert len(home.select("#switch-account option")) == 3
    assert MANY_ACCOUNTS_KEY not in broker_client.session


@pytest.mark.spec("DELEG-4")
def test_clients_with_the_same_name_are_each_on_exactly_one_page(broker_client, broker_account):
    """A provider's clients are paged by name, then by id: equal names do not shift
    between pages."""
    clients = add_clients(broker_account.business, 0, 30)
    Business.objects.filter(pk__in=[c.pk for c in clients]).update(legal_name="Same Name Ltd.")
    Relationship.objects.filter(client__in=clients).update(client_name="Same Name Ltd.")
    seen = []
    for number in (1, 2):
        page = soup(broker_client.get(url("delegation:clients", query=f"page={number}")))
        seen += [box["value"] for box in page.select('input[name="clients"]')]
    assert sorted(seen) == sorted(str(c.pk) for c in clients)


@pytest.mark.spec("DELEG-4", "DELEG-2")
def test_clients_are_listed_by_name_and_follow_a_rename(broker_client, broker_account):
    """The client-assignment pages and the relationships page list a provider's clients
    by legal name; when CBSA staff correct a client's name (the admin saves the business),
    the client moves to its new place."""
    clients = add_clients(broker_account.business, 0, 30)

    def names(number: int) -> list[str]:
        page = soup(broker_client.get(url("delegation:clients", query=f"page={number}")))
        return [text(label) for label in page.select('label[for^="id_clients_"]')]

    first = names(1)
    assert len(first) == 25 and first[0].startswith("Client 00000 Ltd.")
    assert first == sorted(first)
    first_client = clients[0]
    first_client.legal_name = "Zulu Imports Ltd."
    first_client.save()  # as the admin saves it (LINK-5)
    assert Relationship.objects.get(client=first_client).client_name == "Zulu Imports Ltd."
    assert names(1)[0].startswith("Client 00001 Ltd.")
    assert names(2)[-1].startswith("Zulu Imports Ltd.")
    listed = soup(broker_client.get(url("delegation:relationships")))
    section = text(listed.select_one("#clients-heading").parent)
    assert "Zulu Imports" not in section
    assert "25 of your 30 clients are listed here" in section  # counted in the list's query


@pytest.mark.spec("DELEG-4")
@pytest.mark.parametrize(("asked", "shown", "boxes"), [("99", 2, 5), ("abc", 1, 25), ("0", 2, 5)])
def test_a_page_out_of_range_shows_a_real_page(broker_client, broker_account, asked, shown, boxes):
    """The client-assignment page past the last page shows the last one, and a page that
    is not a number shows the first, as every paged list of the portal does."""
    add_clients(broker_account.business, 0, 30)
    response = broker_client.get(url("delegation:clients", query=f"page={asked}"))
    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert response.context["page"].paginator.count == 30
    assert len(soup(response).select('input[name="clients"]')) == boxes


@pytest.mark.spec("HOME-1", "DELEG-2", "DELEG-4")
def test_the_switcher_lists_a_recent_client_only_while_the_provider_acts_for_it(
    broker_client, broker_account
):
    """With many accounts the header lists the current, recent and own accounts: the own
    ones are checked against the person's own grants, a recent client's against the whole
    scope, so a client whose relationship ended leaves the switcher at once."""
    clients = add_clients(broker_account.business, 0, 30)
    first, second = (ProgramAccount.objects.get(business=c) for c in clients[:2])
    for account in (first, second):
        response = broker_client.post(url("business:switch_account"), {"account": account.pk})
        assert response.status_code == 302

    def options() -> list[str]:
        home = soup(broker_client.get(url("business:home")))
        return [o["value"] for o in home.select("#switch-account option")]

    assert {str(first.pk), str(second.pk), str(broker_account.pk)} <= set(options())
    Relationship.objects.filter(client=clients[0]).update(status=Relationship.Status.ENDED)
    listed = options()
    assert str(first.pk) not in listed
    assert str(second.pk) in listed and str(broker_account.pk) in listed


@pytest.mark.spec("HOME-1", "DELEG-1", "DELEG-4")
def test_the_switcher_lists_a_recent_account_only_where_a_grant_covers_it(
    broker_client, broker_account
):
    """The header checks the recent accounts on the person's grants (``Access.among``), not
    through the whole scope: a program-management client's delegated account is listed;
    its other account and a business that is no client never are, even named in the
    session (the test above: a client whose relationship ended)."""
    from business.navigation import RECENT_ACCOUNTS_KEY
    from business.tests.factories import ProgramAccountFactory

    add_clients(broker_account.business, 0, 30)
    program_client = Business.objects.create(bn9="699999999", legal_name="Program Client")
    delegated = ProgramAccountFactory(business=program_client, reference_number="0001")
    kept = ProgramAccountFactory(business=program_client, reference_number="0002")
    relationship = Relationship.objects.create(
        provider=broker_account.business,
        client=program_client,
        kind=Relationship.Kind.PROGRAM,
        status=Relationship.Status.ACTIVE,
    )
    relationship.program_accounts.add(delegated)
    stranger = ProgramAccountFactory(business__legal_name="Not A Client Inc.")
    session = broker_client.session
    session[RECENT_ACCOUNTS_KEY] = [delegated.pk, kept.pk, stranger.pk]
    session.save()

    home = soup(broker_client.get(url("business:home")))
    listed = {o["value"] for o in home.select("#switch-account option")}
    assert {str(delegated.pk), str(broker_account.pk)} <= listed
    assert str(kept.pk) not in listed and str(stranger.pk) not in listed


@pytest.mark.spec("DELEG-1", "DELEG-4", "DELEG-5")
def test_among_keeps_an_employees_assigned_clients_accounts_only(broker_account):
    """``Access.among`` for a provider's employee other than its manager: the accounts of
    the clients assigned to them (directly, limited to some accounts, or through a client
    group), not those of the provider's other clients; for its manager, every client's."""
    from business.tests.factories import ProgramAccountFactory
    from delegation.access import Access
    from delegation.models import ClientAssignment
    from delegation.tests.factories import EmploymentFactory

    provider = broker_account.business
    direct, limited, grouped, other = add_clients(provider, 0, 4)
    accounts = {
        c: ProgramAccount.objects.get(business=c) for c in (direct, limited, grouped, other)
    }
    limited_other = ProgramAccountFactory(business=limited, reference_number="0002")
    employment = EmploymentFactory(business=provider, role="editor")
    ClientAssignment.objects.create(employment=employment, client=direct)
    ClientAssignment.objects.create(employment=employment, client=limited).program_accounts.add(
        accounts[limited]
    )
    group = ClientGroup.objects.create(provider=provider, name="Ontario")
    group.clients.add(grouped)
    group.members.add(employment)
    every = [*accounts.values(), limited_other, broker_account]

    mine = Access(employment.user).among(every)
    assert mine == [accounts[direct], accounts[limited], accounts[grouped], broker_account]
    manager = EmploymentFactory(business=provider, role="bam").user
    assert Access(manager).among(every) == every


@pytest.mark.spec("DELEG-2")
@pytest.mark.parametrize(("asked", "rows"), [("1", 20), ("2", 5), ("99", 5), ("x", 20)])
def test_the_relationships_history_is_paged_and_counted_in_one_query(
    broker_client, broker_account, asked, rows
):
    """The history of ended relationships, 20 a page, counted in the query that reads a
    page (``CountedPaginator``); a page past the end shows the last one."""
    for client in add_clients(broker_account.business, 0, 25):
        Relationship.objects.filter(client=client).update(status=Relationship.Status.ENDED)
    response = broker_client.get(url("delegation:relationships", query=f"page={asked}"))
    assert response.status_code == 200
    history = response.context["history"]
    assert history.paginator.count == 25 and len(history.object_list) == rows
    listed = soup(response).select_one("#history-heading").parent
    assert len(listed.select("tbody tr")) == rows


TEENS = [f"Client {n:05d} Ltd. RM0001" for n in range(10, 20)] + ["Client 00012 Ltd. RM0002"]


@pytest.mark.spec("HOME-1")
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Client 0001", TEENS),
        ("client 00012 ltd", ["Client 00012 Ltd. RM0001", "Client 00012 Ltd. RM0002"]),
        ("60000001", TEENS),
        ("600000012", ["Client 00012 Ltd. RM0001", "Client 00012 Ltd. RM0002"]),
        ("600000012RM0002", ["Client 00012 Ltd. RM0002"]),
        ("600000012 rm 0002", ["Client 00012 Ltd. RM0002"]),
        # A reference number, and the names that hold it (Client 00002, 00020 to 00029).
        (
            "0002",
            ["Client 00012 Ltd. RM0002", "Client 00002 Ltd. RM0001"]
            + [f"Client {n:05d} Ltd. RM0001" for n in range(20, 30)],
        ),
        ("600000013RM0002", []),
        ("Client 0001 x", []),
    ],
)
def test_the_account_page_finds_by_name_business_number_account_number_or_reference(
    broker_client, broker_account, query, found
):
    """Each kind of search the page offers, among a broker's clients: words of the name,
    the start of a business number, a whole program account number (that account only,
    not the business's others) and a reference number."""
    clients = add_clients(broker_account.business, 0, 30)
    ProgramAccount.objects.create(business=clients[12], reference_number="0002")
    page = soup(broker_client.get(url("business:account_search", query=urlencode({"q": query}))))
    shown = []
    for row in page.select("main table tbody tr"):
        account = ProgramAccount.objects.get(pk=row.select_one('input[name="account"]')["value"])
        shown.append(
            f"{account.business.legal_name} {account.program_identifier}{account.reference_number}"
        )
    assert sorted(shown) == sorted(found)
