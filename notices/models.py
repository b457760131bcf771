"""Notices (SPEC NOTE-1 … NOTE-4): a catalogue of types, the notices themselves (English
and French texts), who received each one and whether they read it, and one email
delivery row per (notice, person) that is emailed.

A notice never changes once sent: the recipients' rows copy its display date so that
"my notices, newest first" is one index range scan (see ``NoticeRecipient``).
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def searchable(text: str) -> str:
    """Text as the subject search compares it: lower case, without accents, single
    spaces ("Demande d'accès" → "demande d'acces")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _in_current_language(english: str, french: str) -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return french if language.startswith("fr") else english


class NoticeType(models.Model):
    """One entry of the catalogue, e.g. *Changes to delegation – Pending access*.

    ``audience`` says which employees of the business concerned receive a notice of this
    type when it is sent to a business rather than to one person
    (``notices.audience.business_notice_recipients``). Types with ``system`` set have
    their texts in templates (``templates/notices/system/<code>_subject.txt`` and
    ``_body.txt``); the others are written by CBSA staff.
    """

    class Audience(models.TextChoices):
        EMPLOYEES = "employees", _("Every employee who may see the account")
        MANAGERS = "managers", _("Business and program account managers")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label_en = models.CharField(_("English label"), max_length=150)
    label_fr = models.CharField(_("French label"), max_length=150)
    audience = models.CharField(
        _("audience within a business"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.EMPLOYEES,
    )
    system = models.BooleanField(
        _("sent by the system"),
        default=False,
        help_text=_("Its texts come from templates; staff cannot compose notices of this type."),
    )

    class Meta:
        verbose_name = _("notice type")
        verbose_name_plural = _("notice types")
        ordering = ["label_en"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audience__in=["employees", "managers"]),
                name="notice_type_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_current_language(self.label_en, self.label_fr)


class Notice(models.Model):
    """A notice in English and French, from the system or from CBSA staff (NOTE-4)."""

    type = models.ForeignKey(
        NoticeType, on_delete=models.PROTECT, related_name="notices", verbose_name=_("type")
    )
    subject_en = models.CharField(_("English subject"), max_length=200)
    subject_fr = models.CharField(_("French subject"), max_length=200)
    body_en = models.TextField(_("English text"))
    body_fr = models.TextField(_("French text"))
    # The subjects as the search compares them (``searchable``), written when sent.
    search_en = models.CharField(max_length=200, editable=False)
    search_fr = models.CharField(max_length=200, editable=False)
    business = models.ForeignKey(
        "business.Business",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("business"),
    )
    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("program account"),
    )
    # What the list shows (NOTE-2): the program account (549132583RM0001), else the
    # business number, copied at sending time.
    account_number = models.CharField(_("account number"), max_length=15, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    display_date = models.DateField(_("display date"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
        help_text=_("The CBSA staff member who wrote it; empty for system notices."),
    )
    # Who it went to, in words, for staff (e.g. "businesses: 3"); the rows are the truth.
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    # Sending twice with the same reference sends once (admin form, operator command).
    reference = models.CharField(
        _("reference"), max_length=80, null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-display_date", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="notice_created")]

    def __str__(self) -> str:
        return self.subject_en

    @property
    def subject(self) -> str:
        return _in_current_language(self.subject_en, self.subject_fr)

    @property
    def body(self) -> str:
        return _in_current_language(self.body_en, self.body_fr)

    def subject_in(self, language: str) -> str:
        return self.subject_fr if language == "fr" else self.subject_en


class NoticeRecipient(models.Model):
    """A person who received a notice, and when they first opened it (NOTE-3).

    ``display_date``, ``type``, ``account_number`` and the searchable subject repeat the
    notice's (which never changes) so that the list page (NOTE-2) reads one index:
    ``(user, display_date DESC, notice DESC)`` serves the date range, the order and the
    page, and the type, account and word filters need no join (a search of 100,000
    notices read 28,000 notices one by one: 130 ms; now 10 ms, bench/pages.py); a second
    index on the same key includes what the filters compare, so that a filtered list
    reads no rows at all; the partial index on unread rows serves the bell's count
    (HOME-1).
    """

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("notice")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices_received",
        verbose_name=_("person"),
    )
    display_date = models.DateField(_("display date"))
    # The notice's type, checked there (no second foreign-key check per row here).
    type = models.ForeignKey(
        NoticeType,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("type"),
    )
    account_number = models.CharField(_("account number"), max_length=15, blank=True)
    # The notice's searchable subject (Notice.search_en / search_fr), so that a search of
    # the list filters the rows of the person's date range without reading each notice.
    search_en = models.CharField(max_length=200, editable=False, blank=True, db_default="")
    search_fr = models.CharField(max_length=200, editable=False, blank=True, db_default="")
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_recipient_unique"),
        ]
        indexes = [
            models.Index(
                "user",
                models.F("display_date").desc(),
                models.F("notice").desc(),
                name="notice_recipient_list",
            ),
            # The same key holding what the filters compare (type, account, words): a
            # filtered list and its count read this index alone, never the rows (a search
            # matching nothing in seven months of the busiest person: 16.5 ms → 5 ms).
            # The plain list keeps the narrow index above (its count reads half as much).
            models.Index(
                "user",
                models.F("display_date").desc(),
                models.F("notice").desc(),
                include=["type", "account_number", "search_en", "search_fr"],
                name="notice_recipient_filter",
            ),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notice_recipient_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.user_id}"


class NoticeDelivery(models.Model):
    """One email about one notice to one person (NOTE-4).

    Created with the notice for those who get emails (subscribed, or the notice is
    urgent). The unique pair and the guarded state changes in ``notices.services`` make
    sure the email goes out at most once, however many times a task runs.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notice")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_deliveries",
        verbose_name=_("person"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the row needs attention next. Pending: not before this time (retry backoff).
    # Sending: the end of the attempt's lease; a row still sending after it was
    # interrupted, and is never sent again (at most once).
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("notice email")
        verbose_name_plural = _("notice emails")
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_delivery_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "sending", "sent", "failed"]),
                name="notice_delivery_state_valid",
            ),
        ]
        indexes = [
            # The periodic task's search for rows left behind.
            models.Index(
                fields=["state", "due_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="notice_delivery_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.user_id} ({self.state})"
