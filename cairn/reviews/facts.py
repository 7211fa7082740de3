"""What a business review shows, gathered from the account's data over the period it covers.

`gather(review)` reads the figures (value delivered against promised and expected, the KPIs,
usage trends, health over the period and what moved it, support, open risks and changes, the
roadmap and next steps, and the asks); `draft(facts)` turns them into the text of each
section, which the CSM edits before export (cairn.reviews.deck builds the deck and the PDF
from that text and these figures). Everything here is read-only.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from cairn.adoption.measurements import KpiStatus
from cairn.adoption.models import Kpi, KpiReading, Risk, RiskStatus, RoadmapStep
from cairn.customers.models import Subscription
from cairn.customers.queries import in_force
from cairn.customers.templatetags.display import figure
from cairn.expansion.models import OPEN_STAGES as OPEN_OPPORTUNITY
from cairn.expansion.models import AdvocacyAsk, AskStatus, Opportunity
from cairn.health.history import account_history
from cairn.health.models import HealthAlert
from cairn.metrics.models import MetricFill, MetricValue
from cairn.metrics.store import read_account_series
from cairn.metrics.templatetags.metric_values import AS_PERCENT, metric_value
from cairn.renewals.models import OPEN_STAGES as OPEN_RENEWAL
from cairn.renewals.models import Renewal
from cairn.reviews.models import Review
from cairn.usage.models import SupportTicket, TicketPriority, TicketStatus
from cairn.value import queries as value_queries
from cairn.value.models import ActivityStatus, ChangeStatus, Commitment, ValueActivity, ValueChange, ValueItem

MAX_KPIS = 6
MAX_METRICS = 4
MAX_POINTS = 13  # a usage trend's points: weekly over a quarter
MAX_ROWS = 8  # rows of a list on one slide


@dataclass
class ValueRow:
    statement: str
    commitment: str  # "Promised" or "Expected"
    progress: int | None  # 0-100 from baseline to target, the mean over its KPIs
    status: str  # on track, at risk, off track, no KPI yet
    perception: str  # "confirmed", "disputed" or ""


@dataclass
class ValueColumn:
    label: str
    items: int
    measured: int
    reached: int
    progress: int | None


@dataclass
class KpiSeries:
    name: str
    unit: str
    baseline: float
    target: float
    target_date: dt.date
    points: list[tuple[dt.date, float]]  # the readings up to the period's end
    status: str
    progress: int | None

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None


@dataclass
class MetricTrend:
    name: str
    points: list[tuple[dt.date, float]]
    higher_is_better: bool
    kind: str = ""  # the metric's kind: utilization and change between windows are fractions

    @property
    def as_percent(self) -> bool:
        return self.kind in AS_PERCENT

    def shown(self, value: float) -> str:
        """A value as the metric's kind means it: 212, 18.2, 14 %."""
        return metric_value(value, self.kind)

    @property
    def first(self) -> float:
        return self.points[0][1]

    @property
    def last(self) -> float:
        return self.points[-1][1]

    @property
    def change(self) -> float | None:
        """Relative change over the period (None from zero); for a metric that is itself a
        share, the difference of the shares."""
        if self.as_percent:
            return self.last - self.first
        return (self.last - self.first) / abs(self.first) if self.first else None

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "new"
        if self.as_percent:
            return f"{change * 100:+.0f} points"
        return f"{change * 100:+.0f}\u00a0%"


@dataclass
class HealthFacts:
    points: list[tuple[dt.date, float]]  # (date, score) of each scored date in the period
    start_light: str
    end_light: str
    moves: list[str]  # what moved it: alerts raised in the period

    @property
    def start(self) -> float | None:
        return self.points[0][1] if self.points else None

    @property
    def end(self) -> float | None:
        return self.points[-1][1] if self.points else None


@dataclass
class SupportFacts:
    opened: int = 0
    solved: int = 0
    open_now: int = 0
    urgent_open: int = 0
    median_days: float | None = None
    subjects: list[str] = field(default_factory=list)


@dataclass
class RiskRow:
    title: str
    source: str  # "Adoption risk" or the kind of change
    level: str
    response: str
    owner: str


@dataclass
class StepRow:
    title: str
    when: str
    detail: str


@dataclass
class Ask:
    kind: str  # "Renewal", "Upsell", "Cross-sell", an advocacy ask's kind
    text: str
    amount: Decimal | None = None


