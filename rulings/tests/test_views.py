"""The rulings pages through parsed HTML, in both languages (RUL-1, RUL-2, DOC-1,
DELEG-3): the list's filters, sorting and pages, the request in two steps that keep what
was typed, the detail page, withdrawing, answering and asking a change."""

import datetime

import pytest
from django.utils import timezone

from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from rulings.models import Ruling
from rulings.tests.factories import RulingFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db

S = Ruling.Status


def rows(page):
    return [
        [text(cell) for cell in row.find_all("td")]
        for row in page.select("table.rulings-table tbody tr")
    ]


@pytest.fixture
def editor_client(importer_account, client_for):

    employment = EmploymentFactory(business=importer_account.business, role=Employment.Role.EDITOR)
    return client_for(employment.user)


def submitted(account, *, days_ago, kind=Ruling.Kind.TARIFF_CLASSIFICATION, status=S.SUBMITTED):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return RulingFactory(
        program_account=account,
        kind=kind,
        status=status,
        submitted_at=at,
        target_date=timezone.localdate(at) + datetime.timedelta(days=120),
        **(
            {"decision_en": "Classified.", "decision_fr": "Classé."}
            if status == S.DECISION_RENDERED
            else {}
        ),
    )


@pytest.fixture
def five(importer_account):
    """Five requests of the account, one draft; and one of another business."""
    made = [
        submitted(importer_account, days_ago=200, kind=Ruling.Kind.MARKING, status=S.WITHDRAWN),
        submitted(importer_account, days_ago=100, kind=Ruling.Kind.VALUATION, status=S.ASSIGNED),
        submitted(importer_account, days_ago=30, kind=Ruling.Kind.ORIGIN_FTA),
        submitted(importer_account, days_ago=5, status=S.DECISION_RENDERED),
        RulingFactory(program_account=importer_account),
    ]
    RulingFactory()  # another business's
    return made


@pytest.mark.spec("RUL-1", "X-1")
@pytest.mark.parametrize(
    ("language", "headers", "status"),
    [
        (
            "en",
            [
                "Case number",
                "Type",
                "Status",
                "Submission date",
                "Target date",
                "Program account",
                "Actions",
            ],
            "Decision rendered",
        ),
        (
            "fr",
            [
                "Numéro de cas",
                "Type",
                "État",
                "Date de soumission",
                "Date cible",
                "Compte de programme",
                "Actions",
            ],
            "Décision rendue",
        ),
    ],
)
def test_list_shows_the_accounts_requests_newest_first(
    employee_client, five, language, headers, status, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = employee_client.get(f"/{language}/rulings/")
    assert response.status_code == 200
    page = soup(response)
    assert [text(th) for th in page.select("table.rulings-table thead th")] == headers
    found = rows(page)
    # The draft first (not submitted yet), then by submission date, newest first.
    assert [r[0] for r in found] == [
        five[4].case_number,
        five[3].case_number,
        five[2].case_number,
        five[1].case_number,
        five[0].case_number,
    ]
    assert found[1][2] == status
    assert found[0][3] == "–"
    # A Reader views; only those who edit requests see the button.
    assert not page.find("a", href=f"/{language}/rulings/new/")


@pytest.mark.spec("RUL-1", "X-4")
@pytest.mark.parametrize(
    ("language", "kind", "overdue", "view", "upload"),
    [
        (
            "en",
            "National customs ruling – valuation",
            "Overdue",
            "View",
            "Upload a document",
        ),
        (
            "fr",
            "Décision nationale des douanes – évaluation",
            "En retard",
            "Afficher",
            "Télécharger un document",
        ),
    ],
)
def test_list_rows_show_dates_tags_and_actions(
    editor_client, importer_account, language, kind, overdue, view, upload
):
    """Each row (drawn in Python, X-4): the case, type, status with the overdue tag past
    the service standard, the dates (a draft has none), the account and the actions; a
    withdrawn request takes no document."""
    late = submitted(importer_account, days_ago=150, kind=Ruling.Kind.VALUATION)
    gone = submitted(importer_account, days_ago=200, status=S.WITHDRAWN)
    draft = RulingFactory(program_account=importer_account)
    page = soup(editor_client.get(f"/{language}/rulings/"))
    found = {row.find("td").get_text(): row for row in page.select("table.rulings-table tbody tr")}
    row = found[late.case_number]
    cells = [text(cell) for cell in row.find_all("td")]
    assert cells[1] == kind
    assert row.select_one(".tag-overdue").get_text() == overdue
    submitted_day = timezone.localdate(late.submitted_at).isoformat()
    assert row.find_all("td")[3].find("time")["datetime"] == submitted_day
    assert cells[4] == late.target_date.isoformat()
    assert cells[5] == importer_account.reference
    links = {text(a): a["href"] for a in row.select("td.actions a")}
    assert links == {
        f"{view} {late.case_number}": f"/{language}/rulings/{late.pk}/",
        f"{upload} {late.case_number}": f"/{language}/documents/upload/?case={late.case_number}",
    }
    assert len(found[gone.case_number].select("td.actions a")) == 1
    assert not found[gone.case_number].select_one(".tag-overdue")
    draft_cells = [text(cell) for cell in found[draft.case_number].find_all("td")]
    assert draft_cells[3] == "–"


@pytest.mark.spec("RUL-1")
def test_list_query_count_does_not_grow(
    employee_client, importer_account, django_assert_max_num_queries
):
    for days in range(30):
        submitted(importer_account, days_ago=days)
    with django_assert_max_num_queries(12):
        response = employee_client.get("/en/rulings/?per_page=50")
    assert len(rows(soup(response))) == 30


@pytest.mark.spec("RUL-1")
def test_list_filters_by_submission_date_range(employee_client, five):
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=120)).isoformat()
    end = (today - datetime.timedelta(days=10)).isoformat()
    page = soup(employee_client.get(f"/en/rulings/?start={start}&end={end}"))
    assert [r[0] for r in rows(page)] == [five[2].case_number, five[1].case_number]


