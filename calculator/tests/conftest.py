"""Fixtures of the calculator's tests: the real sample data, loaded once per test session,
and small tariffs built in a test for rates the sample lacks."""

from datetime import date
from decimal import Decimal

import pytest

from calculator import loaders
from calculator.models import ExchangeRate, TariffEdition
from calculator.parsers import LineData, LoadReport

# A date when the sample's edition (T2026-2, from 2026-09-01) is in force.
SAMPLE_DATE = date(2026, 11, 20)


@pytest.fixture(scope="session")
def calculator_data(django_db_setup, django_db_blocker):
    """treatments, countries, synonyms, the T2026-2 sample, Bank of Canada rates and the
    trade measures of calculator/data, committed once for the whole session."""
    with django_db_blocker.unblock():
        reports = loaders.calculator_demo_load()
        assert all(not report.refused for report in reports), [r.lines() for r in reports]
    yield


@pytest.fixture
def sample(calculator_data, db):
    return TariffEdition.objects.get(code="T2026-2")


def make_edition(code: str, effective: date, rows: list[tuple]) -> TariffEdition:
    """An edition with lines (number, unit, MFN rate, preferences text[, description])."""
    report = LoadReport("test")
    lines = [
        LineData(
            number=row[0],
            unit=row[1],
            mfn_rate=row[2],
            preferential_text=row[3],
            description_en=row[4] if len(row) > 4 else f"Test heading. - Goods {row[0]}",
        )
        for row in rows
    ]
    edition = loaders.tariff_edition_store(
        edition_code=code, effective_from=effective, lines=lines, report=report
    )
    assert not report.refused, report.refused
    return edition


def make_rate(currency: str, day: date, rate: str) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency=currency, date=day, cad_per_unit=Decimal(rate), series=f"FX{currency}CAD"
    )


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English, whatever a request before it activated, and without
    the reference data a rolled-back test left in memory."""
    from django.utils import translation

    from calculator import reference

    reference.forget()
    with translation.override("en"):
        yield


# --- Commercial accounting declarations (DECL-*) ---------------------------------------

# The date of direct shipment of the tests' CADs (released 2026-11-20, T2026-2 in force).
CAD_SHIPPED = date(2026, 11, 18)


@pytest.fixture
def usd(calculator_data):
    """The sample data and a US dollar rate on the CADs' date of direct shipment."""
    return make_rate("USD", CAD_SHIPPED, "1.3800")


@pytest.fixture
def editor(importer_account):
    """An Editor of the importer: may create and submit its CADs."""
    from delegation.models import Employment
    from delegation.tests.factories import EmploymentFactory

    return EmploymentFactory(business=importer_account.business, role=Employment.Role.EDITOR).user


@pytest.fixture
def broker(importer_account, broker_account):
    """A customs broker's Editor assigned to the importer, whose broker has program
    management of the importer's account (DELEG-3)."""
    from django.utils import timezone

    from delegation.models import ClientAssignment, Employment, Relationship
    from delegation.tests.factories import EmploymentFactory

    relationship = Relationship.objects.create(
        provider=broker_account.business,
        client=importer_account.business,
        kind=Relationship.Kind.PROGRAM,
        status=Relationship.Status.ACTIVE,
        answered_at=timezone.now(),
    )
    relationship.program_accounts.add(importer_account)
    employment = EmploymentFactory(business=broker_account.business, role=Employment.Role.EDITOR)
    ClientAssignment.objects.create(employment=employment, client=importer_account.business)
    return employment.user
