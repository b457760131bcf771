"""Nothing else in the portal opens until onboarding is done (SPEC PROF-1, SIGN-7)."""

from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

from accounts import onboarding

# Pages a signed-in person may open before onboarding is done.
ALWAYS_OPEN = {
    "accounts:sign_out",
    "accounts:after_sign_in",
    "accounts:next_step",
    "accounts:welcome",
    "accounts:change_password",
    "accounts:change_recovery_questions",
    "accounts:revoke",
    "accounts:confirm_identity",
    "accounts:terms",
    "accounts:profile",
    "accounts:security_questions",
    "portal:language",
    "portal:session_extend",
    "healthz",
    "metrics",
    # The Sign-In Partner protocol and its refusal page (SPEC SIGN-3).
    "oidc:authenticate",
    "oidc:callback",
    "partner:failed",
}
OPEN_NAMESPACES = {"admin"}


class OnboardingGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.session.get(onboarding.DONE_KEY):
            target = self._required(request)
            if target:
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _required(request) -> str | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        name = match.view_name
        if name in ALWAYS_OPEN or match.namespace in OPEN_NAMESPACES:
            return None
        if name.startswith("mfa_"):  # second-factor enrolment and sign-in steps
            return None
        target = onboarding.next_url(request)
        if target and target == request.path:
            return None
        return target