@pytest.mark.spec("RUL-1")
def test_list_refuses_a_reversed_date_range(employee_client, five):
    page = soup(employee_client.get("/en/rulings/?start=2026-05-01&end=2026-01-01"))
    assert "The end of the date range must not be before its start." in text(page)
    assert not rows(page)


@pytest.mark.spec("RUL-1")
@pytest.mark.parametrize(
    ("language", "words", "expected"),
    [
        ("en", "valuation", [1]),
        ("en", "ASSIGNED", [1]),
        ("fr", "retirée", [0]),
        ("fr", "libre-echange", [2]),  # accents do not matter
        ("en", "advance ruling", [4, 3, 2]),  # the draft first
    ],
)
def test_list_free_text_matches_type_status_or_case_number(
    employee_client, five, language, words, expected
):
    page = soup(employee_client.get(f"/{language}/rulings/", {"q": words}))
    assert [r[0] for r in rows(page)] == [five[i].case_number for i in expected]


@pytest.mark.spec("RUL-1")
def test_list_free_text_matches_a_case_number(employee_client, five):
    page = soup(employee_client.get("/en/rulings/", {"q": five[2].case_number}))
    assert [r[0] for r in rows(page)] == [five[2].case_number]


@pytest.mark.spec("RUL-1")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("case", [0, 1, 2, 3, 4]),
        ("-case", [4, 3, 2, 1, 0]),
        ("submitted", [0, 1, 2, 3, 4]),  # the draft, not submitted, last
        ("-target", [3, 2, 1, 0, 4]),
        ("status", [1, 3, 4, 2, 0]),  # Assigned, Decision rendered, Draft, Submitted, Withdrawn
        ("type", [2, 4, 3, 0, 1]),  # by the label shown; ties newest first
    ],
)
def test_list_sorts_by_each_column_but_actions(employee_client, five, sort, expected):
    page = soup(employee_client.get("/en/rulings/", {"sort": sort}))
    assert [r[0] for r in rows(page)] == [five[i].case_number for i in expected]
    sorted_header = page.select_one("th[aria-sort]")
    assert sorted_header["aria-sort"] == ("descending" if sort.startswith("-") else "ascending")
    headers = page.select("table.rulings-table thead th")
    assert headers[-1].find("a") is None  # Actions is not sortable
    assert all(th.find("a") for th in headers[:-1])


