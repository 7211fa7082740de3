"""The team's time report across engagements, mounted at /time/."""

from django.urls import path

from cairn.onboarding import time_views

urlpatterns = [
    path("", time_views.time_report, name="time_report"),
]
