"""Commercial accounting declarations: the model, its frozen versions, the figures of each
line by the calculator's engine, posting, corrections and adjustments (SPEC DECL-1 …
DECL-4). The pages are in ``test_declaration_views.py``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from calculator import declarations_services as services
from calculator.models import Declaration, DeclarationLine, DeclarationVersion
from carm_portal.audit import AuditContext
from carm_portal.models import AuditEntry
from carm_portal.workflow import TransitionNotAllowed
from finance.models import Statement, Transaction
from finance.services import statement_issue

pytestmark = pytest.mark.django_db

D = Decimal
RELEASE = datetime.date(2026, 11, 20)  # a Friday; T2026-2 in force
SHIPPED = datetime.date(2026, 11, 18)

HEADER = {
    "release_date": RELEASE,
    "port_code": "0395",
    "office": "Montréal",
    "carrier_code": "1A2B",
    "cargo_control_number": "1A2B000123456",
    "vendor_name": "Shenzhen Apparel Co.",
    "vendor_country": "CN",
    "currency": "USD",
    "exchange_rate_date": SHIPPED,
}
# Real rows of the T2026-2 sample (calculator/data/customs-tariff-sample.csv).
THREE_LINES = [
    # ad valorem: T-shirts, MFN 18%
    {
        "classification_number": "6109.10.00.12",
        "description": "Men's cotton T-shirts",
        "origin": "CN",
        "treatment": "MFN",
        "value": D("1000.00"),
        "quantity": D("400"),
        "unit": "NMB",
    },
    # specific with a floor: "256% but not less than $36.67/hl"
    {
        "classification_number": "2202.99.33.00",
        "description": "Dairy beverage, not for retail sale",
        "origin": "US",
        "treatment": "MFN",
        "value": D("10.00"),
        "quantity": D("2"),
        "unit": "HLT",
    },
    # preferential: the same T-shirts from Australia, AUT 11%
    {
        "classification_number": "6109.10.00.12",
        "description": "Men's cotton T-shirts",
        "origin": "AU",
        "treatment": "AUT",
        "value": D("500.00"),
        "quantity": D("200"),
        "unit": "NMB",
    },
]


def audit_of(user):
    return AuditContext.system(actor=user)


def draft(account, user, lines=THREE_LINES, header=HEADER):
    return services.draft_save(
        program_account=account, header=header, lines=lines, actor=user, audit=audit_of(user)
    )


def submitted(account, user, **kwargs):
    cad = draft(account, user, **kwargs)
    return services.declaration_submit(declaration=cad, actor=user, audit=audit_of(user))


@pytest.mark.spec("DECL-1")
def test_a_draft_has_a_14_digit_number_header_and_lines(importer_account, editor, usd):
    cad = draft(importer_account, editor)
    assert len(cad.transaction_number) == 14 and cad.transaction_number.isdigit()
    assert cad.status == Declaration.Status.DRAFT
    version = cad.current_version
    assert version.number == 1 and version.kind == "original"
    assert [getattr(version, n) for n in ("port_code", "carrier_code", "currency")] == [
        "0395",
        "1A2B",
        "USD",
    ]
    assert version.lines.count() == 3
    assert cad.due_date == datetime.date(2026, 11, 27)  # 5 business days after Friday 20
    other = draft(importer_account, editor)
    assert int(other.transaction_number) == int(cad.transaction_number) + 1


@pytest.mark.spec("DECL-2")
def test_due_date_counts_federal_holidays():
    """Released Friday 2026-12-18: Christmas (Fri 25) and Boxing Day (observed Mon 28)
    do not count: 21, 22, 23, 24, 29 → due Tuesday 2026-12-29."""
    assert services.accounting_due_date(datetime.date(2026, 12, 18)) == datetime.date(2026, 12, 29)


@pytest.mark.spec("DECL-2", "DECL-3", "CALC-6")
def test_three_line_cad_figures_by_hand_and_posting(importer_account, editor, usd):
    """US$ at 1.3800 (Bank of Canada rate of the date of direct shipment, 2026-11-18).

    Line 1, 6109.10.00.12 from CN, MFN 18% (ad valorem): VFD 1000 × 1.38 = 1,380.00;
    duty 18% = 248.40; VFT 1,628.40; GST 5% = 81.42; total 329.82.
    Line 2, 2202.99.33.00 from US, MFN "256% but not less than $36.67/hl" (specific
    floor): VFD 10 × 1.38 = 13.80; 256% × 13.80 = 35.33 < 2 hl × 36.67 = 73.34, so the
    minimum, 73.34; VFT 87.14; GST 4.357 → 4.36; total 77.70.
    Line 3, 6109.10.00.12 from AU, AUT 11% (preferential): VFD 500 × 1.38 = 690.00;
    duty 75.90; VFT 765.90; GST 38.295 → 38.30 (half-up); total 114.20.
    CAD: duty 248.40 + 73.34 + 75.90 = 397.64; GST 81.42 + 4.36 + 38.30 = 124.08;
    total 329.82 + 77.70 + 114.20 = 521.72, posted as one debit.
    """
    cad = submitted(importer_account, editor)
    lines = list(cad.current_version.lines.order_by("position"))
    assert [(x.vfd, x.duty, x.gst, x.total) for x in lines] == [
        (D("1380.00"), D("248.40"), D("81.42"), D("329.82")),
        (D("13.80"), D("73.34"), D("4.36"), D("77.70")),
        (D("690.00"), D("75.90"), D("38.30"), D("114.20")),
    ]
    version = cad.current_version
    assert (version.duty, version.gst, version.total) == (D("397.64"), D("124.08"), D("521.72"))
    assert cad.status == Declaration.Status.SUBMITTED and cad.total == D("521.72")
    # DECL-3: the debit, linked both ways, dated today, due on the period's due date.
    posted = Transaction.objects.get(number=cad.transaction_number)
    assert posted.amount == D("521.72") and posted.status == Transaction.Status.OPEN
    assert posted.description == "Commercial accounting declaration"
    assert posted.description_fr == "Déclaration en douane commerciale"
    assert version.posted_transaction == posted
    assert list(posted.declaration_versions.all()) == [version]
    assert posted.running_balance == D("521.72")
    assert posted.due_date == cad.payment_due_date
    assert AuditEntry.objects.filter(
        action="declaration.submitted", subject=cad.transaction_number
    ).exists()


@pytest.mark.spec("DECL-3", "FIN-5")
def test_the_debit_appears_on_the_next_statement(importer_account, editor, usd):
    cad = submitted(importer_account, editor)
    today = timezone.localdate()
    issue = today if today.day <= 17 else (today.replace(day=28) + datetime.timedelta(days=7))
    statement = statement_issue(program_account=importer_account, issue_date=issue)
    assert isinstance(statement, Statement)
    assert cad.transaction_number in [line.number for line in statement.lines.all()]


@pytest.mark.spec("DECL-2")
def test_lines_the_engine_cannot_compute_get_field_errors_and_nothing_posts(
    importer_account, editor, usd
):
    bad = [
        {**THREE_LINES[0], "classification_number": "6109.10.00.99"},  # not in the tariff
        {**THREE_LINES[0], "origin": "CN", "treatment": "UST"},  # not open to China
        {**THREE_LINES[1], "quantity": None},  # specific rate without quantity
        THREE_LINES[2],
    ]
    cad = draft(importer_account, editor, lines=bad)  # a draft saves whatever is typed
    with pytest.raises(services.DeclarationInvalid) as error:
        services.declaration_submit(declaration=cad, actor=editor, audit=audit_of(editor))
    assert set(error.value.lines) == {0, 1, 2}
    assert "classification_number" in error.value.lines[0]
    assert "treatment" in error.value.lines[1]
    assert "quantity" in error.value.lines[2]
    cad.refresh_from_db()
    assert cad.status == Declaration.Status.DRAFT
    assert cad.current_version.lines.count() == 4  # everything typed is kept
    assert not Transaction.objects.filter(program_account=importer_account).exists()


@pytest.mark.spec("DECL-2")
def test_a_draft_saves_incomplete(importer_account, editor, calculator_data):
    cad = draft(
        importer_account,
        editor,
        header={"port_code": "0395"},
        lines=[{"description": "Something, number to come"}],
    )
    assert cad.current_version.lines.get().classification_number == ""
    with pytest.raises(services.DeclarationInvalid) as error:
        services.declaration_submit(declaration=cad, actor=editor, audit=audit_of(editor))
    assert {"release_date", "currency", "exchange_rate_date"} <= set(error.value.header)


@pytest.mark.spec("DECL-1")
def test_submitted_versions_are_immutable_in_the_database(importer_account, editor, usd):
    """A raw SQL UPDATE or DELETE of a submitted version or its lines is refused."""
    cad = submitted(importer_account, editor)
    version_id = cad.current_version_id
    line_id = cad.current_version.lines.first().pk
    statements = [
        ("UPDATE calculator_declarationversion SET total = 1 WHERE id = %s", version_id),
        ("UPDATE calculator_declarationversion SET status = 'refused' WHERE id = %s", version_id),
        ("DELETE FROM calculator_declarationversion WHERE id = %s", version_id),
        ("UPDATE calculator_declarationline SET value = 1 WHERE id = %s", line_id),
        ("DELETE FROM calculator_declarationline WHERE id = %s", line_id),
    ]
    for sql, pk in statements:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclarationLine.objects.create(version_id=version_id, position=9)
    # A draft's version still changes freely.
    other = draft(importer_account, editor)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE calculator_declarationversion SET office = 'Laval' WHERE id = %s",
            [other.current_version_id],
        )
    assert DeclarationVersion.objects.get(pk=other.current_version_id).office == "Laval"


@pytest.mark.spec("DECL-1")
def test_transitions_are_guarded(importer_account, editor, usd):
    cad = submitted(importer_account, editor)
    with pytest.raises(TransitionNotAllowed):
        services.declaration_submit(declaration=cad, actor=editor, audit=audit_of(editor))
    with pytest.raises(TransitionNotAllowed):
        services.draft_cancel(declaration=cad, actor=editor, audit=audit_of(editor))
    with pytest.raises(TransitionNotAllowed):
        services.draft_save(
            program_account=importer_account,
            declaration=cad,
            header=HEADER,
            lines=THREE_LINES,
            actor=editor,
            audit=audit_of(editor),
        )


@pytest.mark.spec("DECL-1", "DECL-5", "STAFF-2")
def test_demo_cads_cover_the_states_once(importer_account, broker_account, calculator_data):
    from accounts.tests.factories import UserFactory
    from calculator.declarations_demo import seed_declarations

    user, agent = UserFactory(), UserFactory()
    kwargs = {
        "account": importer_account,
        "importer_user": user,
        "agent": agent,
        "broker": broker_account.business,
    }
    assert seed_declarations(**kwargs) == 5
    assert seed_declarations(**kwargs) == 0
    assert sorted(Declaration.objects.values_list("status", flat=True)) == [
        "adjustment_pending",
        "correction_accepted",
        "draft",
        "submitted",
        "submitted",
    ]
    by_broker = Declaration.objects.get(submitted_by_provider=broker_account.business)
    assert by_broker.submitted_by == agent
    assert Declaration.objects.get(status="draft").is_late
