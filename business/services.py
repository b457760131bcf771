"""Linking a person to a business (SPEC LINK-2 … LINK-4): writes, atomic and audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from business.models import Address, Business, ProgramAccount, Registration, RegistrationAttempts
from carm_portal.audit import AuditContext, audit_record
from delegation.models import Employment
from finance.selectors import last_payment_amount
from notices.services import notice_send

MAX_FAILURES = 10


class RegistrationLocked(Exception):
    """The person failed 10 validations for this business: CBSA staff must unlock."""


class AlreadyRegistered(Exception):
    """The business is registered on the portal already: use LINK-2 instead."""


class TooManyOpenRequests(Exception):
    """The person has ACCESS_REQUESTS_MAX_OPEN requests pending already (SEC-6)."""

    def __init__(self):
        super().__init__(
            _(
                "You have %(count)s access requests waiting for an answer. Wait for an answer, "
                "or cancel one of them, before asking another business."
            )
            % {"count": settings.ACCESS_REQUESTS_MAX_OPEN}
        )


# --- Request access to my employer (LINK-2) -----------------------------------------------


def access_request_create(
    *, user, business: Business, comment: str, audit: AuditContext | None = None
) -> Employment:
    """One pending request per person and business, at most ACCESS_REQUESTS_MAX_OPEN
    pending per person (anti-automation: each one notifies and emails the managers);
    the managers get a notice."""
    with transaction.atomic():
        # the person's row serialises their concurrent requests
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        pending = Employment.objects.filter(user=user, status=Employment.Status.PENDING)
        if pending.count() >= settings.ACCESS_REQUESTS_MAX_OPEN:
            raise TooManyOpenRequests
        employment = Employment.objects.create(
            user=user,
            business=business,
            status=Employment.Status.PENDING,
            comment=comment,
        )
        audit_record(
            action="access_request.created",
            audit=audit,
            business=business,
            changes={"employment": employment.pk},
        )
        notify_access_requested(employment=employment)
    return employment


def notify_access_requested(*, employment: Employment) -> None:
    """Tell the business's managers (SPEC LINK-2: Changes to delegation – Pending access)."""
    business = employment.business
    notice_send(
        type_code="delegation_pending_access",
        business=business,
        context={
            "requester": employment.user.display_name,
            "business_name": business.display_name,
            "bn9": business.bn9,
        },
        reference=f"access-request:{employment.pk}",
    )


def access_request_cancel(*, employment: Employment, audit: AuditContext | None = None) -> None:
    with transaction.atomic():
        locked = Employment.objects.select_for_update().get(pk=employment.pk)
        if locked.status != Employment.Status.PENDING:
            return
        locked.status = Employment.Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action="access_request.cancelled",
            audit=audit,
            business=locked.business,
            changes={"employment": locked.pk},
        )


# --- Register my business (LINK-3, LINK-4) ---------------------------------------------------


def normalize_text(value: str) -> str:
    """Surrounding and repeated spaces and letter case do not count; punctuation does."""
    return " ".join(value.split()).casefold()


def legal_name_matches(*, business: Business, legal_name: str) -> bool:
    return normalize_text(business.legal_name) == normalize_text(legal_name)


def address_matches(
    *, business: Business, line1: str, line2: str, po_box: str, country: str
) -> bool:
    """One of the addresses on file: line 1 and country always; line 2 and PO box/RR where
    the file has them."""
    for address in Address.objects.filter(business=business):
        if normalize_text(address.line1) != normalize_text(line1):
            continue
        if normalize_text(address.country) != normalize_text(country):
            continue
        if address.line2 and normalize_text(address.line2) != normalize_text(line2):
            continue
        if address.po_box and normalize_text(address.po_box) != normalize_text(po_box):
            continue
        return True
    return False


AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")


def parse_amount(value: str) -> Decimal | None:
    """Digits and one decimal point (a minus sign for credits); None otherwise."""
    value = value.strip()
    return Decimal(value) if AMOUNT.match(value) else None


