"""Delegation writes (SPEC DELEG-1 … DELEG-6): atomic, keyword-only, audited, notified.

Sections: employees (DELEG-1), relationships (DELEG-2), client assignments and groups
(DELEG-4, DELEG-5).
"""

from __future__ import annotations

from django.db import transaction  # noqa: F401
from django.utils import timezone  # noqa: F401

from carm_portal.audit import audit_record  # noqa: F401
from delegation.models import Employment  # noqa: F401


class DelegationError(Exception):
    """A change the rules refuse; the message is translated and shown to the person."""


# --- Employees (DELEG-1) -------------------------------------------------------------------


# --- end of employees ---------------------------------------------------------------------


# --- Relationships (DELEG-2) ---------------------------------------------------------------


# --- end of relationships -----------------------------------------------------------------


# --- Client assignments and client groups (DELEG-4, DELEG-5) -------------------------------


# --- end of client assignments and client groups ------------------------------------------
