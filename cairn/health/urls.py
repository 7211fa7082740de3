from django.urls import include, path

from cairn.health import views

urlpatterns = [
    path("", views.overview, name="health"),
    path("recompute/", views.recompute, name="health_recompute"),
    path("scorecards/new/", views.scorecard_new, name="scorecard_new"),
    path("scorecards/preview/", views.scorecard_preview, name="scorecard_preview_new"),
    path("scorecards/<int:pk>/", views.scorecard_edit, name="scorecard_edit"),
    path("scorecards/<int:pk>/preview/", views.scorecard_preview, name="scorecard_preview"),
    path("scorecards/<int:pk>/delete/", views.scorecard_delete, name="scorecard_delete"),
    path("accounts/<int:pk>/", views.account_health, name="account_health"),
    path("trust/", include("cairn.health.trust.urls")),
]
