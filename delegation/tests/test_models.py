"""Employment: one open link per person and business, valid roles (DELEG-0)."""

import pytest
from django.db import IntegrityError, transaction

from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.spec("DELEG-0")
def test_one_open_employment_per_person_and_business():
    employment = EmploymentFactory(status=Employment.Status.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(
            user=employment.user, business=employment.business, status=Employment.Status.ACTIVE
        )


@pytest.mark.spec("DELEG-0")
def test_a_closed_employment_does_not_block_a_new_request():
    employment = EmploymentFactory(status=Employment.Status.REJECTED)
    Employment.objects.create(user=employment.user, business=employment.business)


@pytest.mark.spec("DELEG-0")
def test_role_must_be_one_of_the_four():
    employment = EmploymentFactory()
    with pytest.raises(IntegrityError):
        Employment.objects.filter(pk=employment.pk).update(role="owner")
