from django.urls import path

from cairn.playbooks import views

urlpatterns = [
    path("", views.playbook_list, name="playbooks"),
    path("<int:pk>/", views.playbook_detail, name="playbook"),
    path("<int:pk>/copy/", views.copy, name="playbook_copy"),
    path("<int:pk>/draft/", views.start_draft, name="playbook_start_draft"),
    path("<int:pk>/default/", views.make_default, name="playbook_make_default"),
    path("versions/<int:pk>/publish/", views.publish, name="playbook_publish"),
    path("versions/<int:pk>/discard/", views.discard, name="playbook_discard"),
    path("versions/<int:pk>/phases/", views.phase_add, name="playbook_phase_add"),
    path("phases/<int:pk>/", views.phase_edit, name="playbook_phase_edit"),
    path("phases/<int:pk>/remove/", views.phase_remove, name="playbook_phase_remove"),
    path("phases/<int:pk>/move/", views.phase_move, name="playbook_phase_move"),
    path("phases/<int:pk>/activities/", views.activity_add, name="playbook_activity_add"),
    path("activities/<int:pk>/", views.activity_edit, name="playbook_activity_edit"),
    path("activities/<int:pk>/remove/", views.activity_remove, name="playbook_activity_remove"),
    path("activities/<int:pk>/move/", views.activity_move, name="playbook_activity_move"),
    path("phases/<int:pk>/outputs/", views.output_add, name="playbook_output_add"),
    path("outputs/<int:pk>/", views.output_edit, name="playbook_output_edit"),
    path("outputs/<int:pk>/remove/", views.output_remove, name="playbook_output_remove"),
    path("outputs/<int:pk>/move/", views.output_move, name="playbook_output_move"),
]
