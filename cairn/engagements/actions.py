"""Domain actions on engagements: start, checklist, outputs, phase moves with gates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.customers.models import Account, Product
from cairn.engagements.models import (
    ActivityStatus,
    Engagement,
    EngagementActivity,
    EngagementOutput,
    Evaluation,
    Outcome,
    PhaseMove,
    Status,
)
from cairn.people.models import User
from cairn.playbooks import actions as playbooks
from cairn.playbooks.models import Activity, Output, Phase, PlaybookVersion
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind
from cairn.validation import assignable


class GateBlocked(ValidationError):
    """Moving forward would leave required outputs behind, and no override was given."""

    def __init__(self, missing: list[EngagementOutput]) -> None:
        self.missing = missing
        names = ", ".join(str(o.output) for o in missing)
        super().__init__(
            f"Required outputs are missing: {names}. Deliver them, or override with a reason."
        )


def _ensure_not_closed(engagement: Engagement) -> None:
    if engagement.status == Status.CLOSED:
        raise ValidationError("The engagement is closed. Reopen it to change it.")


@dataclass
class EngagementData:
    initiative: str
    owner: User
    start_date: dt.date
    challenge: str = ""
    required_outcomes: str = ""
    solution: str = ""


@transaction.atomic
def start_engagement(
    account: Account,
    data: EngagementData,
    *,
    by: User,
    version: PlaybookVersion | None = None,
    team: list[User] | None = None,
    products: list[Product] | None = None,
) -> Engagement:
    """Open an engagement at the first phase of a published playbook version.

    The engagement copies the version's checklist, so later versions never rewrite it.
    """
    version = version or playbooks.default_version()
    if version.is_draft:
        raise ValidationError({"playbook_version": "Engagements follow published versions only."})
    first = version.phases.order_by("position").first()
    if first is None:
        raise ValidationError({"playbook_version": "This playbook version has no phases."})
    engagement = Engagement(
        account=account,
        initiative=data.initiative,
        challenge=data.challenge,
        required_outcomes=data.required_outcomes,
        solution=data.solution,
        owner=data.owner,
        start_date=data.start_date,
        playbook_version=version,
        current_phase=first,
    )
    engagement._history_user = by  # type: ignore[attr-defined]
    engagement.full_clean()
    engagement.save()
    for member in team or []:
        assignable(member, "team")
    if team:
        engagement.team.set(team)
    if products:
        engagement.products.set(products)
    EngagementActivity.objects.bulk_create(
        EngagementActivity(engagement=engagement, activity=activity)
        for activity in Activity.objects.filter(phase__version=version)
    )
    EngagementOutput.objects.bulk_create(
        EngagementOutput(engagement=engagement, output=output)
        for output in Output.objects.filter(phase__version=version)
    )
    now = timezone.now()
    PhaseMove.objects.create(
        engagement=engagement, from_phase=None, to_phase=first, moved_by=by, moved_at=now,
        reason="Engagement started",
    )
    record(
        account, EntryKind.PHASE_MOVE,
        f"Engagement started: {engagement.initiative} ({first.name})",
        engagement=engagement, author=by, link=engagement.get_absolute_url(), occurred_at=now,
    )
    return engagement


@transaction.atomic
def update_engagement(
    engagement: Engagement,
    changes: dict[str, object],
    *,
    by: User,
    team: list[User] | None = None,
    products: list[Product] | None = None,
) -> Engagement:
    """Change an engagement's fields, team and products together, or not at all."""
    for name, value in changes.items():
        setattr(engagement, name, value)
    engagement._history_user = by  # type: ignore[attr-defined]
    engagement.full_clean()
    engagement.save()
    if team is not None:
        for member in team:
            assignable(member, "team")
        engagement.team.set(team)
    if products is not None:
        engagement.products.set(products)
    return engagement


def missing_outputs(engagement: Engagement, target: Phase) -> list[EngagementOutput]:
    """Required outputs of the phases a forward move would leave behind."""
    current = engagement.current_phase
    if target.position <= current.position:
        return []
    return list(
        engagement.outputs.filter(
            delivered=False,
            output__required=True,
            output__phase__position__gte=current.position,
            output__phase__position__lt=target.position,
            output__phase__periodic=False,
        ).select_related("output", "output__phase")
    )


