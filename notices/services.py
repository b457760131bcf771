"""Writes of the notices area (STYLE 1): sending a notice, reading it, emailing it.

Every part of the portal sends a notice with one call::

    notice_send(type_code="delegation_pending_access", business=business,
                context={"requester": "Jo Tremblay", ...})

The recipients are resolved once, at sending time, and written with one
``INSERT … SELECT`` each for the recipient rows and the email rows, however many people
there are (100,000 in about a second: see ``bench/``). Emails leave through Celery
(``notices.tasks``), at most once per (notice, person).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import User
from business.models import Business, ProgramAccount
from carm_portal.audit import audit_record
from carm_portal.tasks import enqueue_on_commit
from notices.audience import StaffAudience, business_notice_recipients
from notices.catalogue import CONTEXT
from notices.models import Notice, NoticeDelivery, NoticeRecipient, NoticeType, searchable

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "fr")


# --- Sending -------------------------------------------------------------------------


def notice_texts_render(*, type_code: str, context: Mapping[str, Any]) -> dict[str, str]:
    """The subject and body of a system notice in both languages (X-1).

    ``templates/notices/system/<type_code>_subject.txt`` and ``_body.txt`` are rendered
    once in English and once in French; their sentences are in the French catalogue.
    """
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            subject = render_to_string(f"notices/system/{type_code}_subject.txt", dict(context))
            body = render_to_string(f"notices/system/{type_code}_body.txt", dict(context))
        texts[f"subject_{language}"] = " ".join(subject.split())
        texts[f"body_{language}"] = body.strip()
    return texts


def notice_send(
    *,
    type_code: str,
    context: Mapping[str, Any] | None = None,
    recipient: User | None = None,
    business: Business | None = None,
    program_account: ProgramAccount | None = None,
    urgent: bool = False,
    display_date: datetime.date | None = None,
    reference: str | None = None,
) -> Notice:
    """Send a system notice (NOTE-4) whose texts come from the type's templates.

    To one person (``recipient``), or to the employees of ``business`` who may see that
    type of notice (``notices.audience.business_notice_recipients``). ``business`` and
    ``program_account`` also say what the notice is about: the list shows the account
    number. ``reference``, when given, makes the call idempotent: a second call with
    the same reference returns the first notice and sends nothing.
    """
    notice_type = NoticeType.objects.get(code=type_code)
    if not notice_type.system:
        raise ValueError(f"{type_code!r} is written by CBSA staff: use notice_send_bulk")
    if program_account is not None:
        if business is not None and business.pk != program_account.business_id:
            raise ValueError("the program account belongs to another business")
        business = program_account.business
    if recipient is None and business is None:
        raise ValueError("a notice goes to a person or to a business")
    context = dict(context or {})
    missing = [key for key in CONTEXT.get(type_code, ()) if key not in context]
    if missing:
        raise ValueError(f"{type_code!r} needs {', '.join(missing)} in its context")
    texts = notice_texts_render(type_code=type_code, context=context)
    if recipient is not None:
        user_ids = get_user_model().objects.filter(pk=recipient.pk, is_active=True).values("id")
        audience = "person"
    else:
        user_ids = business_notice_recipients(
            business=business,
            program_account=program_account,
            managers_only=notice_type.audience == NoticeType.Audience.MANAGERS,
        )
        audience = f"business {business.bn9}"
    return _notice_create(
        notice_type=notice_type,
        texts=texts,
        user_ids=user_ids,
        business=business,
        program_account=program_account,
        urgent=urgent,
        display_date=display_date,
        sender=None,
        audience=audience,
        reference=reference,
        request=None,
    )


def notice_send_bulk(
    *,
    type_code: str,
    subject_en: str,
    subject_fr: str,
    body_en: str,
    body_fr: str,
    audience: StaffAudience,
    sender: User | None,
    urgent: bool = False,
    display_date: datetime.date | None = None,
    reference: str | None = None,
    request=None,
) -> Notice:
    """Send a notice written by CBSA staff (STAFF-1, STAFF-2) to everyone, to chosen
    businesses or to the holders of a program type. Both languages are required."""
    notice_type = NoticeType.objects.get(code=type_code)
    if notice_type.system:
        raise ValueError(f"{type_code!r} is a system type: its texts come from templates")
    texts = {
        "subject_en": " ".join(subject_en.split()),
        "subject_fr": " ".join(subject_fr.split()),
        "body_en": body_en.strip(),
        "body_fr": body_fr.strip(),
    }
    missing = [name for name, value in texts.items() if not value]
    if missing:
        raise ValueError(f"both languages are required: {', '.join(missing)} empty")
    return _notice_create(
        notice_type=notice_type,
        texts=texts,
        user_ids=audience.user_ids(),
        business=None,
        program_account=None,
        urgent=urgent,
        display_date=display_date,
        sender=sender,
        audience=audience.describe(),
        reference=reference,
        request=request,
    )


def emailed_recipients(*, notice_id: int, urgent: bool) -> QuerySet:
    """Who is emailed about a notice (NOTE-1, NOTE-4): every subscribed recipient, and
    the others too when the notice is urgent. Nobody without an email address."""
    rows = NoticeRecipient.objects.filter(notice_id=notice_id).exclude(user__email="")
    if not urgent:
        rows = rows.filter(user__email_notices=True)
    return rows.values("user_id")


def _insert_select(table: str, columns: list[str], constants: list[Any], source: QuerySet) -> int:
    """``INSERT INTO table (columns) SELECT constants…, <the one column of source>``.

    One statement, whatever the number of rows (set-based). The rows belong to a notice
    created in the same transaction and ``source`` yields each person once, so nothing
    can conflict (no ON CONFLICT clause, which would slow every row down). Table and
    column names are ours, never user input.
    """
    sql, params = source.query.sql_with_params()
    placeholders = ", ".join(["%s"] * len(constants))
    statement = (
        f'INSERT INTO "{table}" ({", ".join(columns)}) '  # noqa: S608 - our own identifiers
        f"SELECT {placeholders}, source.value FROM ({sql}) AS source(value)"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*constants, *params])
        return cursor.rowcount


@transaction.atomic
def _notice_create(
    *,
    notice_type: NoticeType,
    texts: dict[str, str],
    user_ids: QuerySet,
    business: Business | None,
    program_account: ProgramAccount | None,
    urgent: bool,
    display_date: datetime.date | None,
    sender: User | None,
    audience: str,
    reference: str | None,
    request,
) -> Notice:
    if reference:
        existing = Notice.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
    display_date = display_date or timezone.localdate()
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                type=notice_type,
                **texts,
                business=business,
                program_account=program_account,
                account_number=(
                    program_account.full_reference
                    if program_account is not None
                    else (business.bn9 if business is not None else "")
                ),
                urgent=urgent,
                display_date=display_date,
                sent_by=sender,
                audience=audience[:200],
                reference=reference or None,
                search_en=searchable(texts["subject_en"]),
                search_fr=searchable(texts["subject_fr"]),
            )
    except IntegrityError:  # the same reference, sent at the same moment
        return Notice.objects.get(reference=reference)

    count = _insert_select(
        NoticeRecipient._meta.db_table,
        [
            "notice_id",
            "display_date",
            "type_id",
            "account_number",
            "search_en",
            "search_fr",
            "user_id",
        ],  # fmt: skip
        [
            notice.pk,
            display_date,
            notice_type.pk,
            notice.account_number,
            notice.search_en,
            notice.search_fr,
        ],  # fmt: skip
        user_ids,
    )
    emails = _insert_select(
        NoticeDelivery._meta.db_table,
        ["notice_id", "state", "attempts", "due_at", "last_error", "user_id"],
        [notice.pk, NoticeDelivery.State.PENDING, 0, timezone.now(), ""],
        emailed_recipients(notice_id=notice.pk, urgent=urgent),
    )
    Notice.objects.filter(pk=notice.pk).update(recipient_count=count)
    notice.recipient_count = count
    audit_record(
        action="notice.sent",
        request=request,
        actor=sender,
        business=business,
        subject=notice_type.code,
        changes={
            "notice": notice.pk,
            "audience": notice.audience,
            "recipients": count,
            "emails": emails,
            "urgent": urgent,
        },
    )
    if emails:
        from notices.tasks import dispatch_notice_emails

        enqueue_on_commit(dispatch_notice_emails, notice.pk)
    return notice


# --- Reading -------------------------------------------------------------------------


def notice_mark_read(*, recipient: NoticeRecipient) -> bool:
    """Opening a notice marks it read (NOTE-3); the first opening counts.

    Read state is the person's own view of their inbox: it is not audited.
    """
    if recipient.read_at is not None:
        return False
    now = timezone.now()
    changed = NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
        read_at=now
    )
    recipient.read_at = now
    return bool(changed)


# --- Email ---------------------------------------------------------------------------


def _retry_delay(attempts: int) -> int:
    """Seconds before attempt ``attempts + 1``: base, 2 × base, 4 × base… capped."""
    base = settings.NOTICE_EMAIL_RETRY_BASE
    return min(base * 2 ** max(attempts - 1, 0), settings.NOTICE_EMAIL_RETRY_MAX)


def _lease() -> datetime.timedelta:
    """How long one email may take; a row still sending after it was interrupted."""
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def notice_email_message(*, delivery: NoticeDelivery, connection=None) -> EmailMultiAlternatives:
    """The email about one notice for one person, in the language they chose (NOTE-1),
    plain text and HTML. It says that a notice is waiting and links to it; the notice's
    text stays in the portal (no sensitive details in email)."""
    user, notice = delivery.user, delivery.notice
    language = user.email_language
    with translation.override(language):
        context = {
            "user": user,
            "urgent": notice.urgent,
            "type_label": notice.type.label_fr if language == "fr" else notice.type.label_en,
            "display_date": formats.date_format(notice.display_date, "SHORT_DATE_FORMAT"),
            "url": settings.PORTAL_URL.rstrip("/")
            + reverse("notices:detail", kwargs={"pk": notice.pk}),
            "portal_url": settings.PORTAL_URL.rstrip("/") + reverse("portal:landing"),
        }
        subject = " ".join(render_to_string("notices/email/subject.txt", context).split())
        text = render_to_string("notices/email/notice.txt", context)
        html = render_to_string("notices/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [user.email], connection=connection
    )
    message.attach_alternative(html, "text/html")
    message.extra_headers["Content-Language"] = f"{language}-CA"
    return message


@dataclass
class EmailOutcome:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry_in: int = 0


def _claim(delivery_id: int, now: datetime.datetime) -> bool:
    """Pending → sending, only if nobody else did it first (one guarded UPDATE)."""
    tolerance = datetime.timedelta(seconds=5)
    return bool(
        NoticeDelivery.objects.filter(
            pk=delivery_id, state=NoticeDelivery.State.PENDING, due_at__lte=now + tolerance
        ).update(
            state=NoticeDelivery.State.SENDING, due_at=now + _lease(), attempts=F("attempts") + 1
        )
    )


def _permanent(error: Exception) -> bool:
    """The server refused for good (5xx): trying again would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def notice_emails_send(*, delivery_ids: list[int]) -> EmailOutcome:
    """Send the emails of these delivery rows that are still to be sent (NOTE-4).

    Each row is claimed (pending → sending) just before its email leaves and marked
    sent just after: a second run of the same task, or two workers at once, find it
    claimed and skip it. A temporary failure puts the row back to pending with a
    growing delay; a permanent one (5xx), or too many attempts, marks it failed.
    """
    outcome = EmailOutcome()
    deliveries = list(
        NoticeDelivery.objects.filter(pk__in=delivery_ids, state=NoticeDelivery.State.PENDING)
        .select_related("notice__type", "user")
        .order_by("pk")
    )
    outcome.skipped = sorted(set(delivery_ids) - {d.pk for d in deliveries})
    if not deliveries:
        return outcome
    smtp = get_connection(fail_silently=False)
    opened = False
    try:
        for index, delivery in enumerate(deliveries):
            now = timezone.now()
            if not delivery.user.email or not delivery.user.is_active:
                NoticeDelivery.objects.filter(
                    pk=delivery.pk, state=NoticeDelivery.State.PENDING
                ).update(state=NoticeDelivery.State.FAILED, last_error="no email address")
                outcome.failed.append(delivery.pk)
                continue
            if not _claim(delivery.pk, now):
                outcome.skipped.append(delivery.pk)
                continue
            if not opened:
                try:
                    smtp.open()
                except (smtplib.SMTPException, OSError) as error:
                    # The server is out of reach (OPS-4): nobody's fault, no attempt lost;
                    # the batch waits and is tried again, however long the outage.
                    _smtp_unreachable(delivery, deliveries[index + 1 :], error, outcome)
                    break
                opened = True
            try:
                notice_email_message(delivery=delivery, connection=smtp).send()
            except (smtplib.SMTPException, OSError) as error:
                _email_failed(delivery, error, outcome)
                if opened and not isinstance(error, smtplib.SMTPRecipientsRefused):
                    smtp.close()  # the next email opens a fresh connection
                    opened = False
                continue
            NoticeDelivery.objects.filter(
                pk=delivery.pk, state=NoticeDelivery.State.SENDING
            ).update(state=NoticeDelivery.State.SENT, sent_at=timezone.now(), last_error="")
            outcome.sent.append(delivery.pk)
    finally:
        if opened:
            smtp.close()
    return outcome


