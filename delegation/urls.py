"""Configure my portal (SPEC HOME-4): employees, business relationships, client groups,
delegation history."""

from django.urls import path  # noqa: F401

from delegation import views  # noqa: F401

app_name = "delegation"

urlpatterns = [
    # --- employees (DELEG-1) and the delegation history (DELEG-6)
    path("employees/", views.employees, name="employees"),
    path(
        "employees/requests/approve/",
        views.employees_bulk_approve,
        name="employees_bulk_approve",
    ),
    path("employees/requests/<int:pk>/", views.employee_request, name="employee_request"),
    path("employees/requests/<int:pk>/approve/", views.employee_approve, name="employee_approve"),
    path("employees/requests/<int:pk>/reject/", views.employee_reject, name="employee_reject"),
    path("employees/<int:pk>/", views.employee_change, name="employee_change"),
    path("employees/<int:pk>/remove/", views.employee_remove, name="employee_remove"),
    path("history/", views.history, name="history"),
    path("history/csv/", views.history_csv, name="history_csv"),
    # --- end of employees
    # --- relationships (DELEG-2), assignments and client groups (DELEG-4, DELEG-5)
    # --- end of relationships
]
