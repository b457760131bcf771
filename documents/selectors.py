"""Reads of the document upload area (STYLE 1): always scoped to a business."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from documents.models import Document, DocumentCategory, UploadBatch


def case_documents(*, business, case_number: str) -> QuerySet[Document]:
    """The documents uploaded for a case by or for ``business``, newest first, with their
    scan state (the rulings detail page lists them)."""
    return (
        Document.objects.filter(business=business, case_number=case_number.strip().upper())
        .select_related("category", "uploaded_by")
        .order_by("-uploaded_at", "pk")
    )


def batch_documents(*, batch: UploadBatch) -> QuerySet[Document]:
    return batch.documents.select_related("category").order_by("pk")


def categories_offered() -> QuerySet[DocumentCategory]:
    return DocumentCategory.objects.filter(active=True).order_by("position", "name_en")


def scan_backlog(*, now: datetime.datetime | None = None) -> dict:
    """What operators watch (OPS-4, /healthz and the metrics): files waiting for their
    scan, those waiting longer than DOCUMENT_SCAN_LATE_AFTER, the age of the oldest, and
    the files given up (*scan failed*) still in that state."""
    now = now or timezone.now()
    late = now - datetime.timedelta(seconds=settings.DOCUMENT_SCAN_LATE_AFTER)
    pending = Q(scan_state=Document.ScanState.PENDING)
    figures = Document.objects.aggregate(
        pending=Count("pk", filter=pending),
        pending_over_hour=Count("pk", filter=pending & Q(pending_since__lte=late)),
        oldest=Min("pending_since", filter=pending),
        scan_failed=Count("pk", filter=Q(scan_state=Document.ScanState.SCAN_FAILED)),
    )
    oldest = figures.pop("oldest")
    figures["oldest_pending_seconds"] = round((now - oldest).total_seconds()) if oldest else 0
    return figures
