"""Configure my portal (SPEC HOME-4): employees, business relationships, client groups,
delegation history."""

from django.urls import path

from delegation import views

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
    # --- relationships (DELEG-2), assignments and client groups (DELEG-4, DELEG-5)
    path("relationships/", views.relationships, name="relationships"),
    path("relationships/request/", views.relationship_request, name="relationship_request"),
    path("relationships/<int:pk>/answer/", views.relationship_answer, name="relationship_answer"),
    path("relationships/<int:pk>/end/", views.relationship_end, name="relationship_end"),
    path(
        "relationships/<int:pk>/withdraw/",
        views.relationship_withdraw,
        name="relationship_withdraw",
    ),
    path("clients/", views.clients, name="clients"),
    path("clients/assign/", views.clients_assign, name="clients_assign"),
    path("clients/assignments/<int:pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path(
        "clients/assignments/<int:pk>/accounts/",
        views.assignment_accounts,
        name="assignment_accounts",
    ),
    path("client-groups/", views.client_groups, name="client_groups"),
    path("client-groups/<int:pk>/", views.client_group, name="client_group"),
    path("client-groups/<int:pk>/delete/", views.client_group_delete, name="client_group_delete"),
]
