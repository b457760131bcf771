"""The audit trail shared by every area of the portal (STYLE 11, DELEG-6).

One row per state-changing action: who, acting for which business, what, before/after,
when and from where. Rows are never updated or deleted by the portal. They never hold
passwords, recovery answers, codes or session keys.

Services write them from an ``AuditContext`` (``carm_portal.audit``), which ``@requires``
builds from the request. The fields mean the same thing in every area:

- ``actor``: the person who acted (``None`` for a task, a command or an anonymous visitor);
- ``subject``: what the entry is about when it is not a business (a case number, a
  program account's reference), or the username tried by a failed sign-in;
- ``business``: the business whose person acted: their own business, or the service
  provider when a provider's employee acts for a client; for CBSA staff (the admin), the
  business concerned;
- ``acting_for``: the client a service provider's employee acted for; in a delegation
  change between two businesses (a relationship, a client assignment) made by one of
  them, the other party. Empty when a business acts on its own affairs;
- ``changes``: what changed (before/after, counts, ids), never a secret;
- ``ip_address`` and ``request_id``: where from, and the request's log lines (empty for
  tasks and commands).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # The username tried, for failures where no account matches (no other identity).
    subject = models.CharField(_("subject"), max_length=150, blank=True)
    business = models.ForeignKey(
        "business.Business",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business"),
    )
    acting_for = models.ForeignKey(
        "business.Business",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting for"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # SEC-9: ties the entry to the request's log lines ("" for tasks and commands).
    request_id = models.CharField(
        _("request id"), max_length=64, blank=True, default="", db_default="", db_index=True
    )

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="audit_actor_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
