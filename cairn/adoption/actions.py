"""Domain actions of adoption planning and implementation.

Each owns its transaction, refuses changes to a closed engagement, validates the whole row
before writing, keeps the history's author and writes the engagement's timeline, so the
pages and the API behave alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from cairn.adoption import queries, writing
from cairn.adoption.models import (
    AdoptionPlan,
    Challenge,
    Consideration,
    GovernanceMeeting,
    ImpactedGroup,
    ImpactedProcess,
    Kpi,
    KpiMilestone,
    KpiReading,
    Pilot,
    PilotCriterion,
    ReadinessItem,
    ReadinessStatus,
    ReadinessWorkshop,
    Risk,
    RoadmapStep,
    WorkPackage,
)
from cairn.customers.models import Contact
from cairn.documents.actions import Details, create_written, update_written
from cairn.documents.models import Document, DocumentType, DocumentVersion
from cairn.engagements.models import Engagement, Status
from cairn.people.models import User
from cairn.timeline.actions import record
from cairn.timeline.models import EntryKind

M = TypeVar("M", bound=models.Model)

# Where each kind of record is shown, for the timeline's links.
TOOL_PAGES: dict[type[models.Model], str] = {
    ImpactedProcess: "adoption_impact",
    ImpactedGroup: "adoption_impact",
    Consideration: "adoption_impact",
    Risk: "adoption_risks",
    RoadmapStep: "adoption_plan",
    Pilot: "adoption_pilot",
    PilotCriterion: "adoption_pilot",
    WorkPackage: "adoption_work_packages",
    ReadinessWorkshop: "adoption_readiness",
    ReadinessItem: "adoption_readiness",
    Kpi: "adoption_measurements",
    KpiMilestone: "adoption_measurements",
    KpiReading: "adoption_measurements",
    Challenge: "adoption_challenges",
}


def ensure_open(engagement: Engagement) -> None:
    if engagement.status == Status.CLOSED:
        raise ValidationError("The engagement is closed. Reopen it to change it.")


def _note(engagement: Engagement, title: str, by: User, *, url_name: str = "adoption_plan",
          body: str = "", kind: str = EntryKind.PLANNING) -> None:
    record(
        engagement.account, kind, title, engagement=engagement, author=by, body=body,
        link=reverse(url_name, args=[engagement.pk]),
    )


def _label(instance: models.Model) -> str:
    return str(instance._meta.verbose_name).capitalize().replace("Kpi", "KPI")


@transaction.atomic
def save_item(instance: M, engagement: Engagement, *, by: User) -> M:
    """Create or change one record of a tool, in full or not at all, and say so on the timeline."""
    ensure_open(engagement)
    created = instance.pk is None
    instance.full_clean()
    instance._history_user = by  # type: ignore[attr-defined]
    instance.save()
    _note(
        engagement, f"{_label(instance)} {'added' if created else 'changed'}: {instance}", by,
        url_name=TOOL_PAGES.get(type(instance), "adoption_plan"),
    )
    return instance


@transaction.atomic
def delete_item(instance: models.Model, engagement: Engagement, *, by: User) -> None:
    ensure_open(engagement)
    _note(
        engagement, f"{_label(instance)} removed: {instance}", by,
        url_name=TOOL_PAGES.get(type(instance), "adoption_plan"),
    )
    instance._history_user = by  # type: ignore[attr-defined]
    instance.delete()


# --- The adoption plan ---------------------------------------------------------------------


def _plan_for_update(engagement: Engagement) -> AdoptionPlan:
    plan, _ = AdoptionPlan.objects.get_or_create(engagement=engagement)
    # Lock the plan row only: the documents are optional (outer joins PostgreSQL cannot lock).
    return AdoptionPlan.objects.select_for_update(of=("self",)).select_related(
        "outline__current_version", "detailed__current_version"
    ).get(pk=plan.pk)


def _details(engagement: Engagement, title: str, doc_type: str) -> Details:
    phase = engagement.playbook_version.phases.filter(key="adoption-planning").first()
    return Details(title=title, doc_type=doc_type, phase=phase)


def _write(
    engagement: Engagement, document: Document | None, title: str, doc_type: str, body: str,
    *, by: User, base_version: int | None, comment: str = "",
) -> Document:
    """Start the document, or save the text as its next version (refused if someone saved
    since `base_version`)."""
    details = _details(engagement, title, doc_type)
    if document is None:
        return create_written(engagement, details, body, by=by, comment=comment)
    current = document.current_version.number if document.current_version else 0
    document.current_version = update_written(
        document, details, body, base_version=base_version if base_version is not None else current,
        by=by, comment=comment,
    )
    return document


@transaction.atomic
def write_outline(
    engagement: Engagement, body: str, *, by: User, base_version: int | None = None, comment: str = ""
) -> AdoptionPlan:
    """Draft or revise the outline plan. Each save is a new version; after an approval it
    awaits an approval of its own while the approved version stays on record, as an edit in
    the repository does. Open links to older versions stop working, so nobody approves a
    text that has since changed."""
    ensure_open(engagement)
    if not body.strip():
        raise ValidationError({"outline": "Write the outline before saving it."})
    plan = _plan_for_update(engagement)
    plan.outline = _write(
        engagement, plan.outline, "Adoption plan (outline)", DocumentType.ADOPTION_PLAN, body,
        by=by, base_version=base_version, comment=comment,
    )
    plan._history_user = by  # type: ignore[attr-defined]
    plan.save()
    current = plan.outline.current_version
    assert current is not None  # a written document has a version from its first save
    from cairn.adoption.approval import PURPOSE
    from cairn.sharing.actions import withdraw_superseded

    withdraw_superseded(current, purpose=PURPOSE, by=by)
    if plan.is_approved:
        _note(engagement, f"Outline adoption plan changed after {plan.approver_name} approved version "
                          f"{plan.approved_version}: version {current.number} awaits approval", by)
    return plan


@transaction.atomic
def approve_outline(
    engagement: Engagement, *, stakeholder: Contact, approved_on: dt.date, by: User, note: str = ""
) -> AdoptionPlan:
    """Record the key stakeholder's approval of the current outline version (the first, or
    a version changed since the last approval)."""
    ensure_open(engagement)
    plan = _plan_for_update(engagement)
    if plan.outline is None or plan.outline.current_version is None:
        raise ValidationError({"outline": "Write the outline plan before it can be approved."})
    if not plan.awaits_approval:
        raise ValidationError(
            {"approved_by": f"{plan.approver_name} approved version {plan.approved_version}, the current "
                            "one, already."}
        )
    if stakeholder.account_id != engagement.account_id:
        raise ValidationError({"approved_by": "Choose a contact of this engagement's account."})
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": "An approval cannot be dated in the future."})
    plan.approved_by = stakeholder
    plan.approver_name = f"{stakeholder.full_name}{', ' + stakeholder.title if stakeholder.title else ''}"
    plan.approved_on = approved_on
    plan.approved_version = plan.outline.current_version.number
    plan.approval_note = note.strip()
    plan.approval_recorded_by = by
    plan.full_clean()
    plan._history_user = by  # type: ignore[attr-defined]
    plan.save()
    _note(
        engagement,
        f"Outline adoption plan (version {plan.approved_version}) approved by {plan.approver_name}",
        by, body=plan.approval_note, kind=EntryKind.CUSTOMER_RESPONSE,
    )
    return plan


def detailed_start_text(engagement: Engagement, plan: AdoptionPlan) -> str:
    """Where the detailed plan starts: the approved outline version and each group's needs."""
    approved = DocumentVersion.objects.filter(
        document_id=plan.outline_id or 0, number=plan.approved_version or 0
    ).first()
    outline = approved.body if approved else ""
    groups = list(engagement.impacted_groups.all())
    return writing.join_sections("Adoption plan (detailed)", writing.detailed_start(outline, groups))


