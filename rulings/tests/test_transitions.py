"""Every allowed and every refused status change of a ruling request (RUL-0, RUL-2,
RUL-3): the status history, the audit entry and the notice of each change."""

import datetime
import itertools

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from carm_portal.models import AuditEntry
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from notices.models import Notice, NoticeRecipient
from rulings import services
from rulings.models import Ruling, RulingEvent, TransitionNotAllowed
from rulings.tests.factories import RulingFactory

pytestmark = pytest.mark.django_db

S = Ruling.Status


@pytest.fixture
def officer(db):
    return UserFactory(staff=True)


def run(name, ruling, actor, officer):
    """Call the service of transition ``name``."""
    match name:
        case "submit":
            return services.ruling_submit(ruling=ruling, actor=actor)
        case "assign":
            return services.ruling_assign(ruling=ruling, actor=officer, officer=officer)
        case "request_information":
            return services.ruling_request_information(
                ruling=ruling, actor=officer, message="Send the data sheet of the battery."
            )
        case "answer":
            return services.ruling_answer(
                ruling=ruling, actor=actor, message="The data sheet is attached."
            )
        case "render_decision":
            return services.ruling_render_decision(
                ruling=ruling,
                actor=officer,
                decision_en="The goods are classified under 8467.21.00.",
                decision_fr="Les marchandises sont classées dans le numéro 8467.21.00.",
            )
        case "withdraw":
            return services.ruling_withdraw(ruling=ruling, actor=actor)
        case "request_change":
            return services.ruling_request_change(
                ruling=ruling, actor=actor, message="The classification of the charger."
            )
    raise AssertionError(name)


ALLOWED = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("assign", S.SUBMITTED): S.ASSIGNED,
    ("request_information", S.ASSIGNED): S.INFORMATION_REQUESTED,
    ("answer", S.INFORMATION_REQUESTED): S.ASSIGNED,
    ("render_decision", S.ASSIGNED): S.DECISION_RENDERED,
    ("withdraw", S.SUBMITTED): S.WITHDRAWN,
    ("withdraw", S.ASSIGNED): S.WITHDRAWN,
    ("withdraw", S.INFORMATION_REQUESTED): S.WITHDRAWN,
    ("request_change", S.DECISION_RENDERED): S.DECISION_RENDERED,
}
TRANSITIONS = sorted({name for name, _source in ALLOWED})
REFUSED = [
    (name, source)
    for name, source in itertools.product(TRANSITIONS, S.values)
    if (name, source) not in ALLOWED
]


def in_status(status, officer, **kwargs):
    """A request brought to ``status`` directly (its own transitions are tested here)."""
    ruling = RulingFactory(**kwargs)
    if status != S.DRAFT:
        ruling.submitted_at = timezone.now()
        ruling.target_date = timezone.localdate() + datetime.timedelta(days=120)
    if status in (S.ASSIGNED, S.INFORMATION_REQUESTED, S.DECISION_RENDERED):
        ruling.assigned_to = officer
    if status == S.DECISION_RENDERED:
        ruling.decision_en, ruling.decision_fr = "Decision.", "Décision."
        ruling.decided_at = timezone.now()
    ruling.status = status
    ruling.save()
    return ruling


@pytest.mark.spec("RUL-0", "RUL-2", "RUL-3", "NOTE-4")
@pytest.mark.parametrize(("name", "source"), sorted(ALLOWED))
def test_allowed_transition_writes_history_audit_and_notice(name, source, officer):
    ruling = in_status(source, officer)
    employee = EmploymentFactory(business=ruling.business, role=Employment.Role.EDITOR).user
    audits = AuditEntry.objects.filter(action__startswith="ruling.").count()

    ruling = run(name, ruling, employee, officer)

    ruling.refresh_from_db()
    assert ruling.status == ALLOWED[(name, source)]
    event = RulingEvent.objects.filter(ruling=ruling).latest("id")
    assert (event.from_status, event.to_status) == (source, ALLOWED[(name, source)])
    ruling_audits = AuditEntry.objects.filter(action__startswith="ruling.")
    assert ruling_audits.count() == audits + 1
    audit = ruling_audits.latest("id")
    assert audit.action == f"ruling.{name}"
    assert audit.subject == ruling.case_number
    assert audit.business == ruling.business
    assert audit.changes["from"] == source
    notices = Notice.objects.filter(type__code="ruling_status_changed")
    if name == "request_change":
        assert not notices.exists()  # the status does not change: staff see it in the admin
        assert ruling.change_requested_at is not None
    else:
        # To the business (its employees) and to the requester, who is not one of them.
        notice = notices.get(recipient_count__gt=0, audience__startswith="business")
        label_en = {
            S.SUBMITTED: "Submitted",
            S.ASSIGNED: "Assigned",
            S.INFORMATION_REQUESTED: "Additional information requested",
            S.DECISION_RENDERED: "Decision rendered",
            S.WITHDRAWN: "Withdrawn",
        }[ALLOWED[(name, source)]]
        assert notice.subject_en == f"Ruling request {ruling.case_number}: {label_en}"
        label_fr = {
            S.SUBMITTED: "Soumise",
            S.ASSIGNED: "Assignée",
            S.INFORMATION_REQUESTED: "Renseignements supplémentaires demandés",
            S.DECISION_RENDERED: "Décision rendue",
            S.WITHDRAWN: "Retirée",
        }[ALLOWED[(name, source)]]
        assert notice.subject_fr == f"Demande de décision {ruling.case_number} : {label_fr}"
        assert notice.program_account == ruling.program_account
        assert NoticeRecipient.objects.filter(notice=notice, user=employee).exists()


