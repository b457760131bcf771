"""Sending notices: who receives them, in which languages, once (NOTE-4, STAFF-1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from business.models import ProgramAccount
from business.tests.factories import BrokerAccountFactory, ProgramAccountFactory
from carm_portal.models import AuditEntry
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from notices.audience import StaffAudience, business_notice_recipients
from notices.models import Notice, NoticeDelivery, NoticeRecipient
from notices.services import notice_send, notice_send_bulk

pytestmark = pytest.mark.django_db

STATEMENT = {
    "period_start": datetime.date(2021, 4, 18),
    "period_end": datetime.date(2021, 5, 17),
    "due_date": datetime.date(2021, 5, 31),
}

ROLE = Employment.Role


def recipients(notice) -> set:
    return set(NoticeRecipient.objects.filter(notice=notice).values_list("user_id", flat=True))


def employ(account, role, *, scope=(), status=Employment.Status.ACTIVE, **user):
    employment = EmploymentFactory(
        business=account.business, role=role, status=status, user=UserFactory(**user)
    )
    employment.program_accounts.set(scope)
    return employment.user


@pytest.fixture
def staff_of_a_business():
    """A business with two program accounts and people in every role and scope."""
    first = ProgramAccountFactory()
    second = ProgramAccountFactory(business=first.business)
    return {
        "first": first,
        "second": second,
        "bam": employ(first, ROLE.BUSINESS_ACCOUNT_MANAGER),
        "pam_first": employ(first, ROLE.PROGRAM_ACCOUNT_MANAGER, scope=[first]),
        "pam_all": employ(first, ROLE.PROGRAM_ACCOUNT_MANAGER),
        "editor_second": employ(first, ROLE.EDITOR, scope=[second]),
        "reader_all": employ(first, ROLE.READER),
        "pending": employ(first, ROLE.READER, status=Employment.Status.PENDING),
        "removed": employ(first, ROLE.BUSINESS_ACCOUNT_MANAGER, status=Employment.Status.REMOVED),
        "inactive": employ(first, ROLE.BUSINESS_ACCOUNT_MANAGER, is_active=False),
    }


def ids(people, *names) -> set:
    return {people[name].pk for name in names}


@pytest.mark.spec("NOTE-4", "DELEG-0")
def test_business_notices_go_to_the_employees_who_may_see_them(staff_of_a_business):
    people = staff_of_a_business
    business = people["first"].business
    # About the business as a whole: every active employee.
    notice = notice_send(
        type_code="document_received",
        context={"case_number": "R1", "file_count": 1},
        business=business,
    )
    assert recipients(notice) == ids(
        people, "bam", "pam_first", "pam_all", "editor_second", "reader_all"
    )
    # About one program account: those whose scope covers it.
    notice = notice_send(
        type_code="statement_available",
        context=STATEMENT,
        program_account=people["first"],
    )
    assert recipients(notice) == ids(people, "bam", "pam_first", "pam_all", "reader_all")
    assert notice.business == business
    assert notice.account_number == people["first"].full_reference


@pytest.mark.spec("NOTE-4", "LINK-2", "DELEG-0")
def test_pending_access_goes_to_managers_only(staff_of_a_business):
    people = staff_of_a_business
    context = {"requester": "Jo Tremblay", "business_name": "X", "bn9": "1"}
    notice = notice_send(
        type_code="delegation_pending_access",
        context=context,
        business=people["first"].business,
    )
    assert recipients(notice) == ids(people, "bam", "pam_first", "pam_all")
    assert notice.account_number == people["first"].business.bn9
    # About the second program account: its managers (the BAM and the PAM of everything).
    notice = notice_send(
        type_code="delegation_pending_access", context=context, program_account=people["second"]
    )
    assert recipients(notice) == ids(people, "bam", "pam_all")


@pytest.mark.spec("NOTE-4")
def test_the_rule_is_one_function(staff_of_a_business):
    """``business_notice_recipients`` alone decides (delegation.selectors)."""
    people = staff_of_a_business
    found = business_notice_recipients(
        business=people["first"].business, program_account=people["second"], managers_only=False
    )
    assert {row["user_id"] for row in found} == ids(
        people, "bam", "pam_all", "editor_second", "reader_all"
    )


@pytest.mark.spec("NOTE-4", "X-1")
def test_system_texts_exist_in_both_languages():
    user = UserFactory()
    notice = notice_send(
        type_code="delegation_pending_access",
        context={
            "requester": "ImporterCompany7861 (972171538)",
            "business_name": "ImporterCompany1755",
            "bn9": "100001254",
        },
        recipient=user,
    )
    assert notice.subject_en == "Pending access request for your business"
    assert notice.subject_fr == "Demande d'accès en attente pour votre entreprise"
    assert notice.body_fr.startswith(
        "Vous avez une nouvelle demande d'accès en attente de ImporterCompany7861 (972171538) "
        "pour ImporterCompany1755 (100001254)."
    )
    assert "Gérer les demandes d'accès en attente" in notice.body_fr
    assert "&amp;" not in notice.body_en  # texts are plain text, not HTML
    assert recipients(notice) == {user.pk}
    assert notice.account_number == ""


@pytest.mark.spec("NOTE-4", "X-1")
@pytest.mark.parametrize(
    ("type_code", "context", "english", "french"),
    [
        (
            "access_request_answered",
            {"approved": False, "business_name": "A & B Ltd.", "bn9": "1", "reason": "Unknown"},
            "Your access request was refused",
            "Votre demande d'accès a été refusée",
        ),
        (
            "relationship_requested",
            {"provider_name": "Maple", "provider_bn9": "2", "client_name": "C", "client_bn9": "3"},
            "Business relationship request from Maple",
            "Demande de relation d'affaires de Maple",
        ),
        (
            "relationship_answered",
            {"approved": True, "client_name": "C", "client_bn9": "3", "provider_name": "M"},
            "C approved your business relationship request",
            "C a approuvé votre demande de relation d'affaires",
        ),
        (
            "document_rejected",
            {"case_number": "R9", "file_name": "a.pdf", "reason": "infected"},
            "A document for case R9 was rejected",
            "Un document pour le cas R9 a été refusé",
        ),
        (
            "ruling_status_changed",
            {"case_number": "R9", "status": "Decision rendered"},
            "Ruling request R9: Decision rendered",
            "Demande de décision R9 : Decision rendered",
        ),
        (
            "statement_available",
            STATEMENT,
            "Statement of account to 2021-05-17 available",
            "Relevé de compte au 2021-05-17 disponible",
        ),
    ],
)
def test_every_system_type_has_both_texts(type_code, context, english, french):
    notice = notice_send(type_code=type_code, context=context, recipient=UserFactory())
    assert (notice.subject_en, notice.subject_fr) == (english, french)
    assert notice.body_en and notice.body_fr and notice.body_en != notice.body_fr
    if "A & B" in str(context):
        assert "A & B Ltd." in notice.body_en


@pytest.mark.spec("NOTE-4")
def test_lazy_translations_in_the_context_are_rendered_in_each_language():
    from django.utils.translation import gettext_lazy

    notice = notice_send(
        type_code="ruling_status_changed",
        context={"case_number": "R9", "status": gettext_lazy("Pending")},
        recipient=UserFactory(),
    )
    assert notice.subject_en.endswith(": Pending")
    assert notice.subject_fr.endswith(": En attente")


@pytest.mark.spec("NOTE-4")
def test_a_reference_sends_once():
    user = UserFactory()
    arguments = {
        "type_code": "document_received",
        "context": {"case_number": "R1", "file_count": 1},
        "recipient": user,
        "reference": "documents:upload:42",
    }
    first = notice_send(**arguments)
    second = notice_send(**arguments)
    assert first.pk == second.pk
    assert Notice.objects.count() == 1
    assert NoticeRecipient.objects.count() == 1


@pytest.mark.spec("NOTE-4")
def test_wrong_calls_are_refused():
    user = UserFactory()
    account = ProgramAccountFactory()
    with pytest.raises(ValueError, match="person or to a business"):
        notice_send(type_code="document_received", context={})
    with pytest.raises(ValueError, match="another business"):
        notice_send(
            type_code="document_received",
            context={},
            business=ProgramAccountFactory().business,
            program_account=account,
        )
    with pytest.raises(ValueError, match="needs file_count in its context"):
        notice_send(type_code="document_received", context={"case_number": "R1"}, recipient=user)
    with pytest.raises(ValueError, match="written by CBSA staff"):
        notice_send(type_code="cbsa_message", context={}, recipient=user)
    with pytest.raises(ValueError, match="both languages"):
        notice_send_bulk(
            type_code="cbsa_message",
            subject_en="Hello",
            subject_fr=" ",
            body_en="Text",
            body_fr="Texte",
            audience=StaffAudience.everyone(),
            sender=None,
        )
    with pytest.raises(ValueError, match="system type"):
        notice_send_bulk(
            type_code="statement_available",
            subject_en="a",
            subject_fr="b",
            body_en="c",
            body_fr="d",
            audience=StaffAudience.everyone(),
            sender=None,
        )
    assert Notice.objects.count() == 0


def bulk(audience, **overrides):
    arguments = {
        "type_code": "cbsa_message",
        "subject_en": "Portal maintenance",
        "subject_fr": "Entretien du portail",
        "body_en": "The portal will be unavailable on Saturday.",
        "body_fr": "Le portail sera indisponible samedi.",
        "audience": audience,
        "sender": None,
    }
    return notice_send_bulk(**{**arguments, **overrides})


@pytest.mark.spec("STAFF-1", "NOTE-4")
def test_staff_audiences():
    importer = ProgramAccountFactory()
    broker = BrokerAccountFactory()
    both = ProgramAccountFactory()
    BrokerAccountFactory(business=both.business)
    importer_people = {
        employ(importer, ROLE.READER).pk,
        employ(importer, ROLE.BUSINESS_ACCOUNT_MANAGER).pk,
    }
    broker_people = {employ(broker, ROLE.EDITOR).pk}
    both_people = {employ(both, ROLE.BUSINESS_ACCOUNT_MANAGER).pk}
    # Scoped to the importer account of a business that is also a broker: not a holder.
    employ(both, ROLE.READER, scope=[both])
    unlinked = UserFactory().pk
    UserFactory(staff=True)
    UserFactory(is_active=False)
    employ(importer, ROLE.READER, status=Employment.Status.PENDING)

    everyone = bulk(StaffAudience.everyone())
    assert recipients(everyone) >= importer_people | broker_people | both_people | {unlinked}
    assert not NoticeRecipient.objects.filter(notice=everyone, user__is_staff=True).exists()
    assert not NoticeRecipient.objects.filter(notice=everyone, user__is_active=False).exists()
    assert everyone.recipient_count == len(recipients(everyone))

    chosen = bulk(StaffAudience.businesses([importer.business_id, broker.business_id]))
    assert recipients(chosen) == importer_people | broker_people
    assert chosen.audience == "businesses: 2"

    brokers = bulk(StaffAudience.holders_of(ProgramAccount.ProgramType.CUSTOMS_BROKER))
    assert recipients(brokers) == broker_people | both_people
    assert brokers.account_number == ""


@pytest.mark.spec("NOTE-1", "NOTE-4")
def test_email_rows_follow_subscriptions_and_urgency():
    account = ProgramAccountFactory()
    subscribed = employ(account, ROLE.READER, email_notices=True)
    unsubscribed = employ(account, ROLE.READER, email_notices=False)
    employ(account, ROLE.READER, email_notices=True, email="")
    normal = bulk(StaffAudience.businesses([account.business_id]))
    assert set(normal.deliveries.values_list("user_id", flat=True)) == {subscribed.pk}
    urgent = bulk(StaffAudience.businesses([account.business_id]), urgent=True)
    assert set(urgent.deliveries.values_list("user_id", flat=True)) == {
        subscribed.pk,
        unsubscribed.pk,
    }
    assert set(NoticeDelivery.objects.values_list("state", flat=True)) == {"pending"}


@pytest.mark.spec("NOTE-4", "STAFF-1")
def test_sending_is_set_based_and_audited():
    """The rows are written by a fixed number of statements, whatever the audience."""

    def queries_for(people: int) -> int:
        business = ProgramAccountFactory().business
        for _n in range(people):
            EmploymentFactory(business=business)
        with CaptureQueriesContext(connection) as captured:
            notice = bulk(StaffAudience.businesses([business.pk]))
        assert notice.recipient_count == people
        assert notice.deliveries.count() == people
        return len(captured)

    assert queries_for(3) == queries_for(120)
    entry = AuditEntry.objects.filter(action="notice.sent").latest("created_at")
    assert entry.changes["recipients"] == 120
    assert entry.changes["emails"] == 120
    assert entry.subject == "cbsa_message"
