"""Writes of the rulings area (STYLE 1): create and edit a draft, and every status
change (RUL-2, RUL-3). Each status change runs inside one transaction on the request's
row locked with SELECT … FOR UPDATE (two people acting at the same moment cannot both
move it), calls the model's guarded transition (status and history), writes the audit
entry and sends the *Rulings – Status changed* notice (NOTE-4)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from accounts.models import User
from business.models import ProgramAccount
from carm_portal.audit import AuditContext, audit_record
from notices.audience import business_notice_recipients
from notices.services import notice_send
from rulings.models import (
    ALL_DETAIL_FIELDS,
    CASE_NUMBER_SEQUENCE,
    CONTEXT_FIELDS,
    DETAIL_FIELDS,
    Ruling,
    RulingEvent,
    TransitionNotAllowed,
)


class IncompleteRequest(Exception):
    """Submitting a draft whose details for its type are not all filled in."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(f"missing: {', '.join(missing)}")


def case_number_next() -> str:
    """The next case number from the PostgreSQL sequence (ADR 0012)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [CASE_NUMBER_SEQUENCE])
        return f"{cursor.fetchone()[0]:010d}"


@transaction.atomic
def ruling_create(
    *,
    program_account: ProgramAccount,
    actor: User,
    context: dict[str, Any],
    audit: AuditContext | None = None,
) -> Ruling:
    """Step 1 of a new request (RUL-2): a draft with its case number, for the program
    account current when it was created."""
    ruling = Ruling(
        business_id=program_account.business_id,
        program_account=program_account,
        created_by=actor,
        case_number=case_number_next(),
        status=Ruling.Status.DRAFT,
        **{name: context[name] for name in CONTEXT_FIELDS if name in context},
    )
    ruling.prior_reference = ruling.prior_reference if ruling.prior != Ruling.Prior.NONE else ""
    ruling.full_clean(exclude=[*ALL_DETAIL_FIELDS, "case_number"])
    ruling.save()
    RulingEvent.objects.create(ruling=ruling, from_status="", to_status=ruling.status, actor=actor)
    audit_record(
        action="ruling.created",
        audit=AuditContext.of(audit, actor).about(ruling.business),
        actor=actor,
        subject=ruling.case_number,
        changes={"kind": ruling.kind, "program_account": program_account.pk},
    )
    return ruling


def _draft_locked(ruling: Ruling, transition: str) -> Ruling:
    locked = Ruling.objects.select_for_update().get(pk=ruling.pk)
    if locked.status != Ruling.Status.DRAFT:
        raise TransitionNotAllowed(locked, transition)
    return locked


@transaction.atomic
def ruling_context_update(
    *, ruling: Ruling, actor: User, context: dict[str, Any], audit: AuditContext | None = None
) -> Ruling:
    """Step 1 again, on a draft: what changed is audited."""
    locked = _draft_locked(ruling, "edit")
    changed = [n for n in CONTEXT_FIELDS if n in context and getattr(locked, n) != context[n]]
    for name in changed:
        setattr(locked, name, context[name])
    if locked.prior == Ruling.Prior.NONE:
        locked.prior_reference = ""
    locked.full_clean(exclude=[*ALL_DETAIL_FIELDS, "case_number"])
    locked.save()
    if changed:
        audit_record(
            action="ruling.context_changed",
            audit=AuditContext.of(audit, actor).about(locked.business),
            actor=actor,
            subject=locked.case_number,
            changes={"fields": changed},
        )
    return locked


@transaction.atomic
def ruling_details_update(
    *, ruling: Ruling, actor: User, details: dict[str, Any], audit: AuditContext | None = None
) -> Ruling:
    """Step 2 on a draft: the fields of its type; those of other types are emptied (a
    draft whose type changed keeps nothing that does not apply)."""
    locked = _draft_locked(ruling, "edit")
    own = {name for name, _required in DETAIL_FIELDS[locked.kind]}
    changed = []
    for name in ALL_DETAIL_FIELDS:
        field = Ruling._meta.get_field(name)
        value = details.get(name) if name in own else (None if field.null else "")
        if value is None and not field.null:
            value = ""
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    locked.save()
    if changed:
        audit_record(
            action="ruling.details_changed",
            audit=AuditContext.of(audit, actor).about(locked.business),
            actor=actor,
            subject=locked.case_number,
            changes={"fields": changed},
        )
    return locked


def ruling_missing_details(*, ruling: Ruling) -> list[str]:
    """The required fields of the request's type still empty."""
    return [
        name
        for name, required in DETAIL_FIELDS[ruling.kind]
        if required and getattr(ruling, name) in ("", None)
    ]


