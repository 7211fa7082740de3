"""Onboarding tools, mounted under /engagements/<engagement_pk>/."""

from django.urls import path

from cairn.onboarding import signoff, time_views, views

urlpatterns = [
    path("onboarding/welcome-pack/", views.welcome_pack, name="onboarding_welcome_pack"),
    path("onboarding/welcome-pack/edit/", views.welcome_pack_edit, name="onboarding_welcome_pack_edit"),
    path(
        "onboarding/welcome-pack/status/", views.welcome_pack_status,
        name="onboarding_welcome_pack_status",
    ),
    path("onboarding/welcome-pack/pdf/", views.welcome_pack_pdf, name="onboarding_welcome_pack_pdf"),
    path("onboarding/plan/", views.plan, name="onboarding_plan"),
    path("onboarding/plan/edit/", views.plan_edit, name="onboarding_plan_edit"),
    path("onboarding/plan/pdf/", views.plan_pdf, name="onboarding_plan_pdf"),
    path("onboarding/plan/gantt.svg", views.gantt_svg, name="onboarding_gantt"),
    path("onboarding/plan/phases/new/", views.phase_form, name="onboarding_phase_create"),
    path("onboarding/plan/phases/<int:phase_pk>/", views.phase_form, name="onboarding_phase_edit"),
    path("onboarding/plan/milestones/new/", views.milestone_form, name="onboarding_milestone_create"),
    path(
        "onboarding/plan/milestones/<int:milestone_pk>/", views.milestone_form,
        name="onboarding_milestone_edit",
    ),
    path(
        "onboarding/plan/milestones/<int:milestone_pk>/report/", views.milestone_report,
        name="onboarding_milestone_report",
    ),
    path(
        "onboarding/plan/milestones/<int:milestone_pk>/report.pdf", views.milestone_report_pdf,
        name="onboarding_milestone_report_pdf",
    ),
    path("onboarding/plan/activities/new/", views.activity_form, name="onboarding_activity_create"),
    path(
        "onboarding/plan/activities/<int:activity_pk>/", views.activity_form,
        name="onboarding_activity_edit",
    ),
    path(
        "onboarding/plan/activities/<int:activity_pk>/status/", views.activity_status,
        name="onboarding_activity_status",
    ),
    path(
        "onboarding/plan/phases/<int:item_pk>/delete/", views.delete, {"kind": "phases"},
        name="onboarding_phase_delete",
    ),
    path(
        "onboarding/plan/milestones/<int:item_pk>/delete/", views.delete, {"kind": "milestones"},
        name="onboarding_milestone_delete",
    ),
    path(
        "onboarding/plan/activities/<int:item_pk>/delete/", views.delete, {"kind": "activities"},
        name="onboarding_activity_delete",
    ),
    path("onboarding/plan/sign-off/", signoff.request_signoff, name="onboarding_signoff"),
    path("time/", time_views.time, name="onboarding_time"),
    path("time/<int:entry_pk>/", time_views.time_edit, name="onboarding_time_edit"),
    path("time/<int:entry_pk>/delete/", time_views.time_delete, name="onboarding_time_delete"),
]
