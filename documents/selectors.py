"""Reads of the document upload area (STYLE 1): always scoped to a business."""

from __future__ import annotations

from django.db.models import QuerySet

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
