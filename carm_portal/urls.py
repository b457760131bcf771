"""Root URLconf: user pages under /en/ and /fr/; admin and health outside them."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts.urls import allauth_urlpatterns
from carm_portal import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include("carm_portal.portal_urls")),
    path("account/", include("accounts.urls")),
    path("account/", include(allauth_urlpatterns)),
    prefix_default_language=True,
)
