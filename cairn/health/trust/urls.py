from django.urls import path

from cairn.health.trust import learn_views, trust_views

urlpatterns = [
    path("", trust_views.trust, name="trust"),
    path("run/", trust_views.run, name="trust_run"),
    path("suggestions/<int:pk>/apply/", trust_views.apply, name="trust_apply"),
    path("suggestions/<int:pk>/dismiss/", trust_views.dismiss, name="trust_dismiss"),
    path("metrics/<slug:slug>/", learn_views.metric, name="trust_metric"),
    path("learn/", learn_views.learn, name="trust_learn"),
    path("learn/create/", learn_views.create, name="trust_learn_create"),
]