@pytest.mark.spec("RUL-0", "RUL-2", "RUL-3")
@pytest.mark.parametrize(("name", "source"), REFUSED)
def test_refused_transition_changes_nothing(name, source, officer):
    ruling = in_status(source, officer)
    employee = EmploymentFactory(business=ruling.business, role=Employment.Role.EDITOR).user
    events, audits = RulingEvent.objects.count(), AuditEntry.objects.count()

    with pytest.raises(TransitionNotAllowed):
        run(name, ruling, employee, officer)

    ruling.refresh_from_db()
    assert ruling.status == source
    assert RulingEvent.objects.count() == events
    assert AuditEntry.objects.count() == audits
    assert not Notice.objects.exists()


@pytest.mark.spec("RUL-2")
def test_a_change_is_asked_once(officer):
    ruling = in_status(S.DECISION_RENDERED, officer)
    run("request_change", ruling, ruling.created_by, officer)
    with pytest.raises(TransitionNotAllowed):
        run("request_change", ruling, ruling.created_by, officer)


@pytest.mark.spec("RUL-0")
def test_submitting_starts_the_120_day_service_standard(officer):
    ruling = services.ruling_submit(ruling=RulingFactory(), actor=officer)
    assert ruling.target_date == timezone.localdate(ruling.submitted_at) + datetime.timedelta(
        days=120
    )
    assert not ruling.is_overdue
    Ruling.objects.filter(pk=ruling.pk).update(
        target_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    ruling.refresh_from_db()
    assert ruling.is_overdue


@pytest.mark.spec("RUL-2")
def test_an_incomplete_draft_is_not_submitted(officer):
    ruling = RulingFactory(composition="", samples_available=None)
    with pytest.raises(services.IncompleteRequest) as refused:
        services.ruling_submit(ruling=ruling, actor=ruling.created_by)
    assert refused.value.missing == ["composition", "samples_available"]
    ruling.refresh_from_db()
    assert ruling.status == S.DRAFT


@pytest.mark.spec("RUL-3")
def test_a_decision_needs_both_languages(officer):
    ruling = in_status(S.ASSIGNED, officer)
    with pytest.raises(ValueError, match="English and in French"):
        services.ruling_render_decision(
            ruling=ruling, actor=officer, decision_en="Classified.", decision_fr="  "
        )
    ruling.refresh_from_db()
    assert ruling.status == S.ASSIGNED


@pytest.mark.spec("RUL-3")
def test_requests_are_assigned_to_cbsa_staff_only(officer):
    ruling = in_status(S.SUBMITTED, officer)
    with pytest.raises(ValueError):
        services.ruling_assign(ruling=ruling, actor=officer, officer=UserFactory())


@pytest.mark.spec("RUL-3", "NOTE-4")
def test_a_service_providers_employee_who_asked_also_gets_the_notice(officer):
    """The requester acting for a client is told too; the client's employees whose scope
    does not cover the program account are not."""
    broker_employee = UserFactory()
    ruling = in_status(S.SUBMITTED, officer, created_by=broker_employee)
    elsewhere = EmploymentFactory(business=ruling.business, role=Employment.Role.READER)
    from business.tests.factories import ProgramAccountFactory

    elsewhere.program_accounts.add(ProgramAccountFactory(business=ruling.business))
    services.ruling_assign(ruling=ruling, actor=officer, officer=officer)
    assert NoticeRecipient.objects.filter(user=broker_employee).count() == 1
    assert not NoticeRecipient.objects.filter(user=elsewhere.user).exists()


@pytest.mark.spec("RUL-2")
def test_draft_creation_issues_a_case_number_and_records_the_draft(importer_account):
    user = EmploymentFactory(business=importer_account.business, role=Employment.Role.EDITOR).user
    ruling = services.ruling_create(
        program_account=importer_account,
        actor=user,
        context={
            "kind": Ruling.Kind.MARKING,
            "port_of_entry": "Halifax",
            "prior": Ruling.Prior.RULING,
            "prior_reference": "8000000001",
            "imported_before": True,
            "will_continue": True,
            "consent_to_publish": True,
        },
    )
    assert len(ruling.case_number) == 10 and ruling.case_number.isdigit()
    assert ruling.business == importer_account.business
    assert ruling.status == S.DRAFT
    assert ruling.events.get().to_status == S.DRAFT
    assert AuditEntry.objects.filter(action="ruling.created", subject=ruling.case_number).exists()
