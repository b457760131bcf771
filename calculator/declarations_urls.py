"""The commercial accounting declarations (SPEC DECL-1 … DECL-6), under the language
prefix: the « Déclarations » area, next to the duty calculator whose engine they use."""

from django.urls import path

from calculator import declarations_views as views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("export/", views.declaration_csv, name="export"),
    path("new/", views.declaration_new, name="new"),
    path("number/<str:number>/", views.declaration_by_number, name="by_number"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("<int:pk>/edit/", views.declaration_edit, name="edit"),
    path("<int:pk>/lines/", views.declaration_upload, name="upload"),
    path("<int:pk>/change/", views.declaration_change, name="change"),
    path("<int:pk>/cancel/", views.declaration_cancel, name="cancel"),
]
