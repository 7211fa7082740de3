"""The customer's final sign-off through a cairn.sharing link."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cairn.documents.models import Document, DocumentType
from cairn.engagements.models import EngagementOutput
from cairn.onboarding.models import OnboardingPlan
from cairn.onboarding.tests.conftest import add_activity
from cairn.sharing.models import SharedLink

pytestmark = pytest.mark.django_db


def _ask(client, plan, contact):  # type: ignore[no-untyped-def]
    return client.post(reverse("onboarding_signoff", args=[plan.engagement.pk]),
                       {"contact": contact.pk, "days": 14, "message": "Thank you!"})


def _token(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"/shared/([A-Za-z0-9_\-]+)/", response.content.decode())
    assert match, "The page shows no link."
    return match.group(1)


def test_sign_off_waits_for_every_activity(phase, carol, contact, as_carol):
    add_activity(phase, carol, "Connect the meters", status="done")
    add_activity(phase, carol, "Train the champions")
    response = _ask(as_carol, phase.plan, contact)
    assert response.status_code == 400
    assert "Finish or remove the open activities first: Train the champions." in response.content.decode()
    assert not SharedLink.objects.exists() and not Document.objects.exists()


def test_the_customer_signs_off_through_the_link(phase, carol, contact, as_carol):
    add_activity(phase, carol, "Connect the meters", status="done")
    response = _ask(as_carol, phase.plan, contact)
    assert response.status_code == 200
    token = _token(response)
    summary = Document.objects.get(doc_type=DocumentType.REPORT)
    assert "Onboarding sign-off" in summary.title
    assert "Set-up, pilot and roll-out for 400 users" in summary.current_version.body
    customer = Client()
    page = customer.get(f"/shared/{token}/")
    assert page.status_code == 200 and "Sign off" in page.content.decode()
    answer = customer.post(f"/shared/{token}/accept/", {"typed_name": "Olga Berg"})
    assert answer.status_code == 200
    plan = OnboardingPlan.objects.get()
    assert plan.is_signed_off and plan.signed_off_by == "Olga Berg"
    output = EngagementOutput.objects.get(engagement=plan.engagement, output__phase__key="onboarding",
                                          output__required=True)
    assert output.delivered and output.document == summary
    page = as_carol.get(reverse("onboarding_plan", args=[plan.engagement.pk])).content.decode()
    assert "Signed off by Olga Berg" in page
    assert "Ask for sign-off" not in page


def test_a_signed_off_plan_no_longer_changes(phase, carol, contact, as_carol):
    add_activity(phase, carol, "Connect the meters", status="done")
    token = _token(_ask(as_carol, phase.plan, contact))
    Client().post(f"/shared/{token}/accept/", {"typed_name": "Olga Berg"})
    response = as_carol.post(reverse("onboarding_phase_edit", args=[phase.plan.engagement.pk, phase.pk]), {
        "name": "Renamed", "start_date": phase.start_date.isoformat(), "end_date": phase.end_date.isoformat(),
    })
    assert "signed the plan off" in response.content.decode()
    phase.refresh_from_db()
    assert phase.name == "Set-up"


def test_a_declined_sign_off_leaves_the_plan_open(phase, carol, contact, as_carol):
    add_activity(phase, carol, "Connect the meters", status="done")
    token = _token(_ask(as_carol, phase.plan, contact))
    Client().post(f"/shared/{token}/decline/", {"comment": "The alerts are not live yet."})
    plan = OnboardingPlan.objects.get()
    assert not plan.is_signed_off
    assert not EngagementOutput.objects.get(engagement=plan.engagement, output__phase__key="onboarding",
                                            output__required=True).delivered


def test_asking_again_writes_a_new_version_and_revokes_the_old_link(phase, carol, contact, as_carol):
    add_activity(phase, carol, "Connect the meters", status="done")
    first = _token(_ask(as_carol, phase.plan, contact))
    _ask(as_carol, phase.plan, contact)
    summary = Document.objects.get(doc_type=DocumentType.REPORT)
    assert summary.current_version.number == 2
    assert Client().get(f"/shared/{first}/").status_code == 410
    assert SharedLink.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_cannot_ask_for_sign_off(phase, carol, contact, persona, request):
    add_activity(phase, carol, "Connect the meters", status="done")
    assert _ask(request.getfixturevalue(persona), phase.plan, contact).status_code == 403
    assert not SharedLink.objects.exists()


def test_the_contact_must_be_the_customers(phase, carol, other_contact, as_carol):
    add_activity(phase, carol, "Connect the meters", status="done")
    response = _ask(as_carol, phase.plan, other_contact)
    assert response.status_code == 400
    assert not SharedLink.objects.exists()
