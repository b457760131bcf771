"""Background work of the notices area (NOTE-4, ADR 0005): thin tasks over services."""

from __future__ import annotations

from celery import shared_task

from carm_portal.tasks import task_pk, task_pks
from notices import services


@shared_task(name="notices.dispatch_notice_emails", ignore_result=True)
def dispatch_notice_emails(notice_id: int) -> int:
    """Split a notice's pending emails into batches, one task each."""
    notice_id = task_pk(notice_id, name="notice_id")
    batches = services.notice_emails_batches(notice_id=notice_id)
    for batch in batches:
        send_notice_emails.delay(batch)
    return len(batches)


@shared_task(name="notices.send_notice_emails", bind=True, ignore_result=True, max_retries=None)
def send_notice_emails(self, delivery_ids: list[int]) -> int:
    """Send a batch; the rows that failed for now are tried again later, each row
    counting its own attempts (NOTICE_EMAIL_MAX_ATTEMPTS) and waiting longer each time."""
    delivery_ids = task_pks(delivery_ids, name="delivery_ids")
    outcome = services.notice_emails_send(delivery_ids=delivery_ids)
    if outcome.retry:
        raise self.retry(args=[outcome.retry], countdown=outcome.retry_in)
    return len(outcome.sent)


@shared_task(name="notices.requeue_notice_emails", ignore_result=True)
def requeue_notice_emails() -> int:
    """Periodic (beat): queue again the emails that no task is going to send."""
    batches = services.notice_emails_left_behind()
    for batch in batches:
        send_notice_emails.delay(batch)
    return sum(len(batch) for batch in batches)