@transaction.atomic
def move_to_phase(
    engagement: Engagement,
    target: Phase,
    *,
    by: User,
    reason: str = "",
    override: bool = False,
) -> PhaseMove:
    """Move the engagement to another phase of its playbook version.

    Going back is always allowed (the framework is a wheel). Going forward past a phase
    whose required outputs are missing needs `override` and a written reason.
    """
    engagement = Engagement.objects.select_for_update().select_related("current_phase").get(
        pk=engagement.pk
    )
    reason = reason.strip()
    if target.version_id != engagement.playbook_version_id:
        raise ValidationError({"to_phase": "That phase belongs to another playbook version."})
    if target.pk == engagement.current_phase_id:
        raise ValidationError({"to_phase": f"The engagement is already in {target.name}."})
    if engagement.status == Status.CLOSED:
        raise ValidationError("A closed engagement cannot change phase. Reopen it first.")
    missing = missing_outputs(engagement, target)
    if missing and not override:
        raise GateBlocked(missing)
    if missing and not reason:
        raise ValidationError({"reason": "Write why you move on without the required outputs."})
    move = PhaseMove.objects.create(
        engagement=engagement,
        from_phase=engagement.current_phase,
        to_phase=target,
        moved_by=by,
        moved_at=timezone.now(),
        reason=reason,
        overridden=bool(missing),
        missing_outputs=[str(o.output) for o in missing],
    )
    previous = engagement.current_phase
    engagement.current_phase = target
    engagement._history_user = by  # type: ignore[attr-defined]
    engagement.save(update_fields=["current_phase", "updated_at"])
    direction = "back to" if target.position < previous.position else "to"
    title = f"Moved {direction} {target.name} from {previous.name}"
    if move.overridden:
        title += " (gate overridden)"
    record(
        engagement.account, EntryKind.PHASE_MOVE, title, engagement=engagement, author=by,
        body=reason, link=engagement.get_absolute_url(), occurred_at=move.moved_at,
    )
    return move


@transaction.atomic
def update_activity(
    item: EngagementActivity,
    *,
    by: User,
    status: str | None = None,
    skip_reason: str | None = None,
    assignee: User | bool | None = False,
    due_date: dt.date | bool | None = False,
    note: str | None = None,
) -> EngagementActivity:
    """Tick, skip or reopen a checklist item, or change its assignee, due date or note.

    Arguments left out are left alone (False stands for "not given" where None is a value).
    """
    _ensure_not_closed(item.engagement)
    if status is not None:
        if status not in ActivityStatus.values:
            raise ValidationError({"status": f"Unknown status {status!r}."})
        reason = (skip_reason if skip_reason is not None else item.skip_reason).strip()
        if status == ActivityStatus.SKIPPED and not reason:
            raise ValidationError({"skip_reason": "Say why the activity is skipped."})
        item.status = status
        item.skip_reason = reason if status == ActivityStatus.SKIPPED else ""
        finished = status != ActivityStatus.OPEN
        item.completed_at = timezone.now() if finished else None
        item.completed_by = by if finished else None
    if assignee is not False:
        item.assignee = assignee  # type: ignore[assignment]
    if due_date is not False:
        item.due_date = due_date  # type: ignore[assignment]
    if note is not None:
        item.note = note
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def set_output(
    item: EngagementOutput,
    *,
    by: User,
    delivered: bool,
    document_id: int | None = None,
    note: str = "",
) -> EngagementOutput:
    _ensure_not_closed(item.engagement)
    was = item.delivered
    item.delivered = delivered
    item.note = note
    item.document_id = document_id if delivered else None
    item.delivered_at = timezone.now() if delivered else None
    item.delivered_by = by if delivered else None
    item.save()
    if was != delivered:
        # Outputs open the phase gates, so whoever ticks or unticks one is on the record.
        engagement = item.engagement
        state = "delivered" if delivered else "marked not delivered"
        record(
            engagement.account, EntryKind.NOTE, f"Output {state}: {item.output.name}",
            engagement=engagement, author=by, body=note,
            link=f"{engagement.get_absolute_url()}#output-{item.pk}",
        )
    return item


