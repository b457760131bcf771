"""Public pages (SPEC SIGN-1, SIGN-2, RES-1), the language toggle, session keep-alive
and the health endpoint."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from carm_portal import guides, health
from carm_portal.audit import client_ip
from carm_portal.ratelimit import over_limit


class PublicPage(TemplateView):
    """A page anyone may read, without signing in."""


class HelpPage(PublicPage):
    """A public page that quotes the portal's rules (the FAQ): with their figures."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(facts=guides.facts(), **kwargs)


def resources(request):
    """Resources (RES-1): the user guides, the instructional videos and the FAQ."""
    listed = [{"slug": slug, "title": title} for slug, title in guides.GUIDES.items()]
    return render(request, "portal/resources.html", {"guides": listed, "videos": guides.VIDEOS})


def guide(request, slug: str):
    """One user guide (RES-1), with the figures the portal enforces."""
    if slug not in guides.GUIDES:
        raise Http404
    return render(
        request,
        f"portal/guides/{slug}.html",
        {"guide_title": guides.GUIDES[slug], "facts": guides.facts()},
    )


@require_POST
def language_toggle(request):
    """Switch language (SPEC X-1): back to the same page in the other language and,
    for a signed-in person, save it as their preferred language."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = f"/{language}/"
    next_url = translate_url(next_url, language)
    if request.user.is_authenticated and request.user.preferred_language != language:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_POST
@login_required
def session_extend(request):
    """The idle-timeout warning's "continue" button (AC-11): any request is activity, so
    answering is enough. Without JavaScript, the form posts here and returns the
    person to where they were."""
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        referer = "/"
    return HttpResponseRedirect(referer)


@never_cache
@require_GET
def healthz(request):
    """Database, Redis and ClamAV as JSON; 503 when a required one is down (SI-4).
    Throttled per address (SEC-6): each call touches every back-end. The cluster's probes
    (one every few seconds per node) stay far below the limit (ADR 0013)."""
    wait = over_limit("healthz", client_ip(request), limit=settings.HEALTHZ_PER_MINUTE, window=60)
    if wait:
        response = JsonResponse({"status": "throttled"}, status=429)
        response["Retry-After"] = str(wait)
        return response
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says: the portal's
    icon (its hashed, long-cached static name) instead of a 404."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