@dataclass
class Facts:
    account: str
    kind: str
    short: str
    date: dt.date
    period_start: dt.date
    period_end: dt.date
    owner: str
    engagement: str
    arr: Decimal
    value: list[ValueRow] = field(default_factory=list)
    columns: list[ValueColumn] = field(default_factory=list)
    kpis: list[KpiSeries] = field(default_factory=list)
    usage: list[MetricTrend] = field(default_factory=list)
    health: HealthFacts = field(default_factory=lambda: HealthFacts([], "", "", []))
    support: SupportFacts = field(default_factory=SupportFacts)
    risks: list[RiskRow] = field(default_factory=list)
    roadmap: list[StepRow] = field(default_factory=list)
    asks: list[Ask] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)

    @property
    def period(self) -> str:
        return f"{day(self.period_start)} to {day(self.period_end)}"


def day(value: dt.date, *, year: bool = True) -> str:
    """A date as a deck says it: 7 Sep 2026 (no leading zero, on every platform)."""
    return f"{value.day} {value:%b %Y}" if year else f"{value.day} {value:%b}"


def money(amount: Decimal | float | None) -> str:
    return "—" if amount is None else f"{amount:,.0f}"


def _value(facts: Facts, review: Review) -> None:
    if review.engagement_id is None:
        return
    # What was achieved by the period's end: a past review shows what it showed then.
    readings = Prefetch("readings", queryset=KpiReading.objects.filter(date__lte=review.period_end))
    kpis = Kpi.objects.prefetch_related("milestones", readings).order_by("name", "pk")
    found = ValueItem.objects.filter(engagement_id=review.engagement_id).prefetch_related(
        Prefetch("kpis", queryset=kpis)
    )
    # Promised value first: it is what the contract said.
    rows = value_queries.with_achieved(
        sorted(found, key=lambda item: (item.commitment != Commitment.PROMISED, item.statement))
    )
    for item in rows:
        done = item.achieved  # type: ignore[attr-defined]
        facts.value.append(ValueRow(
            statement=item.statement, commitment=item.get_commitment_display(),
            progress=done.progress, status=done.label, perception=item.perception,
        ))
    facts.columns = [
        ValueColumn(c.label, c.items, c.measured, c.reached, c.progress)
        for c in value_queries.comparison(rows)
    ]


def _kpis(facts: Facts, review: Review) -> None:
    if review.engagement_id is None:
        return
    readings = Prefetch("readings", queryset=KpiReading.objects.filter(date__lte=review.period_end))
    kpis = Kpi.objects.filter(engagement_id=review.engagement_id).prefetch_related(
        "milestones", readings
    ).order_by("name", "pk")
    for kpi in kpis:
        done = value_queries.kpi_achieved(kpi)
        points = [(r.date, float(r.value)) for r in sorted(kpi.readings.all(), key=lambda r: r.date)]
        facts.kpis.append(KpiSeries(
            name=kpi.name, unit=kpi.unit, baseline=float(kpi.baseline_value),
            target=float(kpi.target_value), target_date=kpi.target_date, points=points,
            status=str(KpiStatus(done.status).label), progress=done.progress,
        ))
    # The KPIs with readings first: a chart without points says nothing.
    facts.kpis.sort(key=lambda k: not k.points)
    del facts.kpis[MAX_KPIS:]


def _sample(days: list[dt.date]) -> list[dt.date]:
    """At most MAX_POINTS of the dates, evenly spread, keeping the first and the last."""
    if len(days) <= MAX_POINTS:
        return days
    step = (len(days) - 1) / (MAX_POINTS - 1)
    return sorted({days[round(i * step)] for i in range(MAX_POINTS)})


def _usage(facts: Facts, review: Review) -> None:
    days = _sample(sorted(MetricFill.objects.filter(
        observed_on__range=(review.period_start, review.period_end)
    ).values_list("observed_on", flat=True)))
    if not days:
        return
    measured = list(
        MetricValue.objects.filter(account_id=review.program.account_id, metric__active=True)
        .select_related("metric").order_by("metric__name")
    )
    definitions = {v.metric.slug: v.metric for v in measured}
    series = read_account_series(review.program.account_id, list(definitions), days)
    trends = []
    for slug, points in series.items():
        known = [(day, float(value)) for day, value in points if value is not None]
        if len(known) >= 2:
            metric = definitions[slug]
            trends.append(MetricTrend(metric.name, known, metric.higher_is_better, metric.kind))
    # The metrics that moved most, in either direction, are the ones worth a slide.
    trends.sort(key=lambda t: -abs(t.change) if t.change is not None else 0)
    facts.usage = trends[:MAX_METRICS]


