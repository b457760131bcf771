"""Ruling requests (SPEC RUL-0 … RUL-3): what a business asks CBSA to rule on, its
status workflow as guarded transitions (STYLE 2), and the status history.

A request belongs to a business and one of its program accounts (the one current when
it was created). Its case number (10 digits, e.g. ``8000000683``) is issued from a
PostgreSQL sequence when the draft is first saved, so that documents can be attached to
the case before it is submitted (ADR 0012).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from carm_portal.workflow import TransitionNotAllowed, transition

SERVICE_STANDARD_DAYS = 120  # RUL-0
CASE_NUMBER_SEQUENCE = "rulings_case_number"


class Ruling(models.Model):
    class Kind(models.TextChoices):
        TARIFF_CLASSIFICATION = (
            "tariff_classification",
            _("Advance ruling – tariff classification"),
        )
        ORIGIN_FTA = "origin_fta", _("Advance ruling – origin under a free trade agreement")
        VALUATION = "valuation", _("National customs ruling – valuation")
        ORIGIN_NON_FTA = "origin_non_fta", _("National customs ruling – origin (non-FTA)")
        MARKING = "marking", _("National customs ruling – marking")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("Assigned")
        INFORMATION_REQUESTED = "information_requested", _("Additional information requested")
        DECISION_RENDERED = "decision_rendered", _("Decision rendered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Prior(models.TextChoices):
        NONE = "none", _("None")
        RULING = "ruling", _("A prior ruling")
        REVIEW = "review", _("A review")
        APPEAL = "appeal", _("An appeal")

    class TradeAgreement(models.TextChoices):
        CUSMA = "cusma", _("Canada-United States-Mexico Agreement (CUSMA)")
        CETA = "ceta", _("Canada-European Union Comprehensive Economic and Trade Agreement (CETA)")
        CPTPP = (
            "cptpp",
            _("Comprehensive and Progressive Agreement for Trans-Pacific Partnership (CPTPP)"),
        )
        CUKTCA = "cuktca", _("Canada-United Kingdom Trade Continuity Agreement (CUKTCA)")
        OTHER = "other", _("Another free trade agreement")

    class ValuationMethod(models.TextChoices):
        TRANSACTION = "transaction", _("Transaction value of the goods")
        IDENTICAL = "identical", _("Transaction value of identical goods")
        SIMILAR = "similar", _("Transaction value of similar goods")
        DEDUCTIVE = "deductive", _("Deductive value")
        COMPUTED = "computed", _("Computed value")
        RESIDUAL = "residual", _("Residual method")

    OPEN = (Status.SUBMITTED, Status.ASSIGNED, Status.INFORMATION_REQUESTED)
    CLOSED = (Status.DECISION_RENDERED, Status.WITHDRAWN)

    # Who and what it belongs to.
    business = models.ForeignKey(
        "business.Business",
        on_delete=models.PROTECT,
        related_name="rulings",
        verbose_name=_("business"),
    )
    program_account = models.ForeignKey(
        "business.ProgramAccount",
        on_delete=models.PROTECT,
        related_name="rulings",
        verbose_name=_("program account"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    case_number = models.CharField(_("case number"), max_length=10, unique=True, editable=False)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )

    # Step 1, context (RUL-2).
    port_of_entry = models.CharField(_("port of entry"), max_length=100)
    prior = models.CharField(
        _("prior ruling, review or appeal"), max_length=10, choices=Prior.choices
    )
    prior_reference = models.CharField(
        _("reference of the prior ruling, review or appeal"), max_length=30, blank=True
    )
    imported_before = models.BooleanField(_("imported before"))
    will_continue = models.BooleanField(_("will continue to import"))
    consent_to_publish = models.BooleanField(_("consent to publish"))

    # Step 2, details of the goods (RUL-2); each type uses its own fields
    # (``rulings.forms.DETAIL_FIELDS``).
    goods_description = models.TextField(_("description of the goods"), blank=True)
    composition = models.TextField(_("composition"), blank=True)
    function_and_use = models.TextField(_("function and use"), blank=True)
    proposed_classification = models.CharField(
        _("proposed classification number"), max_length=13, blank=True
    )
    classification_reasons = models.TextField(_("reasons for the classification"), blank=True)
    samples_available = models.BooleanField(_("samples available"), null=True, blank=True)
    trade_agreement = models.CharField(
        _("free trade agreement"), max_length=10, choices=TradeAgreement.choices, blank=True
    )
    country_of_origin = CountryField(_("country of origin"), blank=True)
    production_process = models.TextField(_("production process"), blank=True)
    materials = models.TextField(_("materials and their origin"), blank=True)
    origin_criterion = models.TextField(_("proposed origin criterion or rule"), blank=True)
    related_parties = models.BooleanField(_("buyer and seller related"), null=True, blank=True)
    valuation_method = models.CharField(
        _("proposed valuation method"), max_length=15, choices=ValuationMethod.choices, blank=True
    )
    valuation_question = models.TextField(_("valuation question"), blank=True)
    current_marking = models.TextField(_("current marking of the goods"), blank=True)
    marking_question = models.TextField(_("marking question"), blank=True)

    # Processing (RUL-3).
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    target_date = models.DateField(_("service standard target date"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_rulings",
        verbose_name=_("assigned to"),
    )
    decision_en = models.TextField(_("decision in English"), blank=True)
    decision_fr = models.TextField(_("decision in French"), blank=True)
    decided_at = models.DateTimeField(_("decision date"), null=True, blank=True)
    change_requested_at = models.DateTimeField(_("change requested"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ruling request")
        verbose_name_plural = _("ruling requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case_number__regex=r"^\d{10}$"),
                name="ruling_case_number_10_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "assigned",
                        "information_requested",
                        "decision_rendered",
                        "withdrawn",
                    ]
                ),
                name="ruling_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="ruling_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="decision_rendered")
                | (~models.Q(decision_en="") & ~models.Q(decision_fr="")),
                name="ruling_decision_both_languages",
            ),
        ]
        indexes = [
            models.Index(fields=["program_account", "-submitted_at"], name="ruling_account"),
            models.Index(fields=["status", "target_date"], name="ruling_queue"),
        ]

    def __str__(self) -> str:
        return self.case_number

    # --- What the pages show ------------------------------------------------------------

    @property
    def decision(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return self.decision_fr if language.startswith("fr") else self.decision_en

    @property
    def is_overdue(self) -> bool:
        """Still open after the 120-day service standard (RUL-0)."""
        return (
            self.status in self.OPEN
            and self.target_date is not None
            and self.target_date < timezone.localdate()
        )

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def can_withdraw(self) -> bool:
        return self.status in self.OPEN

    @property
    def can_answer(self) -> bool:
        return self.status == self.Status.INFORMATION_REQUESTED

    @property
    def can_request_change(self) -> bool:
        return self.status == self.Status.DECISION_RENDERED and self.change_requested_at is None

    # --- Transitions (STYLE 2) ----------------------------------------------------------
    # Each checks the source status (raising carm_portal.workflow.TransitionNotAllowed),
    # changes the request and writes the status history. ``rulings.services`` calls them
    # inside a transaction, on a row locked with SELECT … FOR UPDATE, then writes the
    # audit entry and sends the notice.

    def _move(
        self,
        *,
        target: str,
        actor,
        message: str = "",
        changes: dict | None = None,
    ) -> RulingEvent:
        """Called by a transition whose source state ``@transition`` has checked."""
        source, self.status = self.status, target
        self.save()
        event = RulingEvent.objects.create(
            ruling=self, from_status=source, to_status=target, actor=actor, message=message
        )
        # What the service writes in the audit entry (STYLE 11: services audit).
        event.audit_changes = {"from": source, "to": target, **(changes or {})}
        return event

    @transition(sources=[Status.DRAFT], target=Status.SUBMITTED)
    def submit(self, *, actor) -> RulingEvent:
        """Draft → Submitted; starts the 120-day service standard."""
        self.submitted_at = timezone.now()
        self.target_date = timezone.localdate(self.submitted_at) + datetime.timedelta(
            days=SERVICE_STANDARD_DAYS
        )
        return self._move(
            target=self.Status.SUBMITTED,
            actor=actor,
            changes={"target_date": self.target_date.isoformat()},
        )

    @transition(sources=[Status.SUBMITTED], target=Status.ASSIGNED, label=_("Assign"))
    def assign(self, *, actor, officer) -> RulingEvent:
        """Submitted → Assigned (CBSA staff), to ``officer``."""
        self.assigned_to = officer
        return self._move(
            target=self.Status.ASSIGNED,
            actor=actor,
            changes={"assigned_to": officer.pk},
        )

    @transition(
        sources=[Status.ASSIGNED],
        target=Status.INFORMATION_REQUESTED,
        label=_("Request information"),
    )
    def request_information(
        self,
        *,
        actor,
        message: str,
    ) -> RulingEvent:
        """Assigned → Additional information requested (CBSA staff), with a message."""
        if not message.strip():
            raise ValueError("a request for information needs a message")
        return self._move(
            target=self.Status.INFORMATION_REQUESTED,
            actor=actor,
            message=message.strip(),
        )

    @transition(sources=[Status.INFORMATION_REQUESTED], target=Status.ASSIGNED)
    def answer(self, *, actor, message: str) -> RulingEvent:
        """Additional information requested → Assigned (the requester answers)."""
        if not message.strip():
            raise ValueError("an answer needs a message")
        return self._move(
            target=self.Status.ASSIGNED,
            actor=actor,
            message=message.strip(),
        )

    @transition(
        sources=[Status.ASSIGNED], target=Status.DECISION_RENDERED, label=_("Render the decision")
    )
    def render_decision(
        self,
        *,
        actor,
        decision_en: str,
        decision_fr: str,
    ) -> RulingEvent:
        """Assigned → Decision rendered (CBSA staff); both languages required."""
        if not decision_en.strip() or not decision_fr.strip():
            raise ValueError("a decision is written in English and in French")
        self.decision_en, self.decision_fr = decision_en.strip(), decision_fr.strip()
        self.decided_at = timezone.now()
        return self._move(
            target=self.Status.DECISION_RENDERED,
            actor=actor,
        )

    @transition(sources=OPEN, target=Status.WITHDRAWN)
    def withdraw(self, *, actor) -> RulingEvent:
        """Submitted, Assigned or Additional information requested → Withdrawn, at the
        requester's request."""
        return self._move(
            target=self.Status.WITHDRAWN,
            actor=actor,
        )

    @transition(sources=[Status.DECISION_RENDERED], target=Status.DECISION_RENDERED)
    def request_change(
        self,
        *,
        actor,
        message: str,
    ) -> RulingEvent:
        """Only once the decision is rendered (RUL-2), once: the status stays *Decision
        rendered*; the history records the request and its message for CBSA staff."""
        if not self.can_request_change:
            raise TransitionNotAllowed(self, "request_change")
        if not message.strip():
            raise ValueError("a change request needs a message")
        self.change_requested_at = timezone.now()
        return self._move(
            target=self.Status.DECISION_RENDERED,
            actor=actor,
            message=message.strip(),
        )


