"""Automation through the API, as a script would use it: rules built, read in words, changed
into new versions, previewed, switched and deleted; their firings and history; plays; flags.
The same permissions as the pages, bad input refused naming the field's path, nothing half
saved, lists in constant queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.automation import actions, definition, schemas
from cairn.automation.actions import Step
from cairn.automation.models import AccountFlag, Firing, FiringStatus, Play, Rule
from cairn.automation.tests.test_pages import _firings, _ticket, make_rule
from cairn.customers.models import Account
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

URL = "/api/v1/automation"


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    from cairn.notifications.actions import ensure_templates

    ensure_templates()


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def rule_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Red enterprise accounts", "description": "Catch them early.", "cooldown_days": 10,
        "trigger": {"kind": "light_changed", "light": "red"},
        "conditions": [{"field": "segment", "op": "in", "values": ["enterprise"]},
                       {"field": "arr", "op": "gte", "number": 50000}],
        "actions": [{"kind": "task", "title": "Call {{ account }}", "due_days": 2},
                    {"kind": "email", "to": "leaders", "template": "rule_email"}],
    }
    return body | changes


def test_a_leader_builds_reads_changes_and_deletes_a_rule(alice: Any, carol: Any) -> None:
    client = bearer(alice)
    created = _post(client, f"{URL}/rules", rule_body(owner=carol.pk))
    assert created.status_code == 201, created.content
    rule = created.json()
    assert (rule["owner"], rule["owner_name"], rule["enabled"], rule["version"]) == (carol.pk, "Carol Owner", False, 1)
    assert rule["words"] == (
        "When the health light turns red, for accounts in segment Enterprise and with ARR at least 50,000: "
        "create a task “Call {{ account }}” for the account's owner due in 2 days; e-mail every CS leader "
        "(template Automation rule e-mail)"
    )
    assert rule["trigger"]["light"] == "red" and rule["conditions"][1]["number"] == 50000
    assert rule["actions"][1]["template"] == "rule_email" and rule["fired_last_30_days"] == 0
    url = f"{URL}/rules/{rule['id']}"
    assert client.get(url).json()["words"] == rule["words"]
    listed = client.get(f"{URL}/rules").json()
    assert listed["count"] == 1 and listed["items"][0]["words"] == rule["words"]
    renamed = _patch(client, url, {"name": "Red accounts", "description": ""})
    assert (renamed.json()["name"], renamed.json()["version"]) == ("Red accounts", 1)
    amber = _patch(client, url, {"trigger": {"kind": "light_changed", "light": "amber"}, "cooldown_days": 3})
    assert amber.status_code == 200
    assert (amber.json()["version"], amber.json()["cooldown_days"]) == (2, 3)
    assert amber.json()["words"].startswith("When the health light turns amber, for accounts in segment")
    history = client.get(f"{url}/history").json()
    assert [h["version"] for h in history] == [2, 1, 1]
    assert history[0]["does"].startswith("When the health light turns amber")
    assert {"field": "Name", "old": "Red enterprise accounts", "new": "Red accounts", "added": [],
            "removed": []} in history[1]["changes"]
    assert client.delete(url).status_code == 204
    assert not Rule.objects.exists() and client.get(url).status_code == 404


def test_the_caller_owns_a_rule_that_names_no_owner(alice: Any) -> None:
    created = _post(bearer(alice), f"{URL}/rules", rule_body())
    assert created.json()["owner"] == alice.pk


@pytest.mark.parametrize("persona", ["carol", "dave", "rita"])
def test_csms_and_readers_read_rules_but_may_not_change_them(
    request: pytest.FixtureRequest, persona: str, alice: Any
) -> None:
    client = bearer(request.getfixturevalue(persona))
    rule = make_rule(alice)
    url = f"{URL}/rules/{rule.pk}"
    assert client.get(url).status_code == 200 and client.get(f"{url}/preview").status_code == 200
    assert client.get(f"{url}/firings").status_code == 200 and client.get(f"{url}/history").status_code == 200
    assert _post(client, f"{URL}/rules", rule_body()).status_code == 403
    assert _patch(client, url, {"name": "Mine"}).status_code == 403
    assert _post(client, f"{url}/switch", {"enabled": True}).status_code == 403
    assert client.delete(url).status_code == 403
    rule.refresh_from_db()
    assert (Rule.objects.count(), rule.name, rule.enabled) == (1, "Urgent tickets", False)


@pytest.mark.parametrize(("changes", "field", "said"), [
    ({"name": ""}, "name", "at least 1"),
    ({"name": "Red\x00"}, "name", "Null characters"),
    ({"owner": 999999}, "owner", "There is no user"),
    ({"cooldown_days": 400}, "cooldown_days", "less than or equal to 365"),
    ({"trigger": {"kind": "score_fell", "days": 14}}, "trigger", "needs: points"),
    ({"trigger": {"kind": "score_fell", "points": 500, "days": 14}}, "trigger.points", "less than or equal"),
    ({"trigger": {"kind": "metric_crossed", "metric": 999, "direction": "below", "value": 1}},
     "trigger.metric", "no metric with id 999"),
    ({"trigger": {"kind": "phase_stalled", "days": 30, "phase": "nowhere"}}, "trigger.phase", "no phase"),
    ({"trigger": {"kind": "thunder"}}, "trigger.kind", "Input should be"),
    ({"trigger": {"kind": "light_changed", "colour": "red"}}, "trigger.colour", "Extra inputs"),
    ({"conditions": [{"field": "segment", "op": "in", "values": []}]}, "conditions.0", "at least one value"),
    ({"conditions": [{"field": "segment", "op": "in", "values": ["galactic"]}]}, "conditions.0.values",
     "galactic is not a choice"),
    ({"conditions": [{"field": "arr", "op": "in", "values": ["1"]}]}, "conditions.0", "ARR takes"),
    ({"conditions": [{"field": "arr", "op": "gte", "number": "NaN"}]}, "conditions.0.number", "finite"),
    ({"actions": []}, "actions", "at least 1"),
    ({"actions": [{"kind": "task"}]}, "actions.0", "Task title is required"),
    ({"actions": [{"kind": "task", "title": "Call {{ acount }}"}]}, "actions.0.title", "no merge field acount"),
    ({"actions": [{"kind": "email", "template": "nope"}]}, "actions.0.template", "no e-mail template"),
    ({"actions": [{"kind": "play", "play": 999}]}, "actions.0.play", "no play with id 999"),
    ({"actions": [{"kind": "webhook", "endpoint": 999}]}, "actions.0.endpoint", "no webhook with id 999"),
    ({"actions": [{"kind": "flag", "flag": "x" * 41}]}, "actions.0.flag", "at most 40"),
])
def test_bad_input_is_refused_naming_the_field_s_path_and_nothing_is_saved(
    alice: Any, changes: dict[str, Any], field: str, said: str
) -> None:
    client = bearer(alice)
    body = json.dumps(rule_body(**changes)).replace('"NaN"', "NaN")
    response = client.post(f"{URL}/rules", body, content_type="application/json")
    errors = _errors(response)
    assert field in errors, errors
    assert said in errors[field]
    assert not Rule.objects.exists()


def test_a_read_only_owner_is_refused(alice: Any, rita: Any) -> None:
    assert "read-only" in _errors(_post(bearer(alice), f"{URL}/rules", rule_body(owner=rita.pk)))["owner"]


def test_a_patch_that_breaks_the_definition_changes_nothing(alice: Any) -> None:
    rule = make_rule(alice)
    client = bearer(alice)
    url = f"{URL}/rules/{rule.pk}"
    response = _patch(client, url, {"name": "Renamed", "actions": [{"kind": "email", "template": "nope"}]})
    assert "actions.0.template" in _errors(response)
    assert _errors(_patch(client, url, {"trigger": None})) == {"trigger": "This field cannot be null."}
    rule.refresh_from_db()
    assert (rule.name, rule.version, rule.actions[0]["kind"]) == ("Urgent tickets", 1, "task")


def test_a_leader_switches_a_rule_on_with_the_last_30_days_and_off(alice: Any) -> None:
    rule = make_rule(alice)
    client = bearer(alice)
    url = f"{URL}/rules/{rule.pk}/switch"
    on = _post(client, url, {"enabled": True, "catch_up": True})
    assert on.status_code == 200 and on.json()["enabled"]
    assert on.json()["evaluated_through"] == (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert _post(client, url, {"enabled": False}).json()["enabled"] is False
    now = _post(client, url, {"enabled": True})
    assert now.json()["evaluated_through"] == timezone.localdate().isoformat()


def test_the_preview_lists_the_accounts_it_would_fire_on_and_why(rita: Any, alice: Any, acme: Account) -> None:
    rule = make_rule(alice)
    _ticket(acme, "T-9", days_ago=3)
    found = bearer(rita).get(f"{URL}/rules/{rule.pk}/preview").json()
    assert (found["fires"], found["cooldown"], found["accounts"], found["truncated"]) == (1, 0, 1, False)
    row = found["rows"][0]
    assert (row["account"], row["account_name"], row["verdict"]) == (acme.pk, "Acme Manufacturing", "fires")
    assert row["matched"]["ticket"] == "T-9" and "T-9" in row["summary"]
    assert found["end"] == timezone.localdate().isoformat() and not Firing.objects.exists()


def test_a_rule_s_firings_are_paginated_newest_first(rita: Any, alice: Any, acme: Account) -> None:
    rule = make_rule(alice)
    _firings(rule, acme, 30)
    client = bearer(rita)
    first = client.get(f"{URL}/rules/{rule.pk}/firings").json()
    assert first["count"] == 30 and len(first["items"]) == 25
    assert first["items"][0]["matched"]["ticket"] == "T-0"
    assert first["items"][0]["outcomes"][0]["kind"] == "task"
    suppressed = client.get(f"{URL}/rules/{rule.pk}/firings", {"status": "suppressed"}).json()
    assert suppressed["count"] == 15 and {f["status"] for f in suppressed["items"]} == {"suppressed"}
    assert client.get(f"{URL}/rules/999999/firings").status_code == 404


def test_lists_read_in_constant_queries(alice: Any, carol: Any, acme: Account) -> None:
    client = bearer(alice)
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    one = make_rule(alice, actions=[{"kind": "play", "play": play.pk}],
                    conditions=[{"field": "owner", "op": "in", "values": [str(carol.pk)]}])
    _firings(one, acme, 1)
    actions.set_flag(acme, "At risk", by=carol)
    urls = [f"{URL}/rules", f"{URL}/rules/{one.pk}/firings", f"{URL}/plays", f"{URL}/flags",
            f"{URL}/rules/{one.pk}/history"]
    for url in urls:
        client.get(url)

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    few = counts()
    for n in range(5):
        make_rule(alice, f"Rule {n}", actions=[{"kind": "play", "play": play.pk}],
                  conditions=[{"field": "owner", "op": "in", "values": [str(alice.pk)]}])
        account = Account.objects.create(name=f"Account {n}", owner=carol)
        actions.set_flag(account, "At risk", by=carol)
        actions.save_play(Play(name=f"Play {n}"), [Step(title="Call"), Step(title="Write")], by=alice)
    _firings(one, acme, 10, start=100)
    actions.save_rule(one, actions.parse({"trigger": {"kind": "detractor"}, "conditions": one.conditions,
                                          "actions": one.actions}), by=alice)
    assert counts() == few


# --- Plays --------------------------------------------------------------------------------


def test_a_leader_writes_changes_and_deletes_a_play(alice: Any, rita: Any) -> None:
    client = bearer(alice)
    created = _post(client, f"{URL}/plays", {"name": "Rescue", "steps": [
        {"title": "Call the sponsor of {{ account }}", "due_days": 2},
        {"title": "Review the plan", "assignee": "engagement_owner", "due_days": 7},
    ]})
    assert created.status_code == 201, created.content
    play = created.json()
    assert [(s["title"], s["assignee"], s["position"]) for s in play["steps"]] == [
        ("Call the sponsor of {{ account }}", "owner", 0), ("Review the plan", "engagement_owner", 1)]
    url = f"{URL}/plays/{play['id']}"
    renamed = _patch(client, url, {"name": "Rescue call"})
    assert renamed.json()["name"] == "Rescue call" and len(renamed.json()["steps"]) == 2
    fewer = _patch(client, url, {"steps": [{"title": "Only this"}]})
    assert [s["title"] for s in fewer.json()["steps"]] == ["Only this"]
    assert bearer(rita).get(url).json()["name"] == "Rescue call"
    assert bearer(rita).get(f"{URL}/plays").json()["count"] == 1
    assert client.delete(url).status_code == 204 and not Play.objects.exists()


def test_bad_plays_are_refused_naming_the_field(alice: Any) -> None:
    client = bearer(alice)
    assert "steps.0.title" in _errors(_post(client, f"{URL}/plays", {"name": "R", "steps": [{"title": "{{ x }}"}]}))
    assert "steps" in _errors(_post(client, f"{URL}/plays", {"name": "R", "steps": []}))
    assert "steps.0.due_days" in _errors(_post(client, f"{URL}/plays", {"name": "R", "steps": [
        {"title": "Call", "due_days": 400}]}))
    actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    assert "name" in _errors(_post(client, f"{URL}/plays", {"name": "Rescue", "steps": [{"title": "Call"}]}))
    assert Play.objects.count() == 1


def test_a_play_a_rule_starts_is_not_deleted(alice: Any) -> None:
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    make_rule(alice, actions=[{"kind": "play", "play": play.pk}])
    response = bearer(alice).delete(f"{URL}/plays/{play.pk}")
    assert response.status_code == 400 and "Urgent tickets" in response.json()["detail"] + str(response.json())
    assert Play.objects.exists()


@pytest.mark.parametrize("persona", ["carol", "rita"])
def test_csms_and_readers_may_not_change_plays(request: pytest.FixtureRequest, persona: str, alice: Any) -> None:
    client = bearer(request.getfixturevalue(persona))
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    assert _post(client, f"{URL}/plays", {"name": "Mine", "steps": [{"title": "Call"}]}).status_code == 403
    assert _patch(client, f"{URL}/plays/{play.pk}", {"name": "Mine"}).status_code == 403
    assert client.delete(f"{URL}/plays/{play.pk}").status_code == 403
    assert list(Play.objects.values_list("name", flat=True)) == ["Rescue"]


# --- Flags --------------------------------------------------------------------------------


def test_the_owner_flags_an_account_and_clears_it(carol: Any, acme: Account, dave: Any) -> None:
    client = bearer(carol)
    created = _post(client, f"{URL}/flags", {"account": acme.pk, "name": "At risk"})
    assert created.status_code == 201
    flag = created.json()
    assert (flag["account_name"], flag["name"], flag["set_by"], flag["cleared_at"]) == (
        "Acme Manufacturing", "At risk", carol.pk, None)
    again = _post(client, f"{URL}/flags", {"account": acme.pk, "name": "At risk"})
    assert again.status_code == 200 and again.json()["id"] == flag["id"]
    other = Account.objects.create(name="Beta", owner=dave)
    actions.set_flag(other, "Renewal", by=dave)
    mine = client.get(f"{URL}/flags", {"account": acme.pk}).json()
    assert [f["name"] for f in mine["items"]] == ["At risk"]
    assert client.get(f"{URL}/flags").json()["count"] == 2
    cleared = _post(client, f"{URL}/flags/{flag['id']}/clear", {})
    assert cleared.status_code == 200 and cleared.json()["cleared_by"] == carol.pk
    assert client.get(f"{URL}/flags", {"account": acme.pk}).json()["count"] == 0
    assert client.get(f"{URL}/flags", {"account": str(acme.pk), "state": "cleared"}).json()["count"] == 1


@pytest.mark.parametrize("persona", ["dave", "rita"])
def test_who_may_not_change_the_account_may_not_flag_it(
    request: pytest.FixtureRequest, persona: str, acme: Account, carol: Any
) -> None:
    client = bearer(request.getfixturevalue(persona))
    flag = actions.set_flag(acme, "At risk", by=carol)
    assert _post(client, f"{URL}/flags", {"account": acme.pk, "name": "Churn"}).status_code == 403
    assert _post(client, f"{URL}/flags/{flag.pk}/clear", {}).status_code == 403
    assert AccountFlag.objects.filter(cleared_at__isnull=True).count() == 1


def test_bad_flags_are_refused_naming_the_field(carol: Any, acme: Account) -> None:
    client = bearer(carol)
    assert "name" in _errors(_post(client, f"{URL}/flags", {"account": acme.pk, "name": ""}))
    assert "name" in _errors(_post(client, f"{URL}/flags", {"account": acme.pk, "name": "   "}))
    assert "name" in _errors(_post(client, f"{URL}/flags", {"account": acme.pk, "name": "x" * 41}))
    assert "account" in _errors(_post(client, f"{URL}/flags", {"account": 999999, "name": "At risk"}))
    assert not AccountFlag.objects.exists()


# --- The contract -------------------------------------------------------------------------


def test_the_api_s_choices_are_the_definition_s() -> None:
    pairs = [
        (schemas.TriggerKindValue, definition.TriggerKind), (schemas.FieldValue, definition.Field_),
        (schemas.OpValue, definition.Op), (schemas.ActionKindValue, definition.ActionKind),
        (schemas.AssigneeValue, definition.Assignee), (schemas.RecipientValue, definition.Recipient),
        (schemas.EveryValue, definition.Every), (schemas.DirectionValue, definition.Direction),
    ]
    for literal, choices in pairs:
        assert list(get_args(literal)) == list(choices.values), choices
    assert set(schemas.AutomationTrigger.model_fields) == set(definition.Trigger.model_fields)
    assert set(schemas.AutomationCondition.model_fields) == set(definition.Condition.model_fields)
    assert set(schemas.AutomationAction.model_fields) == set(definition.Action.model_fields)


def test_a_firing_s_status_is_one_of_the_log_s() -> None:
    assert set(get_args(get_args(schemas.AutomationFiringFilter.model_fields["status"].annotation)[0])) == set(
        FiringStatus.values)
