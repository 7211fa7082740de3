from django.urls import path

from cairn.renewals import views

urlpatterns = [
    path("", views.renewals, name="renewals"),
    path("<int:pk>/", views.renewal, name="renewal"),
    path("<int:pk>/outcome/", views.renewal_outcome, name="renewal_outcome"),
    path("reasons/", views.reasons, name="churn_reasons"),
    path("reasons/<int:pk>/", views.reason_edit, name="churn_reason_edit"),
    path("reasons/<int:pk>/delete/", views.reason_delete, name="churn_reason_delete"),
]