@pytest.mark.spec("RUL-1")
def test_list_pages_keep_the_search(employee_client, importer_account):
    for days in range(12):
        submitted(importer_account, days_ago=days, kind=Ruling.Kind.MARKING)
    RulingFactory(program_account=importer_account)
    page = soup(employee_client.get("/en/rulings/", {"q": "marking", "sort": "case"}))
    assert text(page.select_one(".results-range")) == "1 to 10 of 12"
    following = page.find("a", rel="next")["href"]
    assert "q=marking" in following and "sort=case" in following
    second = soup(employee_client.get("/en/rulings/" + following))
    assert text(second.select_one(".pagination-status")) == "Page 2 of 2"
    assert len(rows(second)) == 2
    bigger = soup(employee_client.get("/en/rulings/", {"q": "marking", "per_page": 25}))
    assert len(rows(bigger)) == 12


@pytest.mark.spec("RUL-1", "X-4")
@pytest.mark.parametrize(
    ("asked", "shown", "status", "queries"),
    [
        ("1", "1 to 10 of 12", "Page 1 of 2", 1),
        ("2", "11 to 12 of 12", "Page 2 of 2", 1),
        ("two", "1 to 10 of 12", "Page 1 of 2", 1),
        # Past the end, the last page (an empty page, a count, the last page's rows);
        # below 1 or absurdly far, Django's Paginator.get_page (a count, the rows).
        ("7", "11 to 12 of 12", "Page 2 of 2", 3),
        ("0", "11 to 12 of 12", "Page 2 of 2", 2),
        ("99999999999999999999", "11 to 12 of 12", "Page 2 of 2", 2),
    ],
)
def test_list_counts_in_the_pages_own_query(
    employee_client, importer_account, asked, shown, status, queries
):
    """The page's rows and their number come from one query (COUNT(*) OVER ()); any page
    asked for lands where Django's paginator would."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for days in range(12):
        submitted(importer_account, days_ago=days)
    with CaptureQueriesContext(connection) as captured:
        page = soup(employee_client.get("/en/rulings/", {"page": asked}))
    assert text(page.select_one(".results-range")) == shown
    assert text(page.select_one(".pagination-status")) == status
    on_rulings = [q for q in captured.captured_queries if 'FROM "rulings_ruling"' in q["sql"]]
    assert len(on_rulings) == queries


@pytest.mark.spec("RUL-1")
def test_an_empty_list_says_so(employee_client):
    page = soup(employee_client.get("/fr/rulings/"))
    assert text(page.select_one(".rulings-results .results-range")) == (
        "Aucune demande de décision ne correspond à votre recherche."
    )


@pytest.mark.spec("RUL-1", "DELEG-3")
def test_list_shows_the_business_requests_whatever_the_current_account(
    employee_client, importer_account
):
    """RUL-1: the business's requests, whichever of its accounts is chosen in the header."""
    from business.tests.factories import ProgramAccountFactory

    other_account = ProgramAccountFactory(business=importer_account.business)
    mine = RulingFactory(program_account=importer_account)
    theirs = RulingFactory(program_account=other_account)
    session = employee_client.session
    session["current_program_account"] = importer_account.pk
    session.save()
    page = soup(employee_client.get("/en/rulings/"))
    assert sorted(r[0] for r in rows(page)) == sorted([mine.case_number, theirs.case_number])


CONTEXT = {
    "kind": "tariff_classification",
    "port_of_entry": "Montréal",
    "prior": "none",
    "prior_reference": "",
    "imported_before": "no",
    "will_continue": "yes",
    "consent_to_publish": "yes",
}
DETAILS = {
    "goods_description": "Cordless drill",
    "composition": "Steel and plastic",
    "function_and_use": "Drilling",
    "proposed_classification": "8467.21.00",
    "classification_reasons": "Hand tool with motor",
    "samples_available": "yes",
}


