"""Public pages (SPEC SIGN-1, SIGN-2, RES-1), the language toggle, session keep-alive
and the health endpoint."""

import contextlib
import ipaddress
import os
import sys

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
from django.template import loader
from django.templatetags.static import static
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
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


def _metrics_allowed(request) -> bool:
    """Scrapers on the operators' networks only, never through a proxy: a request that
    came through the ingress carries a forwarding header, which TrustedProxyMiddleware
    records as ``carm.forwarded`` before it drops or rewrites it (docs/operations.md)."""
    forwarding = ("carm.forwarded", "HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
    if any(request.META.get(header) for header in forwarding):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics (OPS-4, ``carm_portal.metrics``); 404 to anyone else."""
    if not _metrics_allowed(request):
        raise Http404
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    from carm_portal.metrics import COLLECTOR

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # gunicorn's workers, summed
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(COLLECTOR)
    else:
        registry = REGISTRY
        with contextlib.suppress(ValueError):  # already registered
            REGISTRY.register(COLLECTOR)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


# Exceptions that mean a back-end is out of reach, not a bug: the person is asked to try
# again (a bilingual 503), counted for the metrics, and nothing was half-written (every
# write is one transaction, which PostgreSQL rolled back).
def _outage(exc: BaseException | None):
    import redis
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    from carm_portal.metrics import CACHE_ERRORS, DATABASE_ERRORS

    if isinstance(exc, (OperationalError, InterfaceError)):
        return DATABASE_ERRORS
    if isinstance(
        exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, BrokerError)
    ):
        return CACHE_ERRORS
    return None


def _try_again_page():
    response = HttpResponse(
        loader.get_template("503.html").render({}), status=503, content_type="text/html"
    )
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception, *args, **kwargs):
    """handler400: the session could not be saved because PostgreSQL broke off (Django
    reports it as an interrupted session, a 400): the try-again page, as for a 500."""
    from django.contrib.sessions.exceptions import SessionInterrupted

    cause = exception
    while cause is not None and isinstance(exception, SessionInterrupted):
        counter = _outage(cause)
        if counter is not None:
            counter.labels(type(cause).__name__).inc()
            return _try_again_page()
        cause = cause.__cause__ or cause.__context__
    return defaults.bad_request(request, exception, *args, **kwargs)


def server_error(request, *args, **kwargs):
    """handler500: a back-end outage gets the bilingual "try again" page (503, SEC-5,
    OPS-4) rendered without touching the database; anything else the 500 page."""
    exc = sys.exc_info()[1]
    counter = _outage(exc)
    if counter is None:
        return defaults.server_error(request, *args, **kwargs)
    counter.labels(type(exc).__name__).inc()
    return _try_again_page()
