"""The demo's value plan: Halvorsen Maritime, in value realization, has it filled in."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.value import queries
from cairn.value.models import ValueActivity, ValueChange

pytestmark = pytest.mark.django_db


def test_halvorsen_has_a_value_plan_with_a_confirmation_and_a_dispute(loaded_demo):
    engagement = Engagement.objects.get(account__external_id="demo-halvorsen-maritime")
    items = list(queries.items_of(engagement))
    assert {i.commitment for i in items} == {"promised", "expected"}
    assert all(i.kpis.exists() and i.element_id for i in items)
    confirmed = [i for i in items if i.perception == "confirmed"]
    disputed = [i for i in items if i.perception == "disputed"]
    assert len(confirmed) == 1 and len(disputed) == 1 and disputed[0].perception_comment
    assert confirmed[0].perceived_at < loaded_demo.started
    assert ValueChange.objects.filter(engagement=engagement).count() == 3
    assert ValueActivity.objects.filter(engagement=engagement, status="skipped").exclude(note="").exists()
    # The story: Priya's "my work" has an off-track KPI, an overdue activity and a late response.
    priya = User.objects.get(username="priya")
    request = RequestFactory().get("/")
    request.user = priya
    work = queries.my_work(request, priya)
    assert [k.name for k in work["value_kpis_off_track"]] == ["Bunker cost per North Sea voyage"]
    assert [a.title for a in work["value_activities_overdue"]] == ["Value report for the renewal"]
    assert len(work["value_changes_overdue"]) == 1


def test_the_demo_value_pages_render(loaded_demo):
    engagement = Engagement.objects.get(account__external_id="demo-halvorsen-maritime")
    client = Client()
    client.force_login(User.objects.get(username="priya"))
    page = client.get(reverse("value_plan", args=[engagement.pk])).content.decode()
    assert "Fuel per nautical mile down 8 % within a year" in page and "Confirmed" in page and "Disputed" in page
    assert "Beacon Operations Platform" in page or "Weekly fuel review on every vessel" in page
    assert client.get(reverse("value_track", args=[engagement.pk])).status_code == 200
