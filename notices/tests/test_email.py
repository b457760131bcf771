"""Notice emails through a real SMTP server on loopback (aiosmtpd): who gets one, in
which language, at most once, retried with backoff, and nothing lost (NOTE-1, NOTE-4)."""

import datetime

import pytest
from celery.exceptions import Retry
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.tests.factories import EmploymentFactory
from notices import services, tasks
from notices.audience import StaffAudience
from notices.models import NoticeDelivery
from notices.services import notice_send, notice_send_bulk

pytestmark = pytest.mark.django_db


def staff_notice(business, *, urgent=False):
    return notice_send_bulk(
        type_code="cbsa_urgent" if urgent else "cbsa_message",
        subject_en="Confidential: tariff change for ACME",
        subject_fr="Confidentiel : changement tarifaire pour ACME",
        body_en="Secret body text.",
        body_fr="Texte secret.",
        audience=StaffAudience.businesses([business.pk]),
        sender=None,
        urgent=urgent,
    )


def person(business, **fields):
    return EmploymentFactory(business=business, user=UserFactory(**fields)).user


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def deliver(django_capture_on_commit_callbacks, send):
    """Send a notice and run what its commit queues (eager Celery: the real tasks)."""
    with django_capture_on_commit_callbacks(execute=True):
        return send()


@pytest.mark.spec("NOTE-1", "NOTE-4", "X-1")
def test_subscribed_people_get_every_notice_in_their_language(
    smtp, django_capture_on_commit_callbacks
):
    business = ProgramAccountFactory().business
    english = person(business, email="en@example.ca", email_notices=True, preferred_language="en")
    french = person(
        business,
        email="fr@example.ca",
        email_notices=True,
        preferred_language="en",
        notice_language="fr",
    )
    person(business, email="off@example.ca", email_notices=False)
    notice = deliver(django_capture_on_commit_callbacks, lambda: staff_notice(business))

    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == ["en@example.ca", "fr@example.ca"]
    [to_english] = smtp.to("en@example.ca")
    [to_french] = smtp.to("fr@example.ca")
    assert to_english["Subject"] == "New notice in the CARM Client Portal"
    assert to_french["Subject"] == "Nouvel avis dans le portail client de la GCRA"
    assert to_french["Content-Language"] == "fr-CA"
    text, html = parts(to_french)
    assert f"http://testserver/fr/notices/{notice.pk}/" in text
    assert f'href="http://testserver/fr/notices/{notice.pk}/"' in html
    assert "Type: Message de l'ASFC" in text
    assert "vous êtes abonné" in text
    assert '<html lang="fr">' in html
    text, html = parts(to_english)
    assert f"http://testserver/en/notices/{notice.pk}/" in text
    assert "Type: CBSA message" in text
    assert english.first_name in text
    # No sensitive details: neither the subject nor the text of the notice.
    for message in smtp.messages:
        for part in parts(message):
            assert "ACME" not in part and "Secret" not in part and "secret" not in part
    assert set(notice.deliveries.values_list("state", flat=True)) == {"sent"}
    assert french.email_language == "fr"


@pytest.mark.spec("NOTE-1", "NOTE-4")
def test_unsubscribed_people_get_urgent_notices_only(smtp, django_capture_on_commit_callbacks):
    business = ProgramAccountFactory().business
    person(business, email="off@example.ca", email_notices=False, preferred_language="fr")
    deliver(django_capture_on_commit_callbacks, lambda: staff_notice(business))
    assert smtp.messages == []
    deliver(django_capture_on_commit_callbacks, lambda: staff_notice(business, urgent=True))
    [message] = smtp.to("off@example.ca")
    assert message["Subject"] == "Avis urgent dans le portail client de la GCRA"
    text, _html = parts(message)
    assert "même si vous n'êtes pas abonné" in text


@pytest.mark.spec("NOTE-4")
def test_system_notices_are_emailed_too(smtp, django_capture_on_commit_callbacks):
    user = UserFactory(email="jo@example.ca", email_notices=True)
    deliver(
        django_capture_on_commit_callbacks,
        lambda: notice_send(
            type_code="document_received",
            context={"case_number": "R7", "file_count": 3},
            recipient=user,
        ),
    )
    [message] = smtp.to("jo@example.ca")
    assert "Document upload – Documents received" in parts(message)[0]


@pytest.mark.spec("NOTE-4")
def test_a_duplicated_task_sends_no_second_email(smtp, django_capture_on_commit_callbacks):
    business = ProgramAccountFactory().business
    person(business, email="a@example.ca", email_notices=True)
    with django_capture_on_commit_callbacks(execute=False):
        notice = staff_notice(business)
    batches = services.notice_emails_batches(notice_id=notice.pk)
    tasks.send_notice_emails.delay(batches[0])
    tasks.send_notice_emails.delay(batches[0])  # the broker delivered it twice
    tasks.dispatch_notice_emails.delay(notice.pk)  # and the dispatch ran again
    assert len(smtp.messages) == 1
    delivery = notice.deliveries.get()
    assert (delivery.state, delivery.attempts) == ("sent", 1)


