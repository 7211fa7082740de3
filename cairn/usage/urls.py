from django.urls import path

from cairn.usage import views

urlpatterns = [
    path("", views.events, name="usage"),
    path("batches/", views.batches, name="usage_batches"),
    path("quarantine/", views.quarantine, name="usage_quarantine"),
    path("quarantine/replay/", views.replay, name="usage_replay"),
    path("accounts/<int:pk>/panel/", views.account_panel, name="account_usage_panel"),
]
