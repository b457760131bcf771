"""Sign-In Partner pages a person reads, under the language prefix (/en/, /fr/)."""

from django.urls import path

from accounts import partner_views

app_name = "partner"

urlpatterns = [
    path("problem/<slug:reason>/", partner_views.partner_sign_in_failed, name="failed"),
]
