"""Load (and remove) the demo data set described in `demo_content`.

Everything goes through the domain actions a person's clicks would call, so the demo shows
exactly what real use produces: checklists, gates, phase moves on the timeline, documents
with versions. Afterwards the timestamps of each step (timeline entries, history records,
documents, tasks, tools) are moved back to the day the story says it happened, which the
actions themselves (rightly) never allow; see `demo_clock`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cairn.automation import demo as automation
from cairn.customers.models import Account, Contact, Product, Subscription
from cairn.documents.actions import Details, create_written, update_written
from cairn.documents.models import Document, DocumentKind, DocumentType, DocumentVersion
from cairn.engagements.actions import (
    EngagementData,
    move_to_phase,
    open_evaluation,
    set_output,
    start_engagement,
    update_activity,
)
from cairn.engagements.models import (
    ActivityStatus,
    Engagement,
    EngagementActivity,
    EngagementOutput,
    Outcome,
)
from cairn.evaluation import demo as evaluation
from cairn.expansion import demo as expansion
from cairn.notifications import demo as notifications
from cairn.operations import demo_documents as docs
from cairn.operations import demo_usage
from cairn.operations.demo_clock import Clock, at
from cairn.operations.demo_content import (
    ACCOUNTS,
    DEMO_EMAIL_DOMAIN,
    DEMO_ID_PREFIX,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    ENGAGEMENTS,
    PRODUCTS,
    SKIPS,
    TASKS,
    TEAM,
    TIMELINE,
    AccountSpec,
    EngagementSpec,
)
from cairn.people.models import User
from cairn.playbooks.actions import default_version
from cairn.playbooks.models import Phase, PlaybookVersion
from cairn.renewals import demo as renewals
from cairn.retention import demo as retention
from cairn.reviews import demo as reviews
from cairn.timeline.actions import complete_task, create_task, log_entry
from cairn.value import demo as value
from cairn.webhooks import demo as webhooks


class DemoConflict(Exception):
    """The database holds something the demo would collide with."""


def demo_users() -> list[User]:
    return list(User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN))


def is_loaded() -> bool:
    return User.objects.filter(
        username=DEMO_USERNAME, email=f"{DEMO_USERNAME}@{DEMO_EMAIL_DOMAIN}"
    ).exists()


# Days ago the team started using Cairn: before any customer's story.
TEAM_JOINED = 760


_at = at


def _email(first: str, last: str, domain: str) -> str:
    local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
    plain = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
    return f"{plain}@{domain}"


def _team() -> dict[str, User]:
    # The team shares one public password: hashing it once saves seconds of deliberate
    # slowness per user, and a shared salt protects nothing that is not already printed.
    hashed = make_password(DEMO_PASSWORD)
    users = {}
    for username, role, first, last, title in TEAM:
        users[username] = User.objects.create(
            username=username, password=hashed, role=role, first_name=first,
            last_name=last, title=title, email=f"{username}@{DEMO_EMAIL_DOMAIN}",
        )
    return users


def _products() -> dict[str, Product]:
    products = {}
    for name, sku, description in PRODUCTS:
        products[sku], _ = Product.objects.get_or_create(
            name=name, defaults={"sku": sku, "description": description}
        )
    return products


def _account(
    spec: AccountSpec,
    users: dict[str, User],
    accounts: dict[str, Account],
    products: dict[str, Product],
    today: dt.date,
) -> Account:
    account = Account(
        name=spec.name, external_id=DEMO_ID_PREFIX + spec.key, industry=spec.industry,
        region=spec.region, employees=spec.employees, website=f"https://www.{spec.domain}",
        segment=spec.segment, owner=users[spec.owner], parent=accounts.get(spec.parent),
    )
    account._history_user = users[DEMO_USERNAME]  # type: ignore[attr-defined]
    account.save()
    people: list[Contact] = []
    for first, last, title, department, manager in spec.contacts:
        contact = Contact(
            account=account, first_name=first, last_name=last, title=title,
            department=department, email=_email(first, last, spec.domain),
            phone=f"+1 555 01{len(people):02d}",
            reports_to=people[manager] if manager is not None else None,
        )
        contact._history_user = users[spec.owner]  # type: ignore[attr-defined]
        contact.save()
        people.append(contact)
    for sku, quantity, arr, start, end, status in spec.subscriptions:
        Subscription.objects.create(
            account=account, product=products[sku], quantity=quantity, arr=Decimal(arr),
            start_date=today + dt.timedelta(days=start), end_date=today + dt.timedelta(days=end),
            status=status,
        )
    return account


def _outcome_lines(engagement: Engagement, spec: EngagementSpec) -> str:
    outcomes = list(engagement.outcomes.all())
    if not outcomes:
        return spec.required_outcomes
    lines = []
    for o in outcomes:
        now = f", now {o.current.normalize():f}" if o.current is not None else ""
        base = o.baseline.normalize() if o.baseline is not None else "?"
        lines.append(f"- **{o.name}**: from {base:f} to {o.target.normalize():f} {o.unit}{now}")
    return "\n".join(lines)


def _write_document(
    engagement: Engagement,
    phase: Phase,
    doc_type: str,
    title: str,
    bodies: list[str],
    by: User,
) -> Document:
    """A written document with one version per body, the last one current."""
    details = Details(title=title, doc_type=doc_type, phase=phase)
    document = create_written(
        engagement, details, bodies[0], by=by, comment="First draft" if len(bodies) > 1 else ""
    )
    for body in bodies[1:]:
        assert document.current_version is not None
        update_written(
            document, details, body, base_version=document.current_version.number, by=by,
            comment="Completed after the handover meeting",
        )
    return document


class _EngagementStory:
    """Walks one engagement from its start to the phase the spec names."""

    def __init__(
        self, spec: EngagementSpec, users: dict[str, User], version: PlaybookVersion,
        today: dt.date, clock: Clock,
    ) -> None:
        self.spec = spec
        self.users = users
        self.owner = users[spec.owner]
        self.version = version
        self.today = today
        self.clock = clock
        self.phases = [p for p in version.phases.order_by("position") if not p.periodic]

    def run(self, account: Account, products: dict[str, Product]) -> Engagement:
        spec = self.spec
        start = self.today + dt.timedelta(days=spec.started)
        engagement = start_engagement(
            account,
            EngagementData(
                initiative=spec.initiative, owner=self.owner, start_date=start,
                challenge=spec.challenge, required_outcomes=spec.required_outcomes,
                solution=spec.solution,
            ),
            by=self.owner, version=self.version, team=[self.users[u] for u in spec.team],
        )
        engagement.products.set([products[sku] for sku in spec.products])
        for name, unit, baseline, target, current, due in spec.outcomes:
            Outcome.objects.create(
                engagement=engagement, name=name, unit=unit, baseline=Decimal(str(baseline)),
                target=Decimal(str(target)),
                current=Decimal(str(current)) if current is not None else None,
                due_date=self.today + dt.timedelta(days=due),
            )
        self.clock.stamp(_at(start, 9))
        self.outcomes = _outcome_lines(engagement, spec)
        target = [p.key for p in self.phases].index(spec.phase)
        # The story spreads the finished phases evenly between the start and last week.
        span = max((-spec.started) - 7, target + 1)
        for i, phase in enumerate(self.phases[:target]):
            day = start + dt.timedelta(days=span * (i + 1) // (target + 1))
            self._finish_phase(engagement, phase, day)
            overridden = spec.override is not None and spec.override[0] == phase.key
            move_to_phase(
                engagement, self.phases[i + 1], by=self.owner,
                reason=spec.override[1] if overridden and spec.override else "",
                override=overridden,
            )
            self.clock.stamp(_at(day, 16))
        self._work_in_progress(engagement, self.phases[target])
        if spec.open_evaluation:
            # move_to_phase worked on its own copy; the evaluation names the current phase.
            engagement.refresh_from_db()
            open_evaluation(engagement, by=self.owner)
            self.clock.stamp(_at(self.today - dt.timedelta(days=3), 11))
        return engagement

    def _fill(self, engagement: Engagement, phase: Phase, doc_type: str) -> tuple[str, str]:
        title, body = (
            docs.REPORTS.get(phase.key) if doc_type == DocumentType.REPORT else None
        ) or docs.BY_TYPE.get(doc_type, ("", ""))
        values = {
            "account": engagement.account.name, "initiative": engagement.initiative,
            "challenge": engagement.challenge, "solution": engagement.solution,
            "outcomes": self.outcomes, "owner": str(self.owner),
        }
        return title, body.format(**values)

    def _deliver(self, engagement: Engagement, item: EngagementOutput, when: dt.date) -> None:
        document = None
        title, body = self._fill(engagement, item.output.phase, item.output.document_type)
        if body:
            bodies = [body]
            if item.output.document_type == DocumentType.HANDOVER_NOTES:
                first = docs.HANDOVER_FIRST_DRAFT.format(
                    account=engagement.account.name, solution=engagement.solution,
                    challenge=engagement.challenge,
                )
                bodies = [first, body]
            document = _write_document(
                engagement, item.output.phase, item.output.document_type, title, bodies,
                self.owner,
            )
        set_output(
            item, by=self.owner, delivered=True, document_id=document.pk if document else None,
            note="" if document else "Kept in the customer's shared drive.",
        )
        EngagementOutput.objects.filter(pk=item.pk).update(delivered_at=_at(when, 15))

    def _finish_phase(self, engagement: Engagement, phase: Phase, day: dt.date) -> None:
        skip = SKIPS.get(phase.key)
        items = EngagementActivity.objects.filter(
            engagement=engagement, activity__phase=phase
        ).select_related("activity")
        for item in items:
            if skip and item.activity.position == skip[0]:
                update_activity(item, by=self.owner, status=ActivityStatus.SKIPPED,
                                skip_reason=skip[1])
            else:
                update_activity(item, by=self.owner, status=ActivityStatus.DONE)
        items.update(completed_at=_at(day, 12))
        gated = self.spec.override is not None and self.spec.override[0] == phase.key
        for out in self._outputs(engagement, phase):
            if gated and out.output.required:
                continue
            self._deliver(engagement, out, day)

    def _outputs(self, engagement: Engagement, phase: Phase) -> list[EngagementOutput]:
        return list(
            EngagementOutput.objects.filter(
                engagement=engagement, output__phase=phase
            ).select_related("output", "output__phase")
        )

    def _work_in_progress(self, engagement: Engagement, phase: Phase) -> None:
        """The current phase: the first half ticked, the rest assigned with due dates."""
        items = list(
            EngagementActivity.objects.filter(
                engagement=engagement, activity__phase=phase
            ).select_related("activity")
        )
        half = len(items) // 2
        recent = self.today - dt.timedelta(days=2)
        for n, item in enumerate(items):
            if n < half:
                update_activity(item, by=self.owner, status=ActivityStatus.DONE)
                EngagementActivity.objects.filter(pk=item.pk).update(completed_at=_at(recent))
                continue
            # One item slipped past its date; the others are spread over the coming weeks.
            offset = -2 if n == half else 4 * (n - half)
            update_activity(
                item, by=self.owner, assignee=self.owner,
                due_date=self.today + dt.timedelta(days=offset),
            )
        outputs = self._outputs(engagement, phase)
        if outputs and outputs[0].output.document_type and not outputs[0].output.required:
            self._deliver(engagement, outputs[0], recent)
        self.clock.stamp(_at(recent, 14))


def _engagements_by_account(accounts: dict[str, Account]) -> dict[int, Engagement]:
    return {e.account_id: e for e in Engagement.objects.filter(account__in=accounts.values())}


def _timeline(
    users: dict[str, User], accounts: dict[str, Account], today: dt.date, clock: Clock
) -> None:
    engagements = _engagements_by_account(accounts)
    for key, kind, days_ago, title, body in TIMELINE:
        account = accounts[key]
        when = _at(today - dt.timedelta(days=days_ago), 11)
        clock.mark()
        log_entry(
            account, kind, title, author=account.owner or users[DEMO_USERNAME],
            engagement=engagements.get(account.pk), body=body, occurred_at=when,
        )
        clock.stamp(when)


def _tasks(
    users: dict[str, User], accounts: dict[str, Account], today: dt.date, clock: Clock
) -> None:
    engagements = _engagements_by_account(accounts)
    for username, key, title, due, done in TASKS:
        account = accounts[key]
        task = create_task(
            title=title, assignee=users[username], account=account,
            created_by=users[DEMO_USERNAME], engagement=engagements.get(account.pk),
            due_date=today + dt.timedelta(days=due) if due is not None else None,
        )
        if done:
            complete_task(task, users[username])
    clock.stamp(_at(today - dt.timedelta(days=1), 9))


# The phases whose work each app's tools hold: its rows are dated across that stretch.
_TOOL_PHASES = {
    "preparation": ("preparation",),
    "commitment": ("commitment",),
    "proposals": ("commitment",),
    "onboarding": ("onboarding",),
    # KPI readings taken later, in value realization, are dated by the adoption demo itself.
    "adoption": ("adoption-planning", "adoption-implementation"),
}


def _phase_spans(engagement: Engagement, today: dt.date) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """When the engagement entered and left each phase it reached (until yesterday for the
    phase it is in)."""
    moves = list(engagement.moves.order_by("moved_at").select_related("to_phase"))
    yesterday = _at(today - dt.timedelta(days=1), 17)
    spans = {}
    for move, after in zip(moves, [*moves[1:], None], strict=True):
        end = after.moved_at if after is not None else max(yesterday, move.moved_at)
        spans[move.to_phase.key] = (move.moved_at + dt.timedelta(hours=1), end)
    return spans


def _tool_span(
    spans: dict[str, tuple[dt.datetime, dt.datetime]], phases: tuple[str, ...]
) -> tuple[dt.datetime, dt.datetime]:
    reached = [spans[p] for p in phases if p in spans]
    if not reached:
        # Tools prepared ahead of a phase not reached yet: dated in the current one.
        return max(spans.values(), key=lambda span: span[0])
    return reached[0][0], reached[-1][1]


def _phase_tools(
    users: dict[str, User], accounts: dict[str, Account], today: dt.date, clock: Clock
) -> None:
    """Each phase tool's app fills its own tools for the demo engagements; what it writes
    for an engagement is dated across the phases the tools belong to."""
    from cairn.adoption import demo as adoption
    from cairn.commitment import demo as commitment
    from cairn.onboarding import demo as onboarding
    from cairn.preparation import demo as preparation
    from cairn.proposals import demo as proposals

    by_account = _engagements_by_account(accounts)
    engagements = {
        key: by_account[account.pk] for key, account in accounts.items() if account.pk in by_account
    }
    spans = {key: _phase_spans(e, today) for key, e in engagements.items()}
    # Order matters: the proposal is assembled from the stakeholders and the strategy.
    for name, app in (("preparation", preparation), ("commitment", commitment),
                      ("proposals", proposals), ("onboarding", onboarding), ("adoption", adoption)):
        for key, engagement in engagements.items():
            clock.mark()
            app.load({key: engagement}, users, today)
            clock.spread(*_tool_span(spans[key], _TOOL_PHASES[name]))


def _template(leader: User) -> None:
    document = Document(
        title="Engagement strategy (template)", doc_type=DocumentType.ENGAGEMENT_STRATEGY,
        kind=DocumentKind.WRITTEN, is_template=True, created_by=leader,
    )
    document._history_user = leader  # type: ignore[attr-defined]
    document.save()
    version = DocumentVersion.objects.create(
        document=document, number=1, body=docs.TEMPLATE_STRATEGY, created_by=leader
    )
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])


@contextmanager
def _alerts_not_sent_again() -> Iterator[None]:
    """The health alerts the story's scoring raises today (this morning's refresh, in the
    story) are not news once the load commits: the receivers that tell owners and call the
    webhooks hear nothing until the load is over, as the demo never sends."""
    from cairn.health.alerts import alerts_raised
    from cairn.notifications.receivers import alerts_raised as tell_owners
    from cairn.webhooks.receivers import alerts_raised as call_webhooks

    # The receivers as the apps connect them (their dispatch uids, apps.py).
    receivers = ((tell_owners, "notifications_health_alerts"), (call_webhooks, "webhooks_health_alerts"))
    muted = [(f, uid) for f, uid in receivers if alerts_raised.disconnect(f, dispatch_uid=uid)]
    try:
        yield
    finally:
        for receiver, uid in muted:
            alerts_raised.connect(receiver, dispatch_uid=uid)


def load(today: dt.date | None = None) -> bool:
    """Load the demo data set; False (and nothing written) when it is already there."""
    with _alerts_not_sent_again():
        return _load(today)


@transaction.atomic
def _load(today: dt.date | None) -> bool:
    if is_loaded():
        return False
    usernames = [t[0] for t in TEAM]
    if User.objects.filter(username__in=usernames).exists():
        raise DemoConflict(
            f"Users named {', '.join(usernames)} are reserved for the demo, and one exists."
        )
    if Account.objects.filter(external_id__startswith=DEMO_ID_PREFIX).exists():
        raise DemoConflict("Demo accounts exist without the demo users. Run with --reset.")
    today = today or timezone.localdate()
    with Clock.running() as clock:
        users = _team()
        products = _products()
        clock.stamp(_at(today - dt.timedelta(days=TEAM_JOINED), 9))
        accounts: dict[str, Account] = {}
        for spec in ACCOUNTS:
            accounts[spec.key] = _account(spec, users, accounts, products, today)
            # A customer since its first subscription: its record and contacts date from then.
            first = min((sub[3] for sub in spec.subscriptions), default=-1)
            clock.stamp(_at(today + dt.timedelta(days=first), 9))
        version = default_version()
        for story in ENGAGEMENTS:
            _EngagementStory(story, users, version, today, clock).run(accounts[story.account], products)
        _timeline(users, accounts, today, clock)
        clock.mark()
        _tasks(users, accounts, today, clock)
        _template(users[DEMO_USERNAME])
        clock.stamp(_at(today - dt.timedelta(days=TEAM_JOINED - 30), 9))
        _phase_tools(users, accounts, today, clock)
        clock.mark()
        stamp = lambda day: clock.stamp(_at(day, 10))  # noqa: E731
        renewals.load(accounts, users, today, stamp)
        # The value phase's tools, revenue history, opportunities and advocacy, evaluations.
        for app in (value, retention, expansion, evaluation):
            app.load(accounts, users, today, stamp)
        demo_usage.load(today, clock)
        reviews.load(accounts, users, today, stamp)  # after usage: its figures are in the reviews
        notifications.load(accounts, users, today, stamp)
        webhooks.load(accounts, users, today, stamp)
        # Last: its rules replay the month's history (scores, tickets, links, tasks) and fire.
        automation.load(accounts, users, today, stamp)
    return True


@transaction.atomic
def wipe() -> None:
    """Remove the demo's users, accounts (with everything under them: ratings, alerts, their
    tasks), its backtest and forecast, and unused products."""
    from cairn.forecast.models import ForecastModel
    from cairn.health.trust.models import WeightSuggestion

    users = demo_users()
    Document.objects.filter(is_template=True, created_by__in=users).delete()
    # The lessons library outlives engagements and people; the demo's lessons go with it,
    # and the tags only they used.
    from cairn.evaluation.models import Lesson, Tag

    lessons = Lesson.objects.filter(author__in=users)
    tags = list(Tag.objects.filter(lessons__in=lessons).values_list("pk", flat=True).distinct())
    lessons.delete()
    Tag.objects.filter(pk__in=tags, lessons__isnull=True).delete()
    # The demo's backtest and forecast, run by the demo leader (a person's own runs stay).
    WeightSuggestion.objects.filter(created_by__in=users).delete()
    ForecastModel.objects.filter(trained_by__in=users).delete()
    for app in (automation, webhooks, notifications):
        app.wipe(users)
    Account.objects.filter(external_id__startswith=DEMO_ID_PREFIX).delete()
    Product.objects.filter(
        name__in=[p[0] for p in PRODUCTS], subscriptions__isnull=True
    ).delete()
    User.objects.filter(pk__in=[u.pk for u in users]).delete()
