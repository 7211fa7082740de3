from django.urls import path

from cairn.jobs import views

urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("<int:pk>/run/", views.job_run, name="job_run"),
    path("<int:pk>/switch/", views.job_switch, name="job_switch"),
]
