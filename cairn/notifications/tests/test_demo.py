"""The demo's notifications: Cairn's templates with Jordan's edit in their history, Priya's
and Tomas's choices, and a few notifications for each of the team (some read) dated in the
story; --reset removes the team's and loads them afresh."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cairn.notifications import defaults
from cairn.notifications.demo import EDITED_SUBJECT, ITEMS
from cairn.notifications.kinds import Delivery, Kind
from cairn.notifications.models import EmailTemplate, Notification, Preference
from cairn.operations.tests.test_demo_command import demo
from cairn.people.models import User

pytestmark = pytest.mark.django_db


def _team_notifications() -> int:
    return Notification.objects.filter(recipient__username__in={i.who for i in ITEMS}, title__in=[
        i.title for i in ITEMS
    ]).count()


def test_each_of_the_team_has_notifications_some_read_dated_in_the_story(loaded_demo):
    assert _team_notifications() == len(ITEMS)
    ours = Notification.objects.filter(title__in=[i.title for i in ITEMS])
    assert not ours.filter(created_at__gte=loaded_demo.started).exists()
    assert ours.filter(read_at__isnull=True).exists() and ours.filter(read_at__isnull=False).exists()
    assert set(ours.values_list("kind", flat=True)) >= {
        Kind.AUTOMATION, Kind.HEALTH_ALERT, Kind.TASK_ASSIGNED, Kind.WEBHOOK_FAILED,
    }
    priya = Client()
    priya.force_login(User.objects.get(username="priya"))
    page = priya.get(reverse("notifications")).content.decode()
    assert "Halvorsen Maritime dropped sharply" in page and "Renewal in 90 days" in page


def test_priya_and_tomas_chose_how_they_hear(loaded_demo):
    chosen = dict(Preference.objects.filter(user__username="priya").values_list("kind", "delivery"))
    assert chosen == {Kind.TASK_ASSIGNED: Delivery.NOW, Kind.AUTOMATION: Delivery.DIGEST}
    assert Preference.objects.get(user__username="tomas", kind=Kind.DIGEST).delivery == Delivery.OFF


def test_the_templates_are_there_with_jordans_edit_in_the_history(loaded_demo):
    assert set(EmailTemplate.objects.values_list("key", flat=True)) >= set(defaults.BUILT_IN)
    rule = EmailTemplate.objects.get(key=defaults.RULE_EMAIL)
    assert rule.subject == EDITED_SUBJECT
    latest = rule.history.order_by("-history_date").first()
    assert latest.history_user.username == "demo" and latest.history_date < loaded_demo.started


def test_reset_loads_the_teams_notifications_afresh(loaded_demo):
    output = demo("--reset")
    assert "Demo data removed." in output and "Demo data loaded." in output
    assert _team_notifications() == len(ITEMS)
    assert EmailTemplate.objects.filter(key=defaults.RULE_EMAIL, subject=EDITED_SUBJECT).count() == 1
