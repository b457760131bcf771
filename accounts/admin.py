from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import PartnerIdentity, SecretQuestions, SignInLock, User


class PartnerIdentityInline(admin.StackedInline):
    model = PartnerIdentity
    extra = 0
    can_delete = False
    readonly_fields = ("issuer", "subject", "created_at")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "credential_kind",
        "preferred_language",
        "is_active",
    )
    list_filter = ("is_active", "is_staff", "credential_kind", "preferred_language")
    readonly_fields = (
        "credential_kind",
        "previous_login",
        "profile_completed_at",
        "terms_acknowledged_at",
    )
    inlines = [PartnerIdentityInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Personal profile"),
            {
                "fields": (
                    "credential_kind",
                    "phone",
                    "phone_extension",
                    "email_notices",
                    "preferred_language",
                    "notice_language",
                    "profile_completed_at",
                    "terms_acknowledged_at",
                    "previous_login",
                )
            },
        ),
    )


@admin.register(SecretQuestions)
class SecretQuestionsAdmin(admin.ModelAdmin):
    """Staff see that questions exist and may lift a recovery lock; answers stay hashed."""

    list_display = ("user", "purpose", "question", "failed_attempts", "locked_until", "updated_at")
    list_filter = ("purpose",)
    search_fields = ("user__username",)
    fields = ("user", "purpose", "question", "failed_attempts", "locked_until")
    # The only change is the audited unlock (accounts.services.recovery_unlock).
    readonly_fields = fields
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Unlock password recovery"))
    def unlock(self, request, queryset):
        from accounts.services import recovery_unlock

        questions = list(queryset.select_related("user"))
        for found in questions:
            recovery_unlock(questions=found, request=request)
        self.message_user(
            request,
            ngettext(
                "The password recovery of %(count)d person was unlocked.",
                "The password recovery of %(count)d people was unlocked.",
                len(questions),
            )
            % {"count": len(questions)},
        )


@admin.register(SignInLock)
class SignInLockAdmin(admin.ModelAdmin):
    """AC-7 locks on usernames; deleting one unlocks sign-in at once."""

    list_display = ("username_key", "failures", "window_started_at", "locked_until")
    search_fields = ("username_key",)
    readonly_fields = ("username_key", "failures", "window_started_at", "locked_until")

    def has_add_permission(self, request):
        return False


# --- The second factor (SEC-2, SEC-4) ---------------------------------------------------
# allauth's own admin shows ``data`` (the secrets): replaced by one that never does, and
# whose only change is the reset of a person's second factor, audited with a notice.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__username",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    actions = ["reset_second_factor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_reset_permission(self, request):
        return request.user.has_perm("mfa.delete_authenticator")

    @admin.action(
        description=_("Reset the second factor of these people (they enrol again)"),
        permissions=["reset"],
    )
    def reset_second_factor(self, request, queryset):
        from accounts.services import second_factor_reset

        users = {authenticator.user for authenticator in queryset.select_related("user")}
        for user in users:
            second_factor_reset(user=user, request=request)
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d person was reset.",
                "The second factor of %(count)d people was reset.",
                len(users),
            )
            % {"count": len(users)},
        )
