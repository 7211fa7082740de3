"""Domain actions of the proposal: generate, edit, send for acceptance, and what an answer
changes. The text lives in cairn.documents; these actions go through its actions, so the
repository, its versions and the timeline stay the one record."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.customers.models import Contact
from cairn.documents import actions as documents
from cairn.documents.models import Document, DocumentType, DocumentVersion
from cairn.engagements.models import Engagement, EngagementOutput
from cairn.people.models import User
from cairn.proposals.assemble import TITLE, proposal_markdown
from cairn.proposals.models import Proposal
from cairn.sharing import actions as sharing
from cairn.sharing.models import Response, SharedLink

PURPOSE = "proposal"


@dataclass
class Revision:
    """A new version of the proposal, and the open links to older versions it withdrew
    (the customer must not accept a text that has since changed)."""

    proposal: Proposal
    version: DocumentVersion
    withdrawn: list[SharedLink] = field(default_factory=list)

    def withdrawn_note(self) -> str:
        """What to tell the CSM, or "" when no link was open."""
        if not self.withdrawn:
            return ""
        sent = ", ".join(
            f"{link.recipient_name} (version {link.version_number})" for link in self.withdrawn
        )
        if len(self.withdrawn) == 1:
            start = f"The open link to {sent} no longer works"
        else:
            start = f"The open links to {sent} no longer work"
        number = self.version.number
        return f"{start}: version {number} replaces that text. Send version {number} for acceptance."


def _check_open(engagement: Engagement) -> None:
    if engagement.is_closed:
        raise ValidationError("The engagement is closed. Reopen it to change its proposal.")


def proposal_of(engagement: Engagement) -> Proposal:
    """The engagement's proposal; before anything was written, an unsaved empty one (reading
    the page writes nothing)."""
    found = (
        Proposal.objects.select_related("document__current_version", "accepted_version")
        .filter(engagement=engagement)
        .first()
    )
    return found or Proposal(engagement=engagement)


def _locked(engagement: Engagement) -> Proposal:
    Proposal.objects.get_or_create(engagement=engagement)
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to the document.
    return Proposal.objects.select_for_update(of=("self",)).select_related(
        "document__current_version"
    ).get(
        engagement=engagement
    )


def _details(engagement: Engagement, document: Document | None) -> documents.Details:
    phase = engagement.playbook_version.phases.filter(key="commitment").first()
    title = document.title if document else TITLE
    return documents.Details(title, DocumentType.PROPOSAL, phase)


def _revised(engagement: Engagement, version: DocumentVersion, *, by: User) -> Revision:
    withdrawn = sharing.withdraw_superseded(version, purpose=PURPOSE, by=by)
    return Revision(proposal_of(engagement), version, withdrawn)


@transaction.atomic
def generate(engagement: Engagement, *, by: User) -> Revision:
    """Write the proposal from the engagement's data: a new document, or a new version
    (which withdraws the open links to the older ones)."""
    _check_open(engagement)
    proposal = _locked(engagement)
    body = proposal_markdown(engagement, proposal.services)
    document = proposal.document
    if document is None:
        document = documents.create_written(
            engagement, _details(engagement, None), body, by=by,
            comment="Generated from the engagement",
        )
        proposal.document = document
        proposal.created_by = proposal.created_by or by
        proposal.save()
        assert document.current_version is not None  # a written document starts at version 1
        return Revision(proposal_of(engagement), document.current_version)
    current = document.current_version
    version = documents.update_written(
        document, _details(engagement, document), body,
        base_version=current.number if current else 0, by=by,
        comment="Generated again from the engagement",
    )
    return _revised(engagement, version, by=by)


@transaction.atomic
def edit(
    engagement: Engagement, body: str, *, base_version: int, by: User, comment: str = ""
) -> Revision:
    """Save the CSM's edit as a new version (after an acceptance, it needs a new one); open
    links to older versions stop working at once."""
    _check_open(engagement)
    proposal = _locked(engagement)
    if proposal.document is None:
        raise ValidationError({"body": "Generate the proposal first."})
    if not body.strip():
        raise ValidationError({"body": "The proposal cannot be empty."})
    version = documents.update_written(
        proposal.document, _details(engagement, proposal.document), body,
        base_version=base_version, by=by, comment=comment,
    )
    return _revised(engagement, version, by=by)


@transaction.atomic
def set_services(engagement: Engagement, services: str, *, by: User) -> Proposal:
    _check_open(engagement)
    proposal = _locked(engagement)
    proposal.services = services.strip()
    proposal.save(update_fields=["services", "updated_at"])
    return proposal


@transaction.atomic
def send(
    engagement: Engagement,
    contact: Contact | None,
    *,
    by: User,
    days: int | None = None,
    message: str = "",
    send_email: bool = False,
) -> sharing.NewLink:
    """Send the current version for acceptance. Open links to older versions stop working
    (editing here withdraws them already; a version saved in the repository does not)."""
    _check_open(engagement)
    proposal = _locked(engagement)
    document = proposal.document
    if document is None or document.current_version is None:
        raise ValidationError({"contact": "Generate the proposal before sending it."})
    current = document.current_version
    if proposal.accepted_version_id == current.pk:
        raise ValidationError({"contact": f"Version {current.number} is already accepted."})
    sharing.withdraw_superseded(current, purpose=PURPOSE, by=by)
    return sharing.create_link(
        engagement, current, purpose=PURPOSE, contact=contact, by=by, days=days,
        message=message, send_email=send_email,
    )


def refusal(version: DocumentVersion) -> str:
    """Why `version` cannot be sent for acceptance ("" when it can): only a version of the
    engagement's proposal document, and never one older than the version already accepted
    (its acceptance would replace the newer accepted text)."""
    engagement_id = version.document.engagement_id
    proposal = (
        Proposal.objects.select_related("accepted_version").filter(engagement_id=engagement_id).first()
        if engagement_id is not None else None
    )
    if proposal is None or proposal.document_id is None:
        return "the engagement has no proposal yet; generate it first."
    if version.document_id != proposal.document_id:
        return (
            f"“{version.document.title}” is not the engagement's proposal; only the proposal "
            "can be sent for acceptance."
        )
    accepted = proposal.accepted_version
    if accepted is not None and version.number < accepted.number:
        return (
            f"version {accepted.number} is accepted; the older version {version.number} cannot "
            "replace it."
        )
    return ""


def on_response(link: SharedLink) -> None:
    """Runs inside the customer's answer: an acceptance freezes that version as accepted and
    delivers the phase's proposal output with the document.

    An answer never changes an accepted version: a link to another document, or to a version
    older than the accepted one, is refused (the answer is then not recorded), and accepting
    the accepted version again changes nothing.
    """
    if link.response != Response.ACCEPTED or link.version is None:
        return
    proposal = Proposal.objects.select_for_update().filter(engagement_id=link.engagement_id).first()
    if proposal is None:
        return
    reason = refusal(link.version)
    if reason:
        raise ValidationError(f"This link cannot accept the proposal: {reason}")
    if proposal.accepted_version_id == link.version_id:
        return
    proposal.accepted_version = link.version
    proposal.accepted_link = link
    proposal.save(update_fields=["accepted_version", "accepted_link", "updated_at"])
    output = (
        EngagementOutput.objects.filter(
            engagement_id=link.engagement_id, output__document_type=DocumentType.PROPOSAL,
            delivered=False,
        )
        .select_related("engagement__account", "output")
        .first()
    )
    if output is None or link.created_by is None or output.engagement.is_closed:
        return
    from cairn.engagements.actions import set_output

    set_output(
        output, by=link.created_by, delivered=True, document_id=link.version.document_id,
        note=f"Accepted by {link.typed_name} (version {link.version_number}) through the customer link.",
    )
