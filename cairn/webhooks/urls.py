from django.urls import path

from cairn.webhooks import views

urlpatterns = [
    path("", views.endpoints, name="webhooks"),
    path("new/", views.endpoint_create, name="webhook_create"),
    path("events/", views.event_kinds, name="webhook_events"),
    path("history/", views.history, name="webhook_history"),
    path("<int:pk>/", views.endpoint, name="webhook_endpoint"),
    path("<int:pk>/edit/", views.endpoint_edit, name="webhook_edit"),
    path("<int:pk>/delete/", views.endpoint_delete, name="webhook_delete"),
    path("<int:pk>/rotate-secret/", views.endpoint_rotate, name="webhook_rotate"),
    path("<int:pk>/ping/", views.endpoint_ping, name="webhook_ping"),
    path("deliveries/<int:pk>/", views.delivery, name="webhook_delivery"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="webhook_replay"),
]
