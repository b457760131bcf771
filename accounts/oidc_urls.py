"""Sign-In Partner protocol endpoints, outside the language prefix (STYLE 6): the
provider knows one callback URL whatever the person's language."""

from django.urls import path

from accounts import partner_views

app_name = "oidc"

urlpatterns = [
    path("authenticate/", partner_views.PartnerSignInStartView.as_view(), name="authenticate"),
    path("callback/", partner_views.PartnerSignInCallbackView.as_view(), name="callback"),
]
