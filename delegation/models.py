"""Who works for which business, in which role (SPEC DELEG-0)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
