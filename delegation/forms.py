"""Delegation forms: crispy with the gcds pack; fields a person may not set are never
taken from the request (X-4)."""

from __future__ import annotations

# --- Employees (DELEG-1) -------------------------------------------------------------------


# --- end of employees ---------------------------------------------------------------------


# --- Relationships, assignments, client groups ---------------------------------------------


# --- end of relationships -----------------------------------------------------------------
