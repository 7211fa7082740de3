"""What each trigger finds: the situations that arose on the days from `start` to `end`.

Each finder reads the book as it is kept (the score history in the analytics store, the
metric series, tickets, survey answers, links, tasks, subscriptions, phase moves) and answers
every situation of those days once, with a key that names it, so that evaluating the same
days again finds the same keys and acts on none of them twice. Health and metric triggers
fire on the change itself (the day the light turned, the day the score fell by N), not on
every day the condition lasts: one situation, one firing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from django.db.models import Max, Sum
from django.utils import timezone

from cairn.automation.definition import Direction, Every, Trigger, TriggerKind
from cairn.automation.hits import Hit
from cairn.health import history
from cairn.health.models import Light, ScoreDate

LIGHTS = ["", Light.RED, Light.AMBER, Light.GREEN]
LIGHT_LABELS = dict(Light.choices)
DETRACTOR_MAX = 6
URGENT = ("high", "urgent")
SUMMARY_CHARS = 280


# Written by hand rather than through django.utils.formats, which costs a hundredfold: a
# rule firing on thousands of accounts writes these for each.
def day_text(day: dt.date) -> str:
    """7 Dec 2026, as the pages write a date."""
    return f"{day.day} {day:%b %Y}"


def number_text(value: float) -> str:
    """12,345 or 12,345.6: grouped, one decimal when there is one."""
    rounded = round(value, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments from the start of `start` to the end of `end`, local time."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    last = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return first, last


def _clip(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


# --- The score history -------------------------------------------------------------------

def _score_grid(dates: list[ScoreDate]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(account ids, scores [account x date] with NaN for none, lights [account x date] as
    indexes of LIGHTS) over the given scoring dates."""
    tables = [
        ds.dataset(history.folder() / row.file, schema=history.SCHEMA, format="parquet")
        .to_table(columns=["account_id", "score", "light"])
        for row in dates
    ]
    if not tables:
        empty = np.empty((0, 0))
        return np.empty(0, dtype=np.int64), empty, empty.astype(np.int8)
    ids = np.unique(np.concatenate([t["account_id"].to_numpy() for t in tables]))
    scores = np.full((len(ids), len(tables)), np.nan)
    lights = np.zeros((len(ids), len(tables)), dtype=np.int8)
    codes = pa.array(LIGHTS[1:], pa.string())
    for column, table in enumerate(tables):
        rows = np.searchsorted(ids, table["account_id"].to_numpy())
        scores[rows, column] = np.asarray(table["score"].to_numpy(zero_copy_only=False), dtype=float)
        found = pc.index_in(table["light"], value_set=codes).fill_null(-1).to_numpy()
        lights[rows, column] = found + 1
    return ids, scores, lights


def _history(start: dt.date, end: dt.date, before: int) -> tuple[list[ScoreDate], int]:
    """The scoring dates up to `end`, from `before` days ahead of `start` and at least one
    date before it; and the index of the first date on or after `start`."""
    inside = history.dates(since=start, until=end)
    earlier = history.dates(since=start - dt.timedelta(days=before), until=start - dt.timedelta(days=1))
    if not earlier:
        previous = (ScoreDate.objects.exclude(file="").filter(scored_on__lt=start)
                    .order_by("-scored_on").first())
        earlier = [previous] if previous else []
    return earlier + inside, len(earlier)


