"""*Upload a document* (SPEC DOC-1 … DOC-4): step 1 (category and case number), step 2
(the files), the confirmation page, and the download of a clean file. Thin views over
``documents.upload`` (reading the request), ``filetypes``, ``services`` and
``selectors``; the state between the steps is kept server-side, in the session."""

from __future__ import annotations

import errno
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from prometheus_client import Counter

from carm_portal.audit import audit_record
from carm_portal.session_state import SessionState
from delegation.access import Perm, requires
from documents import clamav, selectors, services, upload
from documents.filetypes import ALLOWED_EXTENSIONS, Refusal, check_content, extension_of
from documents.forms import UploadDetailsForm, UploadFilesForm
from documents.messages import SCAN_EXPLANATIONS, refusal_message
from documents.models import Document, DocumentCategory, UploadBatch

logger = logging.getLogger(__name__)

SESSION_KEY = "documents_upload"
UPLOAD = SessionState(SESSION_KEY)
LAST_BATCH_KEY = "documents_last_batch"


def _back_link() -> tuple[str, bool]:
    """*Back to ruling requests* once the rulings list exists, else the home page."""
    try:
        return reverse("rulings:list"), True
    except NoReverseMatch:
        return reverse("business:home"), False


def _limits() -> dict:
    return {
        "max_size_mb": settings.DOCUMENT_MAX_FILE_SIZE // (1024 * 1024),
        "max_files": settings.DOCUMENT_MAX_FILES,
        "extensions": ", ".join(ALLOWED_EXTENSIONS),
    }


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS)
def upload_details(request):
    """Step 1 of 2. ``?case=NNNN`` (the rulings list's link) fills the case number;
    coming back from step 2 shows what was chosen."""
    saved = UPLOAD.get(request)
    if request.method == "POST":
        form = UploadDetailsForm(request.POST)
        if form.is_valid():
            UPLOAD.set(
                request,
                {
                    "category": form.cleaned_data["category"].pk,
                    "case_number": form.cleaned_data["case_number"],
                },
            )
            return redirect("documents:upload_files")
    else:
        initial = {"category": saved.get("category"), "case_number": saved.get("case_number")}
        if request.GET.get("case"):
            initial["case_number"] = request.GET["case"].strip()[:14]
        form = UploadDetailsForm(initial=initial)
    back_url, _ = _back_link()
    return render(request, "documents/upload_details.html", {"form": form, "back_url": back_url})


def _details(request) -> tuple[DocumentCategory, str] | None:
    saved = UPLOAD.get(request)
    category = selectors.categories_offered().filter(pk=saved.get("category")).first()
    if category is None or not saved.get("case_number"):
        return None
    return category, saved["case_number"]


@csrf_exempt  # checked by _receive_files once the upload handler is in place
@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS)
def upload_files(request):
    """Step 2 of 2: choose or drop the files, *Upload*."""
    details = _details(request)
    if details is None:
        return redirect("documents:upload")
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.DOCUMENT_MAX_REQUEST_SIZE:
            # Refused unread (DOC-3): nothing of it is kept, the person is told why.
            form = UploadFilesForm()
            form.refuse([_too_big_message()])
            return _render_files(request, details, form, status=413)
        handler = upload.install(request)
        try:
            return _receive_files(request, details, handler)
        except OSError as exc:
            if exc.errno not in STORAGE_FULL:
                raise
            # The disk under MEDIA_ROOT (or the upload directory) is full (OPS-4): nothing
            # was kept (services.upload_batch_create deletes what it stored and its
            # transaction is rolled back); the person is told to try again later.
            handler.discard()  # the temporary files of the request, complete or not
            logger.error("upload refused: storage full (%s)", exc.strerror)
            STORAGE_ERRORS.labels(errno.errorcode.get(exc.errno, str(exc.errno))).inc()
            form = UploadFilesForm()
            form.refuse([_storage_full_message()])
            return _render_files(request, details, form, status=503)
    return _render_files(request, details, UploadFilesForm())


STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
STORAGE_ERRORS = Counter(
    "carm_document_storage_errors",
    "Uploads refused because the storage under MEDIA_ROOT or the upload directory is full",
    ["error"],
)


def _storage_full_message() -> str:
    return gettext(
        "The portal cannot store files at the moment. Nothing from this upload was kept. "
        "Please try again later."
    )