@transaction.atomic
def write_detailed(
    engagement: Engagement, body: str, *, by: User, base_version: int | None = None, comment: str = ""
) -> AdoptionPlan:
    """Write the detailed plan; only an approved outline can be detailed."""
    ensure_open(engagement)
    plan = _plan_for_update(engagement)
    if not plan.is_approved:
        raise ValidationError(
            {"detailed": "The detailed plan is written once the key stakeholder has approved the outline."}
        )
    if not body.strip():
        raise ValidationError({"detailed": "Write the detailed plan before saving it."})
    plan.detailed = _write(
        engagement, plan.detailed, "Adoption plan (detailed)", DocumentType.ADOPTION_PLAN, body,
        by=by, base_version=base_version, comment=comment,
    )
    plan._history_user = by  # type: ignore[attr-defined]
    plan.save()
    return plan


@transaction.atomic
def save_roadmap_summary(engagement: Engagement, summary: str, *, by: User) -> AdoptionPlan:
    ensure_open(engagement)
    plan = _plan_for_update(engagement)
    plan.roadmap_summary = summary.strip()
    plan._history_user = by  # type: ignore[attr-defined]
    plan.save()
    return plan


@transaction.atomic
def publish_roadmap(engagement: Engagement, *, by: User) -> Document:
    """Write the roadmap as it stands into the repository (a new version each time)."""
    ensure_open(engagement)
    plan = _plan_for_update(engagement)
    steps = list(engagement.roadmap_steps.all())
    if not plan.roadmap_summary.strip():
        raise ValidationError({"roadmap_summary": "Write the summary for the workforce first."})
    if not steps:
        raise ValidationError({"steps": "Add at least one roadmap step before publishing."})
    body = writing.roadmap_markdown(engagement.account.name, plan.roadmap_summary, steps)
    plan.roadmap = _write(
        engagement, plan.roadmap, "Adoption roadmap", DocumentType.ADOPTION_ROADMAP, body,
        by=by, base_version=None, comment="Published from the roadmap",
    )
    plan._history_user = by  # type: ignore[attr-defined]
    plan.save()
    _note(engagement, "Adoption roadmap published for the workforce", by, url_name="adoption_roadmap")
    return plan.roadmap


