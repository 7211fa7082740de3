"""Value pages, mounted under /engagements/<engagement_pk>/value/."""

from django.urls import path

from cairn.value import views

urlpatterns = [
    path("", views.value_plan, name="value_plan"),
    path("items/new/", views.value_item_new, name="value_item_new"),
    path("items/<int:pk>/", views.value_item_edit, name="value_item_edit"),
    path("items/<int:pk>/delete/", views.value_item_delete, name="value_item_delete"),
    path("items/<int:pk>/send/", views.value_item_send, name="value_item_send"),
    path("on-track/", views.value_track, name="value_track"),
    path("changes/new/", views.value_change_new, name="value_change_new"),
    path("changes/<int:pk>/", views.value_change_edit, name="value_change_edit"),
    path("changes/<int:pk>/delete/", views.value_change_delete, name="value_change_delete"),
    path("activities/new/", views.value_activity_new, name="value_activity_new"),
    path("activities/<int:pk>/", views.value_activity_edit, name="value_activity_edit"),
    path("activities/<int:pk>/delete/", views.value_activity_delete, name="value_activity_delete"),
]
