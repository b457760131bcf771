"""Writes of the commercial accounting declarations (SPEC DECL-1 … DECL-6, ADR 0020).

Every function is keyword-only, takes plain data (a header ``dict`` with the keys of
``DeclarationVersion.HEADER_FIELDS``, lines as ``dict`` with the keys of
``DeclarationLine.INPUT_FIELDS``) and ``audit=``, never a request: a later API or EDI
channel calls the same functions. Each write is atomic, writes one audit entry and sends
its notices on commit.

- ``draft_save``: create or update the draft (version 1), whatever is filled in;
- ``declaration_submit``: compute every line with the calculator's engine
  (``calculator.duties.estimate``), freeze the version and post its total to the program
  account as a debit (``finance.services.transaction_post``) in the same transaction;
- ``declaration_change``: a new version; before the payment due date a *correction*,
  accepted at once, its difference posted; after it an *adjustment*, pending CBSA;
- ``adjustment_decide``: CBSA staff approve (the difference posts) or refuse it;
- ``draft_cancel``: a draft given up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from business.models import Business, ProgramAccount
from calculator import duties, selectors
from calculator.models import (
    TRANSACTION_NUMBER_SEQUENCE,
    Declaration,
    DeclarationLine,
    DeclarationVersion,
)
from carm_portal.audit import AuditContext, audit_record
from finance.calendar import add_business_days, statement_period

# The transaction's description, as on file at the CBSA (finance migration 0006).
DESCRIPTION = "Commercial accounting declaration"
DESCRIPTION_FR = "Déclaration en douane commerciale"
DUE_BUSINESS_DAYS = 5  # DECL-2: accounted for within 5 business days of release
MAX_LINES = 999  # DECL-6: a CAD's lines (real ones reach several hundred)
ZERO = Decimal("0.00")

# The engine's field names → the CAD's (a line's, or the header's).
LINE_FIELD = {"number": "classification_number", "quantity": "quantity", "treatment": "treatment"}
HEADER_FIELD = {"currency": "currency", "shipping_date": "exchange_rate_date"}
SIMA = ("surtax", "anti_dumping", "countervailing")
EXCISE = ("excise_duty", "excise_tax")


def accounting_due_date(release_date: datetime.date) -> datetime.date:
    """The 5th business day after release (federal holidays as FIN-5 counts them)."""
    return add_business_days(release_date, DUE_BUSINESS_DAYS)


def payment_due_date(on: datetime.date) -> datetime.date:
    """The payment due date of what is posted on ``on``: that of the statement period
    (18th to 17th) holding it (FIN-5)."""
    end = on.replace(day=17)
    if on.day > 17:
        end = (on.replace(day=28) + datetime.timedelta(days=7)).replace(day=17)
    return statement_period(end).due_date


class DeclarationInvalid(Exception):
    """What stops a submission: ``header`` errors ``{field: [message]}`` and ``lines``
    errors ``{index: {field: [message]}}`` (index from 0, as given)."""

    def __init__(self, header: dict | None = None, lines: dict | None = None):
        self.header = header or {}
        self.lines = lines or {}
        super().__init__({"header": self.header, "lines": self.lines})


@dataclass
class LineFigures:
    vfd: Decimal
    duty: Decimal
    sima: Decimal
    excise: Decimal
    gst: Decimal
    total: Decimal
    rate_text: str
    unit: str
    warnings: list[str] = field(default_factory=list)


def _add(errors: dict, name: str, message) -> None:
    messages = errors.setdefault(name, [])
    if str(message) not in [str(m) for m in messages]:
        messages.append(message)


HEADER_REQUIRED = ("release_date", "port_code", "currency", "exchange_rate_date")
LINE_REQUIRED = ("classification_number", "origin", "treatment", "value")


def line_compute(*, header: dict[str, Any], line: dict[str, Any]) -> LineFigures:
    """One line's duty, surtax/anti-dumping/countervailing, excise, GST and total, by the
    calculator's engine (CALC-6), or ``DeclarationInvalid`` naming the fields."""
    header_errors: dict = {}
    line_errors: dict = {}
    required = _("Required to compute the line.")
    for name in HEADER_REQUIRED:
        if not header.get(name):
            _add(header_errors, name, _("Required to compute the lines."))
    for name in LINE_REQUIRED:
        if line.get(name) in (None, ""):
            _add(line_errors, name, required)
    if header_errors or line_errors:
        raise DeclarationInvalid(header_errors, {0: line_errors} if line_errors else {})
    try:
        estimate = duties.estimate(
            number=line["classification_number"],
            origin=str(line["origin"]),
            treatment=line["treatment"],
            value=Decimal(line["value"]),
            currency=header["currency"],
            shipping_date=header["exchange_rate_date"],
            quantity=Decimal(line["quantity"]) if line.get("quantity") not in (None, "") else None,
        )
    except duties.EstimateError as error:
        for name, messages in error.errors.items():
            for message in messages:
                if name in HEADER_FIELD:
                    _add(header_errors, HEADER_FIELD[name], message)
                else:
                    _add(line_errors, LINE_FIELD.get(name, "classification_number"), message)
        raise DeclarationInvalid(header_errors, {0: line_errors} if line_errors else {}) from error
    unit = estimate.line.unit_of_measure if estimate.line.unit_of_measure != "-" else ""
    typed_unit = (line.get("unit") or "").strip().upper()
    if typed_unit and unit and typed_unit != unit and line.get("quantity") is not None:
        raise DeclarationInvalid(
            {},
            {
                0: {
                    "unit": [
                        _(
                            "Classification number %(number)s is measured in %(unit)s: enter "
                            "the quantity in that unit."
                        )
                        % {"number": line["classification_number"], "unit": unit}
                    ]
                }
            },
        )
    sima = sum((m.amount for m in estimate.lines_of(*SIMA)), ZERO)
    excise = sum((m.amount for m in estimate.lines_of(*EXCISE)), ZERO)
    return LineFigures(
        vfd=estimate.vfd,
        duty=estimate.customs_duty.amount,
        sima=sima,
        excise=excise,
        gst=estimate.gst,
        total=estimate.total,
        rate_text=estimate.customs_duty.rate_text,
        unit=unit,
        warnings=[str(w) for w in estimate.warnings],
    )


