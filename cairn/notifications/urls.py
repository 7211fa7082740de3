from django.urls import path

from cairn.notifications import views

urlpatterns = [
    path("", views.inbox, name="notifications"),
    path("count/", views.count, name="notification_count"),
    path("<int:pk>/open/", views.open_notification, name="notification_open"),
    path("read/", views.mark_read, name="notifications_read"),
    path("read-all/", views.mark_all_read, name="notifications_read_all"),
    path("preferences/", views.preferences, name="notification_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notification_unsubscribe"),
    path("templates/", views.templates, name="notification_templates"),
    path("templates/<int:pk>/", views.template, name="notification_template"),
    path("templates/<int:pk>/edit/", views.template_edit, name="notification_template_edit"),
]
