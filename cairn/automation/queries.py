"""Reading rules, their log, plays and flags: the rules list with how often each fired, a
rule's firings and history, the book-wide log, the plays and what the account page shows,
each in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.text import Truncator

from cairn import changes
from cairn.automation import describe
from cairn.automation.definition import FLAG_CHARS, ActionKind
from cairn.automation.models import AccountFlag, Firing, FiringStatus, Play, Rule
from cairn.bounds import INT_MAX

RECENT_DAYS = 30
ACCOUNT_FIRINGS = 8  # recent firings on the account page
HISTORY_ROWS = 200
VALUE_CHARS = 120

# What the values a trigger matched are called on the page (cairn.automation.triggers).
MATCHED_LABELS = {
    "light": "Light", "previous_light": "Was", "score": "Score", "peak": "Highest before",
    "fall": "Fall", "metric": "Metric", "value": "Value", "previous": "Before",
    "threshold": "Threshold", "renewal_date": "Renewal", "arr": "ARR", "engagement": "Engagement",
    "phase": "Phase", "since": "Since", "task": "Task", "due_date": "Due", "assignee": "Assignee",
    "kpi": "KPI", "contact": "Contact", "comment": "Comment", "ticket": "Ticket",
    "priority": "Priority", "subject": "Subject", "document": "Document", "recipient": "Recipient",
    "response": "Answer",
}
LIGHT_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}


# --- Values in words ----------------------------------------------------------------------


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return describe.number(value)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    text = str(value)
    if text in LIGHT_WORDS:
        return LIGHT_WORDS[text]
    try:
        return formats.date_format(dt.date.fromisoformat(text), "j M Y")
    except ValueError:
        return Truncator(text).chars(VALUE_CHARS)


def matched_items(matched: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The values a firing matched, labelled and formatted: [("Score", "38.5"), …]."""
    if not isinstance(matched, Mapping):
        return []
    return [
        (MATCHED_LABELS.get(key, key.replace("_", " ").capitalize()), _value(value))
        for key, value in matched.items()
    ]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One thing a firing did, as the log shows it: "Task: Call Acme" linking to the task."""

    kind: str
    text: str
    url: str = ""


def _url(name: str, pk: Any) -> str:
    if not isinstance(pk, int) or not 1 <= pk <= INT_MAX:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _outcome_text(kind: str, item: Mapping[str, Any]) -> str:
    if kind == ActionKind.TASK:
        who = f" (for {item['assignee']})" if item.get("assignee") else ""
        return f"{item.get('title', '')}{who}"
    if kind == ActionKind.EMAIL:
        if item.get("sent") is False or not item.get("to"):
            return "not sent: nobody to send it to"
        return f"to {item['to']}"
    if kind == ActionKind.WEBHOOK:
        return str(item.get("endpoint") or item.get("skipped") or "")
    return str(item.get("title") or item.get("name") or "")


@dataclasses.dataclass(frozen=True)
class Links:
    """Which pages the viewer may open: a task's page is for who may change it (leaders see
    them all), a webhook delivery's for admins. Others read the outcome without a link."""

    tasks: bool = False
    deliveries: bool = False


def outcome_items(outcomes: Any, account_url: str = "", links: Links = Links()) -> list[Outcome]:
    """What a firing's actions did, each with a link where Cairn has a page for it that the
    viewer may open: the task, the webhook delivery, the account for its entry and flag."""
    if not isinstance(outcomes, list):
        return []
    labels: dict[str, str] = {
        ActionKind.TASK: "Task", ActionKind.EMAIL: "E-mail", ActionKind.TIMELINE: "Timeline entry",
        ActionKind.FLAG: "Flag", ActionKind.WEBHOOK: "Webhook", ActionKind.PLAY: "Play",
    }
    found = []
    for item in outcomes:
        if not isinstance(item, Mapping):
            continue
        kind = str(item.get("kind", ""))
        url = ""
        if kind == ActionKind.TASK and links.tasks:
            url = _url("task_edit", item.get("id"))
        elif kind == ActionKind.WEBHOOK and links.deliveries and not item.get("skipped"):
            url = _url("webhook_delivery", item.get("id"))
        elif kind in (ActionKind.TIMELINE, ActionKind.FLAG):
            url = account_url
        found.append(Outcome(
            kind=labels.get(kind, kind.replace("_", " ").capitalize()),
            text=Truncator(_outcome_text(kind, item)).chars(VALUE_CHARS), url=url,
        ))
    return found


def dress(firings: Iterable[Firing], links: Links = Links()) -> list[Firing]:
    """The firings with their matched values and outcomes ready for the page
    (`matched_items`, `outcome_items`); no query when their accounts were selected with them."""
    rows = list(firings)
    for firing in rows:
        account_url = reverse("account", args=[firing.account_id])
        firing.matched_items = matched_items(firing.matched)  # type: ignore[attr-defined]
        firing.outcome_items = outcome_items(firing.outcomes, account_url, links)  # type: ignore[attr-defined]
    return rows


# --- Rules --------------------------------------------------------------------------------


