"""The documents of a ruling request's case (DOC-1, RUL-2), through the documents area:
``documents.selectors.case_documents(business=, case_number=)`` and the upload page
``documents:upload?case=<case number>``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from documents.selectors import case_documents as documents_of_case
from rulings.models import Ruling


def upload_url(ruling: Ruling) -> str:
    """The upload page with the case number filled in."""
    return f"{reverse('documents:upload')}?{urlencode({'case': ruling.case_number})}"


def case_documents(ruling: Ruling) -> list:
    """The documents uploaded for the request's case, with their scan state."""
    return list(documents_of_case(business=ruling.business, case_number=ruling.case_number))