# --- Work packages, readiness, measurements ------------------------------------------------


@transaction.atomic
def save_work_package(package: WorkPackage, *, by: User, from_section: str | None = None) -> WorkPackage:
    """Save a work package; `from_section` ties it to that section of the current plan
    version (the detailed plan, or the approved outline before the detail exists)."""
    engagement = package.engagement
    if from_section:
        plan = AdoptionPlan.objects.filter(engagement=engagement).select_related(
            "outline__current_version", "detailed__current_version"
        ).first()
        document = plan.work_source() if plan else None
        if document is None or document.current_version is None:
            raise ValidationError(
                {"plan_section": "Work packages come from the detailed plan or an approved outline; "
                                 "there is none now."}
            )
        if from_section not in writing.section_headings(document.current_version.body):
            raise ValidationError({"plan_section": f"The plan has no section “{from_section}”."})
        package.plan_document = document
        package.plan_version = document.current_version.number
        package.plan_section = from_section
    return save_item(package, engagement, by=by)


@transaction.atomic
def resolve_item(item: ReadinessItem, resolution: str, *, by: User) -> ReadinessItem:
    engagement = item.workshop.engagement
    if item.status == ReadinessStatus.CARRIED:
        raise ValidationError({"status": "This item was carried into the challenge log; resolve it there."})
    if not resolution.strip():
        raise ValidationError({"resolution": "Say how the item was resolved."})
    item.status = ReadinessStatus.RESOLVED
    item.resolution = resolution.strip()
    return save_item(item, engagement, by=by)


@transaction.atomic
def carry_as_issue(item: ReadinessItem, *, impact: str, by: User) -> Challenge:
    """Carry an unresolved checklist item into the challenge log, where it is followed up
    (and may become a lesson) like any challenge met during the programme."""
    engagement = item.workshop.engagement
    ensure_open(engagement)
    if item.status != ReadinessStatus.OPEN:
        raise ValidationError({"status": f"This item is already {item.get_status_display().lower()}."})
    if not impact.strip():
        raise ValidationError({"impact": "Say what the open item affects."})
    challenge = save_item(
        Challenge(
            engagement=engagement, challenge=item.item[:200], impact=impact.strip(),
            raised_on=timezone.localdate(),
            response=f"Carried from the readiness workshop of {item.workshop.held_on:%d %b %Y}.",
        ),
        engagement, by=by,
    )
    item.status = ReadinessStatus.CARRIED
    item.challenge = challenge
    item.full_clean()
    item.save()
    return challenge


@transaction.atomic
def record_reading(
    kpi: Kpi, *, on: dt.date, value: Decimal, by: User, note: str = ""
) -> KpiReading:
    reading = KpiReading(kpi=kpi, date=on, value=value, note=note.strip(), recorded_by=by)
    return save_item(reading, kpi.engagement, by=by)


@transaction.atomic
def hold_governance_meeting(
    engagement: Engagement, *, held_on: dt.date, by: User, attendees: str = "", decisions: str = ""
) -> GovernanceMeeting:
    """Record a governance meeting and write its progress report from the data as it is now."""
    ensure_open(engagement)
    data = queries.governance_data(engagement, held_on, attendees, decisions)
    body = writing.governance_markdown(data)
    document = create_written(
        engagement,
        Details(
            title=f"Governance report {held_on:%d %b %Y}", doc_type=DocumentType.GOVERNANCE_REPORT,
            phase=engagement.playbook_version.phases.filter(key="adoption-implementation").first(),
        ),
        body, by=by, comment="Written by Cairn from the measurements, work packages, risks and challenges",
    )
    meeting = GovernanceMeeting(
        engagement=engagement, held_on=held_on, attendees=attendees.strip(),
        decisions=decisions.strip(), report=document, created_by=by,
        kpi_snapshot=[queries.kpi_snapshot(kpi, assessment) for kpi, assessment in data.kpis],
    )
    meeting.full_clean()
    meeting.save()
    _note(engagement, f"Governance report written for the meeting of {held_on:%d %b %Y}", by,
          url_name="adoption_governance")
    return meeting
