"""Root URLconf: user pages under /en/ and /fr/; admin and health outside them."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from carm_portal import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # The open API: outside the language prefix; language from Accept-Language or ?lang.
    path("api/v1/", include("calculator.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("carm_portal.portal_urls")),
    path("account/", include("accounts.urls")),
    path("calculator/", include("calculator.urls")),
    prefix_default_language=True,
)
