"""The notices pages through parsed HTML, in both languages (NOTE-2, NOTE-3, HOME-1)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from business.tests.factories import ProgramAccountFactory
from notices.forms import DEFAULT_MONTHS, months_before
from notices.models import Notice, NoticeRecipient, NoticeType
from notices.services import notice_send
from notices.tests.helpers import days_ago, personal_notice
from tests.html import soup, text

pytestmark = pytest.mark.django_db

LIST = "/{language}/notices/"


def rows(page):
    return [
        [text(cell) for cell in row.find_all("td")]
        for row in page.select("table.notices-table tbody tr")
    ]


def headers(page):
    return [text(th) for th in page.select("table.notices-table thead th")]


@pytest.fixture
def account(importer_account):
    return importer_account


@pytest.fixture
def thirteen(employee_client, account):
    """13 notices over five months for the employee: 10 statements about the program
    account, 3 pending-access notices about the business."""
    user = employee_client.user
    for day in range(10):
        notice_send(
            type_code="statement_available",
            context={
                "period_start": days_ago(40 + day),
                "period_end": days_ago(10 + day),
                "due_date": days_ago(day),
            },
            recipient=user,
            program_account=account,
            display_date=days_ago(day * 10),
        )
    for day, name in [(5, "Jo Tremblay"), (45, "Sam Okafor"), (150, "Léa Gagnon")]:
        notice_send(
            type_code="delegation_pending_access",
            context={"requester": name, "business_name": "ImporterCompany3084", "bn9": "1"},
            recipient=user,
            business=account.business,
            display_date=days_ago(day),
        )
    return user


@pytest.mark.spec("NOTE-2")
@pytest.mark.parametrize(
    ("language", "columns", "first_page", "second_page", "labels"),
    [
        (
            "en",
            ["Notice date", "Account number", "Type", "Subject"],
            ("1 to 10 of 13", "Page 1 of 2"),
            ("11 to 13 of 13", "Page 2 of 2"),
            ("Notices", "Advanced search", "Date range", "Items per page"),
        ),
        (
            "fr",
            ["Date d'avis", "Numéro de compte", "Type", "Objet"],
            ("1 à 10 de 13", "Page 1 de 2"),
            ("11 à 13 de 13", "Page 2 de 2"),
            ("Avis", "Recherche avancée", "Plage de dates", "Articles par page"),
        ),
    ],
)
def test_list_pages_ten_at_a_time_newest_first(
    employee_client, thirteen, account, language, columns, first_page, second_page, labels
):
    response = employee_client.get(LIST.format(language=language))
    assert response.status_code == 200
    page = soup(response)
    heading, advanced, date_range, per_page = labels
    assert text(page.h1) == heading
    assert text(page.select_one("details.advanced-search summary")) == advanced
    assert text(page.select_one("fieldset.date-range legend")) == date_range
    assert text(page.find("label", attrs={"for": "id_per_page"})).startswith(per_page)
    assert headers(page) == columns
    assert text(page.select_one(".results-range")) == first_page[0]
    assert text(page.select_one(".pagination-status")) == first_page[1]
    listed = rows(page)
    assert len(listed) == 10
    dates = [row[0] for row in listed]
    assert dates == sorted(dates, reverse=True)
    assert listed[0][0] == days_ago(0).isoformat()
    assert listed[0][1] == account.full_reference  # e.g. 100000001RM0001
    assert listed[1][1] == account.business.bn9  # a notice about the business
    expected_type = {
        "en": "Changes to delegation – Pending access",
        "fr": "Modifications apportées à la délégation – En attente de l'accès",
    }[language]
    assert listed[1][2] == expected_type
    assert listed[1][3].startswith(
        {"en": "Pending access request", "fr": "Demande d'accès en attente"}[language]
    )

    next_link = page.select_one(".pagination a[rel=next]")
    response = employee_client.get(LIST.format(language=language) + next_link["href"])
    page = soup(response)
    assert text(page.select_one(".results-range")) == second_page[0]
    assert text(page.select_one(".pagination-status")) == second_page[1]
    assert len(rows(page)) == 3
    assert page.select_one(".pagination a[rel=prev]")
    assert not page.select_one(".pagination a[rel=next]")


@pytest.mark.spec("NOTE-2")
def test_default_range_is_the_last_seven_months(employee_client):
    user = employee_client.user
    personal_notice(user, days=0, case="TODAY")
    personal_notice(user, days=200, case="SIXMONTHS")
    personal_notice(user, days=240, case="EIGHTMONTHS")
    page = soup(employee_client.get("/en/notices/"))
    start = months_before(days_ago(0), DEFAULT_MONTHS)
    assert page.find("input", attrs={"name": "start"})["value"] == start.isoformat()
    assert page.find("input", attrs={"name": "end"})["value"] == days_ago(0).isoformat()
    subjects = [row[3] for row in rows(page)]
    assert subjects == ["Documents received for case TODAY Unread"] + [
        "Documents received for case SIXMONTHS Unread"
    ]
    # A wider range shows the older one too.
    page = soup(
        employee_client.get("/en/notices/", {"start": days_ago(300).isoformat(), "end": ""})
    )
    assert len(rows(page)) == 3


@pytest.mark.spec("NOTE-2")
def test_advanced_search_by_type_account_and_subject_words(employee_client, thirteen, account):
    pending = NoticeType.objects.get(code="delegation_pending_access")
    page = soup(employee_client.get("/en/notices/", {"type": pending.pk}))
    assert len(rows(page)) == 3
    assert page.select_one("details.advanced-search").has_attr("open")

    # An account number: the program account, or the business number (prefix).
    page = soup(employee_client.get("/en/notices/", {"account": account.full_reference}))
    assert text(page.select_one(".results-range")) == "1 to 10 of 10"
    page = soup(employee_client.get("/en/notices/", {"account": account.business.bn9}))
    assert text(page.select_one(".results-range")) == "1 to 10 of 13"

    # Words of the subject, in the page's language, any case, with or without accents.
    page = soup(employee_client.get("/en/notices/", {"q": "PENDING business"}))
    assert len(rows(page)) == 3
    page = soup(employee_client.get("/fr/notices/", {"q": "acces entreprise"}))
    assert len(rows(page)) == 3
    assert rows(page)[0][3].startswith("Demande d'accès en attente")
    page = soup(employee_client.get("/en/notices/", {"q": "pending statement"}))
    assert text(page.select_one(".results-range")) == "No notices match your search."

    # Everything together, with a date range.
    page = soup(
        employee_client.get(
            "/en/notices/",
            {
                "type": pending.pk,
                "account": account.business.bn9,
                "q": "pending",
                "start": days_ago(60).isoformat(),
                "end": days_ago(1).isoformat(),
            },
        )
    )
    assert [row[0] for row in rows(page)] == [days_ago(5).isoformat(), days_ago(45).isoformat()]


@pytest.mark.spec("NOTE-2")
def test_items_per_page(employee_client, thirteen):
    page = soup(employee_client.get("/en/notices/", {"per_page": 25}))
    assert len(rows(page)) == 13
    assert text(page.select_one(".pagination-status")) == "Page 1 of 1"


@pytest.mark.spec("NOTE-2", "X-4")
@pytest.mark.parametrize(
    ("language", "capped", "hint", "narrowed"),
    [
        (
            "en",
            ("1 to 10 of more than 12", "Page 1 of more than 2"),
            "Narrow the date range to reach older notices.",
            "1 to 10 of 12",
        ),
        (
            "fr",
            ("1 à 10 de plus de 12", "Page 1 de plus de 2"),
            "Réduisez la plage de dates pour atteindre les avis plus anciens.",
            "1 à 10 de 12",
        ),
    ],
)
def test_the_list_counts_at_most_the_cap(
    employee_client, thirteen, monkeypatch, language, capped, hint, narrowed
):
    """The busiest person's two years are 100,000 notices: the list counts no further than
    the cap (a COUNT over a LIMIT, ADR 0011) and says "more than"; the date range reaches
    older notices."""
    from notices import selectors

    monkeypatch.setattr(selectors, "NOTICE_COUNT_CAP", 12)
    page = soup(employee_client.get(LIST.format(language=language)))
    assert text(page.select_one(".results-range")) == capped[0]
    assert text(page.select_one(".pagination-status")) == capped[1]
    assert text(page.select_one(".notices-results .hint")) == hint
    assert len(rows(page)) == 10
    page = soup(
        employee_client.get(LIST.format(language=language), {"start": days_ago(100).isoformat()})
    )
    assert text(page.select_one(".results-range")) == narrowed
    assert not page.select_one(".notices-results .hint")


@pytest.mark.spec("NOTE-2", "X-4")
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The end of the date range must not be before its start."),
        ("fr", "La fin de la plage de dates ne doit pas précéder son début."),
    ],
)
def test_a_reversed_range_is_a_clear_error_and_keeps_what_was_typed(
    employee_client, language, message
):
    response = employee_client.get(
        f"/{language}/notices/", {"start": "2026-05-01", "end": "2026-01-01", "q": "statement"}
    )
    page = soup(response)
    assert message in text(page.select_one(".error-summary"))
    assert page.find("input", attrs={"name": "start"})["value"] == "2026-05-01"
    assert page.find("input", attrs={"name": "q"})["value"] == "statement"
    assert not page.select("table.notices-table")


@pytest.mark.spec("NOTE-2")
def test_only_ones_own_notices_are_listed(employee_client, bam_client):
    personal_notice(bam_client.user, case="MANAGER")
    personal_notice(employee_client.user, case="EMPLOYEE")
    page = soup(employee_client.get("/en/notices/"))
    assert [row[3] for row in rows(page)] == ["Documents received for case EMPLOYEE Unread"]


@pytest.mark.spec("NOTE-2")
def test_signing_in_is_required(anonymous_client):
    response = anonymous_client.get("/en/notices/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/sign-in/")
    response = anonymous_client.get("/en/notices/1/")
    assert response.status_code == 302


@pytest.mark.spec("NOTE-3")
@pytest.mark.parametrize(
    ("language", "labels", "subject", "type_label", "body", "previous"),
    [
        (
            "en",
            ["Recipient", "Account number", "Type", "Display date"],
            "Pending access request for your business",
            "Changes to delegation – Pending access",
            "You have a new pending access request from Jo Tremblay for ImporterCompany3084 Inc.",
            "Previous",
        ),
        (
            "fr",
            ["Destinataire", "Numéro de compte", "Type", "Date d'affichage"],
            "Demande d'accès en attente pour votre entreprise",
            "Modifications apportées à la délégation – En attente de l'accès",
            "Vous avez une nouvelle demande d'accès en attente de Jo Tremblay pour ImporterCompany3084 Inc.",
            "Précédent",
        ),
    ],
)
def test_detail_shows_subject_recipient_type_date_and_body(
    bam_client, account, language, labels, subject, type_label, body, previous
):
    business = account.business
    notice = notice_send(
        type_code="delegation_pending_access",
        context={
            "requester": "Jo Tremblay",
            "business_name": "ImporterCompany3084 Inc.",
            "bn9": business.bn9,
        },
        business=business,
        display_date=days_ago(3),
    )
    page = soup(bam_client.get(f"/{language}/notices/{notice.pk}/"))
    assert text(page.h1) == subject
    facts = page.select_one("dl.notice-facts")
    assert [text(dt) for dt in facts.find_all("dt")] == labels
    assert [text(dd) for dd in facts.find_all("dd")] == [
        business.legal_name,
        business.bn9,
        type_label,
        days_ago(3).isoformat(),
    ]
    assert text(page.select_one(".notice-body")).startswith(body)
    back = page.find("a", string=previous)
    assert back["href"] == f"/{language}/notices/"


@pytest.mark.spec("NOTE-3", "X-4")
def test_a_notice_addressed_to_someone_else_is_not_found(employee_client, bam_client):
    other = personal_notice(bam_client.user)
    assert employee_client.get(f"/en/notices/{other.pk}/").status_code == 404
    assert employee_client.get(f"/fr/notices/{other.pk}/").status_code == 404
    assert employee_client.get("/en/notices/999999/").status_code == 404
    # Nothing changed for its real recipient.
    assert NoticeRecipient.objects.get(notice=other).read_at is None


@pytest.mark.spec("NOTE-3", "NOTE-2")
def test_previous_returns_to_the_list_with_its_search_and_page(employee_client, thirteen, account):
    search = {
        "start": days_ago(200).isoformat(),
        "end": days_ago(0).isoformat(),
        "account": account.business.bn9,
    }
    page = soup(employee_client.get("/en/notices/", search))
    second = soup(employee_client.get("/en/notices/" + page.select_one("a[rel=next]")["href"]))
    assert text(second.select_one(".pagination-status")) == "Page 2 of 2"
    link = second.select_one("table.notices-table tbody a")["href"]
    detail = soup(employee_client.get(link))
    back = urlsplit(detail.find("a", string="Previous")["href"])
    assert back.path == "/en/notices/"
    assert parse_qs(back.query) == {
        "start": [search["start"]],
        "end": [search["end"]],
        "account": [search["account"]],
        "page": ["2"],
    }
    # It leads to the same page of the same search.
    again = soup(employee_client.get(f"{back.path}?{back.query}"))
    assert text(again.select_one(".results-range")) == "11 to 13 of 13"
    assert [row[:3] for row in rows(again)] == [row[:3] for row in rows(second)]


@pytest.mark.spec("NOTE-3", "HOME-1")
def test_opening_marks_read_and_the_bell_counts_down(employee_client):
    user = employee_client.user
    notices = [personal_notice(user, case=f"C{n}") for n in range(3)]
    page = soup(employee_client.get("/en/notices/"))
    bell = page.select_one("header a.notices-bell")
    assert text(bell) == "Notices, 3 unread 3"
    assert bell["href"] == "/en/notices/"
    assert len(page.select("tr.unread")) == 3

    page = soup(employee_client.get(f"/en/notices/{notices[0].pk}/"))
    # The page that opened it already counts it as read.
    assert text(page.select_one("header a.notices-bell")) == "Notices, 2 unread 2"
    first_read = NoticeRecipient.objects.get(notice=notices[0]).read_at
    assert first_read is not None
    employee_client.get(f"/en/notices/{notices[0].pk}/")
    assert NoticeRecipient.objects.get(notice=notices[0]).read_at == first_read

    page = soup(employee_client.get("/fr/notices/"))
    assert text(page.select_one("header a.notices-bell")) == "Avis, 2 non lus 2"
    assert len(page.select("tr.unread")) == 2
    assert [text(tag) for tag in page.select("tr.unread .tag-unread")] == ["Non lu", "Non lu"]
    employee_client.get(f"/fr/notices/{notices[1].pk}/")
    page = soup(employee_client.get("/fr/notices/"))
    assert text(page.select_one("header a.notices-bell")) == "Avis, 1 non lu 1"


@pytest.mark.spec("HOME-1")
def test_bell_only_for_signed_in_people_who_finished_onboarding(
    anonymous_client, employee_client, client
):
    assert not soup(anonymous_client.get("/en/")).select("a.notices-bell")
    assert soup(employee_client.get("/en/")).select("a.notices-bell")
    # Signed in, but the terms of this session are not accepted yet: no bell.
    client.force_login(employee_client.user)
    assert not soup(client.get("/en/account/terms/")).select("a.notices-bell")


@pytest.mark.spec("HOME-1")
def test_the_bell_costs_one_query(employee_client):
    """A signed-in page counts unread notices with one query, however many there are."""
    user = employee_client.user
    for n in range(5):
        personal_notice(user, case=f"C{n}")
    with CaptureQueriesContext(connection) as queries:
        response = employee_client.get("/en/")
    assert response.status_code == 200
    notice_queries = [q["sql"] for q in queries if "notices_" in q["sql"]]
    assert len(notice_queries) == 1
    assert "COUNT(*)" in notice_queries[0] and '"read_at" IS NULL' in notice_queries[0]


@pytest.mark.spec("NOTE-2")
def test_list_query_count_does_not_grow_with_notices(
    employee_client, account, django_assert_max_num_queries
):
    user = employee_client.user
    for n in range(3):
        personal_notice(user, case=f"A{n}", business=account.business)
    with CaptureQueriesContext(connection) as few:
        employee_client.get("/en/notices/")
    for n in range(40):
        personal_notice(user, case=f"B{n}", business=ProgramAccountFactory().business)
    with django_assert_max_num_queries(len(few)):
        response = employee_client.get("/en/notices/", {"per_page": 50})
    assert len(rows(soup(response))) == 43
    # Session and person, the count, the page's rows (found by their ids in a subquery),
    # the bell, the type choices (one SELECT, no server-side cursor), the person's grants
    # (delegation.access) and the header's program accounts (HOME-1), and the session's
    # activity time (SAVEPOINT, UPDATE, RELEASE: AC-11).
    assert len(few) <= 11


@pytest.mark.spec("NOTE-3")
def test_detail_query_count(employee_client, django_assert_max_num_queries):
    notice = personal_notice(employee_client.user)
    # Session and person, the notice, marking it read, the bell, the person's grants and
    # the header's program accounts (HOME-1), the session's activity time (3).
    with django_assert_max_num_queries(10):
        assert employee_client.get(f"/en/notices/{notice.pk}/").status_code == 200


@pytest.mark.spec("NOTE-2", "X-1")
def test_language_toggle_keeps_the_search(employee_client, thirteen):
    response = employee_client.post(
        "/en/language/",
        {"language": "fr", "next": "/en/notices/?q=statement&page=2"},
    )
    assert response["Location"] == "/fr/notices/?q=statement&page=2"
    assert Notice.objects.count() == 13


@pytest.mark.spec("LINK-2", "NOTE-3")
@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Manage pending access requests"), ("fr", "Gérer les demandes d'accès en attente")],
)
def test_the_access_request_notice_links_to_the_pending_requests(
    bam_client, employee_client, account, language, label
):
    """LINK-2: the account manager's pending-access notice links to the pending requests;
    a Reader, who may not open that page, gets no link."""
    for client, linked in ((bam_client, True), (employee_client, False)):
        notice_send(
            type_code="delegation_pending_access",
            context={"requester": "Jo Tremblay", "business_name": "Importer", "bn9": "1"},
            recipient=client.user,
            business=account.business,
        )
        row = NoticeRecipient.objects.filter(user=client.user).latest("pk")
        page = soup(client.get(f"/{language}/notices/{row.notice_id}/"))
        links = {text(a): a["href"] for a in page.select("main a[href]")}
        assert (label in links) is linked
        if linked:
            target = client.get(links[label].split("#")[0])
            assert target.status_code == 200
            assert soup(target).select_one("#pending-heading")
