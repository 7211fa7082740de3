"""Sending the outline adoption plan to the key stakeholder for approval, through a
cairn.sharing customer link (the one link mechanism; this module only adds its purpose).

The stakeholder reads the exact outline version sent; accepting it records the approval as
if the CSM had entered it, with the name they typed. A new outline version revokes the
links sent for older ones, and an answer on a version that is no longer current is ignored.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.adoption.actions import ensure_open
from cairn.adoption.models import AdoptionPlan
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.sharing import actions as sharing
from cairn.sharing import purposes
from cairn.sharing.models import Response, SharedLink

PURPOSE = "adoption-outline-approval"


def register() -> None:
    purposes.register(purposes.Purpose(
        key=PURPOSE, label="Adoption plan approval", document_label="outline adoption plan",
        accept_label="Approve", on_response=on_response,
    ))


@transaction.atomic
def send_outline(
    engagement: Engagement, *, contact: Contact | None, by: User, days: int | None = None,
    message: str = "", send_email: bool = False,
) -> sharing.NewLink:
    ensure_open(engagement)
    plan = (
        AdoptionPlan.objects.filter(engagement=engagement).select_related("outline__current_version").first()
    )
    if plan is None or plan.outline is None or plan.outline.current_version is None:
        raise ValidationError("Write the outline plan before sending it for approval.")
    if plan.is_approved:
        raise ValidationError(f"{plan.approver_name} approved the outline already.")
    sharing.revoke_open_links(plan.outline.pk, by=by, purpose=PURPOSE)
    return sharing.create_link(
        engagement, plan.outline.current_version, purpose=PURPOSE, contact=contact, by=by, days=days,
        message=message, send_email=send_email,
    )


def on_response(link: SharedLink) -> None:
    """An accepted outline is approved: by the contact, as they typed their name, that day."""
    if link.response != Response.ACCEPTED or link.version is None:
        return
    plan = (
        AdoptionPlan.objects.select_for_update(of=("self",))
        .select_related("outline__current_version")
        .filter(engagement_id=link.engagement_id)
        .first()
    )
    if plan is None or plan.is_approved or plan.outline is None or plan.outline.current_version is None:
        return
    if link.version_id != plan.outline.current_version.pk:
        return
    contact = link.contact
    title = f", {contact.title}" if contact is not None and contact.title else ""
    plan.approved_by = contact
    plan.approver_name = f"{link.typed_name}{title}"[:200]
    plan.approved_on = timezone.localdate(link.used_at) if link.used_at else timezone.localdate()
    plan.approved_version = link.version_number
    plan.approval_note = f"Approved through a customer link. {link.comment}".strip()
    plan.approval_recorded_by = link.created_by
    plan._history_user = link.created_by  # type: ignore[attr-defined]
    plan.save()