@pytest.mark.spec("RUL-2", "DELEG-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_request_in_two_steps_keeps_what_was_typed_then_submits(
    editor_client, importer_account, language
):
    new = editor_client.get(f"/{language}/rulings/new/")
    assert new.status_code == 200
    step = soup(new)
    legends = [text(legend) for legend in step.select("legend")]
    assert (
        ("Type of ruling (required)" in legends)
        if language == "en"
        else ("Type de décision (obligatoire)" in legends)
    )

    response = editor_client.post(f"/{language}/rulings/new/", CONTEXT)
    ruling = Ruling.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/rulings/{ruling.pk}/details/"
    assert ruling.program_account == importer_account
    assert ruling.status == S.DRAFT
    assert ruling.consent_to_publish is True

    # Details: half typed, then back to step 1: nothing lost in either step.
    response = editor_client.post(
        f"/{language}/rulings/{ruling.pk}/details/",
        {"goods_description": "Cordless drill", "previous": "1"},
    )
    assert response["Location"] == f"/{language}/rulings/{ruling.pk}/context/"
    context_page = soup(editor_client.get(response["Location"]))
    assert context_page.find("input", {"name": "port_of_entry"})["value"] == "Montréal"
    assert context_page.find("input", {"name": "consent_to_publish", "value": "yes"}).has_attr(
        "checked"
    )
    details_page = soup(editor_client.get(f"/{language}/rulings/{ruling.pk}/details/"))
    assert text(details_page.find("textarea", {"name": "goods_description"})) == "Cordless drill"

    # Next with a missing field: refused, with the error summary.
    response = editor_client.post(
        f"/{language}/rulings/{ruling.pk}/details/", {"goods_description": "Cordless drill"}
    )
    assert response.status_code == 200
    assert soup(response).select_one("[data-error-summary]") is not None

    response = editor_client.post(f"/{language}/rulings/{ruling.pk}/details/", DETAILS)
    assert response["Location"] == f"/{language}/rulings/{ruling.pk}/attachments/"
    attachments = soup(editor_client.get(response["Location"]))
    assert ruling.case_number in text(attachments)

    response = editor_client.post(f"/{language}/rulings/{ruling.pk}/submit/")
    assert response["Location"] == f"/{language}/rulings/{ruling.pk}/"
    ruling.refresh_from_db()
    assert ruling.status == S.SUBMITTED
    assert ruling.proposed_classification == "8467.21.00"


@pytest.mark.spec("RUL-2")
def test_save_as_draft_keeps_an_incomplete_step(editor_client, importer_account):
    editor_client.post("/en/rulings/new/", CONTEXT)
    ruling = Ruling.objects.get()
    response = editor_client.post(
        f"/en/rulings/{ruling.pk}/details/", {"composition": "Steel", "save_draft": "1"}
    )
    assert response["Location"] == "/en/rulings/"
    ruling.refresh_from_db()
    assert ruling.composition == "Steel"
    assert ruling.status == S.DRAFT
    # Submitting it anyway is refused: back to the details.
    response = editor_client.post(f"/en/rulings/{ruling.pk}/submit/")
    assert response["Location"] == f"/en/rulings/{ruling.pk}/details/"
    ruling.refresh_from_db()
    assert ruling.status == S.DRAFT


@pytest.mark.spec("RUL-2")
def test_context_asks_the_prior_reference_when_there_was_one(editor_client):
    response = editor_client.post("/en/rulings/new/", {**CONTEXT, "prior": "appeal"})
    assert response.status_code == 200
    assert "Enter the case or reference number" in text(soup(response))
    assert not Ruling.objects.exists()


@pytest.mark.spec("RUL-2")
def test_each_type_asks_its_own_details(editor_client):
    editor_client.post("/en/rulings/new/", {**CONTEXT, "kind": "origin_fta"})
    ruling = Ruling.objects.get()
    page = soup(editor_client.get(f"/en/rulings/{ruling.pk}/details/"))
    names = {
        field["name"]
        for field in page.select("form [name]")
        if field["name"] != "csrfmiddlewaretoken"
    }
    assert {"trade_agreement", "country_of_origin", "origin_criterion"} <= names
    assert "proposed_classification" not in names


@pytest.mark.spec("RUL-2")
def test_a_submitted_request_is_no_longer_edited(editor_client, importer_account):
    ruling = submitted(importer_account, days_ago=1)
    for step in ("context", "details", "attachments"):
        response = editor_client.get(f"/en/rulings/{ruling.pk}/{step}/")
        assert response.status_code == 302
        assert response["Location"] == f"/en/rulings/{ruling.pk}/"