def _smtp_unreachable(
    delivery: NoticeDelivery, rest: list[NoticeDelivery], error: Exception, outcome: EmailOutcome
) -> None:
    """No connection to the SMTP server: the claimed row goes back to pending without
    counting the attempt, the rest of the batch is left unclaimed, and all of them are
    due again after NOTICE_EMAIL_OUTAGE_RETRY. An outage never makes an email fail for
    good (CarmEmailBacklog alerts operators instead); each email still leaves once."""
    delay = settings.NOTICE_EMAIL_OUTAGE_RETRY
    due = timezone.now() + datetime.timedelta(seconds=delay)
    reason = f"SMTP unreachable: {type(error).__name__}: {error}"[:200]
    NoticeDelivery.objects.filter(pk=delivery.pk, state=NoticeDelivery.State.SENDING).update(
        state=NoticeDelivery.State.PENDING,
        attempts=F("attempts") - 1,
        due_at=due,
        last_error=reason,
    )
    waiting = [d.pk for d in rest]
    NoticeDelivery.objects.filter(pk__in=waiting, state=NoticeDelivery.State.PENDING).update(
        due_at=due, last_error=reason
    )
    outcome.retry.extend([delivery.pk, *waiting])
    outcome.retry_in = max(outcome.retry_in, delay)
    logger.warning("SMTP unreachable (%s): %s emails wait", type(error).__name__, 1 + len(waiting))


