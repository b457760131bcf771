"""Who works for which business, in which role (SPEC DELEG-0)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carm_portal.workflow import TransitionNotAllowed, transition

# The one workflow exception (carm_portal.workflow), under the name delegation code uses.
TransitionError = TransitionNotAllowed


class Employment(models.Model):
    """A person's link to a business: role, optional program-account scope, status."""

    class Role(models.TextChoices):
        BUSINESS_ACCOUNT_MANAGER = "bam", _("Business Account Manager")
        PROGRAM_ACCOUNT_MANAGER = "pam", _("Program Account Manager")
        EDITOR = "editor", _("Editor")
        READER = "reader", _("Reader")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        REMOVED = "removed", _("Removed")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="employments",
        verbose_name=_("person"),
    )
    business = models.ForeignKey(
        "business.Business",
        on_delete=models.CASCADE,
        related_name="employments",
        verbose_name=_("business"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.READER)
    program_accounts = models.ManyToManyField(
        "business.ProgramAccount",
        blank=True,
        related_name="employments",
        verbose_name=_("program accounts"),
        help_text=_("Empty means every program account of the business."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # The requester's reason (SPEC LINK-2), shown to the managers who answer it.
    comment = models.TextField(_("reason for the request"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            # One open link (pending or active) per person and business.
            models.UniqueConstraint(
                fields=["user", "business"],
                condition=models.Q(status__in=["pending", "active"]),
                name="employment_one_open_per_user_business",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["bam", "pam", "editor", "reader"]),
                name="employment_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["pending", "active", "rejected", "removed", "cancelled"]
                ),
                name="employment_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["business", "status"], name="employment_business_status")]

    def __str__(self) -> str:
        return f"{self.user} — {self.business} ({self.get_role_display()})"

    # --- guarded transitions (STYLE 2, DELEG-1); services lock, save, audit and notify ----
    def _check_not_self(self, by) -> None:
        if by is not None and by.pk == self.user_id:
            raise TransitionError(self, "answer", "nobody answers their own access request")

    @transition(sources=[Status.PENDING], target=Status.ACTIVE)
    def approve(self, *, role: str, by) -> None:
        """A pending request becomes an active employment in ``role``."""
        if role not in self.Role.values:
            raise TransitionError(self, "approve", "unknown role")
        self._check_not_self(by)
        self.role = role

    @transition(sources=[Status.PENDING], target=Status.REJECTED)
    def reject(self, *, by) -> None:
        self._check_not_self(by)

    @transition(sources=[Status.ACTIVE], target=None)
    def change_role(self, *, role: str) -> None:
        if role not in self.Role.values:
            raise TransitionError(self, "change_role", "unknown role")
        self.role = role

    @transition(sources=[Status.ACTIVE], target=Status.REMOVED)
    def remove(self) -> None:
        """The employee's access ends on their next request."""


class Relationship(models.Model):
    """A service provider's access to a client's business (SPEC DELEG-2).

    The provider (a business holding a customs-broker or third-party program account)
    asks; the client's managers answer and choose the kind. Rows are never deleted: the
    ended, rejected and expired ones are the history.
    """

    class Kind(models.TextChoices):
        BUSINESS = "business", _("Business management")
        PROGRAM = "program", _("Program management")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        ENDED = "ended", _("Ended")
        EXPIRED = "expired", _("Expired")

    OPEN = (Status.PENDING, Status.ACTIVE)
    # Named rather than "not open": a list of them reads the status's index entries.
    CLOSED = (Status.REJECTED, Status.ENDED, Status.EXPIRED)

    provider = models.ForeignKey(
        "business.Business",
        on_delete=models.CASCADE,
        related_name="client_relationships",
        verbose_name=_("service provider"),
    )
    client = models.ForeignKey(
        "business.Business",
        on_delete=models.CASCADE,
        related_name="provider_relationships",
        verbose_name=_("client"),
    )
    # The client's legal name, kept beside its id so that a provider's clients page by
    # name through one index (``relationship_provider_clients``): page 100 of a broker's
    # 5,000 clients read and sorted every client (10 ms); now 2,500 index entries. Set
    # when the relationship is made; ``delegation.signals`` follows the business's renames.
    client_name = models.CharField(
        _("client's legal name"), max_length=175, blank=True, editable=False, db_default=""
    )
    kind = models.CharField(_("relationship type"), max_length=10, choices=Kind.choices, blank=True)
    program_accounts = models.ManyToManyField(
        "business.ProgramAccount",
        blank=True,
        related_name="provider_relationships",
        verbose_name=_("program accounts"),
        help_text=_("Program management only: the client's program accounts delegated."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    comment = models.TextField(_("message to the client"), max_length=1000, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("business relationship")
        verbose_name_plural = _("business relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "client"],
                condition=models.Q(status__in=["pending", "active"]),
                name="relationship_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("client")),
                name="relationship_not_with_itself",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["pending", "active", "rejected", "ended", "expired"]
                ),
                name="relationship_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["", "business", "program"]),
                name="relationship_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active", kind=""),
                name="relationship_active_has_kind",
            ),
        ]
        indexes = [
            # A provider's relationships of one status, by client name (DELEG-2, DELEG-4).
            models.Index(
                fields=["provider", "status", "client_name", "client"],
                name="relationship_provider_clients",
            ),
            models.Index(fields=["client", "status"], name="relationship_client_status"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.client} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.client_name:
            self.client_name = self.client.legal_name
        super().save(*args, **kwargs)

    # --- guarded transitions (STYLE 2); services save and audit -------------------------
    @transition(sources=[Status.PENDING], target=Status.ACTIVE)
    def approve(self, *, kind: str, by, at) -> None:
        if kind not in self.Kind.values:
            raise TransitionError(self, "approve", "unknown relationship type")
        self.kind, self.answered_by, self.answered_at = kind, by, at

    @transition(sources=[Status.PENDING], target=Status.REJECTED)
    def reject(self, *, reason: str, by, at) -> None:
        self.reason, self.answered_by, self.answered_at = reason, by, at

    @transition(sources=[Status.PENDING, Status.ACTIVE], target=Status.ENDED)
    def end(self, *, by, at) -> None:
        self.ended_by, self.ended_at = by, at

    @transition(sources=[Status.PENDING], target=Status.EXPIRED)
    def expire(self, *, at) -> None:
        self.ended_at = at


class ClientAssignment(models.Model):
    """A service provider's employee assigned to one of its clients (DELEG-4)."""

    employment = models.ForeignKey(
        Employment,
        on_delete=models.CASCADE,
        related_name="client_assignments",
        verbose_name=_("employee"),
    )
    client = models.ForeignKey(
        "business.Business",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    # DELEG-1, DELEG-4: « certains clients/comptes »: none chosen, every program account
    # the relationship covers; else only these (within what the relationship covers).
    program_accounts = models.ManyToManyField(
        "business.ProgramAccount",
        blank=True,
        related_name="+",
        verbose_name=_("program accounts"),
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("client assignment")
        verbose_name_plural = _("client assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["employment", "client"], name="client_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employment.user} → {self.client}"


class ClientGroup(models.Model):
    """A service provider's named set of clients and employees (DELEG-5): the employees
    of a group act for every client of the group. A deleted group keeps its row (and so
    its name, which may not be reused)."""

    provider = models.ForeignKey(
        "business.Business",
        on_delete=models.CASCADE,
        related_name="client_groups",
        verbose_name=_("service provider"),
    )
    name = models.CharField(_("group name"), max_length=60)
    clients = models.ManyToManyField(
        "business.Business", blank=True, related_name="+", verbose_name=_("clients")
    )
    members = models.ManyToManyField(
        Employment, blank=True, related_name="client_groups", verbose_name=_("employees")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("client group")
        verbose_name_plural = _("client groups")
        constraints = [
            # Unconditional: a deleted group's name stays taken (DELEG-5).
            models.UniqueConstraint(
                models.functions.Lower("name"), "provider", name="client_group_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name
