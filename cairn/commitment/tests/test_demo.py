"""The demo fills the phase 2 tools, and Priya finds her overdue stakeholder contact."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cairn.commitment.models import FirstMeeting, Stakeholder
from cairn.commitment.queries import communication_plan, responsibilities
from cairn.engagements.models import Engagement
from cairn.people.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]


def test_the_demo_fills_stakeholders_raci_and_first_meetings() -> None:
    halvorsen = Engagement.objects.get(account__name="Halvorsen Maritime")
    quadrants = {line.quadrant for line in communication_plan(halvorsen)}
    assert quadrants == {"Manage closely", "Keep satisfied", "Keep informed", "Monitor"}
    assert Stakeholder.objects.filter(engagement=halvorsen, contact__isnull=True).exists()
    assert all(not row.warnings for row in responsibilities(halvorsen))
    kestrel = Engagement.objects.get(account__name="Kestrel Freight")
    assert any(row.warnings for row in responsibilities(kestrel))
    assert FirstMeeting.objects.filter(held_at__isnull=False).count() == 2

    client = Client()
    client.force_login(User.objects.get(username="priya"))
    assert "Get in touch with Mats Eriksen" in client.get(reverse("my_work")).content.decode()
    for engagement in (halvorsen, kestrel):
        for name in ("commitment_stakeholders", "commitment_raci", "commitment_meeting"):
            assert client.get(reverse(name, args=[engagement.pk])).status_code == 200