@dataclass(frozen=True)
class Questions:
    """The transaction questions of LINK-3 for one program account."""

    transaction_number: str | None
    ask_payment: bool
    ask_statement: bool

    @property
    def count(self) -> int:
        return sum([self.transaction_number is not None, self.ask_payment, self.ask_statement])


def registration_questions(*, account: ProgramAccount, pick: int) -> Questions:
    """Q1 from one of the 5 most recent transactions, Q2 if a payment exists, Q3 when a
    statement of account exists (two or three questions by account type)."""
    recent = list(
        account.transactions.order_by("-date", "-number").values_list("number", flat=True)[:5]
    )
    return Questions(
        transaction_number=recent[pick % len(recent)] if recent else None,
        ask_payment=account.payments.filter(corrects=None).exists(),
        ask_statement=account.statements.exists(),
    )


def answers_match(*, account: ProgramAccount, questions: Questions, answers: dict) -> bool:
    checks = []
    if questions.transaction_number:
        expected = account.transactions.get(number=questions.transaction_number).total_duties_taxes
        checks.append(answers.get("total_duties_taxes") == expected)
    if questions.ask_payment:
        # What is on file, with CBSA staff's corrections (LINK-5).
        checks.append(answers.get("last_payment") == last_payment_amount(account=account))
    if questions.ask_statement:
        checks.append(
            answers.get("last_statement_balance")
            == account.statements.order_by("-date").first().balance
        )
    return bool(checks) and all(checks)


def attempts_for(*, user, bn9: str) -> RegistrationAttempts:
    attempts, _ = RegistrationAttempts.objects.get_or_create(user=user, bn9=bn9)
    return attempts


def registration_check_locked(*, user, bn9: str) -> None:
    if RegistrationAttempts.objects.filter(user=user, bn9=bn9, locked=True).exists():
        raise RegistrationLocked


def registration_failure(*, user, bn9: str, step: str, audit: AuditContext | None = None) -> int:
    """Count one failed validation; lock at the 10th. Returns the failures left."""
    with transaction.atomic():
        attempts = RegistrationAttempts.objects.select_for_update().get(
            pk=attempts_for(user=user, bn9=bn9).pk
        )
        attempts.failures += 1
        if attempts.failures >= MAX_FAILURES:
            attempts.locked = True
        attempts.save(update_fields=["failures", "locked", "updated_at"])
        audit_record(
            action="business_registration.failed",
            audit=audit,
            changes={"bn9": bn9, "step": step, "failures": attempts.failures},
        )
    if attempts.locked:
        audit_record(action="business_registration.locked", audit=audit, changes={"bn9": bn9})
        raise RegistrationLocked
    return MAX_FAILURES - attempts.failures


def registration_unlock(
    *, attempts: RegistrationAttempts, audit: AuditContext | None = None
) -> None:
    attempts.failures, attempts.locked = 0, False
    attempts.save(update_fields=["failures", "locked", "updated_at"])
    audit_record(
        action="business_registration.unlocked",
        audit=audit,
        changes={"bn9": attempts.bn9, "user": attempts.user_id},
    )


def business_register(*, user, business: Business, audit: AuditContext | None = None) -> Employment:
    """LINK-4: the business is registered once and the person becomes its Business
    Account Manager, for every program account (an empty scope means all of them)."""
    try:
        with transaction.atomic():
            Registration.objects.create(business=business, registered_by=user)
            Employment.objects.filter(
                user=user, business=business, status=Employment.Status.PENDING
            ).update(status=Employment.Status.CANCELLED)
            employment = Employment.objects.create(
                user=user,
                business=business,
                role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
                status=Employment.Status.ACTIVE,
            )
    except IntegrityError as exc:
        raise AlreadyRegistered from exc
    audit_record(action="business_registration.succeeded", audit=audit, business=business)
    return employment


# --- FIN-9: change requests for business and program account information ----------------


