"""allauth customised through its adapter (STYLE 12), not by patching."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from carm_portal.audit import audit_record


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # GCKey registration is our own wizard (accounts.views.RegistrationView).
        return False

    def login(self, request, user):
        # Keep the sign-in before this one for the welcome page (SPEC SIGN-6).
        user.previous_login = user.last_login
        user.save(update_fields=["previous_login"])
        super().login(request, user)
        audit_record(action="sign_in.succeeded", request=request, actor=user)

    def is_reauthentication_required(self, *, app: str = "") -> bool:
        # Enrolling the first second factor and seeing its recovery codes are part of
        # onboarding, right after the password was given; later changes to the second
        # factor ask for the password again.
        if app == "allauth.mfa":
            import datetime

            from allauth.mfa.models import Authenticator
            from django.utils import timezone

            user = self.request.user
            recent = timezone.now() - datetime.timedelta(minutes=10)
            if (
                user.is_authenticated
                and not Authenticator.objects.filter(user=user, created_at__lt=recent).exists()
            ):
                return False
        return super().is_reauthentication_required(app=app)

    def get_login_redirect_url(self, request):
        return reverse("accounts:after_sign_in")