@pytest.mark.spec("NOTE-4")
def test_a_temporary_failure_is_retried_later_with_a_growing_delay(
    smtp, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_EMAIL_RETRY_BASE = 60
    business = ProgramAccountFactory().business
    person(business, email="a@example.ca", email_notices=True)
    smtp.busy = 2  # the server answers 451 twice
    with django_capture_on_commit_callbacks(execute=False):
        notice = staff_notice(business)
    delivery = notice.deliveries.get()
    # The task asks Celery to run it again in a minute, for that row only.
    with pytest.raises(Retry) as retry:
        tasks.send_notice_emails.delay([delivery.pk])
    assert retry.value.when == 60
    assert retry.value.sig.args == ([delivery.pk],)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "451" in delivery.last_error
    first_wait = delivery.due_at - timezone.now()
    assert datetime.timedelta(seconds=50) < first_wait <= datetime.timedelta(seconds=60)
    assert smtp.messages == []

    # The retry comes when it is due (here: the task's retry, made due now).
    # Too early (a duplicate of the retry): nothing is tried.
    tasks.send_notice_emails.delay([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    NoticeDelivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    with pytest.raises(Retry) as retry:
        tasks.send_notice_emails.delay([delivery.pk])
    assert retry.value.when == 120
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 2)
    second_wait = delivery.due_at - timezone.now()
    assert datetime.timedelta(seconds=110) < second_wait <= datetime.timedelta(seconds=120)

    NoticeDelivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    tasks.send_notice_emails.delay([delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert len(smtp.messages) == 1


@pytest.mark.spec("NOTE-4")
def test_permanent_refusals_and_too_many_attempts_end_in_failed(
    smtp, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_EMAIL_MAX_ATTEMPTS = 2
    business = ProgramAccountFactory().business
    person(business, email="gone@example.ca", email_notices=True)
    person(business, email="busy@example.ca", email_notices=True)
    smtp.refused = {"gone@example.ca"}
    smtp.busy = 10
    with django_capture_on_commit_callbacks(execute=False):
        notice = staff_notice(business)
    every = list(notice.deliveries.values_list("pk", flat=True))
    with pytest.raises(Retry):
        tasks.send_notice_emails.delay(every)
    states = dict(notice.deliveries.values_list("user__email", "state"))
    assert states == {"gone@example.ca": "failed", "busy@example.ca": "pending"}
    NoticeDelivery.objects.filter(state="pending").update(due_at=timezone.now())
    tasks.send_notice_emails.delay(every)  # the second attempt is the last: no retry
    states = dict(notice.deliveries.values_list("user__email", "state"))
    assert states == {"gone@example.ca": "failed", "busy@example.ca": "failed"}
    assert smtp.messages == []


@pytest.mark.spec("NOTE-4")
def test_nothing_is_lost_when_the_broker_is_down(
    smtp, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Redis is down when the notice commits: sending still succeeds for the caller, the
    rows wait, and the periodic task queues them again once they are overdue; each
    email leaves once."""
    business = ProgramAccountFactory().business
    person(business, email="a@example.ca", email_notices=True)
    person(business, email="b@example.ca", email_notices=True)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.dispatch_notice_emails, "delay", broker_down)
    notice = deliver(django_capture_on_commit_callbacks, lambda: staff_notice(business))
    assert "broker unreachable: notices.dispatch_notice_emails not queued" in caplog.text
    assert notice.recipient_count == 2
    assert set(notice.deliveries.values_list("state", flat=True)) == {"pending"}
    monkeypatch.undo()  # Redis is back

    assert tasks.requeue_notice_emails.delay().get() == 0  # not overdue yet
    assert smtp.messages == []
    overdue = timezone.now() - datetime.timedelta(seconds=settings.NOTICE_EMAIL_REQUEUE_AFTER + 1)
    notice.deliveries.update(due_at=overdue)
    assert tasks.requeue_notice_emails.delay().get() == 2
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == ["a@example.ca", "b@example.ca"]
    assert tasks.requeue_notice_emails.delay().get() == 0
    assert len(smtp.messages) == 2


@pytest.mark.spec("NOTE-4")
def test_an_interrupted_attempt_is_never_sent_again(smtp):
    """A worker died while sending: whether the email left is unknown, so the row is
    marked failed (at most once) and staff can choose to try it again."""
    business = ProgramAccountFactory().business
    person(business, email="a@example.ca", email_notices=True)
    notice = staff_notice(business)  # nothing queued: no commit in this test
    delivery = notice.deliveries.get()
    NoticeDelivery.objects.filter(pk=delivery.pk).update(
        state="sending", attempts=1, due_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    tasks.send_notice_emails.delay([delivery.pk])
    tasks.requeue_notice_emails.delay()
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert delivery.last_error.startswith("interrupted")
    assert smtp.messages == []

    assert services.notice_emails_retry(delivery_ids=[delivery.pk]) == 1
    tasks.send_notice_emails.delay([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert len(smtp.messages) == 1