def light_changed(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    dates, first = _history(start, end, before=0)
    ids, scores, lights = _score_grid(dates)
    hits = []
    wanted = LIGHTS.index(trigger.light) if trigger.light else None
    for column in range(max(first, 1), len(dates)):
        now, then = lights[:, column], lights[:, column - 1]
        changed = (now != then) & (now > 0) & (then > 0)
        if wanted is not None:
            changed &= now == wanted
        day = dates[column].scored_on
        for row in np.flatnonzero(changed):
            new, old = LIGHTS[now[row]], LIGHTS[then[row]]
            score = scores[row, column]
            hits.append(Hit(
                account_id=int(ids[row]), event_key=f"light:{day.isoformat()}", event_on=day,
                summary=f"Health turned {LIGHT_LABELS[new].lower()} (was {LIGHT_LABELS[old].lower()}) "
                f"on {day_text(day)}, score {number_text(score)}",
                matched={"light": new, "previous_light": old, "score": round(float(score), 1)},
            ))
    return hits


def score_fell(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    """The score fell by at least `points` below its highest in the `days` before: on the
    scoring date it first did (it had not on the date before)."""
    assert trigger.points is not None and trigger.days is not None
    dates, first = _history(start, end, before=trigger.days * 2)
    ids, scores, _ = _score_grid(dates)
    days = np.array([row.scored_on.toordinal() for row in dates])
    fell = np.zeros_like(scores, dtype=bool)
    peaks = np.full_like(scores, np.nan)
    for column in range(len(dates)):
        window = (days < days[column]) & (days >= days[column] - trigger.days)
        if not window.any():
            continue
        with np.errstate(all="ignore"):
            peak = np.nanmax(np.where(np.isnan(scores[:, window]), -np.inf, scores[:, window]), axis=1)
        peak[np.isinf(peak)] = np.nan
        peaks[:, column] = peak
        with np.errstate(invalid="ignore"):
            fell[:, column] = (peak - scores[:, column]) >= trigger.points
    hits = []
    for column in range(max(first, 1), len(dates)):
        day = dates[column].scored_on
        for row in np.flatnonzero(fell[:, column] & ~fell[:, column - 1]):
            score, peak = float(scores[row, column]), float(peaks[row, column])
            hits.append(Hit(
                account_id=int(ids[row]), event_key=f"fell:{day.isoformat()}", event_on=day,
                summary=f"Health fell {number_text(peak - score)} points to {number_text(score)} on "
                f"{day_text(day)} (from {number_text(peak)} within {trigger.days} days)",
                matched={"score": round(score, 1), "peak": round(peak, 1),
                         "fall": round(peak - score, 1)},
            ))
    return hits


# --- Metrics -------------------------------------------------------------------------------

def metric_crossed(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    """The metric's value went past the threshold on an observation date (it had not on the
    date before)."""
    from cairn.metrics.models import MetricDefinition, MetricFill
    from cairn.metrics.store import SERIES_SCHEMA, series_path

    metric = MetricDefinition.objects.filter(pk=trigger.metric or 0).first()
    if metric is None or trigger.value is None:
        return []
    inside = list(MetricFill.objects.filter(observed_on__range=(start, end))
                  .order_by("observed_on").values_list("observed_on", flat=True))
    previous = (MetricFill.objects.filter(observed_on__lt=start).order_by("-observed_on")
                .values_list("observed_on", flat=True).first())
    days = ([previous] if previous else []) + inside
    paths = [series_path(metric.slug, day) for day in days]
    days = [day for day, path in zip(days, paths, strict=True) if path.exists()]
    if len(days) < 2:
        return []
    tables = [ds.dataset(series_path(metric.slug, day), schema=SERIES_SCHEMA, format="parquet")
              .to_table(columns=["account_id", "value"]) for day in days]
    ids = np.unique(np.concatenate([t["account_id"].to_numpy() for t in tables]))
    values = np.full((len(ids), len(days)), np.nan)
    for column, table in enumerate(tables):
        rows = np.searchsorted(ids, table["account_id"].to_numpy())
        values[rows, column] = np.asarray(table["value"].to_numpy(zero_copy_only=False), dtype=float)
    with np.errstate(invalid="ignore"):
        past = values < trigger.value if trigger.direction == Direction.BELOW else values > trigger.value
    word = "fell below" if trigger.direction == Direction.BELOW else "rose above"
    hits = []
    for column in range(1, len(days)):
        day = days[column]
        for row in np.flatnonzero(past[:, column] & ~past[:, column - 1] & ~np.isnan(values[:, column - 1])):
            value, before = float(values[row, column]), float(values[row, column - 1])
            hits.append(Hit(
                account_id=int(ids[row]), event_key=f"metric:{metric.pk}:{day.isoformat()}", event_on=day,
                summary=f"{metric.name} {word} {number_text(trigger.value)} on {day_text(day)}: "
                f"{number_text(value)} (was {number_text(before)})",
                matched={"metric": metric.name, "value": round(value, 4), "previous": round(before, 4),
                         "threshold": trigger.value},
            ))
    return hits


# --- The calendar: renewals, phases, tasks --------------------------------------------------

def renewal_near(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    """A renewal date came `days` away: on the day it did, once per account and date."""
    from cairn.customers.models import Subscription, SubscriptionStatus

    assert trigger.days is not None
    reach = dt.timedelta(days=trigger.days)
    rows = (
        Subscription.objects.filter(
            status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIAL],
            end_date__range=(start + reach, end + reach),
        )
        .values("account_id", "end_date").annotate(arr=Sum("arr")).order_by("end_date", "account_id")
    )
    return [
        Hit(
            account_id=row["account_id"], event_key=f"renewal:{row['end_date'].isoformat()}",
            event_on=row["end_date"] - reach,
            summary=f"Renews on {day_text(row['end_date'])}, {trigger.days} days away, "
            f"ARR {number_text(float(row['arr'] or 0))}",
            matched={"renewal_date": row["end_date"].isoformat(), "arr": float(row["arr"] or 0)},
        )
        for row in rows
    ]


def phase_stalled(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    """An active engagement has been in its phase `days` days: on the day it reached them."""
    from cairn.engagements.models import Engagement, PhaseMove
    from cairn.engagements.models import Status as EngagementStatus

    assert trigger.days is not None
    engagements = Engagement.objects.filter(status=EngagementStatus.ACTIVE).select_related("current_phase")
    if trigger.phase:
        engagements = engagements.filter(current_phase__key=trigger.phase)
    rows = list(engagements.only("pk", "account_id", "start_date", "initiative", "current_phase__key",
                                 "current_phase__name"))
    entered = dict(
        PhaseMove.objects.filter(engagement__in=[e.pk for e in rows])
        .values("engagement_id").annotate(at=Max("moved_at")).values_list("engagement_id", "at")
    )
    hits = []
    for engagement in rows:
        moved = entered.get(engagement.pk)
        since = _local_day(moved) if moved else engagement.start_date
        due = since + dt.timedelta(days=trigger.days)
        if not start <= due <= end:
            continue
        phase = engagement.current_phase
        hits.append(Hit(
            account_id=engagement.account_id, event_on=due,
            event_key=f"phase:{engagement.pk}:{phase.key}:{since.isoformat()}",
            summary=_clip(f"{engagement.initiative}: in {phase.name} since {day_text(since)}, "
                          f"{trigger.days} days"),
            matched={"engagement": engagement.initiative, "phase": phase.name, "since": since.isoformat()},
        ))
    return hits


def task_overdue(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    """An open task on an account is `days` days past its due date: on that day."""
    from cairn.timeline.models import Task, TaskStatus

    assert trigger.days is not None
    late = dt.timedelta(days=trigger.days)
    rows = (
        Task.objects.filter(status=TaskStatus.OPEN, account__isnull=False,
                            due_date__range=(start - late, end - late))
        .values("pk", "account_id", "title", "due_date", "assignee__first_name", "assignee__last_name")
        .order_by("due_date", "pk")
    )
    hits = []
    for row in rows:
        who = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        due = row["due_date"]
        assert due is not None  # the filter asked for a due date
        hits.append(Hit(
            account_id=row["account_id"], event_key=f"task:{row['pk']}:{due.isoformat()}",
            event_on=due + late,
            summary=_clip(f"Task “{row['title']}” ({who}) was due {day_text(due)}"),
            matched={"task": row["title"], "due_date": due.isoformat(), "assignee": who},
        ))
    return hits


# --- What customers do: KPIs, surveys, tickets, links ------------------------------------

def kpi_off_track(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    """A reading put a KPI off track that was not before it."""
    from cairn.adoption.measurements import KpiStatus, assess
    from cairn.adoption.models import Kpi

    kpis = (Kpi.objects.filter(readings__date__range=(start, end)).distinct()
            .select_related("engagement").prefetch_related("milestones", "readings"))
    hits = []
    for kpi in kpis:
        readings = sorted(kpi.readings.all(), key=lambda r: (r.date, r.pk))
        milestones = list(kpi.milestones.all())
        for index, reading in enumerate(readings):
            if not start <= reading.date <= end:
                continue
            now = assess(kpi, milestones, readings[: index + 1]).status
            before = assess(kpi, milestones, readings[:index]).status if index else None
            if now != KpiStatus.OFF_TRACK or before == KpiStatus.OFF_TRACK:
                continue
            hits.append(Hit(
                account_id=kpi.engagement.account_id, event_key=f"kpi:{kpi.pk}:{reading.date.isoformat()}",
                event_on=reading.date,
                summary=_clip(f"{kpi.name} went off track on {day_text(reading.date)}: "
                              f"{_decimal(reading.value)} {kpi.unit}".rstrip()),
                matched={"kpi": kpi.name, "value": float(reading.value),
                         "previous": KpiStatus(before).label if before else "no reading"},
            ))
    return hits


def _decimal(value: Decimal) -> str:
    return number_text(float(value))


def detractor(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    from cairn.usage.models import SurveyResponse

    rows = (SurveyResponse.objects.filter(score__lte=DETRACTOR_MAX, answered_at__range=_day_range(start, end))
            .select_related("contact").order_by("answered_at", "pk"))
    hits = []
    for answer in rows:
        who = answer.contact.full_name if answer.contact else "A contact"
        said = f": “{answer.comment}”" if answer.comment else ""
        day = _local_day(answer.answered_at)
        hits.append(Hit(
            account_id=answer.account_id, event_key=f"survey:{answer.pk}", event_on=day,
            summary=_clip(f"{who} answered {answer.score} on {day_text(day)}{said}"),
            matched={"score": answer.score, "contact": who, "comment": answer.comment[:500]},
        ))
    return hits


def urgent_ticket(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    from cairn.usage.models import SupportTicket

    rows = (SupportTicket.objects.filter(priority__in=URGENT, opened_at__range=_day_range(start, end))
            .order_by("opened_at", "pk"))
    hits = []
    for ticket in rows:
        day = _local_day(ticket.opened_at)
        hits.append(Hit(
            account_id=ticket.account_id, event_key=f"ticket:{ticket.pk}", event_on=day,
            summary=_clip(f"{ticket.get_priority_display()} ticket {ticket.external_id} opened on "
                          f"{day_text(day)}: {ticket.subject}".rstrip(": ")),
            matched={"ticket": ticket.external_id, "priority": ticket.priority, "subject": ticket.subject},
        ))
    return hits


def link_answered(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    from cairn.sharing.models import SharedLink

    rows = (SharedLink.objects.filter(used_at__range=_day_range(start, end))
            .select_related("engagement").order_by("used_at", "pk"))
    hits = []
    for link in rows:
        day = _local_day(link.used_at)  # type: ignore[arg-type]
        answer = link.get_response_display() or "opened"
        hits.append(Hit(
            account_id=link.engagement.account_id, event_key=f"link:{link.pk}:answered", event_on=day,
            summary=_clip(f"{link.recipient_name} answered “{link.document_title}” on "
                          f"{day_text(day)}: {answer}"),
            matched={"document": link.document_title, "recipient": link.recipient_name, "response": answer},
        ))
    return hits


def link_expired(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    from cairn.sharing.models import SharedLink

    first, last = _day_range(start, end)
    rows = (SharedLink.objects.filter(expires_at__gte=first, expires_at__lt=min(last, timezone.now()),
                                      used_at__isnull=True, revoked_at__isnull=True)
            .select_related("engagement").order_by("expires_at", "pk"))
    hits = []
    for link in rows:
        day = _local_day(link.expires_at)
        hits.append(Hit(
            account_id=link.engagement.account_id, event_key=f"link:{link.pk}:expired", event_on=day,
            summary=_clip(f"“{link.document_title}” sent to {link.recipient_name} expired unanswered on "
                          f"{day_text(day)}"),
            matched={"document": link.document_title, "recipient": link.recipient_name},
        ))
    return hits


# --- The schedule ------------------------------------------------------------------------

def scheduled_day(trigger: Trigger, start: dt.date, end: dt.date) -> dt.date | None:
    """The latest scheduled day from `start` to `end`: a schedule acts on its latest due day
    only, never on the ones it missed."""
    day = end
    while day >= start:
        if (
            trigger.every == Every.DAY
            or (trigger.every == Every.WEEK and day.weekday() == trigger.weekday)
            or (trigger.every == Every.MONTH and day.day == trigger.day_of_month)
        ):
            return day
        day -= dt.timedelta(days=1)
    return None


def schedule(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    from cairn.customers.models import Account

    day = scheduled_day(trigger, start, end)
    if day is None:
        return []
    label = {Every.DAY: "Daily", Every.WEEK: "Weekly", Every.MONTH: "Monthly"}[trigger.every or Every.DAY]
    summary = f"{label} run of {day_text(day)}"
    return [
        Hit(account_id=pk, event_key=f"schedule:{day.isoformat()}", event_on=day, summary=summary)
        for pk in Account.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000)
    ]


FINDERS: dict[str, Callable[[Trigger, dt.date, dt.date], list[Hit]]] = {
    TriggerKind.LIGHT_CHANGED: light_changed,
    TriggerKind.SCORE_FELL: score_fell,
    TriggerKind.METRIC_CROSSED: metric_crossed,
    TriggerKind.RENEWAL_NEAR: renewal_near,
    TriggerKind.PHASE_STALLED: phase_stalled,
    TriggerKind.KPI_OFF_TRACK: kpi_off_track,
    TriggerKind.DETRACTOR: detractor,
    TriggerKind.URGENT_TICKET: urgent_ticket,
    TriggerKind.LINK_ANSWERED: link_answered,
    TriggerKind.LINK_EXPIRED: link_expired,
    TriggerKind.TASK_OVERDUE: task_overdue,
    TriggerKind.SCHEDULE: schedule,
}


def find(trigger: Trigger, start: dt.date, end: dt.date) -> list[Hit]:
    return FINDERS[trigger.kind](trigger, start, end)
