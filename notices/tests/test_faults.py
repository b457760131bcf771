"""Fault rehearsal of notice emails (SPEC OPS-4, NOTE-4): SMTP is down (nothing listens
on its port) while a bulk notice goes to every person of a business; once the real SMTP
server (aiosmtpd on loopback) is back, every email leaves once, none twice, and the
outage burned none of their attempts. scripts/faults.py runs it with 10,000 recipients."""

import asyncio
import collections
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from business.tests.factories import ProgramAccountFactory
from delegation.models import Employment
from notices import services
from notices.audience import StaffAudience
from notices.models import NoticeDelivery
from notices.services import notice_send_bulk
from notices.tests.helpers import Inbox
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


class StallingInbox(Inbox):
    """The loopback SMTP server's handler; with ``stall`` set, the next message's DATA
    is never answered (the worker waits in the middle of sending it) nor kept."""

    def reset(self):
        super().reset()
        self.stall = False
        self.stalled_for: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            self.stalled_for.extend(envelope.rcpt_tos)
            await asyncio.sleep(120)  # the worker dies meanwhile; nothing is kept
            return "451 4.3.0 Too late"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.spec("OPS-4", "NOTE-4")
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_worker_killed_mid_email_batch_no_email_is_sent_twice(settings, monkeypatch):
    """SIGKILL while the SMTP server holds an email's DATA: Redis delivers the batch again
    after the visibility timeout (5 s here) to another worker, which sends the rest; the
    email in flight is never sent again automatically (at most once: the sweeper marks it
    failed after its lease) and staff send it from the admin: each person gets one."""
    from aiosmtpd.controller import Controller

    from carm_portal.celery import app
    from notices import tasks
    from tests.faults import OwnRedis, wait_until

    root = Path(__file__).resolve().parents[2]
    inbox = StallingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    broker = OwnRedis()
    broker.start()
    business = ProgramAccountFactory().business
    many_people(business, 5)
    # The batch is sent below, through the broker to the workers, not at the commit.
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *args: None)
    notice = notice_send_bulk(
        type_code="cbsa_message",
        subject_en="Portal maintenance",
        subject_fr="Entretien du portail",
        body_en="Sunday.",
        body_fr="Dimanche.",
        audience=StaffAudience.businesses([business.pk]),
        sender=None,
    )
    ids = sorted(notice.deliveries.values_list("pk", flat=True))
    queue = f"test-fault-kill-mail-{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "notices.tests.worker_settings",
        "NOTICES_TEST_DATABASE": connection.settings_dict["NAME"],
        "NOTICES_TEST_SMTP_PORT": str(controller.port),
        "NOTICES_TEST_QUEUE": queue,
        "NOTICES_TEST_VISIBILITY": "5",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": broker.url,
    }

    def worker():
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "carm_portal", "worker", "-Q", queue,
             "--pool", "solo", "-l", "warning", "--without-mingle", "--without-gossip"],
            cwd=root, env=env,
        )  # fmt: skip

    inbox.stall = True
    first = worker()
    second = None
    try:
        with app.connection_for_write(broker.url) as conn:
            app.send_task(tasks.send_notice_emails.name, args=[ids], queue=queue, connection=conn)
        wait_until(lambda: inbox.stalled_for, 60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        inbox.stall = False
        second = worker()
        started = time.monotonic()
        wait_until(lambda: NoticeDelivery.objects.filter(state="sent").count() == 4, 90)
        recovered = time.monotonic() - started
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                process.wait(30)
        broker.stop()
    in_flight = NoticeDelivery.objects.get(state="sending")
    assert in_flight.user.email == inbox.stalled_for[0]
    # Its lease ends (simulated time): the sweeper marks it failed, never sends it.
    NoticeDelivery.objects.filter(pk=in_flight.pk).update(due_at=timezone.now())
    services.notice_emails_left_behind(now=timezone.now() + datetime.timedelta(seconds=1))
    in_flight.refresh_from_db()
    assert in_flight.state == "failed" and in_flight.last_error.startswith("interrupted")
    per_address = collections.Counter(m["X-Envelope-To"] for m in inbox.messages)
    assert set(per_address.values()) == {1} and len(per_address) == 4
    # Staff send it again (admin action): now everyone has exactly one email.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    assert services.notice_emails_retry(delivery_ids=[in_flight.pk]) == 1
    services.notice_emails_send(delivery_ids=[in_flight.pk])
    controller.stop()
    per_address = collections.Counter(m["X-Envelope-To"] for m in inbox.messages)
    assert set(per_address.values()) == {1} and len(per_address) == 5
    report(
        "worker killed (SIGKILL) mid email batch",
        attempted=5,
        failed=1,
        lost=0,
        recover_seconds=recovered,
    )
