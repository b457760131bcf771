"""Writes of the document upload area (SPEC DOC-2 … DOC-5, STYLE 1).

An upload keeps every valid file of the batch in storage under a generated name, as
*pending scan*, and queues one scan per file after the commit. The scan (a Celery task
over ``document_scan``) writes the final state once, under a row lock, with one audit
entry and, for a rejected file, one notice to the uploader — however many times the
broker delivers the task. Nothing is ever marked clean without clamd's own answer.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from business.models import ProgramAccount
from carm_portal.audit import AuditContext, audit_record
from carm_portal.tasks import enqueue_on_commit
from documents import clamav
from documents.filetypes import Refusal, check_content, extension_of
from documents.models import Document, DocumentCategory, UploadBatch
from documents.upload import Refused
from notices.services import notice_send

logger = logging.getLogger(__name__)


class ScannerUnavailable(Exception):
    """clamd could not scan the file now: the file stays pending, to be tried again."""


def _queue_scan(document_id: int) -> None:
    from documents.tasks import scan_document

    enqueue_on_commit(scan_document, document_id)


def upload_batch_create(
    *,
    audit: AuditContext | None = None,
    uploaded_by,
    program_account: ProgramAccount,
    category: DocumentCategory,
    case_number: str,
    files: Sequence[tuple[UploadedFile, str]],
    refused: Sequence[Refused] = (),
) -> UploadBatch:
    """Keep the accepted ``files`` (each with the content type detected at upload) as
    pending documents of one batch, record the ``refused`` ones, tell the uploader what
    was received (notice) and queue a scan per file."""
    if not files:
        raise ValueError("an upload keeps at least one file")
    stored: list[str] = []
    try:
        with transaction.atomic():
            batch = UploadBatch.objects.create(
                business=program_account.business,
                program_account=program_account,
                uploaded_by=uploaded_by,
                category=category,
                case_number=case_number,
                refused=[{"name": r.name, "reason": r.reason} for r in refused],
            )
            documents = []
            for upload, content_type in files:
                document = Document(
                    batch=batch,
                    business=program_account.business,
                    program_account=program_account,
                    uploaded_by=uploaded_by,
                    category=category,
                    case_number=case_number,
                    original_name=upload.name,
                    extension=extension_of(upload.name),
                    size=upload.size,
                    content_type=content_type,
                    sha256=getattr(upload, "sha256", ""),
                )
                stored.append(document.storage_name)  # a partial file too (disk full)
                saved = default_storage.save(document.storage_name, upload)
                if saved != document.storage_name:  # never renamed: names are unique
                    raise RuntimeError(f"storage renamed {document.storage_name} to {saved}")
                documents.append(document)
            Document.objects.bulk_create(documents)
            audit_record(
                action="documents.upload",
                audit=AuditContext.of(audit, uploaded_by).about(program_account.business),
                actor=uploaded_by,
                subject=case_number,
                changes={
                    "batch": batch.pk,
                    "case_number": case_number,
                    "category": category.pk,
                    "documents": [d.pk for d in documents],
                    "refused": batch.refused,
                },
            )
            notice_send(
                type_code="document_received",
                recipient=uploaded_by,
                program_account=program_account,
                context={"case_number": case_number, "file_count": len(documents)},
                reference=f"documents:batch:{batch.pk}",
            )
            for document in documents:
                _queue_scan(document.pk)
    except BaseException:
        for name in stored:  # nothing kept from a batch that was not recorded
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise
    return batch


def _finish_scan(
    *, document_id: int, scan_round: int, infected: str | None, mismatch: Refusal | None
) -> str:
    """Write the scan's outcome once: the row is locked and must still be pending in the
    same round; a second delivery of the task finds it done and writes nothing."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update()
            .select_related("program_account__business", "uploaded_by")
            .get(pk=document_id)
        )
        if document.scan_state != Document.ScanState.PENDING or document.scan_round != scan_round:
            return "already scanned"
        if infected:
            document.mark_infected(signature=infected)
            reason = "infected"
        elif mismatch is not None:
            document.mark_type_mismatch(reason=f"{mismatch.code}: {mismatch.detail}".strip(": "))
            reason = "type"
        else:
            document.mark_clean()
            reason = ""
        document.scan_error = ""
        document.save(update_fields=["scan_state", "scan_result", "scanned_at", "scan_error"])
        audit_record(
            action="documents.scan",
            business=document.business,
            subject=document.case_number,
            changes={
                "document": document.pk,
                "scan_state": document.scan_state,
                "scan_result": document.scan_result,
                "round": scan_round,
            },
        )
        if reason:
            _tell_rejected(document, reason=reason, scan_round=scan_round)
        return document.scan_state


def _tell_rejected(document: Document, *, reason: str, scan_round: int) -> None:
    """The uploader's bilingual notice that a file was refused (DOC-4), once per round."""
    notice_send(
        type_code="document_rejected",
        recipient=document.uploaded_by,
        program_account=document.program_account,
        context={
            "case_number": document.case_number,
            "file_name": document.original_name,
            "reason": reason,
        },
        reference=f"documents:rejected:{document.pk}:{scan_round}",
    )


