import factory
from django.utils import timezone

from accounts.models import User

PASSWORD = "Quartz7Maple"  # noqa: S105 - test credential


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n:04d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    preferred_language = "en"
    phone = "+16135550123"
    email_notices = True
    profile_completed_at = factory.LazyFunction(timezone.now)
    terms_acknowledged_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    class Params:
        staff = factory.Trait(is_staff=True, is_superuser=True)