def rules() -> QuerySet[Rule]:
    """Rules with their owner, how often each fired in the last RECENT_DAYS and when last."""
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    fired = Q(firings__status=FiringStatus.FIRED)
    return Rule.objects.select_related("owner").annotate(
        fired_recently=Count("firings", filter=fired & Q(firings__fired_at__gte=since)),
        last_fired=Max("firings__fired_at", filter=fired),
    )


def with_words(rows: Iterable[Rule]) -> list[Rule]:
    """The rules with `words` (cairn.automation.describe.Words, None if unreadable), the
    names every rule needs looked up once."""
    rows = list(rows)
    said = describe.describe_all(rows)
    for rule in rows:
        rule.words = said[rule.pk]  # type: ignore[attr-defined]
    return rows


def firings(rule: Rule) -> QuerySet[Firing]:
    return Firing.objects.filter(rule=rule).select_related("account").order_by("-fired_at", "-pk")


def _id(value: Any) -> int | None:
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    number = int(text)
    return number if 1 <= number <= INT_MAX else None


def log(params: Mapping[str, Any]) -> tuple[QuerySet[Firing], int | None]:
    """The book's firings, newest first, of the rule the query string names (if it names
    one); and that rule's id. An id that names nothing is ignored."""
    rule = _id(params.get("rule"))
    found = Firing.objects.select_related("rule", "account").order_by("-fired_at", "-pk")
    if rule is not None:
        found = found.filter(rule=rule)
    return found, rule


# --- History ------------------------------------------------------------------------------


@dataclasses.dataclass
class HistoryRow:
    """One change of a rule or a play: when, who, what happened and the fields it changed;
    for a rule, what it did from then on when that changed."""

    when: dt.datetime
    who: str
    what: str
    version: int | None
    changes: list[changes.Change]
    does: str = ""


RULE_FIELDS = ["name", "description", "owner", "enabled", "cooldown_days"]
DEFINITION_FIELDS = ("trigger", "trigger_settings", "conditions", "actions")
WHAT = {"+": "created", "~": "changed", "-": "deleted"}


def rule_history(rule_pk: int) -> list[HistoryRow]:
    """The rule's changes, newest first: its fields in words and, where it changed what the
    rule does, the rule in words as of that version."""
    records = list(
        Rule.history.filter(id=rule_pk).select_related("history_user").order_by("history_date", "history_id")
    )[-HISTORY_ROWS:]
    described = changes.in_sequence(records, RULE_FIELDS)
    said = describe.describe_all(records)
    rows = []
    previous = None
    for record, words in zip(records, described, strict=True):
        new_rules = previous is None or any(
            getattr(record, name) != getattr(previous, name) for name in DEFINITION_FIELDS
        )
        sentence = said.get(record.history_id)
        does = ""
        if new_rules:
            does = sentence.sentence if sentence else "(a definition Cairn no longer reads)"
        switched = [c for c in words if c.field == "Enabled"]
        what = WHAT.get(record.history_type, "changed")
        if switched and len(words) == 1:
            what = "switched on" if record.enabled else "switched off"
        rows.append(HistoryRow(
            when=record.history_date, who=str(record.history_user or "system"), what=what,
            version=record.version, changes=[c for c in words if c not in switched or len(words) > 1],
            does=does,
        ))
        previous = record
    rows.reverse()
    return rows


def play_history(play_pk: int) -> list[HistoryRow]:
    records = list(
        Play.history.filter(id=play_pk).select_related("history_user").order_by("history_date", "history_id")
    )[-HISTORY_ROWS:]
    described = changes.in_sequence(records, ["name", "description"])
    rows = [
        HistoryRow(
            when=record.history_date, who=str(record.history_user or "system"),
            what=WHAT.get(record.history_type, "changed") if words or record.history_type != "~"
            else "tasks saved",
            version=None, changes=words,
        )
        for record, words in zip(records, described, strict=True)
    ]
    rows.reverse()
    return rows


# --- Plays --------------------------------------------------------------------------------


def plays() -> list[Play]:
    """Every play with its number of tasks and the rules that start it (`used_by`: names);
    two queries."""
    rows: list[Play] = list(Play.objects.select_related("created_by").annotate(step_count=Count("steps")))
    using: dict[int, list[str]] = {}
    for name, actions in Rule.objects.order_by("name").values_list("name", "actions"):
        for action in actions if isinstance(actions, list) else []:
            if isinstance(action, dict) and action.get("kind") == ActionKind.PLAY:
                using.setdefault(action.get("play") or 0, []).append(name)
    for play in rows:
        play.used_by = sorted(set(using.get(play.pk, [])))  # type: ignore[attr-defined]
    return rows


# --- The account page ---------------------------------------------------------------------


def account_page(request: Any, account: Any) -> dict[str, Any]:
    """The account page's flags and rules: its open flags (who set them, which rule) and the
    rules that fired on it lately; two queries."""
    flags = list(
        AccountFlag.objects.filter(account=account, cleared_at__isnull=True)
        .select_related("set_by", "rule").order_by("set_at", "pk")
    )
    recent = list(
        Firing.objects.filter(account=account).select_related("rule")
        .order_by("-fired_at", "-pk")[:ACCOUNT_FIRINGS]
    )
    return {
        "account_flags": flags,
        "account_firings": dress(recent),
        "account_flag_chars": FLAG_CHARS,
    }
