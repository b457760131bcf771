import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from rulings.models import SERVICE_STANDARD_DAYS, Ruling
from rulings.services import case_number_next


class RulingFactory(factory.django.DjangoModelFactory):
    """A tariff-classification request, complete, as a draft (``status=`` and the
    ``submitted`` trait give other states without going through the transitions)."""

    class Meta:
        model = Ruling
        skip_postgeneration_save = True

    program_account = factory.SubFactory(ProgramAccountFactory)
    business = factory.SelfAttribute("program_account.business")
    created_by = factory.SubFactory(UserFactory)
    case_number = factory.LazyFunction(case_number_next)
    kind = Ruling.Kind.TARIFF_CLASSIFICATION
    port_of_entry = "Montréal (0395)"
    prior = Ruling.Prior.NONE
    imported_before = False
    will_continue = True
    consent_to_publish = False
    goods_description = "Cordless drill, 18 V, with two batteries"
    composition = "Steel, ABS plastic, lithium-ion cells"
    function_and_use = "Drilling holes in wood and metal"
    proposed_classification = "8467.21.00"
    classification_reasons = "Tool for working in the hand, with self-contained electric motor"
    samples_available = True

    class Params:
        submitted = factory.Trait(
            status=Ruling.Status.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            target_date=factory.LazyAttribute(
                lambda o: (
                    timezone.localdate(o.submitted_at)
                    + datetime.timedelta(days=SERVICE_STANDARD_DAYS)
                )
            ),
        )
