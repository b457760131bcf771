import factory

from accounts.tests.factories import UserFactory
from business.tests.factories import BusinessFactory
from delegation.models import Employment


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)
    role = Employment.Role.READER
    status = Employment.Status.ACTIVE