@transaction.atomic
def save_outcome(outcome: Outcome, *, by: User) -> Outcome:
    """Create or change an outcome; the timeline says who set which target."""
    engagement = outcome.engagement
    _ensure_not_closed(engagement)
    created = outcome.pk is None
    outcome.full_clean()
    outcome.save()
    unit = f" {outcome.unit}" if outcome.unit else ""
    record(
        engagement.account, EntryKind.NOTE,
        f"Outcome {'added' if created else 'changed'}: {outcome.name} "
        f"(baseline {_num(outcome.baseline)}, target {_num(outcome.target)}{unit}, "
        f"now {_num(outcome.current)})",
        engagement=engagement, author=by, link=f"{engagement.get_absolute_url()}#outcomes",
    )
    return outcome


@transaction.atomic
def delete_outcome(outcome: Outcome, *, by: User) -> None:
    engagement = outcome.engagement
    _ensure_not_closed(engagement)
    record(
        engagement.account, EntryKind.NOTE, f"Outcome removed: {outcome.name}",
        engagement=engagement, author=by, link=f"{engagement.get_absolute_url()}#outcomes",
    )
    outcome.delete()


def _num(value: Decimal | float | None) -> str:
    """A measured value as people write it: 100, not 100.0000 or 1E+2."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return f"{value:g}"


@transaction.atomic
def set_status(engagement: Engagement, status: str, *, by: User, reason: str = "") -> Engagement:
    if status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if status == engagement.status:
        return engagement
    old = engagement.get_status_display()
    engagement.status = status
    engagement._history_user = by  # type: ignore[attr-defined]
    engagement.save(update_fields=["status", "updated_at"])
    record(
        engagement.account, EntryKind.NOTE,
        f"Engagement {engagement.get_status_display().lower()} (was {old.lower()})",
        engagement=engagement, author=by, body=reason, link=engagement.get_absolute_url(),
    )
    return engagement


def evaluation_phase(engagement: Engagement) -> Phase | None:
    return engagement.playbook_version.phases.filter(periodic=True).first()


@transaction.atomic
def open_evaluation(engagement: Engagement, *, by: User) -> Evaluation:
    """Start a round of engagement evaluation; the current phase carries on beside it.

    Evaluation looks back on delivered value, so it opens once the engagement has reached
    the phase before the evaluation phase (value realization in the default playbook).
    """
    engagement = Engagement.objects.select_for_update().select_related("current_phase").get(
        pk=engagement.pk
    )
    _ensure_not_closed(engagement)
    phase = evaluation_phase(engagement)
    if phase is None:
        raise ValidationError("This engagement's playbook has no evaluation phase.")
    if engagement.current_phase.position < phase.position - 1:
        before = engagement.playbook_version.phases.filter(position=phase.position - 1).first()
        raise ValidationError(
            f"Evaluation opens from {before.name if before else phase.name} on; "
            f"the engagement is in {engagement.current_phase.name}."
        )
    if engagement.evaluations.filter(closed_at__isnull=True).exists():
        raise ValidationError("An evaluation is already open for this engagement.")
    evaluation = Evaluation.objects.create(engagement=engagement, opened_at=timezone.now(), opened_by=by)
    record(
        engagement.account, EntryKind.EVALUATION,
        f"Engagement evaluation opened during {engagement.current_phase.name}",
        engagement=engagement, author=by, link=engagement.get_absolute_url(),
    )
    return evaluation


@transaction.atomic
def close_evaluation(evaluation: Evaluation, *, by: User) -> Evaluation:
    """Close a round once both of its questions are answered: at least one value the
    customer got and one our company got (cairn.evaluation records them)."""
    evaluation = Evaluation.objects.select_for_update().select_related("engagement__account").get(
        pk=evaluation.pk
    )
    if not evaluation.is_open:
        raise ValidationError("This evaluation is already closed.")
    missing = []
    if not evaluation.customer_values.exists():  # type: ignore[attr-defined]
        missing.append("the value the customer got")
    if not evaluation.company_values.exists():  # type: ignore[attr-defined]
        missing.append("the value our company got")
    if missing:
        raise ValidationError(f"Record {' and '.join(missing)} before closing the round.")
    evaluation.closed_at = timezone.now()
    evaluation.save(update_fields=["closed_at"])
    record(
        evaluation.engagement.account, EntryKind.EVALUATION, "Engagement evaluation closed",
        engagement=evaluation.engagement, author=by,
        link=evaluation.engagement.get_absolute_url(),
    )
    return evaluation