class RulingEvent(models.Model):
    """One line of a request's status history: from, to, who, when, and the message that
    came with it (request for information, answer, change request). Never changed."""

    ruling = models.ForeignKey(
        Ruling, on_delete=models.CASCADE, related_name="events", verbose_name=_("ruling request")
    )
    from_status = models.CharField(
        _("from status"), max_length=30, choices=Ruling.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=30, choices=Ruling.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ruling_id}: {self.from_status} → {self.to_status}"

    @property
    def is_change_request(self) -> bool:
        return self.from_status == self.to_status == Ruling.Status.DECISION_RENDERED


# The fields of step 2 (details) for each type, with whether each is required before
# the request can be submitted (RUL-2). Forms, the detail page and the admin read this.
# Step 1 of a request (RUL-2): its context, the same fields for every type.
CONTEXT_FIELDS = (
    "kind",
    "port_of_entry",
    "prior",
    "prior_reference",
    "imported_before",
    "will_continue",
    "consent_to_publish",
)

DETAIL_FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    Ruling.Kind.TARIFF_CLASSIFICATION: (
        ("goods_description", True),
        ("composition", True),
        ("function_and_use", True),
        ("proposed_classification", True),
        ("classification_reasons", True),
        ("samples_available", True),
    ),
    Ruling.Kind.ORIGIN_FTA: (
        ("goods_description", True),
        ("trade_agreement", True),
        ("country_of_origin", True),
        ("materials", True),
        ("production_process", True),
        ("origin_criterion", True),
    ),
    Ruling.Kind.VALUATION: (
        ("goods_description", True),
        ("related_parties", True),
        ("valuation_method", True),
        ("valuation_question", True),
    ),
    Ruling.Kind.ORIGIN_NON_FTA: (
        ("goods_description", True),
        ("country_of_origin", True),
        ("materials", True),
        ("production_process", True),
    ),
    Ruling.Kind.MARKING: (
        ("goods_description", True),
        ("country_of_origin", True),
        ("current_marking", True),
        ("marking_question", True),
    ),
}

ALL_DETAIL_FIELDS = tuple(
    dict.fromkeys(name for fields in DETAIL_FIELDS.values() for name, _required in fields)
)
