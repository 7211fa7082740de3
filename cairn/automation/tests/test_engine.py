"""The engine around the triggers: the preview is what switching on with "the last 30 days"
then does; switched on "from now", the past is left alone; each change to what a rule does
is a new version, named by its firings; actions write what they say; two evaluations at
once act on a situation once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from cairn.automation import actions as rules
from cairn.automation import engine
from cairn.automation.hits import Verdict
from cairn.automation.models import AccountFlag, Firing, Play, Rule
from cairn.automation.preview import preview
from cairn.automation.tests.conftest import TODAY, days_ago, make_rule, score
from cairn.timeline.models import Entry, EntryKind, Task

pytestmark = pytest.mark.django_db

RED = {"kind": "light_changed", "light": "red"}


def _history(acme: Any, globex: Any) -> None:
    score(days_ago(28), {acme: 80, globex: 80})
    score(days_ago(21), {acme: 30, globex: 80})
    score(days_ago(14), {acme: 80, globex: 30})
    score(days_ago(7), {acme: 30, globex: 30})
    score(TODAY, {acme: 30, globex: 80})


def test_switching_on_with_the_last_30_days_acts_on_exactly_what_the_preview_listed(
    alice, acme, globex, evaluate
) -> None:
    _history(acme, globex)
    rule = make_rule(alice, RED, enabled=False, cooldown=15)

    shown = preview(rule, TODAY)
    rules.switch(rule, enabled=True, by=alice, catch_up=True, today=TODAY)
    firings = evaluate(rule)

    listed = [(r.account_name, r.event_on) for r in shown.rows if r.verdict == Verdict.FIRES]
    assert listed == [("Acme Manufacturing", days_ago(21)), ("Globex", days_ago(14))]
    assert [(f.account.name, f.event_on) for f in firings if f.status == "fired"] == listed
    assert shown.cooldown == 1 and shown.accounts == 2  # Acme's second turn, a week after the first
    assert sorted(Task.objects.values_list("title", flat=True)) == [
        "Look at Acme Manufacturing", "Look at Globex",
    ]


def test_the_preview_marks_what_was_already_acted_on(alice, acme, globex, evaluate) -> None:
    _history(acme, globex)
    rule = make_rule(alice, RED, cooldown=0)
    evaluate(rule)

    shown = preview(rule, TODAY)

    assert {r.verdict for r in shown.rows} == {Verdict.ALREADY}
    assert shown.fires == 0


def test_switched_on_from_now_the_past_is_left_alone(alice, acme, globex, evaluate) -> None:
    _history(acme, globex)

    assert evaluate(make_rule(alice, RED, catch_up=False)) == []


def test_a_disabled_rule_does_nothing(alice, acme, globex, evaluate) -> None:
    _history(acme, globex)

    assert evaluate(make_rule(alice, RED, enabled=False)) == []


def test_a_change_to_what_a_rule_does_is_a_new_version_and_a_new_name_is_not(alice) -> None:
    rule = make_rule(alice, RED)
    rule.name = "Red accounts"
    rules.save_rule(rule, rules.definition_of(rule), by=alice)
    assert rule.version == 1

    changed = rules.parse({"trigger": {"kind": "light_changed", "light": "amber"},
                           "actions": [{"kind": "task", "title": "Look"}]})
    rules.save_rule(rule, changed, by=alice)

    assert rule.version == 2
    assert [h.history_user for h in rule.history.all()] == [alice, alice, alice, alice]


def test_firings_name_the_version_that_fired(alice, acme, globex, evaluate) -> None:
    _history(acme, globex)
    rule = make_rule(alice, RED)
    rule.cooldown_days = 0
    rules.save_rule(rule, rules.definition_of(rule), by=alice)

    assert {f.version for f in evaluate(rule)} == {2}


@pytest.mark.parametrize(("data", "field"), [
    ({"trigger": {"kind": "score_fell", "points": 10}, "actions": [{"kind": "task", "title": "x"}]}, "trigger"),
    ({"trigger": {"kind": "nothing"}, "actions": [{"kind": "task", "title": "x"}]}, "trigger.kind"),
    ({"trigger": RED, "actions": []}, "actions"),
    ({"trigger": RED, "actions": [{"kind": "task", "title": ""}]}, "actions.0"),
    ({"trigger": RED, "actions": [{"kind": "task", "title": "x", "due_days": 9999}]}, "actions.0.due_days"),
    ({"trigger": RED, "conditions": [{"field": "arr", "op": "in", "values": ["1"]}],
      "actions": [{"kind": "task", "title": "x"}]}, "conditions.0"),
    ({"trigger": {**RED, "points": "many"}, "actions": [{"kind": "task", "title": "x"}]}, "trigger.points"),
])
def test_a_bad_definition_names_its_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.parse(data)

    assert field in caught.value.message_dict


@pytest.mark.parametrize(("data", "field"), [
    ({"trigger": RED, "actions": [{"kind": "task", "title": "Call {{ acount }}"}]}, "actions.0.title"),
    ({"trigger": RED, "actions": [{"kind": "play", "play": 999}]}, "actions.0.play"),
    ({"trigger": {"kind": "metric_crossed", "metric": 999, "direction": "below", "value": 1},
      "actions": [{"kind": "task", "title": "x"}]}, "trigger.metric"),
    ({"trigger": RED, "conditions": [{"field": "segment", "op": "in", "values": ["galactic"]}],
      "actions": [{"kind": "task", "title": "x"}]}, "conditions.0.values"),
])
def test_a_definition_naming_what_does_not_exist_is_refused_and_nothing_saved(
    alice, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.save_rule(Rule(name="Bad", owner=alice), rules.parse(data), by=alice)

    assert field in caught.value.message_dict
    assert not Rule.objects.exists()


def test_a_task_goes_to_the_rule_owner_when_the_account_has_none(alice, acme, globex, evaluate) -> None:
    globex.owner = None
    globex.save()
    _history(acme, globex)

    evaluate(make_rule(alice, RED, [{"kind": "task", "title": "Call {{ account }} ({{ owner }})",
                                     "assignee": "owner", "due_days": 2}]))

    task = Task.objects.get(account=globex)
    assert (task.title, task.assignee, task.due_date) == ("Call Globex (nobody)", alice, TODAY + dt.timedelta(days=2))
    assert "Opened by the rule “Rule”" in task.description
    assert Entry.objects.filter(account=globex, kind=EntryKind.TASK).count() == 1


def test_a_play_opens_each_of_its_tasks(alice, carol, acme, globex, evaluate) -> None:
    play = rules.save_play(Play(name="Save the account"), [
        rules.Step("Call the sponsor of {{ account }}", due_days=1),
        rules.Step("Review usage", assignee="rule_owner", due_days=5),
    ], by=alice)
    _history(acme, globex)

    evaluate(make_rule(alice, RED, [{"kind": "play", "play": play.pk}], cooldown=30))

    assert sorted(Task.objects.filter(account=acme).values_list("title", "assignee__username")) == [
        ("Call the sponsor of Acme Manufacturing", "carol"), ("Review usage", "alice"),
    ]


def test_a_flag_and_a_timeline_entry_are_written_once_and_logged(alice, acme, globex, evaluate) -> None:
    _history(acme, globex)
    rule = make_rule(alice, RED, [{"kind": "flag", "flag": "At risk"},
                                  {"kind": "timeline", "title": "{{ account }} turned red", "body": "{{ reason }}"}],
                     cooldown=0)

    firings = evaluate(rule)

    assert AccountFlag.objects.filter(account=acme, name="At risk", cleared_at__isnull=True).count() == 1
    entry = Entry.objects.filter(kind=EntryKind.AUTOMATION, account=acme).first()
    assert entry.title == "Acme Manufacturing turned red" and "turned red" in entry.body
    assert sorted(o["kind"] for o in firings[0].outcomes) == ["flag", "timeline"]


def test_evaluate_all_carries_on_past_a_rule_that_fails(alice, acme, globex, monkeypatch) -> None:
    _history(acme, globex)
    broken = make_rule(alice, RED, name="Broken")
    make_rule(alice, RED, name="Working")
    real = engine.judge

    def judge(rule: Rule, *args: Any) -> Any:
        if rule.pk == broken.pk:
            raise RuntimeError("boom")
        return real(rule, *args)

    monkeypatch.setattr(engine, "judge", judge)
    summary = engine.evaluate_all(TODAY)

    assert summary["failed"] == ["Broken"] and summary["fired"] == 3
    assert not Firing.objects.filter(rule=broken).exists()


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_at_once_act_on_each_situation_once(alice, acme, globex) -> None:
    with transaction.atomic():  # as a recompute writes the scores: the date's row is locked
        _history(acme, globex)
    rule = make_rule(alice, RED, cooldown=0)
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            engine.evaluate(rule, TODAY)
        except Exception:  # noqa: S110 - the loser may fail on the constraint or the lock
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Firing.objects.filter(rule=rule).count() == 3
    assert Task.objects.count() == 3
