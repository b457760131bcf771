"""The payment processor's webhook (FIN-6, ADR 0018): outside the language prefix, no
session, no CSRF token: the processor signs what it sends."""

from django.urls import path

from finance import views

app_name = "processor"

urlpatterns = [path("webhook", views.processor_webhook, name="webhook")]
