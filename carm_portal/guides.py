"""Resources (SPEC RES-1): the user guides, the instructional videos and the figures the
help pages quote.

The guides and the FAQ quote the portal's rules from the code that enforces them (upload
limits, statement dates, the rulings service standard…), so the help never says one
thing while the portal does another.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The user guides of the seed guide, one page each, in the order of the portal's tiles.
GUIDES = {
    "delegation": _("Trade chain partner user guide - Delegation of authority"),
    "financial": _(
        "Trade chain partner user guide - Financial information and tools in the CARM Client Portal"
    ),
    "documents": _("Trade chain partner user guide - Uploading documents"),
    "rulings": _("Trade chain partner user guide - Rulings management"),
}

# The guide a tile's landing page points to ("To learn more, see the following guide").
TILE_GUIDES = {
    "configure": "delegation",
    "financial": "financial",
    "payments": "financial",
    "declarations": "financial",
    "rulings": "rulings",
}

# The step-by-step videos the seed guide names; the CBSA publishes them on its site.
VIDEOS = [
    _("How to create sign-in credentials in the CARM Client Portal"),
    _("How to link a user account to a business account"),
    _("How to use the duties and taxes calculator in the CARM Client Portal"),
    _("Understanding ruling statuses in the CARM Client Portal"),
    _("How to submit a ruling request in the CARM Client Portal"),
]


def facts() -> dict:
    """The figures the help pages quote, read from where the portal enforces them."""
    from delegation.services import RELATIONSHIP_EXPIRY_DAYS
    from documents.filetypes import ALLOWED_EXTENSIONS
    from finance.calendar import DUE_BUSINESS_DAYS, ISSUE_DAY, PERIOD_END_DAY
    from finance.selectors import SECURITY_MAXIMUM, SECURITY_MINIMUM
    from rulings.models import SERVICE_STANDARD_DAYS, Ruling

    return {
        "max_size_mb": settings.DOCUMENT_MAX_FILE_SIZE // (1024 * 1024),
        "max_files": settings.DOCUMENT_MAX_FILES,
        "extensions": ", ".join(ALLOWED_EXTENSIONS),
        "issue_day": ISSUE_DAY,
        "period_start_day": PERIOD_END_DAY + 1,
        "period_end_day": PERIOD_END_DAY,
        "due_business_days": DUE_BUSINESS_DAYS,
        "security_minimum": SECURITY_MINIMUM,
        "security_maximum": SECURITY_MAXIMUM,
        "service_standard_days": SERVICE_STANDARD_DAYS,
        "ruling_kinds": Ruling.Kind.labels,
        "relationship_expiry_days": RELATIONSHIP_EXPIRY_DAYS,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
