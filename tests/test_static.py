"""A lean first visit (issue 22; no SPEC id covers speed, X-2 for the styles the pages
need): the purged design-system CSS, long cache lifetimes for hashed static files under
WhiteNoise, and the favicon."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

ROOT = Path(__file__).resolve().parent.parent
UTILITY = ROOT / "static" / "vendor" / "gcds-utility.min.css"


@pytest.mark.spec("X-2")
def test_the_design_system_css_is_purged_but_keeps_its_tokens():
    if not UTILITY.exists():
        pytest.skip("front-end assets not built (make assets)")
    css = UTILITY.read_text()
    assert len(css.encode()) < 60_000, f"{len(css.encode()):,} bytes: is the purge still on?"
    # The design tokens (custom properties) and the base element styles stay.
    assert "--gcds-color-blue-900:" in css and "--gcds-font-families-body" in css
    assert re.search(r"(^|[},])body\s*\{", css)
    # The utility classes no template uses are gone.
    assert ".d-flex" not in css and ".mb-400" not in css


@pytest.mark.spec("X-2")
def test_the_favicon_is_linked_and_answered(db):
    client = Client()
    page = client.get("/en/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/img/favicon\.svg"', page)
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    assert (ROOT / "static" / "img" / "favicon.svg").exists()


@pytest.mark.spec("X-2")
def test_hashed_static_files_are_cached_for_a_long_time(tmp_path, settings):
    """Production's storage (manifest, hashed names) served by WhiteNoise: a year or
    more, immutable, for the hashed names; the page links to those names."""
    if not UTILITY.exists():
        pytest.skip("front-end assets not built (make assets)")
    from django.templatetags.static import static
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_KEEP_ONLY_HASHED_FILES = False
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._setup()  # the manifest just written
    hashed = static("vendor/gcds-utility.min.css")
    assert re.fullmatch(r"/static/vendor/gcds-utility\.min\.[0-9a-f]{12}\.css", hashed), hashed
    middleware = WhiteNoiseMiddleware(lambda request: None)
    response = middleware(RequestFactory().get(hashed))
    assert response.status_code == 200
    control = response["Cache-Control"]
    seconds = int(re.search(r"max-age=(\d+)", control).group(1))
    assert seconds >= 365 * 24 * 3600 and "immutable" in control, control