def lines_compute(
    *, header: dict[str, Any], lines: list[dict[str, Any]]
) -> tuple[list[LineFigures | None], DeclarationInvalid | None]:
    """Every line's figures (None for a line that cannot be computed) and, when some
    cannot, the errors of all of them at once (DECL-2)."""
    figures: list[LineFigures | None] = []
    header_errors: dict = {}
    line_errors: dict = {}
    if not lines:
        _add(header_errors, "__all__", _("A declaration has at least one line."))
    if len(lines) > MAX_LINES:
        _add(
            header_errors,
            "__all__",
            _("A declaration has at most %(max)s lines.") % {"max": MAX_LINES},
        )
    with selectors.batch():  # each classification number read once
        results = []
        for line in lines:
            try:
                results.append(line_compute(header=header, line=line))
            except DeclarationInvalid as error:
                results.append(error)
    for index, result in enumerate(results):
        if not isinstance(result, DeclarationInvalid):
            figures.append(result)
        else:
            error = result
            figures.append(None)
            for name, messages in error.header.items():
                for message in messages:
                    _add(header_errors, name, message)
            if error.lines:
                line_errors[index] = error.lines[0]
    if header_errors or line_errors:
        return figures, DeclarationInvalid(header_errors, line_errors)
    return figures, None


def _next_transaction_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [TRANSACTION_NUMBER_SEQUENCE])
        return f"{cursor.fetchone()[0]:014d}"


def _provider(audit: AuditContext) -> Business | None:
    """The service provider whose employee acts (a broker for its client), or None."""
    if audit.for_client and audit.business_id:
        return Business.objects.filter(pk=audit.business_id).first()
    return None


def _header_of(version: DeclarationVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in DeclarationVersion.HEADER_FIELDS}


