"""A rule in words and the rule builder's forms: every trigger, condition and action said as a
person would, names looked up in a constant number of queries; a stored rule opened in the
builder and saved untouched stays the same version; each refusal of the definition lands on
the field it names."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.automation import actions, describe, forms
from cairn.automation.actions import Step
from cairn.automation.definition import Definition
from cairn.automation.models import Play, Rule
from cairn.automation.tests.test_pages import make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _templates(db: None) -> None:
    from cairn.notifications.actions import ensure_templates

    ensure_templates()


def _said(**parts: Any) -> str:
    data = {"trigger": {"kind": "detractor"}, "actions": [{"kind": "task", "title": "Call"}], **parts}
    return describe.describe(Definition.model_validate(data))


# --- In words -----------------------------------------------------------------------------


@pytest.mark.parametrize(("trigger", "lead"), [
    ({"kind": "light_changed"}, "When the health light changes"),
    ({"kind": "light_changed", "light": "red"}, "When the health light turns red"),
    ({"kind": "score_fell", "points": 15, "days": 30}, "When the health score falls by at least 15 points within 30 days"),
    ({"kind": "renewal_near", "days": 90}, "When a renewal comes within 90 days"),
    ({"kind": "phase_stalled", "days": 45}, "When an engagement waits at a phase gate for more than 45 days"),
    ({"kind": "kpi_off_track"}, "When a KPI turns off track"),
    ({"kind": "detractor"}, "When a detractor answers a survey"),
    ({"kind": "urgent_ticket"}, "When a high-priority ticket opens"),
    ({"kind": "link_answered"}, "When a customer link is answered"),
    ({"kind": "link_expired"}, "When a customer link expires unanswered"),
    ({"kind": "task_overdue", "days": 3}, "When a task is overdue by 3 days"),
    ({"kind": "schedule", "every": "day"}, "Every day"),
    ({"kind": "schedule", "every": "week", "weekday": 4}, "Every Friday"),
    ({"kind": "schedule", "every": "month", "day_of_month": 15}, "Every month on day 15"),
])
def test_every_trigger_reads_as_a_sentence(trigger: dict[str, Any], lead: str) -> None:
    assert _said(trigger=trigger).startswith(f"{lead}: create a task")


def test_a_metric_and_a_phase_are_named(playbook_version: Any) -> None:
    from cairn.metrics.models import MetricDefinition

    metric = MetricDefinition.objects.create(slug="seats", name="Seat utilization", kind="count")
    phase = playbook_version.phases.order_by("position").first()
    crossed = {"kind": "metric_crossed", "metric": metric.pk, "direction": "below", "value": 0.5}
    assert _said(trigger=crossed).startswith("When Seat utilization falls below 0.5:")
    stalled = {"kind": "phase_stalled", "days": 30, "phase": phase.key}
    assert f"waits at the {phase.name} phase gate for more than 30 days" in _said(trigger=stalled)
    phased = [{"field": "phase", "op": "not_in", "values": [phase.key]}]
    assert f"for accounts not in phase {phase.name}:" in _said(conditions=phased)


@pytest.mark.parametrize(("condition", "words"), [
    ({"field": "segment", "op": "in", "values": ["enterprise", "strategic"]}, "in segment Enterprise or Strategic"),
    ({"field": "segment", "op": "not_in", "values": ["smb"]}, "not in segment SMB"),
    ({"field": "light", "op": "in", "values": ["red", "amber"]}, "whose health light is red or amber"),
    ({"field": "arr", "op": "gte", "number": 50000}, "with ARR at least 50,000"),
    ({"field": "score", "op": "lte", "number": 40.5}, "with a health score of at most 40.5"),
    ({"field": "renewal_days", "op": "lte", "number": 90}, "renewing in at most 90 days"),
    ({"field": "employees", "op": "gte", "number": 1000}, "with at least 1,000 employees"),
    ({"field": "industry", "op": "in", "values": ["Retail", "Energy", "Logistics"]},
     "in industry Retail, Energy or Logistics"),
    ({"field": "region", "op": "contains", "text": "EM"}, "whose region contains “EM”"),
    ({"field": "name", "op": "contains", "text": "Acme"}, "whose account name contains “Acme”"),
    ({"field": "flag", "op": "has", "text": "At risk"}, "flagged “At risk”"),
    ({"field": "flag", "op": "has_not", "text": "At risk"}, "not flagged “At risk”"),
])
def test_every_condition_reads_as_part_of_the_sentence(condition: dict[str, Any], words: str) -> None:
    assert f"for accounts {words}:" in _said(conditions=[condition])


def test_owners_are_named_and_nobody_is_said(carol: Any, dave: Any) -> None:
    owners = [{"field": "owner", "op": "in", "values": [str(carol.pk), "none"]},
              {"field": "owner", "op": "not_in", "values": [str(dave.pk), "987654"]}]
    assert "for accounts owned by Carol Owner or nobody and not owned by Dave Outsider or a deleted user:" in (
        _said(conditions=owners))


def test_every_action_reads_as_part_of_the_sentence(alice: Any) -> None:
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    said = _said(actions=[
        {"kind": "task", "title": "Call {{ account }}", "assignee": "engagement_owner"},
        {"kind": "task", "title": "Write", "assignee": "rule_owner", "due_days": 1},
        {"kind": "play", "play": play.pk},
        {"kind": "play", "play": 98765},
        {"kind": "email", "to": "owner", "template": "rule_email"},
        {"kind": "email", "to": "contact", "template": "customer_message"},
        {"kind": "timeline", "title": "Flagged by a rule"},
        {"kind": "flag", "flag": "At risk"},
        {"kind": "webhook", "endpoint": 98765},
    ])
    assert said.split(": ", 1)[1] == (
        "create a task “Call {{ account }}” for the engagement's owner due the same day; "
        "create a task “Write” for the rule's owner due in 1 day; start the play “Rescue”; "
        "start the play “a deleted play”; e-mail the account's owner (template Automation rule e-mail); "
        "e-mail the customer's sponsor (template Message to a customer contact); "
        "add the timeline entry “Flagged by a rule”; flag the account “At risk”; "
        "call the webhook that was deleted"
    )


def test_the_names_of_many_rules_are_looked_up_in_a_constant_number_of_queries(
    alice: Any, carol: Any
) -> None:
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)

    def add(n: int) -> None:
        make_rule(alice, f"Rule {n}", conditions=[{"field": "owner", "op": "in", "values": [str(carol.pk)]},
                                                  {"field": "phase", "op": "in", "values": ["onboarding"]}],
                  actions=[{"kind": "play", "play": play.pk}, {"kind": "email", "template": "rule_email"}])

    add(0)
    with CaptureQueriesContext(connection) as one:
        describe.describe_all(Rule.objects.all())
    for n in range(1, 8):
        add(n)
    with CaptureQueriesContext(connection) as many:
        said = describe.describe_all(Rule.objects.all())
    assert len(many.captured_queries) == len(one.captured_queries) <= 5
    assert all(w is not None and "owned by Carol Owner" in w.sentence for w in said.values())


def test_a_definition_the_schema_no_longer_reads_is_said_so(alice: Any) -> None:
    rule = make_rule(alice)
    Rule.objects.filter(pk=rule.pk).update(trigger_settings={"gone": 1})
    rule.refresh_from_db()
    assert describe.readable(rule) is None
    assert describe.describe_all([rule])[rule.pk] is None


# --- The builder --------------------------------------------------------------------------


class _Inputs(HTMLParser):
    """The values a browser would post for the rule form, as its inputs stand."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name") or ""
        if tag == "input" and name and found.get("type") not in ("checkbox", "radio", "submit"):
            self.data.setdefault(name, []).append(found.get("value") or "")
        elif tag == "input" and name and "checked" in found:
            self.data.setdefault(name, []).append(found.get("value") or "on")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.data.setdefault(self._select, []).append(found.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self.data.setdefault(name, [""])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def test_a_rule_opened_in_the_builder_and_saved_untouched_stays_as_it_was(
    as_alice: Any, alice: Any, carol: Any
) -> None:
    play = actions.save_play(Play(name="Rescue"), [Step(title="Call")], by=alice)
    rule = make_rule(
        alice, trigger={"kind": "score_fell", "points": 12, "days": 30},
        conditions=[{"field": "segment", "op": "in", "values": ["enterprise", "strategic"]},
                    {"field": "arr", "op": "gte", "number": 50000},
                    {"field": "industry", "op": "in", "values": ["Retail", "Energy"]},
                    {"field": "owner", "op": "not_in", "values": [str(carol.pk), "none"]},
                    {"field": "flag", "op": "has_not", "text": "At risk"}],
        actions=[{"kind": "task", "title": "Call {{ account }}", "body": "Ask why.", "assignee": "engagement_owner",
                  "due_days": 2},
                 {"kind": "play", "play": play.pk}, {"kind": "email", "to": "leaders", "template": "rule_email"},
                 {"kind": "flag", "flag": "At risk"}, {"kind": "timeline", "title": "Watch {{ account }}"}],
    )
    before = (rule.trigger_settings, rule.conditions, rule.actions)
    url = reverse("automation_rule_edit", args=[rule.pk])
    page = as_alice.get(url).content.decode()
    form = page[page.index('<form method="post" id="rule-form">'):]
    inputs = _Inputs()
    inputs.feed(form[:form.index("</form>")])
    response = as_alice.post(url, inputs.data)
    assert response.status_code == 302, response.context and response.context["builder"].rule.errors
    rule.refresh_from_db()
    assert (rule.trigger_settings, rule.conditions, rule.actions) == before
    assert rule.version == 1


def _builder(alice: Any, data: dict[str, Any]) -> forms.Builder:
    base = {
        "name": "R", "owner": str(alice.pk), "cooldown_days": "0",
        "conditions-TOTAL_FORMS": "1", "conditions-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0",
    }
    builder = forms.Builder.build({**base, **data}, rule=Rule(owner=alice), choices=forms.Choices(), url="/x/")
    builder.is_valid()
    return builder


def test_a_refusal_of_the_whole_trigger_lands_on_the_settings_it_misses(alice: Any) -> None:
    builder = _builder(alice, {"trigger-kind": "score_fell", "trigger-days": "5"})
    builder.add_errors(ValidationError({"trigger": ["Health score falls needs: points."]}))
    assert builder.trigger.errors == {"points": ["This trigger needs it."]}


def test_a_refusal_of_a_whole_row_lands_on_the_field_its_choice_needs(alice: Any) -> None:
    builder = _builder(alice, {
        "conditions-0-field": "arr", "conditions-0-op": "lte",
        "actions-0-kind": "email", "actions-0-to": "owner",
    })
    builder.add_errors(ValidationError({
        "conditions.0": ["ARR: give a number."], "actions.0": ["Send an e-mail: E-mail template is required."],
        "actions.0.body": ["Too long."], "surprise": ["Something else."],
    }))
    assert builder.conditions.forms[0].errors == {"number": ["ARR: give a number."]}
    assert builder.actions.forms[0].errors["template"] == ["Send an e-mail: E-mail template is required."]
    assert builder.actions.forms[0].errors["__all__"] == ["Too long."]
    assert builder.rule.errors["__all__"] == ["surprise: Something else."]


def test_blank_and_removed_rows_are_no_part_of_the_definition(alice: Any) -> None:
    builder = _builder(alice, {
        "trigger-kind": "detractor", "conditions-TOTAL_FORMS": "2",
        "conditions-0-field": "", "conditions-1-field": "segment", "conditions-1-op": "in",
        "conditions-1-values": "smb", "conditions-1-remove": "on",
        "actions-TOTAL_FORMS": "2", "actions-0-kind": "flag", "actions-0-flag": "Watch", "actions-1-kind": "",
    })
    assert builder.definition() == {
        "trigger": {"kind": "detractor"}, "conditions": [], "actions": [{"kind": "flag", "flag": "Watch"}],
    }
