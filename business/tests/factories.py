import factory

from business.models import Business, ProgramAccount


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    bn9 = factory.Sequence(lambda n: f"{100000000 + n:09d}")
    legal_name = factory.Faker("company")


class ProgramAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramAccount

    business = factory.SubFactory(BusinessFactory)
    program_identifier = "RM"
    reference_number = factory.Sequence(lambda n: f"{n % 10000:04d}")
    program_type = ProgramAccount.ProgramType.IMPORTER


class BrokerAccountFactory(ProgramAccountFactory):
    program_type = ProgramAccount.ProgramType.CUSTOMS_BROKER
