"""The portal's URLs plus the benchmark's reference: a minimal signed-in page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from carm_portal.urls import urlpatterns as portal

urlpatterns = [
    path("en/bench/minimal/", login_required(lambda request: render(request, "base.html"))),
    *portal,
]