@pytest.mark.spec("RUL-2", "RUL-0")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_detail_shows_everything_history_decision_and_target_date(
    employee_client, importer_account, language
):
    ruling = submitted(importer_account, days_ago=10, status=S.DECISION_RENDERED)
    ruling.events.create(from_status=S.DRAFT, to_status=S.SUBMITTED)
    ruling.events.create(from_status=S.SUBMITTED, to_status=S.ASSIGNED)
    ruling.events.create(
        from_status=S.ASSIGNED, to_status=S.INFORMATION_REQUESTED, message="Send a photo."
    )
    ruling.events.create(from_status=S.ASSIGNED, to_status=S.DECISION_RENDERED)
    page = soup(employee_client.get(f"/{language}/rulings/{ruling.pk}/"))
    body = text(page)
    assert ruling.case_number in text(page.find("h1"))
    assert "8467.21.00" in body
    assert ruling.target_date.isoformat() in body
    decision = text(page.select_one(".ruling-decision"))
    assert ("Classified." if language == "en" else "Classé.") in decision
    history = [text(td) for td in page.select(".history-table tbody td:nth-child(2)")]
    if language == "en":
        assert history == [
            "Submitted",
            "Assigned",
            "Additional information requested",
            "Decision rendered",
        ]
        assert "Service standard target date (120 days)" in body
    else:
        assert history[-1] == "Décision rendue"
    assert "Send a photo." in text(page.select_one(".history-table"))


@pytest.mark.spec("RUL-2", "DELEG-3")
def test_readers_see_no_edit_controls_and_are_refused_edits(employee_client, importer_account):
    ruling = submitted(importer_account, days_ago=1)
    page = soup(employee_client.get(f"/en/rulings/{ruling.pk}/"))
    assert not page.select(".ruling-actions")
    assert employee_client.get("/en/rulings/new/").status_code == 403
    assert employee_client.post(f"/en/rulings/{ruling.pk}/withdraw/").status_code == 403
    ruling.refresh_from_db()
    assert ruling.status == S.SUBMITTED


@pytest.mark.spec("DELEG-3")
def test_another_business_request_is_not_found(editor_client):
    other = RulingFactory(submitted=True)
    for url in (f"/en/rulings/{other.pk}/", f"/en/rulings/{other.pk}/withdraw/"):
        assert editor_client.get(url).status_code == 404


@pytest.mark.spec("RUL-2")
def test_withdraw_after_confirmation(editor_client, importer_account):
    ruling = submitted(importer_account, days_ago=1)
    confirm = soup(editor_client.get(f"/en/rulings/{ruling.pk}/withdraw/"))
    assert ruling.case_number in text(confirm.find("main") or confirm)
    response = editor_client.post(f"/en/rulings/{ruling.pk}/withdraw/")
    assert response["Location"] == f"/en/rulings/{ruling.pk}/"
    ruling.refresh_from_db()
    assert ruling.status == S.WITHDRAWN
    # Withdrawn: no second time.
    response = editor_client.post(f"/en/rulings/{ruling.pk}/withdraw/")
    assert response.status_code == 302
    assert ruling.events.filter(to_status=S.WITHDRAWN).count() == 1


@pytest.mark.spec("RUL-2", "RUL-3")
def test_answer_a_request_for_information(editor_client, importer_account):
    ruling = submitted(importer_account, days_ago=1, status=S.INFORMATION_REQUESTED)
    ruling.events.create(
        from_status=S.ASSIGNED, to_status=S.INFORMATION_REQUESTED, message="Send the data sheet."
    )
    page = soup(editor_client.get(f"/en/rulings/{ruling.pk}/"))
    assert page.find("a", href=f"/en/rulings/{ruling.pk}/answer/")
    form = soup(editor_client.get(f"/en/rulings/{ruling.pk}/answer/"))
    assert "Send the data sheet." in text(form.select_one(".cbsa-message"))
    empty = editor_client.post(f"/en/rulings/{ruling.pk}/answer/", {"message": " "})
    assert empty.status_code == 200
    response = editor_client.post(
        f"/en/rulings/{ruling.pk}/answer/", {"message": "Data sheet uploaded."}
    )
    assert response.status_code == 302
    ruling.refresh_from_db()
    assert ruling.status == S.ASSIGNED
    assert ruling.events.latest("id").message == "Data sheet uploaded."


@pytest.mark.spec("RUL-2")
@pytest.mark.parametrize("status", [S.SUBMITTED, S.ASSIGNED, S.INFORMATION_REQUESTED])
def test_a_change_cannot_be_asked_before_the_decision(editor_client, importer_account, status):
    ruling = submitted(importer_account, days_ago=1, status=status)
    page = soup(editor_client.get(f"/en/rulings/{ruling.pk}/"))
    assert not page.find("a", href=f"/en/rulings/{ruling.pk}/change/")
    response = editor_client.post(f"/en/rulings/{ruling.pk}/change/", {"message": "Please."})
    assert response.status_code == 302
    ruling.refresh_from_db()
    assert ruling.change_requested_at is None


