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
        # Enrolling the first second factor is part of onboarding, right after the
        # password was given (its recovery codes follow: the enrolment proved both).
        # Later changes (a passkey added...) need both factors proven in the last 10
        # minutes (SEC-4, accounts.reauth); allauth also accepts a re-authentication on
        # the "confirm it's you" page.
        if app == "allauth.mfa":
            from allauth.mfa.models import Authenticator

            from accounts import reauth

            user = self.request.user
            if user.is_authenticated and not Authenticator.objects.filter(user=user).exists():
                return False
            return not reauth.recently_proven(self.request)
        return super().is_reauthentication_required(app=app)

    def get_login_redirect_url(self, request):
        return reverse("accounts:after_sign_in")
