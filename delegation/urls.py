"""Configure my portal (SPEC HOME-4): employees, business relationships, client groups,
delegation history."""

from django.urls import path  # noqa: F401

from delegation import views  # noqa: F401

app_name = "delegation"

urlpatterns = [
    # --- employees (DELEG-1) and the delegation history (DELEG-6)
    # --- end of employees
    # --- relationships (DELEG-2), assignments and client groups (DELEG-4, DELEG-5)
    # --- end of relationships
]
