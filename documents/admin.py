"""Uploaded documents in the CBSA staff admin (SPEC DOC-5): by case, with their scan
state; clean files can be downloaded; any file can be scanned again. Documents are read
only (STYLE 17): their state changes only through the scan and the re-scan action. The
category list is what staff manage."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carm_portal.admin import ReadOnlyAdmin
from carm_portal.audit import AuditContext
from documents import services
from documents.models import Document, DocumentCategory, UploadBatch
from documents.views import attachment


@admin.register(DocumentCategory)
class DocumentCategoryAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_fr", "active", "position")
    list_editable = ("active", "position")
    search_fields = ("name_en", "name_fr")

    def has_delete_permission(self, request, obj=None):
        return False  # uploads keep their category: retire it with "offered" instead


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "case_number",
        "original_name",
        "business",
        "category",
        "scan_state",
        "size",
        "uploaded_at",
        "download_link",
    )
    list_filter = ("scan_state", "category", "uploaded_at")
    list_select_related = ("business", "category")
    search_fields = ("=case_number", "original_name", "=business__bn9", "business__legal_name")
    ordering = ("case_number", "-uploaded_at")
    date_hierarchy = "uploaded_at"
    actions = ["rescan"]
    fields = (
        "case_number",
        "category",
        "business",
        "program_account",
        "uploaded_by",
        "batch",
        "original_name",
        "extension",
        "size",
        "content_type",
        "sha256",
        "scan_state",
        "scan_result",
        "scan_round",
        "scan_attempts",
        "scan_error",
        "last_attempt_at",
        "scanned_at",
        "pending_since",
        "uploaded_at",
        "download_link",
    )

    @admin.display(description=_("download"))
    def download_link(self, obj: Document):
        if not obj.downloadable:
            return "–"
        url = reverse("admin:documents_document_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    @admin.action(description=_("Scan the selected documents again"))
    def rescan(self, request, queryset):
        count = 0
        for document in queryset:
            services.document_rescan(document=document, audit=AuditContext.from_request(request))
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d document is back in quarantine and queued for a new scan.",
                "%(count)d documents are back in quarantine and queued for a new scan.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="documents_document_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk: int):
        """A clean file only: pending, infected, mismatched and unscanned (*scan failed*)
        files stay in quarantine."""
        if not self.has_view_permission(request):
            raise Http404
        document = Document.objects.filter(pk=pk, scan_state=Document.ScanState.CLEAN).first()
        if document is None:
            raise Http404
        return attachment(document, request=request)


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ("original_name", "size", "scan_state", "scan_result")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UploadBatch)
class UploadBatchAdmin(ReadOnlyAdmin):
    list_display = ("case_number", "business", "category", "uploaded_by", "created_at")
    list_select_related = ("business", "category", "uploaded_by")
    search_fields = ("=case_number", "=business__bn9", "business__legal_name")
    list_filter = ("category", "created_at")
    ordering = ("case_number", "-created_at")
    inlines = [DocumentInline]
