from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("upload/", views.upload_details, name="upload"),
    path("upload/files/", views.upload_files, name="upload_files"),
    path("uploads/<int:pk>/", views.confirmation, name="confirmation"),
    path("<int:pk>/download/", views.download, name="download"),
]
