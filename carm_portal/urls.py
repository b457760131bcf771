"""Root URLconf: user pages under /en/ and /fr/; admin, health, metrics and the Sign-In
Partner protocol endpoints (/oidc/) outside them."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts.urls import allauth_urlpatterns
from carm_portal import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Prometheus (OPS-4): operators' networks only, never routed by the public ingress.
    path("metrics", views.metrics, name="metrics"),
    path("oidc/", include("accounts.oidc_urls")),
    # The open API: outside the language prefix; language from Accept-Language or ?lang.
    path("api/v1/", include("calculator.api_urls")),
    # The payment processor's signed webhook (FIN-6): no session, no language.
    path("payments/processor/", include("finance.processor_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("carm_portal.portal_urls")),
    path("account/", include("accounts.urls")),
    path("account/", include(allauth_urlpatterns)),
    path("sign-in-partner/", include("accounts.partner_urls")),
    path("portal/", include("business.urls")),
    path("portal/configure/", include("delegation.urls")),
    path("calculator/", include("calculator.urls")),
    path("declarations/", include("calculator.declarations_urls")),
    path("notices/", include("notices.urls")),
    path("finance/", include("finance.urls")),
    path("documents/", include("documents.urls")),
    path("rulings/", include("rulings.urls")),
    prefix_default_language=True,
)

# A back-end out of reach: the bilingual "try again" page (503) instead of the 500 page.
handler500 = "carm_portal.views.server_error"
handler400 = "carm_portal.views.bad_request"