def _clean_header(header: dict[str, Any]) -> dict[str, Any]:
    clean = {}
    for name in DeclarationVersion.HEADER_FIELDS:
        value = header.get(name)
        field_ = DeclarationVersion._meta.get_field(name)
        clean[name] = value if value not in (None, "") else (None if field_.null else "")
    return clean


def _write_lines(version: DeclarationVersion, lines: list[dict], figures=None) -> None:
    rows = []
    for position, line in enumerate(lines, start=1):
        row = DeclarationLine(version=version, position=position)
        for name in DeclarationLine.INPUT_FIELDS:
            value = line.get(name)
            model_field = DeclarationLine._meta.get_field(name)
            setattr(
                row, name, value if value not in (None, "") else (None if model_field.null else "")
            )
        result = figures[position - 1] if figures else None
        if result is not None:
            for name in ("vfd", "duty", "sima", "excise", "gst", "total", "rate_text"):
                setattr(row, name, getattr(result, name))
            if result.unit:
                row.unit = result.unit
        rows.append(row)
    DeclarationLine.objects.bulk_create(rows, batch_size=500)


def _sync(declaration: Declaration, version: DeclarationVersion) -> None:
    """Copy the version's searchable fields onto the declaration (the list's columns)."""
    declaration.release_date = version.release_date
    declaration.port_code = version.port_code
    declaration.vendor_name = version.vendor_name
    declaration.total = version.total
    declaration.due_date = (
        accounting_due_date(version.release_date) if version.release_date else None
    )


def _totals(version: DeclarationVersion, figures: list[LineFigures]) -> None:
    for name in ("duty", "sima", "excise", "gst", "total"):
        setattr(version, name, sum((getattr(f, name) for f in figures), ZERO))


# --- Drafts (DECL-1, DECL-2, DECL-6) ------------------------------------------------------


@transaction.atomic
def draft_save(
    *,
    program_account: ProgramAccount,
    header: dict[str, Any],
    lines: list[dict[str, Any]],
    actor,
    audit: AuditContext,
    declaration: Declaration | None = None,
) -> Declaration:
    """Create the draft (its transaction number is issued now, so that documents can be
    attached before it is submitted) or replace its header and lines: whatever is typed,
    complete or not (DECL-2). Lines are not computed here."""
    if len(lines) > MAX_LINES:
        raise DeclarationInvalid(
            {"__all__": [_("A declaration has at most %(max)s lines.") % {"max": MAX_LINES}]}
        )
    header = _clean_header(header)
    provider = _provider(audit)
    if declaration is None:
        declaration = Declaration.objects.create(
            program_account=program_account,
            transaction_number=_next_transaction_number(),
            created_by=actor,
        )
        version = DeclarationVersion(
            declaration=declaration,
            number=1,
            kind=DeclarationVersion.Kind.ORIGINAL,
            status=DeclarationVersion.Status.DRAFT,
            created_by=actor,
            acting_for_provider=provider,
        )
        action = "declaration.draft_created"
    else:
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if not declaration.editable:
            from carm_portal.workflow import TransitionNotAllowed

            raise TransitionNotAllowed(declaration, "edit")
        version = declaration.versions.get(number=1)
        version.lines.all().delete()
        action = "declaration.draft_saved"
    for name, value in header.items():
        setattr(version, name, value)
    version.save()
    _write_lines(version, lines)
    _sync(declaration, version)
    declaration.current_version = version
    declaration.save()
    audit_record(
        action=action,
        audit=AuditContext.of(audit, actor).about(program_account.business),
        actor=actor,
        subject=declaration.transaction_number,
        changes={"lines": len(lines)},
    )
    return declaration


@transaction.atomic
def draft_cancel(*, declaration: Declaration, actor, audit: AuditContext) -> Declaration:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    declaration.cancel()
    declaration.save()
    audit_record(
        action="declaration.cancelled",
        audit=AuditContext.of(audit, actor).about(declaration.program_account.business_id),
        actor=actor,
        subject=declaration.transaction_number,
    )
    return declaration