def _email_failed(delivery: NoticeDelivery, error: Exception, outcome: EmailOutcome) -> None:
    attempts = delivery.attempts + 1  # the claim counted this attempt
    reason = f"{type(error).__name__}: {error}"[:200]
    rows = NoticeDelivery.objects.filter(pk=delivery.pk, state=NoticeDelivery.State.SENDING)
    if _permanent(error) or attempts >= settings.NOTICE_EMAIL_MAX_ATTEMPTS:
        rows.update(state=NoticeDelivery.State.FAILED, last_error=reason)
        outcome.failed.append(delivery.pk)
        logger.warning("notice email %s failed for good: %s", delivery.pk, type(error).__name__)
        return
    delay = _retry_delay(attempts)
    rows.update(
        state=NoticeDelivery.State.PENDING,
        due_at=timezone.now() + datetime.timedelta(seconds=delay),
        last_error=reason,
    )
    outcome.retry.append(delivery.pk)
    outcome.retry_in = max(outcome.retry_in, delay)


def notice_emails_batches(*, notice_id: int) -> list[list[int]]:
    """The pending email rows of a notice, in batches of NOTICE_EMAIL_BATCH_SIZE ids."""
    size = settings.NOTICE_EMAIL_BATCH_SIZE
    ids = list(
        NoticeDelivery.objects.filter(notice_id=notice_id, state=NoticeDelivery.State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def notice_emails_left_behind(*, now: datetime.datetime | None = None) -> list[list[int]]:
    """Rows that no task is going to send (NOTE-4: nothing lost when Redis was down).

    - Pending and due for longer than NOTICE_EMAIL_REQUEUE_AFTER: their task never
      reached a worker (the broker was down when it was sent, or it was lost). Returned
      in batches, to be queued again; a row that is in fact still queued is claimed by
      one task only, so queuing it twice sends one email.
    - Sending past their lease: the worker died during the attempt. Whether the email
      left is unknown; at most once wins: they are marked failed, never sent again.
    """
    now = now or timezone.now()
    NoticeDelivery.objects.filter(state=NoticeDelivery.State.SENDING, due_at__lt=now).update(
        state=NoticeDelivery.State.FAILED, last_error="interrupted: may not have been sent"
    )
    limit = now - datetime.timedelta(seconds=settings.NOTICE_EMAIL_REQUEUE_AFTER)
    ids = list(
        NoticeDelivery.objects.filter(state=NoticeDelivery.State.PENDING, due_at__lt=limit)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[: settings.NOTICE_EMAIL_REQUEUE_LIMIT]
    )
    # Not picked again before another REQUEUE_AFTER, unless still pending then.
    NoticeDelivery.objects.filter(pk__in=ids, state=NoticeDelivery.State.PENDING).update(due_at=now)
    size = settings.NOTICE_EMAIL_BATCH_SIZE
    return [ids[start : start + size] for start in range(0, len(ids), size)]


@transaction.atomic
def notice_emails_retry(*, delivery_ids: list[int], request=None) -> int:
    """CBSA staff try failed emails again (admin action): failed → pending, counted
    afresh. Rows in any other state are left alone."""
    ids = list(
        NoticeDelivery.objects.filter(pk__in=delivery_ids, state=NoticeDelivery.State.FAILED)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    NoticeDelivery.objects.filter(pk__in=ids).update(
        state=NoticeDelivery.State.PENDING, attempts=0, due_at=timezone.now(), last_error=""
    )
    if ids:
        audit_record(action="notice.emails_retried", request=request, changes={"emails": len(ids)})
        from notices.tasks import send_notice_emails

        size = settings.NOTICE_EMAIL_BATCH_SIZE
        for start in range(0, len(ids), size):
            enqueue_on_commit(send_notice_emails, ids[start : start + size])
    return len(ids)
