"""Reading notifications: a person's inbox (unread first), their choices per kind, the
templates with their history, and the work every daily digest reports, gathered for all
people at once in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from cairn import changes
from cairn.notifications.kinds import DEFAULTS, Delivery, Kind, kinds_for
from cairn.notifications.models import Digest, EmailState, EmailTemplate, Notification, Preference
from cairn.people.models import User

# What the digest lists of each section at most; the rest is counted.
SECTION_ROWS = 25
RENEWAL_DAYS = 30
REVIEW_DAYS = 14
HISTORY_ROWS = 100
TEMPLATE_FIELDS = ("name", "subject", "html", "text")


def inbox(user: User) -> QuerySet[Notification]:
    """The person's notifications, unread first, the newest first within each."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Notification.objects.filter(recipient=user.pk).select_related("account")
        .annotate(is_unread=unread).order_by("-is_unread", "-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user.pk, read_at__isnull=True).count()


def deliveries(users: Sequence[Any], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """Each person's delivery of each kind, their choice or the kind's default: one query."""
    wanted = list(kinds)
    chosen = {
        (user_id, kind): delivery for user_id, kind, delivery in Preference.objects.filter(
            user__in=[u.pk for u in users], kind__in=wanted
        ).values_list("user_id", "kind", "delivery")
    }
    return {(u.pk, k): chosen.get((u.pk, k), DEFAULTS[k]) for u in users for k in wanted}


@dataclass
class Choice:
    kind: str
    label: str
    explained: str
    delivery: str
    default: str


def preferences(user: User) -> list[Choice]:
    """The person's choice for each kind they may receive, with its default."""
    from cairn.notifications.kinds import EXPLAINED

    chosen = dict(Preference.objects.filter(user=user.pk).values_list("kind", "delivery"))
    return [
        Choice(kind, Kind(kind).label, EXPLAINED[kind], chosen.get(kind, DEFAULTS[kind]), DEFAULTS[kind])
        for kind in kinds_for(user.is_admin)
    ]


def template_history(template: EmailTemplate) -> list[dict[str, Any]]:
    """Who changed the template when, and what, the newest first; two queries."""
    history = template.history  # type: ignore[attr-defined]
    newest = history.select_related("history_user").order_by("-history_date", "-history_id")
    records = list(newest[:HISTORY_ROWS])
    pairs = [(record, records[i + 1] if i + 1 < len(records) else None) for i, record in enumerate(records)]
    described = changes.describe(pairs, TEMPLATE_FIELDS)
    return [{"record": record, "changes": words} for (record, _), words in zip(pairs, described, strict=True)]


# --- The daily digest ------------------------------------------------------------------------


def digest_candidates(today: dt.date) -> QuerySet[User]:
    """Active people with an e-mail address who have not switched the digest off and have
    not had today's yet."""
    off = Preference.objects.filter(user=OuterRef("pk"), kind=Kind.DIGEST, delivery=Delivery.OFF)
    sent = Digest.objects.filter(user=OuterRef("pk"), day=today)
    return User.objects.filter(is_active=True).exclude(email="").exclude(Exists(off)).exclude(Exists(sent))


@dataclass
class Work:
    """One person's work for the digest: model rows, turned into plain values when rendered."""

    overdue: list[Any] = field(default_factory=list)
    due_today: list[Any] = field(default_factory=list)
    alerts: list[Any] = field(default_factory=list)
    renewals: list[Any] = field(default_factory=list)
    reviews: list[Any] = field(default_factory=list)

    def __len__(self) -> int:
        sections = (self.overdue, self.due_today, self.alerts, self.renewals, self.reviews)
        return sum(len(rows) for rows in sections)


def pending_for_digest(users: QuerySet[User]) -> set[int]:
    """Who among `users` has notifications waiting for the digest: one query."""
    return set(
        Notification.objects.filter(
            recipient__in=users.values("pk"), delivery=Delivery.DIGEST, email_state=EmailState.PENDING
        ).values_list("recipient_id", flat=True).distinct()
    )


def work(users: QuerySet[User], today: dt.date) -> dict[int, Work]:
    """Everyone's work in four queries: open tasks overdue or due today, open health alerts on
    the accounts they own, their open renewals within RENEWAL_DAYS (or overdue), and the
    business reviews of their accounts within REVIEW_DAYS (or overdue)."""
    from cairn.health.models import HealthAlert
    from cairn.renewals.models import OPEN_STAGES, Renewal
    from cairn.reviews.models import Program
    from cairn.timeline.models import Task, TaskStatus

    found: dict[int, Work] = defaultdict(Work)
    ids = users.values("pk")
    tasks = Task.objects.filter(
        assignee__in=ids, status=TaskStatus.OPEN, due_date__lte=today
    ).select_related("account").order_by("due_date", "pk")
    for task in tasks:
        mine = found[task.assignee_id]
        (mine.due_today if task.due_date == today else mine.overdue).append(task)
    alerts = HealthAlert.objects.filter(
        resolved_on__isnull=True, account__owner__in=ids
    ).select_related("account").order_by("raised_on", "pk")
    for alert in alerts:
        found[alert.account.owner_id].alerts.append(alert)  # type: ignore[index]
    renewals = Renewal.objects.filter(
        owner__in=ids, stage__in=OPEN_STAGES, renewal_date__lte=today + dt.timedelta(days=RENEWAL_DAYS)
    ).select_related("account").order_by("renewal_date", "pk")
    for renewal in renewals:
        found[renewal.owner_id].renewals.append(renewal)  # type: ignore[index]
    programs = Program.objects.filter(
        account__owner__in=ids, next_date__isnull=False, next_date__lte=today + dt.timedelta(days=REVIEW_DAYS)
    ).select_related("account").order_by("next_date", "pk")
    for program in programs:
        found[program.account.owner_id].reviews.append(program)  # type: ignore[index]
    return dict(found)


def digest_notifications(run: Any) -> dict[int, list[Notification]]:
    """The notifications a digest run took, by recipient, the oldest first: one query."""
    found: dict[int, list[Notification]] = defaultdict(list)
    taken = Notification.objects.filter(digest__run=run).select_related("account")
    for note in taken.order_by("created_at", "pk"):
        found[note.recipient_id].append(note)
    return dict(found)