def version_lines(version: DeclarationVersion) -> list[dict[str, Any]]:
    """A version's lines as plain data (what a new version starts from)."""
    return [
        {name: getattr(line, name) for name in DeclarationLine.INPUT_FIELDS}
        for line in version.lines.all()
    ]


# --- Submitting (DECL-3) --------------------------------------------------------------


def _post(declaration: Declaration, version: DeclarationVersion, amount: Decimal, number: str):
    from finance.services import transaction_post

    today = timezone.localdate()
    return transaction_post(
        program_account=declaration.program_account,
        number=number,
        amount=amount,
        description=DESCRIPTION,
        description_fr=DESCRIPTION_FR,
        type_code="CAD",
        total_duties_taxes=version.total,
        due_date=payment_due_date(today),
        on=today,
    )


@transaction.atomic
def declaration_submit(*, declaration: Declaration, actor, audit: AuditContext) -> Declaration:
    """Compute every line of the draft, freeze it and post its total as a debit, all in
    one transaction (DECL-2, DECL-3). ``DeclarationInvalid`` when a line or the header
    cannot be computed: nothing changes."""
    declaration = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("program_account__business")
        .get(pk=declaration.pk)
    )
    if not declaration.editable:
        from carm_portal.workflow import TransitionNotAllowed

        raise TransitionNotAllowed(declaration, "submit")
    version = declaration.versions.get(number=1)
    header = _header_of(version)
    lines = version_lines(version)
    figures, invalid = lines_compute(header=header, lines=lines)
    if invalid is not None:
        raise invalid
    version.lines.all().delete()
    _write_lines(version, lines, figures)
    _totals(version, figures)
    version.difference = version.total
    version.status = DeclarationVersion.Status.ACCEPTED
    version.submitted_at = timezone.now()
    if version.total:
        version.posted_transaction = _post(
            declaration, version, version.total, declaration.transaction_number
        )
    version.save()
    provider = _provider(audit)
    declaration.submit(actor=actor, provider=provider, version=version)
    _sync(declaration, version)
    declaration.payment_due_date = payment_due_date(timezone.localdate())
    declaration.save()
    audit_record(
        action="declaration.submitted",
        audit=AuditContext.of(audit, actor).about(declaration.program_account.business),
        actor=actor,
        subject=declaration.transaction_number,
        changes={
            "lines": len(lines),
            "total": str(version.total),
            "transaction": declaration.transaction_number if version.total else "",
        },
    )
    return declaration


# --- Corrections and adjustments (DECL-4) ---------------------------------------------------


def is_correction(declaration: Declaration, today: datetime.date | None = None) -> bool:
    """Before (or on) the payment due date: a correction, accepted at once; after it, an
    adjustment for CBSA to approve."""
    today = today or timezone.localdate()
    return declaration.payment_due_date is None or today <= declaration.payment_due_date


def _notify(declaration: Declaration, version: DeclarationVersion) -> None:
    """The importer's employees who see the account, and the broker's employee who
    submitted it when a broker did (they may not be among them)."""
    from notices.audience import business_notice_recipients
    from notices.services import notice_send

    context = {
        "number": declaration.transaction_number,
        "version": version.number,
        "status": Declaration.Status(declaration.status).label,
        "difference": version.difference,
    }
    reference = f"declaration-{declaration.pk}-v{version.number}-{declaration.status}"
    notice_send(
        type_code="declaration_changed",
        context=context,
        program_account=declaration.program_account,
        reference=reference,
    )
    submitter = declaration.submitted_by
    if declaration.submitted_by_provider_id and submitter is not None and submitter.is_active:
        recipients = business_notice_recipients(
            business=declaration.program_account.business,
            program_account=declaration.program_account,
        )
        if not recipients.filter(user_id=submitter.pk).exists():
            notice_send(
                type_code="declaration_changed",
                context=context,
                recipient=submitter,
                program_account=declaration.program_account,
                reference=f"{reference}-broker",
            )


def _posting_number(declaration: Declaration, version: DeclarationVersion) -> str:
    return f"{declaration.transaction_number}-V{version.number}"


