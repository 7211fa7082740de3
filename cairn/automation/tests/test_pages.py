"""The automation pages through the HTTP client: a leader builds a rule without code, previews
it, switches it on and off, edits it into a new version and deletes it; the log, the plays and
the flags. CSMs and readers read everything and change nothing but the flags of the accounts
they look after; bad input is named next to its field with nothing saved; the lists read in
constant queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.automation import actions, queries
from cairn.automation.actions import Step
from cairn.automation.models import AccountFlag, Firing, FiringStatus, Play, Rule
from cairn.customers.models import Account
from cairn.timeline.models import Task
from cairn.usage.models import SupportTicket

pytestmark = pytest.mark.django_db

RED_TASK = (
    "When the health light turns red, for accounts in segment Enterprise: create a task “Call "
    "{{ account }}” for the account's owner due in 2 days; e-mail every CS leader (template "
    "Automation rule e-mail)"
)


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    from cairn.notifications.actions import ensure_templates

    ensure_templates()


def _management(prefix: str, total: int) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def builder_data(owner: Any, /, **changes: Any) -> dict[str, Any]:
    """What the builder posts for "health turns red in Enterprise: a task for the owner due in
    2 days, an e-mail to the leaders"; `changes` replace or add fields (None removes one)."""
    data: dict[str, Any] = {
        "name": "Red enterprise accounts", "description": "Catch a falling enterprise customer early.",
        "owner": str(owner.pk), "cooldown_days": "14",
        "trigger-kind": "light_changed", "trigger-light": "red",
        **_management("conditions", 2),
        "conditions-0-field": "segment", "conditions-0-op": "in", "conditions-0-values": ["enterprise"],
        "conditions-1-field": "",
        **_management("actions", 3),
        "actions-0-kind": "task", "actions-0-title": "Call {{ account }}", "actions-0-body": "",
        "actions-0-assignee": "owner", "actions-0-due_days": "2",
        "actions-1-kind": "email", "actions-1-to": "leaders", "actions-1-template": "rule_email",
        "actions-2-kind": "",
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def make_rule(owner: Any, name: str = "Urgent tickets", **definition: Any) -> Rule:
    parsed = actions.parse({
        "trigger": definition.get("trigger", {"kind": "urgent_ticket"}),
        "conditions": definition.get("conditions", []),
        "actions": definition.get("actions", [{"kind": "task", "title": "Call {{ account }}", "due_days": 1}]),
    })
    return actions.save_rule(Rule(name=name, owner=owner, cooldown_days=7), parsed, by=owner)


def _page(client: Any, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _said(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _ticket(account: Account, key: str, days_ago: int = 1, priority: str = "high") -> SupportTicket:
    return SupportTicket.objects.create(
        external_id=key, account=account, subject="Exports fail", priority=priority,
        opened_at=timezone.now() - dt.timedelta(days=days_ago),
    )


# --- Building a rule ----------------------------------------------------------------------


def test_a_leader_builds_a_rule_with_the_form_and_reads_it_in_words(as_alice: Any, alice: Any) -> None:
    response = as_alice.post(reverse("automation_rule_new"), builder_data(alice))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get()
    assert response["Location"] == rule.get_absolute_url()
    assert (rule.trigger, rule.trigger_settings, rule.enabled, rule.version) == (
        "light_changed", {"light": "red"}, False, 1)
    assert rule.conditions == [{"field": "segment", "op": "in", "values": ["enterprise"]}]
    assert rule.actions == [
        {"kind": "task", "title": "Call {{ account }}", "due_days": 2},
        {"kind": "email", "to": "leaders", "template": "rule_email"},
    ]
    page = _page(as_alice, rule.get_absolute_url())
    assert RED_TASK.replace("'", "&#x27;") in page
    assert "Preview" in page and "Switch on" in page and "Catch a falling enterprise customer early." in page


def test_the_rules_list_shows_each_rule_with_its_trigger_and_firings(as_rita: Any, alice: Any, acme: Account) -> None:
    rule = make_rule(alice)
    Firing.objects.create(rule=rule, version=1, account=acme, event_key="ticket:1", event_on=timezone.localdate(),
                          status=FiringStatus.FIRED, summary="High ticket", fired_at=timezone.now())
    page = _page(as_rita, reverse("automation"))
    assert "Urgent tickets" in page and "When a high-priority ticket opens" in page
    assert "Alice Leader" in page and ">Off<" in page and "New rule" not in page


def test_only_leaders_and_admins_see_new_rule(as_adam: Any, as_carol: Any) -> None:
    assert "New rule" in _page(as_adam, reverse("automation"))
    assert "New rule" not in _page(as_carol, reverse("automation"))
    assert "No rule yet" in _page(as_carol, reverse("automation"))


@pytest.mark.parametrize("client", ["as_carol", "as_dave", "as_rita"])
def test_csms_and_readers_may_not_build_change_switch_or_delete_rules(
    request: pytest.FixtureRequest, client: str, alice: Any
) -> None:
    browser = request.getfixturevalue(client)
    rule = make_rule(alice)
    assert browser.get(reverse("automation_rule_new")).status_code == 403
    assert browser.post(reverse("automation_rule_new"), builder_data(alice)).status_code == 403
    assert browser.get(reverse("automation_rule_edit", args=[rule.pk])).status_code == 403
    assert browser.post(reverse("automation_rule_switch", args=[rule.pk]), {"enabled": "on", "start": "now"}
                        ).status_code == 403
    assert browser.post(reverse("automation_rule_delete", args=[rule.pk])).status_code == 403
    rule.refresh_from_db()
    assert (Rule.objects.count(), rule.enabled) == (1, False)
    page = _page(browser, rule.get_absolute_url())
    assert "Switch on" not in page and ">Edit<" not in page and ">Delete<" not in page


def _errors(response: Any, part: str, field: str, row: int | None = None) -> str:
    assert response.status_code == 400, response.status_code
    builder = response.context["builder"]
    if part in ("conditions", "actions") and row is None:
        return " ".join(getattr(builder, f"{part[:-1]}_errors"))
    form = getattr(builder, part)
    if row is not None:
        form = form.forms[row]
    assert field in form.errors, dict(form.errors)
    return " ".join(form.errors[field])


@pytest.mark.parametrize(("changes", "part", "field", "row", "said"), [
    ({"name": ""}, "rule", "name", None, "required"),
    ({"owner": "0"}, "rule", "owner", None, "valid choice"),
    ({"cooldown_days": "400"}, "rule", "cooldown_days", None, "365"),
    ({"trigger-kind": "score_fell", "trigger-days": "14"}, "trigger", "points", None, "needs"),
    ({"trigger-kind": "score_fell", "trigger-points": "500", "trigger-days": "14"}, "trigger", "points", None,
     "100"),
    ({"trigger-kind": "metric_crossed", "trigger-metric": "", "trigger-direction": "below",
      "trigger-value": "3"}, "trigger", "metric", None, "needs"),
    ({"conditions-0-values": None}, "conditions", "values", 0, "at least one value"),
    ({"conditions-0-field": "arr", "conditions-0-op": "gte"}, "conditions", "number", 0, "give a number"),
    ({"conditions-0-field": "arr", "conditions-0-op": "in"}, "conditions", "op", 0, "valid choice"),
    ({"conditions-0-values": ["galactic"]}, "conditions", "values", 0, "valid choice"),
    ({"actions-0-title": ""}, "actions", "title", 0, "required"),
    ({"actions-0-title": "Call {{ acount }}"}, "actions", "title", 0, "no merge field acount"),
    ({"actions-0-due_days": "-1"}, "actions", "due_days", 0, "greater than or equal"),
    ({"actions-1-template": ""}, "actions", "template", 1, "required"),
    ({"actions-1-template": "no_such_template"}, "actions", "template", 1, "valid choice"),
    ({"actions-1-kind": "play", "actions-1-play": "999"}, "actions", "play", 1, "valid choice"),
    ({"actions-1-kind": "flag", "actions-1-flag": "x" * 41}, "actions", "flag", 1, "at most 40"),
    ({"actions-0-kind": "", "actions-1-kind": ""}, "actions", "", None, "at least one action"),
])
def test_each_bad_input_is_named_next_to_its_field_and_nothing_is_saved(
    as_alice: Any, alice: Any, changes: dict[str, Any], part: str, field: str, row: int | None, said: str,
) -> None:
    response = as_alice.post(reverse("automation_rule_new"), builder_data(alice, **changes))
    assert said in _errors(response, part, field, row)
    assert not Rule.objects.exists() and not Rule.history.exists()


def test_a_read_only_owner_is_refused(as_alice: Any, alice: Any, rita: Any) -> None:
    response = as_alice.post(reverse("automation_rule_new"), builder_data(rita))
    assert "valid choice" in _errors(response, "rule", "owner")
    assert not Rule.objects.exists()


def test_an_empty_post_is_refused_naming_the_missing_fields(as_alice: Any) -> None:
    response = as_alice.post(reverse("automation_rule_new"), {})
    assert response.status_code == 400
    assert "name" in response.context["builder"].rule.errors
    assert not Rule.objects.exists()


# --- The builder's parts ------------------------------------------------------------------


def test_changing_the_trigger_shows_only_its_own_settings(as_alice: Any) -> None:
    url = reverse("automation_rule_new")
    part = _page(as_alice, url, part="trigger", **{"trigger-kind": "score_fell", "trigger-points": "12"})
    assert part.lstrip().startswith('<fieldset class="measure" id="trigger">')
    assert 'name="trigger-points"' in part and 'value="12"' in part and 'name="trigger-days"' in part
    assert 'name="trigger-light"' not in part and "Within (days)" in part
    weekly = _page(as_alice, url, part="trigger", **{"trigger-kind": "schedule", "trigger-every": "week"})
    assert 'name="trigger-weekday"' in weekly and 'name="trigger-day_of_month"' not in weekly
    assert 'hx-get="/automation/rules/new/"' in weekly


def test_a_condition_row_offers_the_values_of_its_field(as_alice: Any) -> None:
    url = reverse("automation_rule_new")
    row = _page(as_alice, url, part="conditions-3", **{"conditions-3-field": "segment"})
    assert 'id="conditions-3"' in row and "multiple" in row and "Enterprise" in row and "is none of" in row
    assert 'name="conditions-3-number"' not in row
    arr = _page(as_alice, url, part="conditions-3", **{"conditions-3-field": "arr", "conditions-3-op": "gte"})
    assert 'name="conditions-3-number"' in arr and "is at least" in arr and "is one of" not in arr
    industry = _page(as_alice, url, part="conditions-3", **{"conditions-3-field": "industry"})
    assert "Separate them with commas" in industry


def test_an_action_row_shows_the_settings_of_its_kind(as_alice: Any) -> None:
    url = reverse("automation_rule_new")
    email = _page(as_alice, url, part="actions-1", **{"actions-1-kind": "email"})
    assert 'name="actions-1-template"' in email and "Automation rule e-mail" in email
    assert "Every CS leader" in email and 'name="actions-1-title"' not in email
    task = _page(as_alice, url, part="actions-1", **{"actions-1-kind": "task"})
    assert "Task title" in task and "{{ account }}" in task and 'name="actions-1-due_days"' in task


def test_an_unknown_part_is_not_found(as_alice: Any) -> None:
    url = reverse("automation_rule_new")
    for part in ("nothing", "conditions-999", "steps-1", "conditions-x"):
        assert as_alice.get(url, {"part": part}).status_code == 404


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(as_alice: Any, alice: Any) -> None:
    response = as_alice.post(reverse("automation_rule_new"), builder_data(alice, add="conditions"))
    assert response.status_code == 200
    builder = response.context["builder"]
    assert len(builder.conditions.forms) == 3  # the typed one and two blank
    assert builder.conditions.forms[0].initial["values"] == ["enterprise"]
    assert builder.actions.forms[0].initial["title"] == "Call {{ account }}"
    page = response.content.decode()
    assert 'value="Red enterprise accounts"' in page and not Rule.objects.exists()


def test_removing_a_row_leaves_it_out_of_the_rule(as_alice: Any, alice: Any) -> None:
    response = as_alice.post(reverse("automation_rule_new"), builder_data(alice, **{"conditions-0-remove": "on"}))
    assert response.status_code == 302
    assert Rule.objects.get().conditions == []


# --- Editing, switching, deleting ---------------------------------------------------------


def test_editing_what_a_rule_does_makes_a_new_version_and_the_history_says_so(as_alice: Any, alice: Any) -> None:
    as_alice.post(reverse("automation_rule_new"), builder_data(alice))
    rule = Rule.objects.get()
    url = reverse("automation_rule_edit", args=[rule.pk])
    form = _page(as_alice, url)
    assert 'value="Call {{ account }}"' in form and "selected>Enterprise" in form.replace('" ', '"')
    edited = builder_data(alice, **{"trigger-light": "amber", "description": "Amber is early enough."})
    response = as_alice.post(url, edited)
    assert response.status_code == 302 and "version 2" in _said(response)
    rule.refresh_from_db()
    assert (rule.version, rule.trigger_settings) == (2, {"light": "amber"})
    renamed = as_alice.post(url, builder_data(alice, **{"trigger-light": "amber", "name": "Amber accounts"}))
    assert renamed.status_code == 302
    rule.refresh_from_db()
    assert (rule.version, rule.name) == (2, "Amber accounts")
    page = _page(as_alice, rule.get_absolute_url())
    assert "What it does</strong>: When the health light turns amber" in page
    assert "What it does</strong>: When the health light turns red" in page
    assert "changed from Red enterprise accounts to Amber accounts" in page and "version 2" in page


def test_a_leader_switches_a_rule_on_with_or_without_the_last_30_days_and_off(as_alice: Any, alice: Any) -> None:
    rule = make_rule(alice)
    url = reverse("automation_rule_switch", args=[rule.pk])
    response = as_alice.post(url, {"enabled": "on", "start": "catch_up"})
    assert response.status_code == 302 and "last 30 days" in _said(response)
    rule.refresh_from_db()
    today = timezone.localdate()
    assert rule.enabled and rule.evaluated_through == today - dt.timedelta(days=30)
    as_alice.post(url, {"enabled": "off"})
    rule.refresh_from_db()
    assert not rule.enabled
    as_alice.post(url, {"enabled": "on", "start": "now"})
    rule.refresh_from_db()
    assert rule.enabled and rule.evaluated_through == today
    history = _page(as_alice, rule.get_absolute_url())
    assert "Switched on" in history and "Switched off" in history


def test_switching_on_without_choosing_how_is_refused(as_alice: Any, alice: Any) -> None:
    rule = make_rule(alice)
    response = as_alice.post(reverse("automation_rule_switch", args=[rule.pk]), {"enabled": "on"})
    assert response.status_code == 302 and "last 30 days or only from now on" in _said(response)
    for bad in ({}, {"enabled": "maybe"}):
        assert as_alice.post(reverse("automation_rule_switch", args=[rule.pk]), bad).status_code == 302
    rule.refresh_from_db()
    assert not rule.enabled


def test_a_leader_deletes_a_rule_and_what_it_did_stays(as_alice: Any, alice: Any, acme: Account) -> None:
    rule = make_rule(alice)
    task = Task.objects.create(title="Call Acme", assignee=alice, account=acme)
    Firing.objects.create(rule=rule, version=1, account=acme, event_key="ticket:1", event_on=timezone.localdate(),
                          status=FiringStatus.FIRED, summary="High ticket", fired_at=timezone.now(),
                          outcomes=[{"kind": "task", "id": task.pk, "title": task.title}])
    response = as_alice.post(reverse("automation_rule_delete", args=[rule.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("automation")
    assert not Rule.objects.exists() and not Firing.objects.exists() and Task.objects.filter(pk=task.pk).exists()
    assert as_alice.get(reverse("automation_rule", args=[rule.pk])).status_code == 404


# --- The log and the preview --------------------------------------------------------------


def _firings(rule: Rule, account: Account, count: int, start: int = 0) -> list[Firing]:
    now = timezone.now()
    return Firing.objects.bulk_create([
        Firing(rule=rule, version=rule.version, account=account, event_key=f"ticket:{start + n}",
               event_on=timezone.localdate(), status=FiringStatus.FIRED if n % 2 == 0 else FiringStatus.SUPPRESSED,
               summary=f"High ticket T-{start + n} opened", matched={"ticket": f"T-{start + n}", "score": 38.5},
               outcomes=[{"kind": "task", "id": 1, "title": f"Call {account.name}", "assignee": "Carol Owner"},
                         {"kind": "email", "to": "Alice Leader"}, {"kind": "flag", "name": "At risk", "id": 1}]
               if n % 2 == 0 else [], fired_at=now - dt.timedelta(minutes=n))
        for n in range(count)
    ])


def test_the_rule_page_logs_each_firing_with_its_values_status_and_outcomes(
    as_rita: Any, as_alice: Any, alice: Any, acme: Account
) -> None:
    rule = make_rule(alice)
    _firings(rule, acme, 2)
    page = _page(as_rita, rule.get_absolute_url())
    assert "High ticket T-0 opened" in page and "Score</span> 38.5" in page and "Ticket</span> T-0" in page
    assert "Held back by the cooldown" in page and "nothing: held back" in page
    assert "Task: Call Acme Manufacturing (for Carol Owner)" in page  # a reader may not open the task
    assert reverse("task_edit", args=[1]) not in page
    assert "E-mail: to Alice Leader" in page and f'href="{acme.get_absolute_url()}">At risk' in page
    leader = _page(as_alice, rule.get_absolute_url())
    assert f'href="{reverse("task_edit", args=[1])}">Call Acme Manufacturing (for Carol Owner)' in leader


def test_the_log_lists_every_rule_s_firings_and_filters_by_rule(as_dave: Any, alice: Any, acme: Account) -> None:
    first, second = make_rule(alice), make_rule(alice, "Detractors", trigger={"kind": "detractor"})
    _firings(first, acme, 1)
    _firings(second, acme, 1, start=50)
    page = _page(as_dave, reverse("automation_log"))
    assert "T-0" in page and "T-50" in page and "Detractors" in page
    only = _page(as_dave, reverse("automation_log"), rule=str(second.pk))
    assert "T-50" in only and "T-0 " not in only
    for junk in ("x", "9" * 40, "-3", "99999"):
        _page(as_dave, reverse("automation_log"), rule=junk)


def test_the_preview_lists_where_the_rule_would_have_fired_and_why(as_alice: Any, alice: Any, acme: Account) -> None:
    rule = make_rule(alice)
    _ticket(acme, "T-9", days_ago=2)
    _ticket(acme, "T-10", days_ago=40)  # before the window
    _ticket(acme, "T-11", days_ago=1, priority="low")
    page = _page(as_alice, reverse("automation_rule_preview", args=[rule.pk]))
    assert "would have fired <strong>1 time</strong> on 1 account" in page
    assert "T-9" in page and "T-10" not in page and "T-11" not in page and "Acme Manufacturing" in page
    assert "Act on the situations of the last 30 days the preview lists" in page
    assert 'value="catch_up"' in page and "checked" in page
    assert not Firing.objects.exists()


def test_a_rule_cairn_no_longer_reads_is_not_previewed_but_says_so(as_alice: Any, alice: Any) -> None:
    rule = make_rule(alice)
    Rule.objects.filter(pk=rule.pk).update(trigger_settings={"gone": 1})
    response = as_alice.get(reverse("automation_rule_preview", args=[rule.pk]))
    assert response.status_code == 302 and "no longer read" in _said(response)
    assert "Cairn can no longer read this rule" in _page(as_alice, rule.get_absolute_url())


def test_readers_see_the_preview_without_the_switch(as_rita: Any, alice: Any) -> None:
    rule = make_rule(alice)
    page = _page(as_rita, reverse("automation_rule_preview", args=[rule.pk]))
    assert "Nothing to act on" in page and "Switch on" not in page


# --- Plays --------------------------------------------------------------------------------


def _play_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Rescue", "description": "When a customer is slipping away.", **_management("steps", 3),
        "steps-0-title": "Call the sponsor of {{ account }}", "steps-0-description": "",
        "steps-0-assignee": "owner", "steps-0-due_days": "2",
        "steps-1-title": "Review the adoption plan", "steps-1-description": "With the team.",
        "steps-1-assignee": "engagement_owner", "steps-1-due_days": "7",
        "steps-2-title": "", "steps-2-description": "", "steps-2-assignee": "owner", "steps-2-due_days": "0",
    }
    return data | changes


def test_a_leader_writes_a_play_and_edits_its_tasks(as_alice: Any, as_rita: Any) -> None:
    response = as_alice.post(reverse("automation_play_new"), _play_data())
    assert response.status_code == 302
    play = Play.objects.get()
    assert [(s.title, s.assignee, s.due_days) for s in play.steps.all()] == [
        ("Call the sponsor of {{ account }}", "owner", 2), ("Review the adoption plan", "engagement_owner", 7)]
    url = reverse("automation_play_edit", args=[play.pk])
    changed = as_alice.post(url, _play_data(name="Rescue call", **{"steps-1-remove": "on"}))
    assert changed.status_code == 302
    assert [s.title for s in play.steps.all()] == ["Call the sponsor of {{ account }}"]
    page = _page(as_alice, url)
    assert "changed from Rescue to Rescue call" in page and "Save the play" in page
    read = _page(as_rita, url)
    assert "Call the sponsor of {{ account }}" in read and "Save the play" not in read
    assert "2 days after it starts" in read
    assert "Rescue call" in _page(as_rita, reverse("automation_plays"))


@pytest.mark.parametrize(("changes", "field", "said"), [
    ({"steps-0-title": "Call {{ acount }}"}, "title", "no merge field"),
    ({"steps-0-due_days": "400"}, "due_days", "365"),
    ({"steps-0-title": "", "steps-0-description": "Something"}, "title", "Give the task a title"),
])
def test_a_bad_task_is_named_and_the_play_not_saved(
    as_alice: Any, changes: dict[str, Any], field: str, said: str
) -> None:
    response = as_alice.post(reverse("automation_play_new"), _play_data(**changes))
    assert response.status_code == 400
    errors = response.context["steps"].forms[0].errors
    assert said in " ".join(errors[field])
    assert not Play.objects.exists()


def test_a_play_without_tasks_or_name_is_refused(as_alice: Any) -> None:
    bare = {"steps-0-title": "", "steps-1-title": "", "steps-1-description": ""}
    response = as_alice.post(reverse("automation_play_new"), _play_data(**bare))
    assert response.status_code == 400 and "at least one task" in " ".join(response.context["step_errors"])
    assert as_alice.post(reverse("automation_play_new"), _play_data(name="")).status_code == 400
    assert not Play.objects.exists()


def test_adding_a_task_row_keeps_what_was_typed(as_alice: Any) -> None:
    response = as_alice.post(reverse("automation_play_new"), _play_data(add="steps"))
    assert response.status_code == 200 and not Play.objects.exists()
    assert len(response.context["steps"].forms) == 4
    assert 'value="Rescue"' in response.content.decode()


def test_a_play_a_rule_starts_cannot_be_deleted(as_alice: Any, alice: Any) -> None:
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    make_rule(alice, actions=[{"kind": "play", "play": play.pk}])
    response = as_alice.post(reverse("automation_play_delete", args=[play.pk]))
    assert response.status_code == 302 and "Urgent tickets" in _said(response)
    assert Play.objects.filter(pk=play.pk).exists()
    assert "Urgent tickets" in _page(as_alice, reverse("automation_plays"))
    Rule.objects.all().delete()
    assert as_alice.post(reverse("automation_play_delete", args=[play.pk])).status_code == 302
    assert not Play.objects.exists()


@pytest.mark.parametrize("client", ["as_carol", "as_rita"])
def test_csms_and_readers_may_not_change_plays(request: pytest.FixtureRequest, client: str, alice: Any) -> None:
    browser = request.getfixturevalue(client)
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    assert browser.get(reverse("automation_play_new")).status_code == 403
    assert browser.post(reverse("automation_play_new"), _play_data(name="Other")).status_code == 403
    assert browser.post(reverse("automation_play_edit", args=[play.pk]), _play_data()).status_code == 403
    assert browser.post(reverse("automation_play_delete", args=[play.pk])).status_code == 403
    assert list(Play.objects.values_list("name", flat=True)) == ["Rescue"]
    assert "New play" not in _page(browser, reverse("automation_plays"))


# --- Flags --------------------------------------------------------------------------------


def test_the_owner_flags_an_account_and_clears_the_flag(as_carol: Any, carol: Any, acme: Account) -> None:
    response = as_carol.post(reverse("account_flag_new", args=[acme.pk]), {"name": "At risk"})
    assert response.status_code == 302 and response["Location"] == acme.get_absolute_url()
    flag = AccountFlag.objects.get()
    assert (flag.name, flag.set_by, flag.cleared_at) == ("At risk", carol, None)
    again = as_carol.post(reverse("account_flag_new", args=[acme.pk]), {"name": "At risk"})
    assert again.status_code == 302 and AccountFlag.objects.count() == 1
    assert as_carol.post(reverse("account_flag_clear", args=[flag.pk])).status_code == 302
    flag.refresh_from_db()
    assert flag.cleared_at is not None and flag.cleared_by == carol


def test_a_bad_flag_is_refused_saying_why(as_carol: Any, acme: Account) -> None:
    for name in ("", "   ", "x" * 41, "a\x00b"):
        response = as_carol.post(reverse("account_flag_new", args=[acme.pk]), {"name": name})
        assert response.status_code == 302 and "The flag was not set" in _said(response)
    assert not AccountFlag.objects.exists()


@pytest.mark.parametrize("client", ["as_dave", "as_rita"])
def test_who_may_not_change_the_account_may_not_flag_it(
    request: pytest.FixtureRequest, client: str, acme: Account, carol: Any
) -> None:
    browser = request.getfixturevalue(client)
    flag = actions.set_flag(acme, "At risk", by=carol)
    assert browser.post(reverse("account_flag_new", args=[acme.pk]), {"name": "Churn"}).status_code == 403
    assert browser.post(reverse("account_flag_clear", args=[flag.pk])).status_code == 403
    flag.refresh_from_db()
    assert AccountFlag.objects.count() == 1 and flag.cleared_at is None


def test_the_account_panel_shows_open_flags_and_recent_firings(
    rf: Any, carol: Any, dave: Any, alice: Any, acme: Account
) -> None:
    rule = make_rule(alice)
    _firings(rule, acme, 2)
    open_flag = actions.set_flag(acme, "At risk", by=carol)
    actions.clear_flag(actions.set_flag(acme, "Renewal", by=carol), by=carol)
    with CaptureQueriesContext(connection) as ctx:
        context = queries.account_page(rf.get("/"), acme)
    assert len(ctx.captured_queries) == 2
    assert context["account_flags"] == [open_flag]
    html = render_to_string("automation/_account.html", {**context, "account": acme, "can_edit": True})
    assert "At risk" in html and "Renewal" not in html and "set by Carol Owner" in html
    assert reverse("account_flag_clear", args=[open_flag.pk]) in html and "Urgent tickets" in html
    reader = render_to_string("automation/_account.html", {**context, "account": acme, "can_edit": False})
    assert "Clear" not in reader and "Set the flag" not in reader


# --- Query counts -------------------------------------------------------------------------


def test_the_lists_read_in_the_same_number_of_queries_for_1_row_and_for_many(
    as_rita: Any, alice: Any, carol: Any, acme: Account
) -> None:
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    rule = make_rule(alice, actions=[{"kind": "play", "play": play.pk}, {"kind": "email", "template": "rule_email"}],
                     conditions=[{"field": "owner", "op": "in", "values": [str(carol.pk)]}])
    _firings(rule, acme, 1)
    urls = [reverse("automation"), reverse("automation_log"), rule.get_absolute_url(), reverse("automation_plays")]
    for url in urls:  # the first request of a session reads what later ones find cached
        _count(as_rita, url)
    few = [_count(as_rita, url) for url in urls]
    for n in range(6):
        other = make_rule(alice, f"Rule {n}", actions=[{"kind": "play", "play": play.pk}],
                          trigger={"kind": "detractor"},
                          conditions=[{"field": "owner", "op": "in", "values": [str(alice.pk)]}])
        _firings(other, Account.objects.create(name=f"Account {n}", owner=carol), 3)
        actions.save_play(Play(name=f"Play {n}"), [Step(title="Call"), Step(title="Write")], by=alice)
    _firings(rule, acme, 12, start=100)
    for n in range(3):
        actions.save_rule(rule, actions.parse({
            "trigger": {"kind": "urgent_ticket"}, "conditions": rule.conditions,
            "actions": [*rule.actions, {"kind": "task", "title": f"Call {n}"}],
        }), by=alice)
    assert [_count(as_rita, url) for url in urls] == few