@pytest.mark.spec("RUL-2")
def test_a_change_is_asked_after_the_decision(editor_client, importer_account):
    ruling = submitted(importer_account, days_ago=1, status=S.DECISION_RENDERED)
    page = soup(editor_client.get(f"/fr/rulings/{ruling.pk}/"))
    assert page.find("a", href=f"/fr/rulings/{ruling.pk}/change/")
    editor_client.post(f"/fr/rulings/{ruling.pk}/change/", {"message": "Le chargeur aussi."})
    ruling.refresh_from_db()
    assert ruling.change_requested_at is not None
    page = soup(editor_client.get(f"/fr/rulings/{ruling.pk}/"))
    assert not page.find("a", href=f"/fr/rulings/{ruling.pk}/change/")


@pytest.mark.spec("RUL-1")
def test_anonymous_people_are_sent_to_sign_in(anonymous_client, importer_account):
    ruling = RulingFactory(program_account=importer_account)
    for url in ("/en/rulings/", "/en/rulings/new/", f"/en/rulings/{ruling.pk}/"):
        response = anonymous_client.get(url)
        assert response.status_code == 302
        assert "sign-in" in response["Location"] or "login" in response["Location"]


@pytest.mark.spec("RUL-0", "RUL-1")
@pytest.mark.parametrize(("language", "label"), [("en", "Overdue"), ("fr", "En retard")])
def test_list_flags_open_requests_past_the_120_day_target(
    employee_client, importer_account, language, label
):
    late = submitted(importer_account, days_ago=130, status=S.ASSIGNED)
    decided_late = submitted(importer_account, days_ago=150, status=S.DECISION_RENDERED)
    on_time = submitted(importer_account, days_ago=10)
    page = soup(employee_client.get(f"/{language}/rulings/"))
    flagged = {r[0]: label in r[2] for r in rows(page)}
    assert flagged == {
        late.case_number: True,
        decided_late.case_number: False,
        on_time.case_number: False,
    }


@pytest.mark.spec("RUL-1", "DELEG-0")
def test_the_list_covers_the_business_within_the_persons_scope(importer_account, five):
    """RUL-1: the list is the business's requests, of all its program accounts (it
    covered one program account); an employee scoped to some accounts sees theirs only."""
    from business.tests.factories import ProgramAccountFactory
    from conftest import _client_for

    second = ProgramAccountFactory(business=importer_account.business, reference_number="0002")
    other = submitted(second, days_ago=3)
    manager = EmploymentFactory(
        business=importer_account.business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    )
    listed = [r[0] for r in rows(soup(_client_for(manager.user).get("/en/rulings/?per_page=50")))]
    assert other.case_number in listed and five[3].case_number in listed
    assert len(listed) == 6  # not the other business's
    scoped = EmploymentFactory(business=importer_account.business, role=Employment.Role.READER)
    scoped.program_accounts.add(second)
    found = rows(soup(_client_for(scoped.user).get("/en/rulings/")))
    assert [r[0] for r in found] == [other.case_number]
    assert found[0][5] == "RM0002"


@pytest.mark.spec("X-1", "RUL-2")
def test_typed_text_carries_the_language_of_the_person_who_typed_it(
    employee_client, importer_account
):
    """X-1: the requester's details and each message stay as typed; their elements say
    in which language (the person's), choices and yes/no stay in the page's."""
    from accounts.tests.factories import UserFactory

    ruling = submitted(importer_account, days_ago=3, status=S.INFORMATION_REQUESTED)
    ruling.created_by.preferred_language = "en"
    ruling.created_by.save(update_fields=["preferred_language"])
    officer = UserFactory(staff=True, preferred_language="fr")
    ruling.events.create(
        from_status=S.ASSIGNED, to_status=S.INFORMATION_REQUESTED, actor=officer,
        message="Envoyez une photo.",
    )  # fmt: skip
    page = soup(employee_client.get(f"/fr/rulings/{ruling.pk}/"))
    typed = {text(dd): dd.get("lang") for dd in page.select(".ruling-details dd")}
    assert typed["Cordless drill, 18 V, with two batteries"] == "en"
    assert typed["8467.21.00"] == "en"
    assert typed["Oui"] is None  # samples available: the page's own word
    [message] = [td for td in page.select(".history-table td") if "photo" in text(td)]
    assert message["lang"] == "fr"
