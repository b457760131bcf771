"""Background work of the document upload area (DOC-4, ADR 0005, ADR 0010): thin tasks
over services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from carm_portal.tasks import task_pk
from documents import services


def retry_delay(retries: int) -> int:
    """Seconds before the next attempt: doubles each time, up to a ceiling."""
    return min(settings.DOCUMENT_SCAN_RETRY_BASE * 2**retries, settings.DOCUMENT_SCAN_RETRY_MAX)


@shared_task(
    name="documents.scan_document",
    bind=True,
    ignore_result=True,
    acks_late=True,  # a worker that dies mid-scan leaves the message to another one
    reject_on_worker_lost=True,
    max_retries=None,
)
def scan_document(self, document_id: int) -> str:
    """Type-check and virus-scan one document; its final state is written once."""
    document_id = task_pk(document_id, name="document_id")
    try:
        return services.document_scan(document_id=document_id)
    except services.ScannerUnavailable as exc:
        if self.request.is_eager or self.request.retries >= settings.DOCUMENT_SCAN_MAX_RETRIES:
            # No worker to retry in (tests, eager) or enough retries: the document stays
            # pending and the periodic task queues it again.
            return "pending"
        raise self.retry(countdown=retry_delay(self.request.retries), exc=exc) from exc


@shared_task(name="documents.requeue_pending_scans", ignore_result=True)
def requeue_pending_scans() -> int:
    """Periodic (beat): give up on the files pending past the bounded time (*scan
    failed*), then queue again the scans that no task is going to run."""
    services.document_scans_given_up()
    ids = services.document_scans_left_behind()
    for document_id in ids:
        scan_document.delay(document_id)
    return len(ids)


@shared_task(name="documents.delete_storage_orphans", ignore_result=True)
def delete_storage_orphans() -> int:
    """Periodic (beat, daily): files stored by uploads whose transaction was rolled back."""
    return len(services.document_storage_orphans_delete())
