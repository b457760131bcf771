"""Uploaded supporting documents (SPEC DOC-1 … DOC-5).

A person uploads a batch of files for one case; each file becomes a ``Document`` that
waits in quarantine (*pending scan*) until the background scan (``documents.tasks``)
moves it to *clean*, *infected* or *type mismatch*, once. Only clean files are ever
served. The categories are a list that CBSA staff manage in the admin.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

case_number_validator = RegexValidator(
    r"^[A-Za-z0-9-]+$",
    _("A case/reference number has only letters, digits or hyphens."),
)


class DocumentCategory(models.Model):
    """An entry of the *Category* drop-down (DOC-2), managed by CBSA staff."""

    name_en = models.CharField(_("English name"), max_length=120)
    name_fr = models.CharField(_("French name"), max_length=120)
    active = models.BooleanField(
        _("offered"), default=True, help_text=_("Only offered categories appear in the list.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("document category")
        verbose_name_plural = _("document categories")
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return self.name_fr if language.startswith("fr") else self.name_en


class UploadBatch(models.Model):
    """What one press of *Upload* received: the documents kept and the files refused."""

    business = models.ForeignKey(
        "business.Business", on_delete=models.PROTECT, related_name="+", verbose_name=_("business")
    )
    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("program account"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    category = models.ForeignKey(
        DocumentCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    case_number = models.CharField(
        _("case/reference number"), max_length=14, validators=[case_number_validator]
    )
    # [{"name": "a.exe", "reason": "type"}, …]: reasons are codes, shown translated.
    refused = models.JSONField(_("refused files"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_number} ({self.created_at:%Y-%m-%d %H:%M})"


def generate_storage_name() -> str:
    """A generated name: nothing of the uploaded name is ever part of a path (STYLE 13)."""
    now = timezone.now()
    return f"documents/{now:%Y/%m}/{uuid.uuid4().hex}"


class Document(models.Model):
    """One uploaded file, quarantined until its scan says it is clean (DOC-4)."""

    class ScanState(models.TextChoices):
        PENDING = "pending", _("Pending scan")
        CLEAN = "clean", _("Clean")
        INFECTED = "infected", _("Infected")
        TYPE_MISMATCH = "type_mismatch", _("Type mismatch")
        # Terminal: still unscanned after DOCUMENT_SCAN_GIVE_UP_AFTER (OPS-4); never served.
        SCAN_FAILED = "scan_failed", _("Scan failed")

    FINAL_STATES = (
        ScanState.CLEAN,
        ScanState.INFECTED,
        ScanState.TYPE_MISMATCH,
        ScanState.SCAN_FAILED,
    )

    batch = models.ForeignKey(
        UploadBatch, on_delete=models.PROTECT, related_name="documents", verbose_name=_("upload")
    )
    business = models.ForeignKey(
        "business.Business",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("business"),
    )
    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("program account"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    category = models.ForeignKey(
        DocumentCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    case_number = models.CharField(
        _("case/reference number"), max_length=14, validators=[case_number_validator]
    )
    original_name = models.CharField(_("file name"), max_length=200)
    storage_name = models.CharField(
        _("storage name"),
        max_length=100,
        unique=True,
        default=generate_storage_name,
        editable=False,
    )
    extension = models.CharField(_("extension"), max_length=5)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("detected content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    scan_state = models.CharField(
        _("scan state"),
        max_length=15,
        choices=ScanState.choices,
        default=ScanState.PENDING,
        db_index=True,
    )
    scan_result = models.CharField(
        _("scan result"),
        max_length=200,
        blank=True,
        help_text=_("The signature found, or why the content was refused."),
    )
    # Re-scans start a new round; the notice of a round is sent once (its reference).
    scan_round = models.PositiveIntegerField(_("scan round"), default=1)
    scan_attempts = models.PositiveIntegerField(_("scan attempts"), default=0)
    scan_error = models.CharField(_("last scanner error"), max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(_("last scan attempt"), null=True, blank=True)
    scanned_at = models.DateTimeField(_("scanned"), null=True, blank=True)
    # When the current round started (the upload, or the last re-scan): the clock of
    # DOCUMENT_SCAN_GIVE_UP_AFTER.
    pending_since = models.DateTimeField(
        _("pending since"), default=timezone.now, db_default=Now(), db_index=True
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "pk"]
        indexes = [
            models.Index(fields=["business", "case_number"], name="document_business_case"),
            models.Index(fields=["case_number"], name="document_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    scan_state__in=["pending", "clean", "infected", "type_mismatch", "scan_failed"]
                ),
                name="document_scan_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number}: {self.original_name}"

    @property
    def downloadable(self) -> bool:
        return self.scan_state == self.ScanState.CLEAN

    @property
    def quarantined(self) -> bool:
        return self.scan_state != self.ScanState.CLEAN

    # --- Transitions (STYLE 2): services call them inside a transaction, with a lock ---

    def _require(self, *states: str) -> None:
        if self.scan_state not in states:
            raise ValidationError(
                f"document {self.pk} is {self.scan_state}, not {' or '.join(states)}"
            )

    def mark_clean(self) -> None:
        self._require(self.ScanState.PENDING)
        self.scan_state = self.ScanState.CLEAN
        self.scan_result = ""
        self.scanned_at = timezone.now()

    def mark_infected(self, *, signature: str) -> None:
        self._require(self.ScanState.PENDING)
        self.scan_state = self.ScanState.INFECTED
        self.scan_result = signature[:200]
        self.scanned_at = timezone.now()

    def mark_type_mismatch(self, *, reason: str) -> None:
        self._require(self.ScanState.PENDING)
        self.scan_state = self.ScanState.TYPE_MISMATCH
        self.scan_result = reason[:200]
        self.scanned_at = timezone.now()

    def mark_scan_failed(self, *, reason: str) -> None:
        """No scan could run within the bounded time: terminal, still quarantined."""
        self._require(self.ScanState.PENDING)
        self.scan_state = self.ScanState.SCAN_FAILED
        self.scan_result = reason[:200]
        self.scanned_at = timezone.now()

    def start_rescan(self) -> None:
        """Back to quarantine for a new scan (CBSA staff, DOC-5)."""
        self._require(*self.FINAL_STATES)
        self.scan_state = self.ScanState.PENDING
        self.scan_round += 1
        self.scan_attempts = 0
        self.scan_error = ""
        self.scanned_at = None
        self.pending_since = timezone.now()
