"""The documents of a ruling request's case (DOC-1, RUL-2), through the documents area's
interface (issue 7): ``documents.selectors.case_documents(business=, case_number=)`` and
the upload page ``documents:upload?case=<case number>``.

TODO(documents): until the documents area lands on main, the page says that none are
attached and offers no upload link; afterwards both come from there.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from rulings.models import Ruling


def upload_available() -> bool:
    try:
        reverse("documents:upload")
    except NoReverseMatch:
        return False
    return True


def upload_url(ruling: Ruling) -> str | None:
    """The upload page with the case number filled in; None while it does not exist."""
    try:
        return f"{reverse('documents:upload')}?{urlencode({'case': ruling.case_number})}"
    except NoReverseMatch:
        return None


def case_documents(ruling: Ruling) -> list:
    """The documents uploaded for the request's case, with their scan state."""
    try:
        from documents.selectors import case_documents as documents_of_case
    except ImportError:
        return []
    return list(documents_of_case(business=ruling.business, case_number=ruling.case_number))
