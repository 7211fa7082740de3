"""The rule builder and the play editor, without code: a trigger chosen from a list with only
its own settings, conditions and actions as rows of fields, each row showing only what its
choice needs. The builder turns what was typed into a definition (cairn.automation.definition)
and puts every refusal of it back next to the field it is about."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseFormSet, formset_factory

from cairn.automation import merge
from cairn.automation.actions import MAX_STEPS, Step
from cairn.automation.definition import (
    FLAG_CHARS,
    MAX_ACTIONS,
    MAX_CONDITIONS,
    MAX_DAYS,
    NUMERIC,
    OPS,
    REQUIRED,
    ActionKind,
    Assignee,
    Direction,
    Every,
    Field_,
    Op,
    Recipient,
    TriggerKind,
)
from cairn.automation.describe import NOBODY, WEEKDAYS
from cairn.automation.models import MAX_COOLDOWN_DAYS, Play, Rule
from cairn.customers.models import Segment
from cairn.fields import NAME, NOTE, TITLE
from cairn.health.models import Light
from cairn.people.models import Role, User

BIG = 1e12  # the largest threshold or bound a rule takes, as the definition says
MERGE_HELP = "May use merge fields: " + ", ".join(f"{{{{ {name} }}}}" for name in merge.MERGE_FIELDS) + "."
WORDS_CHARS = 2_000  # "is one of" values typed as text, separated by commas
ROW = re.compile(r"^(conditions|actions|steps)-(\d{1,2})$")


def writers() -> Any:
    """The people who may own a rule or be given work: active, not read-only."""
    return User.objects.filter(is_active=True).exclude(role=Role.READONLY).order_by("first_name", "last_name")


class Choices:
    """What the builder's selects offer, each read once per request however many rows."""

    @cached_property
    def phases(self) -> list[tuple[str, str]]:
        from cairn.playbooks.models import Phase

        names: dict[str, str] = {}
        order: dict[str, int] = {}
        for key, name, position in Phase.objects.order_by("version_id", "position").values_list(
            "key", "name", "position"
        ):
            names[key], order[key] = name, position
        return sorted(names.items(), key=lambda item: (order[item[0]], item[1]))

    @cached_property
    def owners(self) -> list[tuple[str, str]]:
        people = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        return [(str(user.pk), str(user)) for user in people] + [(NOBODY, "Nobody (no owner)")]

    @cached_property
    def metrics(self) -> list[tuple[str, str]]:
        from cairn.metrics.models import MetricDefinition

        found = MetricDefinition.objects.order_by("name").values_list("pk", "name")
        return [(str(pk), name) for pk, name in found]

    @cached_property
    def plays(self) -> list[tuple[str, str]]:
        return [(str(pk), name) for pk, name in Play.objects.order_by("name").values_list("pk", "name")]

    @cached_property
    def templates(self) -> list[tuple[str, str]]:
        from cairn.notifications.models import EmailTemplate

        return list(EmailTemplate.objects.order_by("name").values_list("key", "name"))

    @cached_property
    def endpoints(self) -> list[tuple[str, str]]:
        from cairn.webhooks.models import Endpoint

        return [
            (str(pk), name if active else f"{name} (paused)")
            for pk, name, active in Endpoint.objects.order_by("name").values_list("pk", "name", "active")
        ]

    def values(self, field: str) -> list[tuple[str, str]]:
        """The choices of a condition on `field` whose values are records or choices."""
        if field == Field_.SEGMENT:
            return list(Segment.choices)
        if field == Field_.LIGHT:
            return list(Light.choices)
        if field == Field_.PHASE:
            return self.phases
        if field == Field_.OWNER:
            return self.owners
        return []


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class Row(forms.Form):
    """A form that shows only the fields its current choice needs: `kept` names them."""

    choice_field = ""

    def raw(self, name: str) -> Any:
        """What the form holds for `name` before it is judged: the typed value when bound,
        else the initial one."""
        if self.is_bound:
            widget = self.fields[name].widget if name in self.fields else forms.TextInput()
            return widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return self.initial.get(name, self.fields[name].initial if name in self.fields else None)

    def keep(self, names: Sequence[str]) -> None:
        for name in list(self.fields):
            if name not in names:
                del self.fields[name]

    @property
    def shown(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name != "remove"]

    def typed(self) -> dict[str, Any]:
        """What was typed, as initial values for a form that shows it again unjudged."""
        return {name: self[name].value() for name in self.fields}

    def refresh(self, url: str, part: str) -> None:
        """The choice's select asks for the form again when it changes (htmx), so the
        fields of the new choice appear."""
        target = f"#{part}"
        for name in self.refreshers:
            if name in self.fields:
                self.fields[name].widget.attrs.update({
                    "hx-get": url, "hx-vals": json.dumps({"part": part}), "hx-include": target,
                    "hx-target": target, "hx-swap": "outerHTML",
                })

    refreshers: tuple[str, ...] = ()


