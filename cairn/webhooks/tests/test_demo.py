"""The demo's webhooks: Beacon's CRM and the team's Slack channel, set up by Sam, with a month
of deliveries already made (one that met the CRM's maintenance twice, one given up in a Slack
outage and replayed), all dated in the story and none waiting to be sent; --reset loads them
afresh."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cairn.operations.tests.test_demo_command import demo
from cairn.people.models import User
from cairn.webhooks.demo import CRM_NAME, SLACK_NAME
from cairn.webhooks.models import Attempt, Delivery, Endpoint, Status

pytestmark = pytest.mark.django_db


def _mine() -> list[Delivery]:
    return list(Delivery.objects.filter(endpoint__name__in=[CRM_NAME, SLACK_NAME]).select_related("endpoint"))


def test_sam_set_up_the_crm_and_the_slack_channel_on_example_addresses(loaded_demo):
    crm, slack = Endpoint.objects.get(name=CRM_NAME), Endpoint.objects.get(name=SLACK_NAME)
    assert crm.events == ["rule.fired", "health.alert"] and slack.events == ["health.alert"]
    assert crm.active and slack.active
    assert {crm.created_by.username, slack.created_by.username} == {"ops"}  # type: ignore[union-attr]
    assert all(".example/" in e.url and e.url.startswith("https://") for e in (crm, slack))
    assert crm.created_at < slack.created_at < crm.secret_rotated_at < loaded_demo.started  # type: ignore[operator]
    history = list(Endpoint.history.filter(id=crm.pk).order_by("history_date"))  # type: ignore[attr-defined]
    assert [r.history_type for r in history[:2]] == ["+", "~"]
    assert history[1].history_date < loaded_demo.started and history[1].history_user.username == "ops"


def test_every_delivery_was_made_before_the_load_and_none_waits_to_be_sent(loaded_demo):
    mine = _mine()
    assert mine and not [d for d in mine if d.status == Status.PENDING]
    assert not [d for d in mine if d.created_at >= loaded_demo.started]
    attempts = Attempt.objects.filter(delivery__in=mine)
    assert attempts.count() >= len(mine)
    assert not attempts.filter(attempted_at__gte=loaded_demo.started).exists()
    # The automation rules' firings reach the CRM too (cairn.automation.demo settles them).
    assert {d.event for d in mine} <= {"ping", "health.alert", "rule.fired"}
    assert all(d.attempts == d.attempt_log.count() for d in mine)


def test_one_delivery_met_the_crm_s_maintenance_twice_and_one_slack_outage_was_replayed(loaded_demo):
    three = [d for d in _mine() if d.attempts == 3]
    assert len(three) == 1 and three[0].endpoint.name == CRM_NAME
    assert list(three[0].attempt_log.values_list("status_code", flat=True)) == [503, 503, 200]
    assert three[0].status == Status.DELIVERED
    failed = Delivery.objects.get(endpoint__name=SLACK_NAME, status=Status.FAILED)
    assert failed.attempts == 6 and set(failed.attempt_log.values_list("error", flat=True)) == {
        "Timed out after 10 s without an answer."
    }
    [replay] = failed.replays.all()
    assert replay.status == Status.DELIVERED and replay.payload == failed.payload
    assert replay.requested_by.username == "ops"  # type: ignore[union-attr]
    assert failed.attempt_log.order_by("number").last().attempted_at < replay.created_at  # type: ignore[union-attr]


def test_sam_reads_the_webhook_pages_of_the_demo(loaded_demo, client):
    client.force_login(User.objects.get(username="ops"))
    page = client.get(reverse("webhooks")).content.decode()
    assert CRM_NAME in page and SLACK_NAME in page and "Delivered" in page
    crm = Endpoint.objects.get(name=CRM_NAME)
    assert "503" in client.get(
        next(d for d in _mine() if d.attempts == 3).get_absolute_url()
    ).content.decode()
    history = client.get(reverse("webhook_history")).content.decode()
    assert "Secret rotated" in history and "Sam Okoro" in history
    assert client.get(crm.get_absolute_url()).status_code == 200


def test_reset_loads_the_webhooks_afresh(loaded_demo):
    before = (Endpoint.objects.count(), len(_mine()))
    output = demo("--reset")
    assert "Demo data removed." in output and "Demo data loaded." in output
    assert (Endpoint.objects.count(), len(_mine())) == before
