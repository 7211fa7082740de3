from django.urls import path

from cairn.proposals import views

urlpatterns = [
    path("proposal/", views.proposal, name="proposal"),
    path("proposal/generate/", views.proposal_generate, name="proposal_generate"),
    path("proposal/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposal/services/", views.proposal_services, name="proposal_services"),
    path("proposal/send/", views.proposal_send, name="proposal_send"),
    path("proposal/pdf/", views.proposal_pdf, name="proposal_pdf"),
]