def _notify(ruling: Ruling, event: RulingEvent) -> None:
    """The *Rulings – Status changed* notice to the employees of the business whose
    scope covers the program account, and to the requester when they are not one of
    them (a service provider's employee acting for the client)."""
    context = {"case_number": ruling.case_number, "status": Ruling.Status(event.to_status).label}
    notice_send(
        type_code="ruling_status_changed",
        context=context,
        program_account=ruling.program_account,
        reference=f"ruling-event-{event.pk}",
    )
    requester = ruling.created_by
    recipients = business_notice_recipients(
        business=ruling.business, program_account=ruling.program_account
    )
    if requester.is_active and not recipients.filter(user_id=requester.pk).exists():
        notice_send(
            type_code="ruling_status_changed",
            context=context,
            recipient=requester,
            program_account=ruling.program_account,
            reference=f"ruling-event-{event.pk}-requester",
        )


def _transition(
    ruling: Ruling, name: str, *, notify: bool = True, audit: AuditContext | None = None, **kwargs
) -> Ruling:
    """Lock the request, apply the model's transition (status and history), write its
    audit entry and send the notice."""
    with transaction.atomic():
        locked = (
            Ruling.objects.select_for_update(of=("self",))
            .select_related("business", "program_account__business", "created_by")
            .get(pk=ruling.pk)
        )
        event = getattr(locked, name)(**kwargs)
        actor = kwargs["actor"]
        audit_record(
            action=f"ruling.{name}",
            audit=AuditContext.of(audit, actor).about(locked.business),
            actor=actor,
            subject=locked.case_number,
            changes=event.audit_changes,
        )
        if notify:
            _notify(locked, event)
    return locked


def ruling_submit(*, ruling: Ruling, actor: User, audit: AuditContext | None = None) -> Ruling:
    """Draft → Submitted, once every required detail of its type is there."""
    with transaction.atomic():
        locked = _draft_locked(ruling, "submit")
        missing = ruling_missing_details(ruling=locked)
        if missing:
            raise IncompleteRequest(missing)
        return _transition(locked, "submit", actor=actor, audit=audit)


def ruling_withdraw(*, ruling: Ruling, actor: User, audit: AuditContext | None = None) -> Ruling:
    return _transition(ruling, "withdraw", actor=actor, audit=audit)


def ruling_answer(
    *, ruling: Ruling, actor: User, message: str, audit: AuditContext | None = None
) -> Ruling:
    return _transition(ruling, "answer", actor=actor, message=message, audit=audit)


def ruling_request_change(
    *, ruling: Ruling, actor: User, message: str, audit: AuditContext | None = None
) -> Ruling:
    """Asked by the requester after the decision; recorded for CBSA staff, no notice to
    the business (its status does not change)."""
    return _transition(
        ruling, "request_change", notify=False, actor=actor, message=message, audit=audit
    )


def ruling_assign(
    *, ruling: Ruling, actor: User, officer: User, audit: AuditContext | None = None
) -> Ruling:
    if not officer.is_staff:
        raise ValueError("a ruling request is assigned to a CBSA officer")
    return _transition(ruling, "assign", actor=actor, officer=officer, audit=audit)


def ruling_request_information(
    *, ruling: Ruling, actor: User, message: str, audit: AuditContext | None = None
) -> Ruling:
    return _transition(ruling, "request_information", actor=actor, message=message, audit=audit)


def ruling_render_decision(
    *,
    ruling: Ruling,
    actor: User,
    decision_en: str,
    decision_fr: str,
    audit: AuditContext | None = None,
) -> Ruling:
    return _transition(
        ruling,
        "render_decision",
        actor=actor,
        decision_en=decision_en,
        decision_fr=decision_fr,
        audit=audit,
    )