def change_request_create(
    *,
    business: Business,
    kind: str,
    changes: dict,
    actor,
    program_account: ProgramAccount | None = None,
    audit: AuditContext | None = None,
):
    """A manager asks for a change of address, contact or mailing preference (FIN-9);
    CBSA staff answer it in the admin. Audited."""
    from business.models import ChangeRequest

    if program_account is not None and program_account.business_id != business.pk:
        raise ValueError("the program account belongs to another business")
    with transaction.atomic():
        change = ChangeRequest.objects.create(
            business=business,
            program_account=program_account,
            kind=kind,
            changes=changes,
            requested_by=actor,
        )
        audit_record(
            action="business.change_requested",
            audit=AuditContext.of(audit, actor).about(business),
            actor=actor,
            subject=program_account.full_reference if program_account else business.bn9,
            changes={"request": change.pk, "kind": kind, **changes},
        )
        return change


def _change_what(change):
    """What the request changes, in words for the notice (both languages)."""
    from django.utils.translation import gettext_lazy

    from business.models import ChangeRequest

    if change.kind == ChangeRequest.Kind.ADDRESS:
        return Address.Kind(change.changes.get("address_kind", Address.Kind.MAILING)).label
    if change.kind == ChangeRequest.Kind.CONTACT:
        return gettext_lazy("a contact")
    return gettext_lazy("the language of correspondence")


def _change_apply(change) -> dict:
    """Put the approved values on file; returns what was there before (for the audit)."""
    from business.models import ChangeRequest, Person

    values = change.changes
    if change.kind == ChangeRequest.Kind.ADDRESS:
        fields = ("line1", "line2", "po_box", "city", "province", "postal_code", "country")
        current = Address.objects.filter(
            business=change.business, kind=values["address_kind"]
        ).first()
        before = {f: getattr(current, f) for f in fields} if current else {}
        Address.objects.update_or_create(
            business=change.business,
            kind=values["address_kind"],
            defaults={f: values.get(f, "") for f in fields},
        )
        return before
    if change.kind == ChangeRequest.Kind.CONTACT:
        fields = {"name": values["name"], "title": values.get("title", ""), "title_fr": "",
                  "phone": values.get("phone", "")}  # fmt: skip
        person = None
        if values.get("person"):
            person = Person.objects.filter(
                pk=values["person"],
                business=change.business,
                program_account=change.program_account,
                kind=Person.Kind.CONTACT,
            ).first()
        if person is None:
            Person.objects.create(
                business=change.business,
                program_account=change.program_account,
                kind=Person.Kind.CONTACT,
                **fields,
            )
            return {}
        before = {"name": person.name, "title": person.title, "phone": person.phone}
        for name, value in fields.items():
            setattr(person, name, value)
        person.save()
        return before
    business = Business.objects.select_for_update().get(pk=change.business_id)
    before = {"correspondence_language": business.correspondence_language}
    business.correspondence_language = values["correspondence_language"]
    business.save(update_fields=["correspondence_language"])
    return before


def change_request_answer(*, change, approve: bool, reason: str, audit: AuditContext):
    """CBSA staff answer a change request in the admin (FIN-9): approved, it is applied at
    once; refused, with the reason, nothing changes. Audited as a staff action; the
    business's employees are told."""
    from business.models import ChangeRequest

    with transaction.atomic():
        change = (
            ChangeRequest.objects.select_for_update(of=("self",))
            .select_related("business", "program_account__business")
            .get(pk=change.pk)
        )
        before = {}
        if approve:
            change.approve(by=audit.actor, reason=reason)
            before = _change_apply(change)
        else:
            change.refuse(by=audit.actor, reason=reason)
        change.save(update_fields=["status", "answered_by", "answered_at", "reason"])
        account = change.program_account
        audit_record(
            action="business.change_applied" if approve else "business.change_refused",
            audit=audit,
            business=change.business,
            subject=account.full_reference if account else change.business.bn9,
            changes={
                "request": change.pk,
                "kind": change.kind,
                "before": before,
                "after": change.changes if approve else {},
                "reason": reason,
            },
        )
        notice_send(
            type_code="profile_change_answered",
            business=change.business,
            program_account=account,
            context={"approved": approve, "what": _change_what(change), "reason": reason},
            reference=f"change-request:{change.pk}",
        )
        return change