def _health(facts: Facts, review: Review) -> None:
    account_id = review.program.account_id
    rows = [
        (day, score, light)
        for day, score, light in account_history(account_id, review.period_start, review.period_end)
        if score is not None
    ]
    alerts = HealthAlert.objects.filter(
        account_id=account_id, raised_on__range=(review.period_start, review.period_end)
    ).order_by("raised_on")
    moves = [
        f"{day(alert.raised_on, year=False)}: {alert.get_kind_display().lower()}"
        + (f" to {alert.score:.0f}" if alert.score is not None else "")
        + (f", recovered {day(alert.resolved_on, year=False)}" if alert.resolved_on else "")
        for alert in alerts
    ]
    facts.health = HealthFacts(
        points=[(day, float(score)) for day, score, _ in rows],
        start_light=rows[0][2] if rows else "", end_light=rows[-1][2] if rows else "",
        moves=moves,
    )


def _support(facts: Facts, review: Review) -> None:
    # The period's days, local time; "open" is open at the end of the period.
    start = timezone.make_aware(dt.datetime.combine(review.period_start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(review.period_end + dt.timedelta(days=1), dt.time.min))
    tickets = list(
        SupportTicket.objects.filter(account_id=review.program.account_id, opened_at__lt=end)
        .filter(Q(opened_at__gte=start) | Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .values("subject", "priority", "status", "opened_at", "closed_at")
    )
    done = (TicketStatus.SOLVED, TicketStatus.CLOSED)
    in_period = [t for t in tickets if t["opened_at"] >= start]
    # Solved in the period, the backlog opened before it included.
    solved = [t for t in tickets if t["closed_at"] is not None and start <= t["closed_at"] < end]
    still_open = [
        t for t in tickets
        if (t["closed_at"] is None and t["status"] not in done) or (t["closed_at"] and t["closed_at"] >= end)
    ]
    urgent = (TicketPriority.HIGH, TicketPriority.URGENT)
    days = [(t["closed_at"] - t["opened_at"]).total_seconds() / 86400 for t in solved if t["closed_at"]]
    facts.support = SupportFacts(
        opened=len(in_period), solved=len(solved), open_now=len(still_open),
        urgent_open=sum(t["priority"] in urgent for t in still_open),
        median_days=statistics.median(days) if days else None,
        subjects=[t["subject"] for t in still_open if t["subject"]][:MAX_ROWS],
    )


def _risks(facts: Facts, review: Review) -> None:
    if review.engagement_id is None:
        return
    risks = sorted(
        Risk.objects.filter(engagement_id=review.engagement_id).exclude(status=RiskStatus.CLOSED),
        key=lambda r: -r.score,
    )
    for risk in risks:
        facts.risks.append(RiskRow(
            risk.title, "Adoption risk", str(risk.level.label), risk.mitigation, risk.owner,
        ))
    changes = (
        ValueChange.objects.filter(engagement_id=review.engagement_id)
        .exclude(status=ChangeStatus.RESOLVED).select_related("owner").order_by("spotted_on")
    )
    for change in changes:
        facts.risks.append(RiskRow(
            change.description.splitlines()[0][:200] if change.description else change.get_kind_display(),
            change.get_kind_display(), change.get_status_display(), change.response_plan,
            str(change.owner) if change.owner else "",
        ))
    del facts.risks[MAX_ROWS:]


def _roadmap(facts: Facts, review: Review) -> None:
    if review.engagement_id is None:
        return
    steps = RoadmapStep.objects.filter(engagement_id=review.engagement_id, ends__gte=review.period_end)
    for step in steps[:MAX_ROWS]:
        facts.roadmap.append(StepRow(
            step.title, f"{day(step.starts, year=False)} – {day(step.ends)}", step.audience,
        ))
    activities = ValueActivity.objects.filter(
        engagement_id=review.engagement_id, status=ActivityStatus.PLANNED
    ).select_related("owner").order_by("due_date", "pk")
    for activity in activities[: MAX_ROWS - len(facts.roadmap)]:
        facts.roadmap.append(StepRow(
            activity.title, f"by {day(activity.due_date)}" if activity.due_date else "to plan",
            str(activity.owner) if activity.owner else "",
        ))


def _asks(facts: Facts, review: Review) -> None:
    account_id = review.program.account_id
    renewals = Renewal.objects.filter(account_id=account_id, stage__in=OPEN_RENEWAL)
    renewal = renewals.order_by("renewal_date").first()
    if renewal is not None:
        facts.asks.append(Ask(
            "Renewal", f"Renew on {day(renewal.renewal_date)} ({renewal.get_stage_display().lower()})",
            renewal.arr,
        ))
    opportunities = Opportunity.objects.filter(
        account_id=account_id, stage__in=OPEN_OPPORTUNITY
    ).select_related("product").order_by("-amount")
    for opportunity in opportunities[:MAX_ROWS]:
        product = f" ({opportunity.product.name})" if opportunity.product else ""
        facts.asks.append(Ask(
            opportunity.get_kind_display(), f"{opportunity.title}{product}", opportunity.amount
        ))
    asks = AdvocacyAsk.objects.filter(
        contact__account_id=account_id, status__in=(AskStatus.PLANNED, AskStatus.ASKED)
    ).select_related("contact")
    for ask in asks[:MAX_ROWS]:
        facts.asks.append(Ask("Advocacy", f"{ask.contact.full_name}: {ask.get_kind_display().lower()}"))


def gather(review: Review) -> Facts:
    """Everything the review shows, for its account and period."""
    program = review.program
    account = program.account
    engagement = review.engagement
    arr = Subscription.objects.filter(in_force(review.period_end), account=account).aggregate(
        total=Sum("arr")
    )["total"] or Decimal(0)
    facts = Facts(
        account=account.name, kind=program.get_kind_display(), short=program.short, date=review.date,
        period_start=review.period_start, period_end=review.period_end,
        owner=str(account.owner) if account.owner_id else "",
        engagement=engagement.initiative if engagement else "", arr=arr,
        agenda=review.agenda_items(),
    )
    for part in (_value, _kpis, _usage, _health, _support, _risks, _roadmap, _asks):
        part(facts, review)
    return facts


def _figure(value: float | None, unit: str) -> str:
    """A measured value as people write it, with its unit: 90 %, 3.5 days."""
    shown = figure(value)
    return f"{shown} {unit}".strip()


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _lines(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)


def draft(facts: Facts) -> dict[str, str]:
    """The text of each section of the draft, from the figures: plain sentences, one point a
    line, for the CSM to edit."""
    promised = next((c for c in facts.columns if c.label == "Promised"), None)
    summary = [
        f"{facts.kind} of {facts.account}, covering {facts.period}.",
        f"Annual recurring revenue {money(facts.arr)}." if facts.arr else "",
    ]
    if promised and promised.items:
        summary.append(
            f"{promised.reached} of {promised.items} promised value items reached their target"
            + (
                f"; on average {promised.progress} % of the way from baseline to target."
                if promised.progress is not None else "."
            )
        )
    if facts.health.end is not None:
        summary.append(f"Health stands at {facts.health.end:.0f}.")

    value = [
        f"{row.commitment}: {row.statement} — "
        + (f"{row.progress} % achieved, " if row.progress is not None else "")
        + row.status.lower()
        + (f", {row.perception} by the customer" if row.perception else "")
        for row in facts.value
    ] or ["No value items recorded yet: agree with the customer what value they expect."]

    adoption = [
        f"{k.name}: {_figure(k.latest, k.unit)} against a target of {_figure(k.target, k.unit)} "
        f"by {day(k.target_date)} ({k.status.lower()})"
        for k in facts.kpis if k.latest is not None
    ]
    adoption += [f"{t.name}: {t.shown(t.first)} to {t.shown(t.last)} ({t.change_text})" for t in facts.usage]

    health = []
    if facts.health.start is not None and facts.health.end is not None:
        health.append(
            f"From {facts.health.start:.0f} ({facts.health.start_light or 'no light'}) to "
            f"{facts.health.end:.0f} ({facts.health.end_light or 'no light'}) over the period."
        )
    health += facts.health.moves or (["No alert was raised in the period."] if facts.health.points else [])

    s = facts.support
    support = [
        f"{_count(s.opened, 'ticket')} opened and {s.solved} solved in the period"
        + (f", in a median of {s.median_days:.1f} days." if s.median_days is not None else "."),
        f"{s.open_now} open at the end of the period, {s.urgent_open} of them high or urgent."
        if s.open_now else "No ticket open at the end of the period.",
    ]

    risks = [
        f"{r.title} ({r.source.lower()}, {r.level.lower()})" + (f": {r.response}" if r.response else "")
        for r in facts.risks
    ] or ["No open risk or challenge."]
    roadmap = [f"{step.title} — {step.when}" for step in facts.roadmap]
    asks = [
        f"{ask.kind}: {ask.text}" + (f" — {money(ask.amount)} ARR" if ask.amount else "")
        for ask in facts.asks
    ]
    return {
        "summary": _lines(summary),
        "value_text": _lines(value),
        "adoption_text": _lines(adoption) or "No KPI reading or usage figure in the period.",
        "health_text": _lines(health) or "No health score in the period.",
        "support_text": _lines(support),
        "risks_text": _lines(risks),
        "roadmap_text": _lines(roadmap) or "Next steps to agree in the meeting.",
        "asks_text": _lines(asks) or "No ask this time.",
    }
