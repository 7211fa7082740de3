"""Notifications through the API: the same rules as the pages. Everyone lists and marks their
own notifications and sets their own choices; everyone reads the templates and their history;
leaders change them, and a template that does not compile is a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.notifications import defaults
from cairn.notifications.kinds import Kind
from cairn.notifications.models import EmailTemplate, Notification, Preference

pytestmark = pytest.mark.django_db
JSON = "application/json"
API = "/api/v1/notifications"


def _note(user: Any, title: str, **fields: Any) -> Notification:
    return Notification.objects.create(recipient=user, kind=fields.pop("kind", Kind.AUTOMATION), title=title,
                                       **fields)


def _fields(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_everyone_lists_their_own_notifications_unread_first_and_filters_them(api, carol, dave, acme):
    read = _note(carol, "Read one", read_at=timezone.now())
    unread = _note(carol, "Unread one", account=acme, link=acme.get_absolute_url(), kind=Kind.HEALTH_ALERT)
    _note(dave, "Dave's")
    client = api(carol)
    body = client.get(f"{API}/").json()
    assert [n["id"] for n in body["items"]] == [unread.pk, read.pk] and body["count"] == 2
    first = body["items"][0]
    assert first["unread"] is True and first["account_name"] == "Acme Manufacturing"
    assert first["kind_label"] == "Health alerts on my accounts" and first["link"] == acme.get_absolute_url()
    assert [n["id"] for n in client.get(f"{API}/", {"unread": "true"}).json()["items"]] == [unread.pk]
    assert [n["id"] for n in client.get(f"{API}/", {"unread": "false"}).json()["items"]] == [read.pk]
    assert client.get(f"{API}/", {"kind": "digest"}).status_code == 400


def test_the_list_runs_the_same_queries_for_two_and_forty_notifications(api, carol, acme):
    client = api(carol)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/").status_code == 200
        return len(queries)

    for n in range(2):
        _note(carol, f"First {n}", account=acme)
    few = count()
    for n in range(38):
        _note(carol, f"More {n}", account=acme)
    assert count() == few


def test_marking_read_touches_only_ones_own(api, carol, dave):
    mine, also_mine = _note(carol, "Mine"), _note(carol, "Also mine")
    theirs = _note(dave, "Dave's")
    client = api(carol)
    response = client.post(f"{API}/read", {"ids": [mine.pk, theirs.pk, 987654]}, content_type=JSON)
    assert response.status_code == 200 and response.json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(f"{API}/read-all", content_type=JSON).json() == {"marked": 1}
    also_mine.refresh_from_db()
    assert also_mine.read_at is not None


def test_marking_read_refuses_bad_input(api, carol):
    client = api(carol)
    assert "ids" in _fields(client.post(f"{API}/read", {"ids": "all"}, content_type=JSON))
    assert "ids" in _fields(client.post(f"{API}/read", {"ids": list(range(1, 102))}, content_type=JSON))
    assert _fields(client.post(f"{API}/read", {"ids": [2**64]}, content_type=JSON))
    assert _fields(client.post(f"{API}/read", {}, content_type=JSON))


def test_preferences_are_read_and_set_by_each_person_for_themselves(api, rita, carol):
    client = api(rita)
    body = client.get(f"{API}/preferences").json()
    assert [p["kind"] for p in body] == ["automation", "health_alert", "task_assigned", "links", "digest"]
    assert {p["kind"]: p["delivery"] for p in body}["task_assigned"] == "digest"
    response = client.put(f"{API}/preferences", {"task_assigned": "now", "digest": "off"}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert {p["kind"]: p["delivery"] for p in response.json()} == {
        "automation": "now", "health_alert": "now", "task_assigned": "now", "links": "now", "digest": "off",
    }
    assert not Preference.objects.filter(user=carol).exists()


def test_bad_preferences_are_refused_naming_the_kind(api, carol, adam):
    client = api(carol)
    assert "digest" in _fields(client.put(f"{API}/preferences", {"digest": "now"}, content_type=JSON))
    assert "automation" in _fields(client.put(f"{API}/preferences", {"automation": "sometimes"}, content_type=JSON))
    said = _fields(client.put(f"{API}/preferences", {"webhook_failed": "off"}, content_type=JSON))
    assert said == {"webhook_failed": "You do not receive these."}
    assert api(adam).put(f"{API}/preferences", {"webhook_failed": "off"}, content_type=JSON).status_code == 200
    assert not Preference.objects.filter(user=carol).exists()


def test_everyone_reads_the_templates(api, rita):
    client = api(rita)
    listed = client.get(f"{API}/templates").json()
    assert sorted(t["key"] for t in listed) == sorted(defaults.BUILT_IN)
    rule = next(t for t in listed if t["key"] == "rule_email")
    one = client.get(f"{API}/templates/{rule['id']}").json()
    assert one["subject"] == defaults.RULE.subject and "account: the account's name" in one["description"]
    assert client.get(f"{API}/templates/987654").status_code == 404


def test_a_leader_changes_a_template_and_the_change_is_in_its_history(api, alice):
    template = EmailTemplate.objects.get(key="rule_email")
    client = api(alice)
    response = client.patch(f"{API}/templates/{template.pk}", {"subject": "[Cairn] {{ rule }}"}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["subject"] == "[Cairn] {{ rule }}" and response.json()["updated_by"] == alice.pk
    history = client.get(f"{API}/templates/{template.pk}/history").json()
    assert history[0]["user"] == alice.pk and history[0]["user_name"] == "Alice Leader"
    assert history[0]["type"] == "changed"
    assert history[0]["changes"] == [
        {"field": "Subject", "old": "{{ rule }}: {{ account }}", "new": "[Cairn] {{ rule }}"}
    ]
    assert history[-1]["type"] == "created"


@pytest.mark.parametrize("persona", ["carol", "dave", "rita"])
def test_only_leaders_change_templates(persona: str, api, request):
    template = EmailTemplate.objects.get(key="rule_email")
    response = api(request.getfixturevalue(persona)).patch(
        f"{API}/templates/{template.pk}", {"subject": "Mine"}, content_type=JSON
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only CS leaders change the e-mail templates."


def test_a_template_syntax_error_is_a_400_naming_the_field(api, alice):
    template = EmailTemplate.objects.get(key="rule_email")
    client = api(alice)
    said = _fields(client.patch(f"{API}/templates/{template.pk}", {"html": "<p>\n{% if x %}{{ unsubscribe_url }}"},
                                content_type=JSON))
    assert list(said) == ["html"] and said["html"].startswith("Line 2: Unclosed tag")
    said = _fields(client.patch(f"{API}/templates/{template.pk}", {"subject": ""}, content_type=JSON))
    assert "subject" in said
    said = _fields(client.patch(f"{API}/templates/{template.pk}", {"text": "x" * 20_001}, content_type=JSON))
    assert "text" in said
    template.refresh_from_db()
    assert template.html == defaults.RULE.html
