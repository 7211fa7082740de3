"""Sending the outline adoption plan to the key stakeholder for approval, through a
cairn.sharing customer link (the one link mechanism; this module only adds its purpose).

The stakeholder reads the exact outline version sent; accepting it records the approval as
if the CSM had entered it, with the name they typed. A new outline version revokes the
links sent for older ones, and an answer on a version that is no longer current is ignored.
An outline changed after its approval is sent again the same way.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.adoption.actions import ensure_open
from cairn.adoption.models import AdoptionPlan
from cairn.customers.models import Contact
from cairn.documents import notices
from cairn.documents.models import Document, DocumentType, DocumentVersion
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.sharing import actions as sharing
from cairn.sharing import purposes
from cairn.sharing.models import Response, SharedLink

PURPOSE = "adoption-outline-approval"


def register() -> None:
    purposes.register(purposes.Purpose(
        key=PURPOSE, label="Adoption plan approval", document_label="outline adoption plan",
        accept_label="Approve", refusal=refusal, on_response=on_response,
    ))
    notices.register_edit_notice(outline_edit_notice)


def refusal(version: DocumentVersion) -> str:
    """An approval link carries only the plan's outline: its answer approves the plan."""
    engagement_id = version.document.engagement_id
    plan = AdoptionPlan.objects.filter(engagement_id=engagement_id).first() if engagement_id else None
    if plan is None or plan.outline_id != version.document_id:
        return "only the outline adoption plan can be sent for approval."
    return ""


def reapproval_warning(plan: AdoptionPlan) -> str:
    """What someone editing an approved outline must know before saving, here or in the
    repository: the save is a new version that needs a new approval."""
    current = plan.outline.current_version.number if plan.outline and plan.outline.current_version else 0
    if plan.awaits_approval:
        return (f"{plan.approver_name} approved version {plan.approved_version} of this outline; version "
                f"{current} awaits a new approval. Saving makes version {current + 1}, which will need "
                "the approval instead.")
    return (f"{plan.approver_name} approved this outline (version {plan.approved_version}) on "
            f"{plan.approved_on:%d %b %Y}. Saving makes version {current + 1}, which needs a new approval; "
            f"version {plan.approved_version} stays the approved one.")


def outline_edit_notice(document: Document) -> str:
    """The warning on the repository's edit page of an approved outline."""
    if document.doc_type != DocumentType.ADOPTION_PLAN:
        return ""
    plan = (
        AdoptionPlan.objects.filter(outline=document, approved_on__isnull=False)
        .select_related("outline__current_version").first()
    )
    return reapproval_warning(plan) if plan else ""


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
    if not plan.awaits_approval:
        raise ValidationError(
            f"{plan.approver_name} approved version {plan.approved_version}, the current one, already."
        )
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
    current = plan.outline.current_version if plan is not None and plan.outline is not None else None
    if plan is None or current is None or not plan.awaits_approval or link.version_id != current.pk:
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
