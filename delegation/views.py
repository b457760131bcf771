"""Configure my portal (SPEC HOME-4): thin views over delegation.services; every view
declares its permission with ``delegation.access.requires``."""

from __future__ import annotations

# --- Employees (DELEG-1) and delegation history (DELEG-6) ---------------------------------


# --- end of employees ---------------------------------------------------------------------


# --- Relationships, assignments, client groups (DELEG-2, DELEG-4, DELEG-5) -----------------


# --- end of relationships -----------------------------------------------------------------