def document_scan(*, document_id: int) -> str:
    """Check a pending document's content again and scan it with clamd (DOC-4); return
    the final state. ``ScannerUnavailable`` when clamd cannot answer: the document stays
    pending (never clean) and the caller tries again later."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.scan_state != Document.ScanState.PENDING:
        return "already scanned"
    Document.objects.filter(pk=document_id).update(
        scan_attempts=F("scan_attempts") + 1, last_attempt_at=timezone.now()
    )
    infected = mismatch = None
    try:
        with default_storage.open(document.storage_name, "rb") as stored:
            try:
                check_content(stored, extension=document.extension)
            except Refusal as refusal:
                mismatch = refusal  # never served: no scanner needed to reject it
            else:
                stored.seek(0)
                infected = clamav.instream(stored)
    except (clamav.ClamdUnavailable, clamav.ClamdError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
        Document.objects.filter(pk=document_id).update(scan_error=error)
        logger.warning("document %s not scanned: %s", document_id, error)
        raise ScannerUnavailable(error) from exc
    return _finish_scan(
        document_id=document_id,
        scan_round=document.scan_round,
        infected=infected,
        mismatch=mismatch,
    )


def document_scan_give_up(*, document_id: int) -> bool:
    """Mark one document *scan failed* when it is still pending past the bounded time
    (DOCUMENT_SCAN_GIVE_UP_AFTER): audited, and its uploader is asked to upload it again
    (one notice per round). ``False`` when a scan finished first."""
    limit = timezone.now() - datetime.timedelta(seconds=settings.DOCUMENT_SCAN_GIVE_UP_AFTER)
    with transaction.atomic():
        document = (
            Document.objects.select_for_update()
            .select_related("program_account__business", "uploaded_by")
            .get(pk=document_id)
        )
        if document.scan_state != Document.ScanState.PENDING or document.pending_since > limit:
            return False
        document.mark_scan_failed(reason=f"not scanned: {document.scan_error or 'no attempt'}")
        document.save(update_fields=["scan_state", "scan_result", "scanned_at"])
        audit_record(
            action="documents.scan_failed",
            business=document.business,
            subject=document.case_number,
            changes={
                "document": document.pk,
                "scan_state": [Document.ScanState.PENDING, document.scan_state],
                "attempts": document.scan_attempts,
                "scan_error": document.scan_error,
                "round": document.scan_round,
            },
        )
        _tell_rejected(document, reason="scan_failed", scan_round=document.scan_round)
    logger.warning(
        "document %s: scan failed after %s attempts", document_id, document.scan_attempts
    )
    return True


def document_scans_given_up(*, now: datetime.datetime | None = None) -> list[int]:
    """Give up on the documents pending past DOCUMENT_SCAN_GIVE_UP_AFTER; return their ids."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=settings.DOCUMENT_SCAN_GIVE_UP_AFTER)
    ids = list(
        Document.objects.filter(scan_state=Document.ScanState.PENDING, pending_since__lte=limit)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    return [pk for pk in ids if document_scan_give_up(document_id=pk)]


def document_rescan(
    *, document: Document, audit: AuditContext | None = None, actor=None
) -> Document:
    """Put a scanned document back in quarantine and scan it again (CBSA staff, DOC-5).
    A document already pending is only queued again."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        before = document.scan_state
        if before != Document.ScanState.PENDING:
            document.start_rescan()
            document.save(
                update_fields=[
                    "scan_state",
                    "scan_round",
                    "scan_attempts",
                    "scan_error",
                    "scanned_at",
                    "pending_since",
                ]
            )
        audit_record(
            action="documents.rescan",
            audit=AuditContext.of(audit, actor).about(document.business),
            actor=actor,
            subject=document.case_number,
            changes={"document": document.pk, "scan_state": [before, document.scan_state]},
        )
        _queue_scan(document.pk)
    return document


def document_scans_left_behind(*, now: datetime.datetime | None = None) -> list[int]:
    """Pending documents whose scan no task is going to run: never tried for a while
    (the broker was down at upload time) or last tried long ago (retries gave up)."""
    now = now or timezone.now()
    before = now - datetime.timedelta(seconds=settings.DOCUMENT_SCAN_REQUEUE_AFTER)
    return list(
        Document.objects.filter(scan_state=Document.ScanState.PENDING)
        .filter(
            Q(last_attempt_at__isnull=True, uploaded_at__lte=before)
            | Q(last_attempt_at__lte=before)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


def document_storage_orphans_delete(*, older_than: int = 24 * 60 * 60) -> list[str]:
    """Delete the stored files that no document row names, older than ``older_than``
    seconds: what an upload stored inside a caller's transaction that was then rolled
    back (OPS-4). Younger files may belong to an upload still in its transaction."""
    limit = timezone.now() - datetime.timedelta(seconds=older_than)
    deleted = []

    def walk(folder: str):
        directories, files = default_storage.listdir(folder)
        for name in files:
            yield f"{folder}/{name}"
        for directory in directories:
            yield from walk(f"{folder}/{directory}")

    try:
        names = list(walk("documents"))
    except FileNotFoundError:
        return deleted
    known = set(
        Document.objects.filter(storage_name__in=names).values_list("storage_name", flat=True)
    )
    for name in names:
        if name not in known and default_storage.get_modified_time(name) <= limit:
            default_storage.delete(name)
            deleted.append(name)
    if deleted:
        logger.warning("deleted %s stored files without a document row", len(deleted))
    return deleted
