from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with one credential and one personal profile (SPEC LINK-6, PROF-1)."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    class CredentialKind(models.TextChoices):
        GCKEY = "gckey", _("GCKey")
        PARTNER = "partner", _("Sign-In Partner")

    # Exactly one credential kind per account (SPEC SIGN-2, LINK-6).
    credential_kind = models.CharField(
        _("credential"),
        max_length=10,
        choices=CredentialKind.choices,
        default=CredentialKind.GCKEY,
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(preferred_language__in=["en", "fr"]),
                name="user_preferred_language_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(credential_kind__in=["gckey", "partner"]),
                name="user_credential_kind_valid",
            ),
        ]


class PartnerIdentity(models.Model):
    """A person who signs in through a Sign-In Partner (SPEC SIGN-3).

    Identified by the provider's issuer and the opaque subject identifier only: never by
    email, and no banking data is stored.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="partner_identity", verbose_name=_("user")
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject identifier"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in partner identity")
        verbose_name_plural = _("sign-in partner identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="partner_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject[:8]}…"