# --- The trigger --------------------------------------------------------------------------

SETTINGS: dict[str, tuple[str, ...]] = {
    TriggerKind.LIGHT_CHANGED: ("light",),
    TriggerKind.SCORE_FELL: ("points", "days"),
    TriggerKind.METRIC_CROSSED: ("metric", "direction", "value"),
    TriggerKind.RENEWAL_NEAR: ("days",),
    TriggerKind.PHASE_STALLED: ("phase", "days"),
    TriggerKind.TASK_OVERDUE: ("days",),
    TriggerKind.SCHEDULE: ("every", "weekday", "day_of_month"),
}
DAYS: dict[str, tuple[str, str]] = {
    TriggerKind.SCORE_FELL: ("Within (days)", "The fall counts from the highest score of these last days."),
    TriggerKind.RENEWAL_NEAR: ("Days before the renewal", "Fires once a renewal, this many days before it."),
    TriggerKind.PHASE_STALLED: ("Days waiting at the gate", "How long an engagement may stay in the phase."),
    TriggerKind.TASK_OVERDUE: ("Days overdue", "Fires once per task, this many days after its due date."),
}


class TriggerForm(Row):
    refreshers = ("kind", "every")

    kind = forms.ChoiceField(label="Trigger", choices=TriggerKind.choices)
    light = forms.ChoiceField(label="Turns", required=False, choices=[*_blank("Any colour"), *Light.choices])
    points = forms.IntegerField(label="Falls by at least (points)", required=False, min_value=1,
                                max_value=100)
    days = forms.IntegerField(label="Days", required=False, min_value=1, max_value=MAX_DAYS)
    metric = forms.ChoiceField(label="Metric", required=False)
    direction = forms.ChoiceField(label="Direction", required=False,
                                  choices=[*_blank("Choose…"), *Direction.choices])
    value = forms.FloatField(label="Threshold", required=False, min_value=-BIG, max_value=BIG)
    phase = forms.ChoiceField(label="Phase", required=False)
    every = forms.ChoiceField(label="How often", required=False, choices=Every.choices)
    weekday = forms.TypedChoiceField(
        label="On", required=False, coerce=int, empty_value="0",
        choices=[(str(n), day) for n, day in enumerate(WEEKDAYS)],
    )
    day_of_month = forms.IntegerField(label="On day of the month", required=False, min_value=1, max_value=28,
                                      help_text="1 to 28, so that every month has it.")

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "trigger")
        super().__init__(*args, **kwargs)
        kind = self.kind_value
        kept = ["kind", *SETTINGS.get(kind, ())]
        if kind == TriggerKind.SCHEDULE:
            every = self.raw("every") or Every.DAY
            if every != Every.WEEK:
                kept.remove("weekday")
            if every != Every.MONTH:
                kept.remove("day_of_month")
        self.keep(kept)
        if "metric" in self.fields:
            self._choices("metric", _blank("Choose a metric…") + choices.metrics)
        if "phase" in self.fields:
            self._choices("phase", _blank("Any phase") + choices.phases)
        if "days" in self.fields and kind in DAYS:
            self.fields["days"].label, self.fields["days"].help_text = DAYS[kind]

    def _choices(self, name: str, options: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = options

    @property
    def kind_value(self) -> str:
        kind = self.raw("kind")
        return kind if kind in TriggerKind.values else TriggerKind.LIGHT_CHANGED

    def trigger(self) -> dict[str, Any]:
        data = self.cleaned_data
        found: dict[str, Any] = {"kind": data["kind"]}
        for name in self.fields:
            value = data.get(name)
            if name == "kind" or value is None or value == "":
                continue
            found[name] = int(value) if name == "metric" else value
        return found


# --- Conditions ---------------------------------------------------------------------------

TYPED_VALUES = (Field_.INDUSTRY, Field_.REGION)  # "is one of" values typed, not chosen


def _needs(op: str) -> str:
    """Which input an operator reads: the values, a number or a text."""
    if op in (Op.IN, Op.NOT_IN):
        return "values"
    if op in (Op.GTE, Op.LTE):
        return "number"
    return "text"


class ConditionForm(Row):
    refreshers = ("field", "op")

    field = forms.ChoiceField(label="Account's", required=False,
                              choices=[*_blank("Choose…"), *Field_.choices])
    op = forms.ChoiceField(label="Test", required=False, choices=Op.choices)
    values = forms.MultipleChoiceField(label="Values", required=False)
    number = forms.FloatField(label="Number", required=False, min_value=-BIG, max_value=BIG)
    text = forms.CharField(label="Text", required=False, max_length=NAME)
    remove = forms.BooleanField(label="Remove", required=False)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.raw("field")
        if field not in Field_.values:
            self.keep(["field", "remove"])
            return
        ops = OPS[field]
        op_field = self.fields["op"]
        assert isinstance(op_field, forms.ChoiceField)
        op_field.choices = [(op, Op(op).label) for op in ops]
        op = self.raw("op")
        if op not in ops:
            op = ops[0]
            if not self.is_bound:
                self.initial["op"] = op
        if field in TYPED_VALUES:
            self.fields["values"] = forms.CharField(
                label="Values", required=False, max_length=WORDS_CHARS,
                help_text="Separate them with commas.",
            )
            typed = self.initial.get("values")
            if isinstance(typed, list | tuple):
                self.initial["values"] = ", ".join(str(v) for v in typed)
        else:
            values = self.fields["values"]
            assert isinstance(values, forms.MultipleChoiceField)
            values.choices = choices.values(field)
            typed = self.initial.get("values")
            if isinstance(typed, str):
                self.initial["values"] = [v.strip() for v in typed.split(",") if v.strip()]
        label = {Field_.FLAG: "Flag", Field_.NAME: "Text"}.get(field, "Text")
        self.fields["text"].label = label
        self.keep(["field", "op", _needs(op), "remove"])

    @property
    def is_blank(self) -> bool:
        return not getattr(self, "cleaned_data", {}).get("field")

    @property
    def removed(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("remove"))

    def condition(self) -> dict[str, Any]:
        data = self.cleaned_data
        found: dict[str, Any] = {"field": data["field"], "op": data.get("op") or ""}
        if "values" in self.fields:
            values = data.get("values") or []
            if isinstance(values, str):
                values = [v.strip() for v in values.split(",") if v.strip()]
            found["values"] = list(values)
        if "number" in self.fields and data.get("number") is not None:
            found["number"] = data["number"]
        if "text" in self.fields:
            found["text"] = data.get("text") or ""
        return found

    def target(self) -> str:
        """The field a refusal of the whole condition is about."""
        field, op = self.raw("field"), self.raw("op")
        if field in OPS and op not in OPS[field]:
            return "op"
        return _needs(op) if field in Field_.values else "field"


def condition_initial(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored condition as the form's initial values."""
    found = dict(stored)
    if found.get("field") in NUMERIC and found.get("number") is not None:
        number = float(found["number"])
        found["number"] = int(number) if number.is_integer() else number
    return found


# --- Actions ------------------------------------------------------------------------------

NEEDS: dict[str, tuple[str, ...]] = {
    ActionKind.TASK: ("title", "body", "assignee", "due_days"),
    ActionKind.PLAY: ("play",),
    ActionKind.EMAIL: ("to", "template"),
    ActionKind.TIMELINE: ("title", "body"),
    ActionKind.FLAG: ("flag",),
    ActionKind.WEBHOOK: ("endpoint",),
}
# The setting an action of each kind cannot do without: a refusal of the whole action is
# about it (definition.Action._has_its_settings).
ESSENTIAL = {
    ActionKind.TASK: "title", ActionKind.TIMELINE: "title", ActionKind.FLAG: "flag",
    ActionKind.EMAIL: "template", ActionKind.PLAY: "play", ActionKind.WEBHOOK: "endpoint",
}


class ActionForm(Row):
    refreshers = ("kind",)

    kind = forms.ChoiceField(label="Do", required=False, choices=[*_blank("Choose…"), *ActionKind.choices])
    title = forms.CharField(label="Title", required=False, max_length=TITLE, help_text=MERGE_HELP)
    body = forms.CharField(label="Description", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}), help_text="May use merge fields too.")
    assignee = forms.ChoiceField(label="Assign to", required=False, choices=Assignee.choices)
    due_days = forms.IntegerField(label="Due after (days)", required=False, min_value=0, max_value=365,
                                  initial=0)
    play = forms.ChoiceField(label="Play", required=False)
    to = forms.ChoiceField(label="Send to", required=False, choices=Recipient.choices)
    template = forms.ChoiceField(label="E-mail template", required=False)
    flag = forms.CharField(label="Flag", required=False, max_length=FLAG_CHARS,
                           help_text="For example: At risk.")
    endpoint = forms.ChoiceField(label="Webhook", required=False)
    remove = forms.BooleanField(label="Remove", required=False)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.raw("kind")
        if kind not in ActionKind.values:
            self.keep(["kind", "remove"])
            return
        self.keep(["kind", *NEEDS[kind], "remove"])
        options = {"play": ("Choose a play…", lambda: choices.plays),
                   "template": ("Choose a template…", lambda: choices.templates),
                   "endpoint": ("Choose a webhook…", lambda: choices.endpoints)}
        for name, (blank, offered) in options.items():
            if name in self.fields:
                field = self.fields[name]
                assert isinstance(field, forms.ChoiceField)
                field.choices = _blank(blank) + offered()
        if kind == ActionKind.TIMELINE:
            self.fields["title"].label, self.fields["body"].label = "Entry title", "Entry text"
        elif kind == ActionKind.TASK:
            self.fields["title"].label = "Task title"

    @property
    def is_blank(self) -> bool:
        return not getattr(self, "cleaned_data", {}).get("kind")

    @property
    def removed(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("remove"))

    def action(self) -> dict[str, Any]:
        data = self.cleaned_data
        found: dict[str, Any] = {"kind": data["kind"]}
        for name in NEEDS[data["kind"]]:
            value = data.get(name)
            if value is None or value == "":
                continue
            found[name] = int(value) if name in ("play", "endpoint") else value
        return found

    def target(self) -> str:
        return ESSENTIAL.get(self.raw("kind"), "kind")


