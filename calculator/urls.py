"""The calculator's pages, under the language prefix; all need sign-in but the API
documentation."""

from django.urls import path

from calculator import api_docs, views

app_name = "calculator"

urlpatterns = [
    path("", views.customs, name="customs"),
    path("summary/", views.summary, name="summary"),
    path("start-over/", views.start_over, name="start_over"),
    path("classification/", views.classification, name="classification"),
    path("classification/choose/", views.choose, name="choose"),
    path("classification/browse/", views.browse, name="browse"),
    path("classification/browse/<str:code>/", views.browse, name="browse_node"),
    path("api/", api_docs.documentation, name="api_docs"),
]
