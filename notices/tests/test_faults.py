"""Fault rehearsal of notice emails (SPEC OPS-4, NOTE-4): SMTP is down (nothing listens
on its port) while a bulk notice goes to every person of a business; once the real SMTP
server (aiosmtpd on loopback) is back, every email leaves once, none twice, and the
outage burned none of their attempts. scripts/faults.py runs it with 10,000 recipients."""

import collections
import time

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import User
from business.tests.factories import ProgramAccountFactory
from delegation.models import Employment
from notices import services
from notices.audience import StaffAudience
from notices.models import NoticeDelivery
from notices.services import notice_send_bulk
from tests.faults import free_port, report, scale

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def many_people(business, count: int) -> None:
    users = User.objects.bulk_create(
        User(
            username=f"fault{n:05d}",
            email=f"fault{n:05d}@example.ca",
            email_notices=True,
            notice_language="fr" if n % 3 == 0 else "en",
            profile_completed_at=timezone.now(),
            terms_acknowledged_at=timezone.now(),
        )
        for n in range(count)
    )
    Employment.objects.bulk_create(
        Employment(
            business=business,
            user=user,
            role=Employment.Role.READER,
            status=Employment.Status.ACTIVE,
        )
        for user in users
    )


def send_batches(batches) -> collections.Counter:
    """What each batch task does (notices.tasks.send_notice_emails), in this process."""
    totals = collections.Counter()
    for batch in batches:
        outcome = services.notice_emails_send(delivery_ids=batch)
        totals.update(
            sent=len(outcome.sent),
            retry=len(outcome.retry),
            failed=len(outcome.failed),
            skipped=len(outcome.skipped),
        )
    return totals


@pytest.mark.spec("OPS-4", "NOTE-4", "SEC-5")
def test_smtp_down_during_a_bulk_notice_every_email_leaves_once_after_it_returns(
    smtp, settings, django_capture_on_commit_callbacks
):
    recipients = scale(300, 10_000)
    business = ProgramAccountFactory().business
    many_people(business, recipients)
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # SMTP is down: nothing listens there
    with django_capture_on_commit_callbacks(execute=False):
        notice = notice_send_bulk(
            type_code="cbsa_message",
            subject_en="Portal maintenance",
            subject_fr="Entretien du portail",
            body_en="The portal will be down on Sunday.",
            body_fr="Le portail sera indisponible dimanche.",
            audience=StaffAudience.businesses([business.pk]),
            sender=None,
        )
    assert notice.deliveries.count() == recipients
    batches = services.notice_emails_batches(notice_id=notice.pk)
    during = send_batches(batches)
    assert during["sent"] == 0 and during["failed"] == 0
    assert during["retry"] == recipients
    rows = NoticeDelivery.objects.filter(notice=notice)
    assert set(rows.values_list("state", flat=True)) == {"pending"}
    assert set(rows.values_list("attempts", flat=True)) == {0}  # no attempt burned
    assert smtp.messages == []

    # SMTP is back; the retries come when due (simulated time: due now), and each task
    # may be delivered twice (the broker's at-least-once): nothing is sent twice.
    settings.EMAIL_PORT = real_port
    started = time.monotonic()
    rows.update(due_at=timezone.now())
    after = send_batches(batches)
    again = send_batches(batches)
    recovered = time.monotonic() - started
    assert after["sent"] == recipients and again["sent"] == 0
    per_address = collections.Counter(m["X-Envelope-To"] for m in smtp.messages)
    assert len(per_address) == recipients
    assert set(per_address.values()) == {1}
    assert set(rows.values_list("state", flat=True)) == {"sent"}
    assert django_settings.NOTICE_EMAIL_OUTAGE_RETRY > 0
    report(
        f"SMTP down during a {recipients}-recipient notice",
        attempted=recipients,
        failed=during["retry"],
        lost=recipients - len(per_address),
        recover_seconds=recovered,
    )
