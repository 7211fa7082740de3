from django.urls import path

from cairn.retention import views

urlpatterns = [
    path("", views.retention, name="retention"),
    path("export.csv", views.retention_csv, name="retention_csv"),
]
