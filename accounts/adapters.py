"""allauth customised through its adapter (STYLE 12), not by patching."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation

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

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ):
        """allauth's messages in the language of the page they appear on (SPEC X-1).

        The sign-in message is shown on the page after the sign-in, which opens in the
        person's preferred language (``accounts.views.after_sign_in``), whatever the
        language of the sign-in form; the others appear on a page of the request's own
        language.
        """
        user = getattr(request, "user", None)
        language = translation.get_language()
        if message_template == "account/messages/logged_in.txt" and user is not None:
            language = getattr(user, "preferred_language", "") or language
        with translation.override(language):
            return super().add_message(
                request,
                level,
                message_template=message_template,
                message_context=message_context,
                extra_tags=extra_tags,
                message=message,
            )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails in the recipient's language (SPEC X-1): the person's
        preferred language when the address is theirs, else the page's. (None is sent
        today: no email sign-up, verification, reset or security notifications; this
        keeps any allauth turns on later in the right language.)"""
        from accounts.models import User

        user = User.objects.filter(email__iexact=email).only("preferred_language").first()
        language = (user.preferred_language if user else "") or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers=headers)
        message.extra_headers["Content-Language"] = f"{translation.get_language()}-CA"
        return message

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
