"""URLconf used by the error-page tests: the real portal plus views that fail."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied
from django.urls import path

from carm_portal.urls import urlpatterns as portal_urlpatterns


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a failure of ours")


urlpatterns = [
    *portal_urlpatterns,
    *i18n_patterns(path("forbidden/", forbidden), path("broken/", broken)),
]
