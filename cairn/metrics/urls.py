from django.urls import path

from cairn.metrics import views

urlpatterns = [
    path("", views.metric_list, name="metrics"),
    path("new/", views.metric_create, name="metric_create"),
    path("<int:pk>/", views.metric_edit, name="metric_edit"),
    path("<int:pk>/delete/", views.metric_delete, name="metric_delete"),
    path("accounts/<int:pk>/", views.account_page, name="account_metrics"),
]