@transaction.atomic
def declaration_change(
    *,
    declaration: Declaration,
    header: dict[str, Any],
    lines: list[dict[str, Any]],
    reason: str,
    actor,
    audit: AuditContext,
    today: datetime.date | None = None,
) -> DeclarationVersion:
    """A new version of a submitted CAD (DECL-4), every line computed again. Before the
    payment due date: a correction, accepted at once; the difference posts as a debit
    (more owed) or a credit. After it: an adjustment, pending CBSA approval; nothing
    posts until staff approve it. ``DeclarationInvalid`` when a line cannot be computed."""
    declaration = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("program_account__business", "current_version", "submitted_by")
        .get(pk=declaration.pk)
    )
    header = _clean_header(header)
    figures, invalid = lines_compute(header=header, lines=lines)
    if invalid is not None:
        raise invalid
    correction = is_correction(declaration, today)
    in_force = declaration.current_version
    number = (declaration.versions.order_by("-number").values_list("number", flat=True)[0]) + 1
    version = DeclarationVersion(
        declaration=declaration,
        number=number,
        kind=(
            DeclarationVersion.Kind.CORRECTION if correction else DeclarationVersion.Kind.ADJUSTMENT
        ),
        status=(
            DeclarationVersion.Status.ACCEPTED if correction else DeclarationVersion.Status.PENDING
        ),
        reason=reason,
        created_by=actor,
        acting_for_provider=_provider(audit),
        **header,
    )
    _totals(version, figures)
    version.difference = version.total - in_force.total
    # The transition first: it refuses a CAD that may not change (a pending adjustment).
    if correction:
        declaration.correct(version=version)
    else:
        declaration.request_adjustment()
    version.save()
    _write_lines(version, lines, figures)  # before the version is frozen
    if correction and version.difference:
        version.posted_transaction = _post(
            declaration, version, version.difference, _posting_number(declaration, version)
        )
    version.submitted_at = timezone.now()
    version.save()
    if correction:
        _sync(declaration, version)
    declaration.save()
    audit_record(
        action="declaration.corrected" if correction else "declaration.adjustment_requested",
        audit=AuditContext.of(audit, actor).about(declaration.program_account.business),
        actor=actor,
        subject=declaration.transaction_number,
        changes={
            "version": version.number,
            "total": str(version.total),
            "difference": str(version.difference),
            "reason": reason,
        },
    )
    _notify(declaration, version)
    return version


@transaction.atomic
def adjustment_decide(
    *,
    declaration: Declaration,
    approve: bool,
    reason: str,
    actor,
    audit: AuditContext | None = None,
) -> DeclarationVersion:
    """CBSA staff approve or refuse the pending adjustment (DECL-4), with a reason. Only
    an approval posts the difference (debit or credit) and makes it the version in force."""
    declaration = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("program_account__business", "submitted_by")
        .get(pk=declaration.pk)
    )
    version = declaration.versions.select_for_update().filter(status="pending").first()
    if version is None:
        from carm_portal.workflow import TransitionNotAllowed

        raise TransitionNotAllowed(declaration, "decide")
    if approve:
        declaration.approve_adjustment(version=version)
        version.status = DeclarationVersion.Status.ACCEPTED
        if version.difference:
            version.posted_transaction = _post(
                declaration, version, version.difference, _posting_number(declaration, version)
            )
        _sync(declaration, version)
    else:
        declaration.refuse_adjustment()
        version.status = DeclarationVersion.Status.REFUSED
    version.decided_by = actor
    version.decided_at = timezone.now()
    version.decision_reason = reason
    version.save()
    declaration.save()
    audit_record(
        action="declaration.adjustment_approved" if approve else "declaration.adjustment_refused",
        audit=AuditContext.of(audit, actor).about(declaration.program_account.business),
        actor=actor,
        subject=declaration.transaction_number,
        changes={
            "version": version.number,
            "difference": str(version.difference),
            "reason": reason,
        },
    )
    _notify(declaration, version)
    return version
