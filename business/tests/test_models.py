"""Businesses and program accounts: real constraints in the database (section 0)."""

import pytest
from django.db import DataError, IntegrityError

from business.models import Business, ProgramAccount
from business.tests.factories import ProgramAccountFactory

pytestmark = pytest.mark.django_db


def test_full_reference_is_bn9_plus_program_reference():
    account = ProgramAccountFactory(business__bn9="549132583", reference_number="0001")
    assert account.reference == "RM0001"
    assert account.full_reference == "549132583RM0001"


@pytest.mark.parametrize("bn9", ["12345678", "1234567890", "12345678A", "abcdefghi"])
def test_bn9_has_exactly_nine_digits_in_the_database(bn9):
    with pytest.raises((IntegrityError, DataError)):
        Business.objects.create(bn9=bn9, legal_name="X")


def test_bn9_is_unique():
    Business.objects.create(bn9="549132583", legal_name="A")
    with pytest.raises(IntegrityError):
        Business.objects.create(bn9="549132583", legal_name="B")


def test_a_program_account_reference_is_unique_within_its_business():
    account = ProgramAccountFactory(reference_number="0001")
    with pytest.raises(IntegrityError):
        ProgramAccount.objects.create(business=account.business, reference_number="0001")


@pytest.mark.parametrize(
    ("identifier", "reference"), [("rm", "0001"), ("RM", "001"), ("R1", "0001")]
)
def test_program_account_format_is_enforced(identifier, reference):
    business = Business.objects.create(bn9="111111118", legal_name="X")
    with pytest.raises(IntegrityError):
        ProgramAccount.objects.create(
            business=business, program_identifier=identifier, reference_number=reference
        )
