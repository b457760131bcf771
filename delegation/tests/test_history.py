"""The delegation history (SPEC DELEG-6): the audit entries of a business's delegation
changes, for its Business Account Managers, with filters, pages and a CSV export."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from business.navigation import CURRENT_ACCOUNT_KEY
from business.tests.factories import BusinessFactory, ProgramAccountFactory
from carm_portal.audit import audit_record
from carm_portal.models import AuditEntry
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db
URL = "/{language}/portal/configure/history/"


@pytest.fixture
def business():
    return BusinessFactory(legal_name="Northern Maple Foods Ltd.")


@pytest.fixture
def bam(business):
    ProgramAccountFactory(business=business)
    return EmploymentFactory(
        business=business,
        role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        user=UserFactory(first_name="Ana", last_name="Bam"),
    )


@pytest.fixture
def client(bam, client_for):
    client = client_for(bam.user)
    session = client.session
    session[CURRENT_ACCOUNT_KEY] = bam.business.program_accounts.get().pk
    session.save()
    return client


def entry(action, *, business=None, acting_for=None, actor=None, days_ago=0, **changes):
    row = audit_record(
        action=action, actor=actor, business=business, acting_for=acting_for, changes=changes
    )
    if days_ago:
        AuditEntry.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return row


@pytest.fixture
def history(business, bam):
    other = BusinessFactory()
    bob = UserFactory(first_name="Bob", last_name="Other")
    entry(
        "employment.approved",
        business=business,
        actor=bam.user,
        days_ago=40,
        person="Jo Tremblay",
        before={"status": "pending"},
        after={"status": "active", "role": "editor", "accounts": ["123456782RM0001"]},
    )
    entry(
        "employment.role_changed",
        business=business,
        actor=bob,
        days_ago=10,
        person="Jo Tremblay",
        before={"role": "editor", "accounts": ["all"]},
        after={"role": "pam", "accounts": ["all"]},
    )
    entry("relationship.approved", business=other, acting_for=business, actor=bob, days_ago=5)
    entry("access_request.created", business=business, actor=bob, days_ago=1)
    # Not the business's delegation: another business's, and not a delegation change.
    entry("employment.approved", business=other, actor=bob)
    entry("business_registration.succeeded", business=business, actor=bam.user)
    return {"bob": bob, "other": other}


@pytest.mark.spec("DELEG-6", "X-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_history_lists_the_business_delegation_changes(client, history, language):
    page = soup(client.get(URL.format(language=language)))
    rows = [text(tr) for tr in page.select("#history tbody tr")]
    assert len(rows) == 4
    # Newest first: access request, relationship (acting for the business), role, approval.
    if language == "en":
        assert "Access requested" in rows[0]
        assert "Business relationship approved" in rows[1]
        assert "Jo Tremblay; role: Editor → Program Account Manager" in rows[2]
        assert "Access request approved" in rows[3] and "Ana Bam" in rows[3]
    else:
        assert "Accès demandé" in rows[0]
        assert "Relation d'affaires approuvée" in rows[1]
        assert "Éditeur → Gestionnaire du compte de programme" in rows[2]
        assert "Demande d'accès approuvée" in rows[3]
    # The day in Ottawa of an instant 40 days ago (not today's date minus 40: across a
    # change of daylight saving time, the two differ between midnight and 1 a.m.).
    approved_on = timezone.localtime(timezone.now() - datetime.timedelta(days=40)).date()
    assert rows[3].startswith(approved_on.isoformat())


@pytest.mark.spec("DELEG-6")
def test_history_filters_by_date_person_and_action(client, history, bam):
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=12)).isoformat()
    end = (today - datetime.timedelta(days=2)).isoformat()
    page = soup(client.get(URL.format(language="en"), {"start": start, "end": end}))
    assert len(page.select("#history tbody tr")) == 2
    page = soup(client.get(URL.format(language="en"), {"person": history["bob"].pk}))
    assert len(page.select("#history tbody tr")) == 3
    # The choices: the people and actions of this business's history only.
    people = [text(o) for o in page.select("#id_person option")]
    assert people == ["Everyone", "Ana Bam", "Bob Other"]
    actions = [o["value"] for o in page.select("#id_action option")]
    assert "business_registration.succeeded" not in actions
    page = soup(
        client.get(
            URL.format(language="en"), {"action": "employment.role_changed", "person": bam.user.pk}
        )
    )
    assert page.select("#history tbody tr") == []
    assert "No delegation changes match your search." in text(page.main)


@pytest.mark.spec("DELEG-6")
def test_history_refuses_a_wrong_date_range(client, history):
    response = client.get(URL.format(language="en"), {"start": "2026-05-01", "end": "2026-04-01"})
    assert soup(response).select_one("[data-error-summary]")
    assert client.get("/en/portal/configure/history/csv/", {"start": "x"}).status_code == 400


@pytest.mark.spec("DELEG-6")
def test_history_is_paginated_with_a_constant_number_of_queries(
    client, business, bam, django_assert_max_num_queries
):
    for n in range(30):
        entry("employment.removed", business=business, actor=bam.user, person=f"P{n}")
    with django_assert_max_num_queries(14):
        page = soup(client.get(URL.format(language="en")))
    assert len(page.select("#history tbody tr")) == 25
    assert "1 to 25 of 30" in text(page.select_one("#history-range"))
    next_link = page.select_one("a[rel=next]")["href"]
    with django_assert_max_num_queries(14):
        second = soup(client.get(URL.format(language="en") + next_link))
    assert len(second.select("#history tbody tr")) == 5


@pytest.mark.spec("DELEG-6")
def test_history_csv_has_machine_readable_dates_and_the_same_filters(client, history, business):
    response = client.get("/en/portal/configure/history/csv/", {"person": history["bob"].pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"delegation-history-{business.bn9}-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["action"] for r in rows] == [
        "access_request.created",
        "relationship.approved",
        "employment.role_changed",
    ]
    for row in rows:
        parsed = datetime.datetime.fromisoformat(row["time_utc"])
        assert parsed.utcoffset() == datetime.timedelta(0)
    assert rows[1]["acting_for_bn9"] == business.bn9
    assert rows[1]["business_bn9"] == history["other"].bn9
    assert '"role": "pam"' in rows[2]["changes"]


@pytest.mark.spec("DELEG-6", "DELEG-1")
def test_an_approval_made_on_the_page_shows_in_the_history(client, business, bam):
    pending = EmploymentFactory(
        business=business,
        status=Employment.Status.PENDING,
        user=UserFactory(first_name="Jo", last_name="Tremblay"),
    )
    client.post(
        f"/en/portal/configure/employees/requests/{pending.pk}/approve/",
        {"approve-role": "reader"},
    )
    row = text(soup(client.get(URL.format(language="en"))).select_one("#history tbody tr"))
    assert "Access request approved" in row and "Jo Tremblay" in row and "Ana Bam" in row
    assert "127.0.0.1" in row


@pytest.mark.spec("X-1", "DELEG-6")
def test_every_action_has_a_french_name_and_an_unnamed_one_is_marked_english(client, business, bam):
    """X-1: the actions written today have their names in both languages; an action
    added later without one shows its code's English words inside lang="en", in the
    table and in the filter's options."""
    entry("client_assignment.accounts_changed", business=business, actor=bam.user)
    entry("employment.changed_by_staff", business=business, actor=bam.user)
    entry("employment.something_new", business=business, actor=bam.user)
    page = soup(client.get(URL.format(language="fr")))
    rows = page.select("#history tbody tr")
    shown = [text(tr) for tr in rows]
    assert any("Comptes du client de l'employé modifiés" in row for row in shown)
    assert any("Accès de l'employé modifié par l'ASFC" in row for row in shown)
    marked = [span for tr in rows for span in tr.select('span[lang="en"]')]
    assert [text(span) for span in marked] == ["something new"]
    assert "Employés –" in text(marked[0].parent)
    options = {o["value"]: o for o in page.select("select[name=action] option")}
    assert options["employment.something_new"].get("lang") == "en"
    assert options["employment.changed_by_staff"].get("lang") is None