class RowFormSet(BaseFormSet):  # type: ignore[type-arg]
    """Rows the builder reads itself: blank and removed rows are left out, not refused."""

    def kept(self) -> list[Any]:
        return [form for form in self.forms if not form.is_blank and not form.removed]


def _rows(form: type[Row], most: int, extra: int) -> type[RowFormSet]:
    return formset_factory(  # type: ignore[return-value]
        form, formset=RowFormSet, extra=extra, max_num=most, validate_max=True, absolute_max=most + 5,
    )


# --- The rule -----------------------------------------------------------------------------


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Rule
        fields = ["name", "description", "owner", "cooldown_days"]
        labels = {"cooldown_days": "Cooldown (days)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = writers()
        owner.help_text = "Answers for the rule; a leader or an admin changes it."
        self.fields["description"].help_text = "Why the rule exists and what it should achieve."
        cooldown = self.fields["cooldown_days"]
        assert isinstance(cooldown, forms.IntegerField)
        cooldown.max_value = MAX_COOLDOWN_DAYS


def _stored_trigger(rule: Rule) -> dict[str, Any]:
    return {"kind": rule.trigger, **(rule.trigger_settings or {})} if rule.trigger else {}


@dataclasses.dataclass
class Builder:
    """Every part of the rule builder: the rule's fields, its trigger, its condition rows
    and its action rows; bound to what was posted, or showing a rule (or what was typed)."""

    rule: RuleForm
    trigger: TriggerForm
    conditions: RowFormSet
    actions: RowFormSet
    condition_errors: list[str] = dataclasses.field(default_factory=list)
    action_errors: list[str] = dataclasses.field(default_factory=list)
    stored_conditions: list[Any] = dataclasses.field(default_factory=list)

    @classmethod
    def build(
        cls, data: Any, *, rule: Rule, choices: Choices, url: str, typed: dict[str, Any] | None = None,
        more: str = "",
    ) -> Builder:
        """Bound to `data` when given; else showing `typed` (what was typed before, shown
        again unjudged), or else the rule as stored. `more` adds a row ("conditions",
        "actions")."""
        if typed is None:
            typed = {
                "rule": {}, "trigger": _stored_trigger(rule),
                "conditions": [condition_initial(c) for c in rule.conditions or []],
                "actions": list(rule.actions or []),
            }
        extra = {part: 1 + (part == more) for part in ("conditions", "actions")}
        bound = {"data": data} if data is not None else {}
        builder = cls(
            rule=RuleForm(data, instance=rule, initial=typed["rule"] if data is None else None),
            trigger=TriggerForm(data, choices=choices, initial=typed["trigger"] if data is None else None),
            conditions=_rows(ConditionForm, MAX_CONDITIONS, extra["conditions"])(
                **bound, prefix="conditions", form_kwargs={"choices": choices},
                initial=None if data is not None else typed["conditions"],
            ),
            actions=_rows(ActionForm, MAX_ACTIONS, extra["actions"])(
                **bound, prefix="actions", form_kwargs={"choices": choices},
                initial=None if data is not None else typed["actions"],
            ),
            stored_conditions=list(rule.conditions or []),
        )
        builder.trigger.refresh(url, "trigger")
        for form in [*builder.conditions.forms, *builder.actions.forms]:
            form.refresh(url, form.prefix)
        return builder

    def typed(self) -> dict[str, Any]:
        """What the bound builder was sent, to show again: blank and removed rows left out."""

        def rows(formset: RowFormSet, choice: str) -> list[dict[str, Any]]:
            kept = []
            for form in formset.forms:
                values = form.typed()
                if values.get(choice) and not values.get("remove"):
                    values.pop("remove", None)
                    kept.append(values)
            return kept

        return {
            "rule": {name: self.rule[name].value() for name in self.rule.fields},
            "trigger": self.trigger.typed(),
            "conditions": rows(self.conditions, "field"),
            "actions": rows(self.actions, "kind"),
        }

    def is_valid(self) -> bool:
        # Every part is judged, so each shows its errors at once.
        parts: list[Any] = [self.rule, self.trigger, self.conditions, self.actions]
        return all([part.is_valid() for part in parts])

    @property
    def has_errors(self) -> bool:
        return bool(
            self.rule.errors or self.trigger.errors or self.conditions.total_error_count()
            or self.actions.total_error_count() or self.condition_errors or self.action_errors
        )

    def definition(self) -> dict[str, Any]:
        """The definition the rows describe, in the shape cairn.automation.actions.parse reads."""
        conditions = [form.condition() for form in self.conditions.kept()]
        # A multi-select sends its values in the order of its options: the rule's own order is
        # kept when the same values come back, so saving it untouched changes nothing.
        for condition, stored in zip(conditions, self.stored_conditions, strict=False):
            values = stored.get("values") if isinstance(stored, dict) else None
            if isinstance(values, list) and sorted(values) == sorted(condition.get("values", [])):
                condition["values"] = list(values)
        return {
            "trigger": self.trigger.trigger(),
            "conditions": conditions,
            "actions": [form.action() for form in self.actions.kept()],
        }

    def add_errors(self, exc: ValidationError) -> None:
        """Put a refusal of the definition or the rule next to the field it names: a path
        such as "trigger.points", "conditions.0.values" or "actions.1.template"."""
        if not hasattr(exc, "error_dict"):
            self.rule.add_error(None, exc.messages)
            return
        for path, messages in exc.message_dict.items():
            head, _, rest = path.partition(".")
            if head == "trigger":
                self._trigger_error(rest, messages)
            elif head in ("conditions", "actions"):
                self._row_error(head, rest, messages)
            elif path in self.rule.fields:
                self.rule.add_error(path, messages)
            else:
                prefix = "" if path in (NON_FIELD_ERRORS, "definition") else f"{path}: "
                self.rule.add_error(None, [prefix + m for m in messages])

    def _trigger_error(self, rest: str, messages: list[str]) -> None:
        form = self.trigger
        name = rest.split(".")[0]
        if name in form.fields:
            form.add_error(name, messages)
            return
        needed = REQUIRED.get(form.kind_value, ())
        missing = [n for n in needed if n in form.fields and form.raw(n) in (None, "")]
        for n in missing:
            form.add_error(n, "This trigger needs it.")
        if not missing:
            form.add_error("kind" if not name else None, messages)

    def _row_error(self, part: str, rest: str, messages: list[str]) -> None:
        kept = (self.conditions if part == "conditions" else self.actions).kept()
        index, _, name = rest.partition(".")
        name = name.split(".")[0]
        if not index.isdigit() or int(index) >= len(kept):
            errors = self.condition_errors if part == "conditions" else self.action_errors
            if part == "actions" and not kept:
                messages = ["Add at least one action: what the rule does when it fires."]
            errors.extend(messages)
            return
        form = kept[int(index)]
        # A refusal of the whole row is about the setting its choice cannot do without.
        target = name or form.target()
        if target not in form.fields:
            form.add_error(None, messages)
            return
        form.add_error(target, messages)


def part_form(part: str, params: Any, choices: Choices, url: str) -> Row | None:
    """One part of the builder shown again with a new choice (htmx): the trigger, or one
    condition or action row ("conditions-2"), from what the request carries; None for a
    part the builder does not have."""
    if part == "trigger":
        typed = TriggerForm(params, choices=choices).typed()
        form: Row = TriggerForm(initial=typed, choices=choices)
    else:
        found = ROW.match(part)
        if found is None or found.group(1) == "steps":
            return None
        kind = ConditionForm if found.group(1) == "conditions" else ActionForm
        typed = kind(params, prefix=part, choices=choices).typed()
        form = kind(initial=typed, prefix=part, choices=choices)
    form.refresh(url, part)
    return form


# --- Switching on and off, flags ----------------------------------------------------------

CATCH_UP = "catch_up"
FROM_NOW = "now"


class SwitchForm(forms.Form):
    enabled = forms.ChoiceField(choices=[("on", "Switch on"), ("off", "Switch off")])
    start = forms.ChoiceField(
        label="Switched on, it acts", required=False, widget=forms.RadioSelect, initial=FROM_NOW,
        choices=[(CATCH_UP, "Act on the situations of the last 30 days the preview lists"),
                 (FROM_NOW, "Only from now on")],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("enabled") == "on" and not data.get("start"):
            self.add_error("start", "Choose whether it acts on the last 30 days or only from now on.")
        return data


class FlagForm(forms.Form):
    name = forms.CharField(label="Flag", max_length=FLAG_CHARS, help_text="For example: At risk.")


# --- Plays --------------------------------------------------------------------------------


class PlayForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Play
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class StepForm(forms.Form):
    title = forms.CharField(label="Task title", max_length=TITLE, required=False,
                            help_text="May use merge fields, such as {{ account }}.")
    description = forms.CharField(label="Description", max_length=NOTE, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    assignee = forms.ChoiceField(label="Assign to", choices=Assignee.choices, initial=Assignee.OWNER)
    due_days = forms.IntegerField(label="Due after (days)", min_value=0, max_value=365, initial=0)
    remove = forms.BooleanField(label="Remove", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title") and data.get("description") and not data.get("remove"):
            self.add_error("title", "Give the task a title, or tick Remove.")
        return data

    @property
    def kept(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("title")) and not data.get("remove")

    def step(self) -> Step:
        data = self.cleaned_data
        return Step(title=data["title"], description=data.get("description") or "",
                    assignee=data.get("assignee") or Assignee.OWNER, due_days=data.get("due_days") or 0)


class StepFormSet(BaseFormSet):  # type: ignore[type-arg]
    def kept(self) -> list[StepForm]:
        return [form for form in self.forms if form.kept]


def steps_formset(data: Any, *, initial: list[dict[str, Any]] | None, extra: int = 1) -> StepFormSet:
    kind = formset_factory(
        StepForm, formset=StepFormSet, extra=extra, max_num=MAX_STEPS, validate_max=True,
        absolute_max=MAX_STEPS + 5,
    )
    # A blank row left as it was is no step: only rows someone typed in are judged.
    return kind(data, prefix="steps", initial=initial)  # type: ignore[return-value]


def step_errors(formset: StepFormSet, form: PlayForm, exc: ValidationError) -> list[str]:
    """Put a refusal of save_play next to the field it names ("steps.2.title"); what names
    no field comes back to be shown above the tasks."""
    left: list[str] = []
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    kept = formset.kept()
    for path, messages in exc.message_dict.items():
        head, _, rest = path.partition(".")
        index, _, name = rest.partition(".")
        if head == "steps" and index.isdigit() and int(index) < len(kept) and name in kept[int(index)].fields:
            kept[int(index)].add_error(name, messages)
        elif head == "steps":
            left.extend(messages)
        elif path in form.fields:
            form.add_error(path, messages)
        else:
            form.add_error(None, messages)
    return left
