from django.urls import path

from cairn.automation import views

urlpatterns = [
    path("", views.rules, name="automation"),
    path("rules/new/", views.rule_new, name="automation_rule_new"),
    path("rules/<int:pk>/", views.rule, name="automation_rule"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="automation_rule_edit"),
    path("rules/<int:pk>/preview/", views.rule_preview, name="automation_rule_preview"),
    path("rules/<int:pk>/switch/", views.rule_switch, name="automation_rule_switch"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="automation_rule_delete"),
    path("log/", views.log, name="automation_log"),
    path("plays/", views.plays, name="automation_plays"),
    path("plays/new/", views.play_new, name="automation_play_new"),
    path("plays/<int:pk>/", views.play_edit, name="automation_play_edit"),
    path("plays/<int:pk>/delete/", views.play_delete, name="automation_play_delete"),
    path("accounts/<int:pk>/flags/", views.flag_new, name="account_flag_new"),
    path("flags/<int:pk>/clear/", views.flag_clear, name="account_flag_clear"),
]
