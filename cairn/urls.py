from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from cairn.api import api, unknown_path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", api.urls),
    # After the API's own paths: anything else under /api/ is a JSON 404, not an HTML page.
    re_path(r"^api/", unknown_path),
    path("import/", include("cairn.customers.import_urls")),
    path("", include("cairn.home.urls")),
    path("", include("cairn.customers.urls")),
    path("engagements/", include("cairn.engagements.urls")),
    path("engagements/<int:engagement_pk>/", include("cairn.preparation.urls")),
    path("engagements/<int:engagement_pk>/", include("cairn.commitment.urls")),
    path("engagements/<int:engagement_pk>/", include("cairn.proposals.urls")),
    path("engagements/<int:engagement_pk>/", include("cairn.onboarding.urls")),
    # The team's time report across engagements; booking time happens on each engagement.
    path("time/", include("cairn.onboarding.report_urls")),
    path("engagements/<int:engagement_pk>/", include("cairn.adoption.urls")),
    # Customer links: no account; each request carries its own secret (cairn.sharing).
    path("shared/", include("cairn.sharing.urls")),
    path("playbooks/", include("cairn.playbooks.urls")),
    path("documents/", include("cairn.documents.urls")),
    path("", include("cairn.timeline.urls")),
    path("people/", include("cairn.people.urls")),
    path("metrics/", include("cairn.metrics.urls")),
    path("usage/", include("cairn.usage.urls")),
    path("health/", include("cairn.health.urls")),
    path("forecast/", include("cairn.forecast.urls")),
    path("renewals/", include("cairn.renewals.urls")),
    path("engagements/<int:engagement_pk>/value/", include("cairn.value.urls")),
    path("retention/", include("cairn.retention.urls")),
    path("expansion/", include("cairn.expansion.urls")),
    path("reviews/", include("cairn.reviews.urls")),
    path("evaluation/", include("cairn.evaluation.urls")),
    path("jobs/", include("cairn.jobs.urls")),
    path("automation/", include("cairn.automation.urls")),
    path("notifications/", include("cairn.notifications.urls")),
    path("webhooks/", include("cairn.webhooks.urls")),
]

handler403 = "cairn.errors.forbidden"
handler404 = "cairn.errors.not_found"