def _too_big_message() -> str:
    from django.utils.translation import gettext

    limits = _limits()
    return (
        gettext(
            "The upload is larger than %(max_files)s files of %(max_size_mb)s MB. Choose fewer files."
        )
        % limits
    )


def _render_files(request, details, form, status: int = 200):
    category, case_number = details
    back_url, back_to_rulings = _back_link()
    last_batch = request.session.get(LAST_BATCH_KEY)
    return render(
        request,
        "documents/upload_files.html",
        {
            "form": form,
            "category": category,
            "case_number": case_number,
            "back_url": back_url,
            "back_to_rulings": back_to_rulings,
            "last_batch": last_batch,
            **_limits(),
        },
        status=status,
    )


@csrf_protect
def _receive_files(request, details, handler: upload.DocumentUploadHandler):
    category, case_number = details
    received = request.FILES.getlist(upload.FIELD)  # reads the request, through the handler
    refused = list(handler.refused)
    accepted = []
    for uploaded in received:
        try:
            content_type = check_content(uploaded, extension=extension_of(uploaded.name))
        except Refusal as refusal:
            refused.append(upload.Refused(uploaded.position, uploaded.name, refusal.code))
        else:
            accepted.append((uploaded, content_type))
    refused.sort(key=lambda r: r.position)
    form = UploadFilesForm()
    if not accepted:
        messages = [refusal_message(name=r.name, reason=r.reason) for r in refused]
        form.refuse(messages or [_no_file_message()])
        return _render_files(request, details, form, status=400 if refused else 200)
    batch = services.upload_batch_create(
        audit=request.audit,
        uploaded_by=request.user,
        program_account=request.acting.account,
        category=category,
        case_number=case_number,
        files=accepted,
        refused=refused,
    )
    # *Upload more documents* starts again from nothing (DOC-2).
    UPLOAD.clear(request)
    request.session[LAST_BATCH_KEY] = batch.pk
    return redirect("documents:confirmation", pk=batch.pk)


def _no_file_message() -> str:
    return gettext("Choose at least one file to upload.")


def _scanner_down() -> bool:
    try:
        return not clamav.ping(timeout=1.0)
    except clamav.ClamdUnavailable:
        return True


@require_GET
@never_cache
@requires(Perm.VIEW_REQUESTS, model=UploadBatch, via="program_account")
def confirmation(request, pk: int):
    """What was received and its scan state; why files stay in quarantine (DOC-4)."""
    batch = request.acting.object
    documents = list(selectors.batch_documents(batch=batch))
    pending = any(d.scan_state == Document.ScanState.PENDING for d in documents)
    refused = [refusal_message(name=r["name"], reason=r["reason"]) for r in batch.refused]
    back_url, back_to_rulings = _back_link()
    return render(
        request,
        "documents/confirmation.html",
        {
            "batch": batch,
            "documents": [(d, SCAN_EXPLANATIONS[d.scan_state]) for d in documents],
            "refused": refused,
            "pending": pending,
            "scanner_down": pending and _scanner_down(),
            "can_upload": request.acting.can(Perm.EDIT_REQUESTS),
            "back_url": back_url,
            "back_to_rulings": back_to_rulings,
        },
    )


@require_GET
@never_cache
@requires(Perm.VIEW_REQUESTS, model=Document, via="program_account")
def download(request, pk: int):
    """A clean file, as an attachment that no browser will try to render (DOC-4)."""
    document = request.acting.object
    if not document.downloadable:
        # Still not found, for everyone, but the person who may see the case is told why.
        context = {"document": document, "explanation": SCAN_EXPLANATIONS[document.scan_state]}
        return render(request, "documents/unavailable.html", context, status=404)
    return attachment(document, request=request)


def attachment(document: Document, *, request) -> FileResponse:
    """The stored file of a clean document (also used by the admin); each download is
    audited (SEC-9)."""
    document = get_object_or_404(Document, pk=document.pk, scan_state=Document.ScanState.CLEAN)
    audit_record(
        action="documents.downloaded",
        request=request,
        business=document.business,
        subject=document.case_number or "",
        changes={"document": document.pk},
    )
    response = FileResponse(
        default_storage.open(document.storage_name, "rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
