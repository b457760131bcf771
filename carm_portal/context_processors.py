from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def portal(request):
    """What the base template needs on every page: the other language and its URL."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    other = "fr" if current.startswith("en") else "en"
    path = request.get_full_path()
    other_url = translate_url(path, other)
    if other_url == path:  # a page outside the language prefixes
        other_url = f"/{other}/"
    return {
        "other_language": other,
        "other_language_name": "Français" if other == "fr" else "English",
        "other_language_url": other_url,
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_warning_before": settings.SESSION_WARNING_BEFORE,
        "session_warning_minutes": max(1, settings.SESSION_WARNING_BEFORE // 60),
        "content_date_modified": settings.CONTENT_DATE_MODIFIED,
    }
