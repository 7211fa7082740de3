from django.urls import path

from cairn.health.trust import trust_views

urlpatterns = [
    path("", trust_views.trust, name="trust"),
    path("run/", trust_views.run, name="trust_run"),
    path("suggestions/<int:pk>/apply/", trust_views.apply, name="trust_apply"),
    path("suggestions/<int:pk>/dismiss/", trust_views.dismiss, name="trust_dismiss"),
]
