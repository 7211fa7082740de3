from django.urls import path

from cairn.engagements import views

urlpatterns = [
    path("new/for/<int:account_pk>/", views.engagement_create, name="engagement_create"),
    path("<int:pk>/", views.engagement_detail, name="engagement"),
    path("<int:pk>/edit/", views.engagement_edit, name="engagement_edit"),
    path("<int:pk>/move/", views.move, name="engagement_move"),
    path("<int:pk>/status/", views.status_update, name="engagement_status"),
    path("<int:pk>/activities/<int:item_pk>/", views.activity_update, name="activity_update"),
    path("<int:pk>/activities/<int:item_pk>/row/", views.activity_row, name="activity_row"),
    path("<int:pk>/outputs/<int:item_pk>/", views.output_update, name="output_update"),
    path("<int:pk>/outcomes/new/", views.outcome_form, name="outcome_create"),
    path("<int:pk>/outcomes/<int:outcome_pk>/", views.outcome_form, name="outcome_edit"),
    path(
        "<int:pk>/outcomes/<int:outcome_pk>/delete/", views.outcome_delete, name="outcome_delete"
    ),
    path("<int:pk>/evaluations/open/", views.evaluation_open, name="evaluation_open"),
    path(
        "<int:pk>/evaluations/<int:evaluation_pk>/close/",
        views.evaluation_close,
        name="evaluation_close",
    ),
]
