from django.urls import path

from cairn.expansion import views

urlpatterns = [
    path("", views.opportunities, name="opportunities"),
    path("opportunities.csv", views.opportunities_csv, name="opportunities_csv"),
    path("accounts/<int:account_pk>/opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity, name="opportunity"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/hand-off/", views.opportunity_handoff, name="opportunity_handoff"),
    path("opportunities/<int:pk>/close/", views.opportunity_close, name="opportunity_close"),
    path("opportunities/<int:pk>/delete/", views.opportunity_delete, name="opportunity_delete"),
    path("policy/", views.policy, name="handoff_policy"),
    path("advocacy/", views.advocacy, name="advocacy"),
    path("contacts/<int:contact_pk>/asks/new/", views.ask_create, name="ask_create"),
    path("asks/<int:pk>/", views.ask_edit, name="ask_edit"),
    path("asks/<int:pk>/delete/", views.ask_delete, name="ask_delete"),
]
