from django.urls import path

from rulings import views

app_name = "rulings"

urlpatterns = [
    path("", views.ruling_list, name="list"),
    path("published/", views.published, name="published"),
    path("new/", views.ruling_new, name="new"),
    path("<int:pk>/", views.ruling_detail, name="detail"),
    path("<int:pk>/context/", views.ruling_context, name="context"),
    path("<int:pk>/details/", views.ruling_details, name="details"),
    path("<int:pk>/attachments/", views.ruling_attachments, name="attachments"),
    path("<int:pk>/submit/", views.ruling_submit, name="submit"),
    path("<int:pk>/withdraw/", views.ruling_withdraw, name="withdraw"),
    path("<int:pk>/answer/", views.ruling_answer, name="answer"),
    path("<int:pk>/change/", views.ruling_request_change, name="request_change"),
]
