"""The portal's public pages, under the language prefix (``/en/``, ``/fr/``)."""

from django.urls import path

from carm_portal import views

app_name = "portal"


def page(route: str, name: str):
    return path(route, views.PublicPage.as_view(template_name=f"portal/{name}.html"), name=name)


urlpatterns = [
    page("", "landing"),
    page("access/", "access"),
    page("sign-in-partners/", "partners"),
    page("onboarding/", "onboarding"),
    page("bulletins/", "bulletins"),
    page("customs-brokers/", "brokers"),
    page("open-api/", "api_catalogue"),
    path("faq/", views.HelpPage.as_view(template_name="portal/faq.html"), name="faq"),
    path("resources/", views.resources, name="resources"),
    path("resources/guides/<slug:slug>/", views.guide, name="guide"),
    page("contact/", "contact"),
    path("language/", views.language_toggle, name="language"),
    path("session/extend/", views.session_extend, name="session_extend"),
]
