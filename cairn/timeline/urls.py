from django.urls import path

from cairn.timeline import views

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("accounts/<int:pk>/log/", views.log_on_account, name="account_log"),
    path("engagements/<int:pk>/log/", views.log_on_engagement, name="engagement_log"),
    path("engagements/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("accounts/<int:pk>/tasks/new/", views.account_task_create, name="account_task_create"),
    path("tasks/<int:pk>/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/toggle/", views.task_toggle, name="task_toggle"),
]
