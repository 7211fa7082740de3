"""Phase 2 pages, mounted under /engagements/<engagement_pk>/."""

from django.urls import path

from cairn.commitment import meeting_views, raci_views, views

urlpatterns = [
    path("stakeholders/", views.stakeholders, name="commitment_stakeholders"),
    path("stakeholders/new/", views.stakeholder_form, name="commitment_stakeholder_create"),
    path(
        "stakeholders/<int:stakeholder_pk>/", views.stakeholder_form,
        name="commitment_stakeholder_edit",
    ),
    path(
        "stakeholders/<int:stakeholder_pk>/place/", views.stakeholder_place,
        name="commitment_stakeholder_place",
    ),
    path(
        "stakeholders/<int:stakeholder_pk>/contact/", views.stakeholder_contact,
        name="commitment_stakeholder_contact",
    ),
    path(
        "stakeholders/<int:stakeholder_pk>/delete/", views.stakeholder_delete,
        name="commitment_stakeholder_delete",
    ),
    path("raci/", raci_views.raci, name="commitment_raci"),
    path("raci/activities/new/", raci_views.raci_activity_add, name="commitment_raci_add"),
    path("raci/seed/", raci_views.raci_seed, name="commitment_raci_seed"),
    path(
        "raci/activities/<int:activity_pk>/cell/", raci_views.raci_cell,
        name="commitment_raci_cell",
    ),
    path(
        "raci/activities/<int:activity_pk>/rename/", raci_views.raci_activity_rename,
        name="commitment_raci_rename",
    ),
    path(
        "raci/activities/<int:activity_pk>/delete/", raci_views.raci_activity_delete,
        name="commitment_raci_delete",
    ),
    path("raci/people/", raci_views.raci_member_add, name="commitment_raci_member_add"),
    path(
        "raci/people/<int:member_pk>/delete/", raci_views.raci_member_remove,
        name="commitment_raci_member_remove",
    ),
    path("first-meeting/", meeting_views.meeting, name="commitment_meeting"),
    path("first-meeting/plan/", meeting_views.meeting_plan, name="commitment_meeting_plan"),
    path("first-meeting/held/", meeting_views.meeting_held, name="commitment_meeting_held"),
    path(
        "first-meeting/next-steps/", meeting_views.meeting_next_step,
        name="commitment_meeting_next_step",
    ),
]
