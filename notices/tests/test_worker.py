"""A notice's emails through the real chain: commit → Redis → a Celery worker process →
SMTP on loopback; the same tasks delivered twice send nothing more (NOTE-4)."""

import os

import pytest
from django.core.cache import cache
from django.db import connection

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from carm_portal.celery import app
from carm_portal.tasks import HEARTBEAT_KEY, worker_heartbeat
from delegation.tests.factories import EmploymentFactory
from notices import tasks
from notices.audience import StaffAudience
from notices.models import NoticeDelivery
from notices.services import notice_send_bulk
from tests.worker import wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


@pytest.mark.spec("NOTE-4", "NOTE-1")
def test_a_real_worker_sends_each_email_once(smtp, smtp_server, monkeypatch, real_worker):
    queue = f"test-notices-{os.getpid()}"
    worker = real_worker(
        "test-notices",
        settings_module="notices.tests.worker_settings",
        env={
            "NOTICES_TEST_DATABASE": connection.settings_dict["NAME"],
            "NOTICES_TEST_SMTP_PORT": str(smtp_server.port),
            "NOTICES_TEST_QUEUE": queue,
        },
    )
    assert worker.queue == queue
    business = ProgramAccountFactory().business
    for n, language in enumerate(["en", "fr", "fr"]):
        EmploymentFactory(
            business=business,
            user=UserFactory(
                email=f"p{n}@example.ca", email_notices=True, notice_language=language
            ),
        )
    EmploymentFactory(business=business, user=UserFactory(email_notices=False))
    # The commit queues the dispatch through Redis (send_task never runs eagerly).
    monkeypatch.setattr(
        tasks.dispatch_notice_emails,
        "delay",
        lambda *args: app.send_task(tasks.dispatch_notice_emails.name, args=args, queue=queue),
    )
    notice = notice_send_bulk(
        type_code="cbsa_message",
        subject_en="Portal maintenance",
        subject_fr="Entretien du portail",
        body_en="Saturday.",
        body_fr="Samedi.",
        audience=StaffAudience.businesses([business.pk]),
        sender=None,
    )
    wait_for(lambda: len(smtp.messages) == 3, worker)
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == [
        "New notice in the CARM Client Portal",
        "Nouvel avis dans le portail client de la GCRA",
        "Nouvel avis dans le portail client de la GCRA",
    ]
    # The worker records each delivery after the SMTP server has accepted it.
    wait_for(lambda: set(notice.deliveries.values_list("state", flat=True)) == {"sent"}, worker)

    # The broker delivers the dispatch and a batch again: nothing more is sent.
    ids = list(notice.deliveries.values_list("pk", flat=True))
    cache.delete(HEARTBEAT_KEY)
    app.send_task(tasks.dispatch_notice_emails.name, args=[notice.pk], queue=queue)
    app.send_task(tasks.send_notice_emails.name, args=[ids], queue=queue)
    # The worker takes one task at a time, in order: the heartbeat comes last.
    app.send_task(worker_heartbeat.name, queue=queue)
    wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None, worker)
    assert len(smtp.messages) == 3
    assert NoticeDelivery.objects.filter(state="sent", attempts=1).count() == 3
