"""REST endpoints of the proposal: read it with each version's status, generate, edit, set
the services, send for acceptance, export as PDF. Same rules as the page."""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from cairn.api import READ_ERRORS, WRITE_ERRORS, related, user_of
from cairn.customers.models import Contact
from cairn.documents.actions import EditConflict
from cairn.engagements.models import Engagement
from cairn.pdf import pdf_response
from cairn.people import access
from cairn.people.models import User
from cairn.proposals import actions
from cairn.proposals.export import filename, proposal_pdf
from cairn.proposals.queries import version_rows
from cairn.proposals.schemas import (
    EditConflictOut,
    EditIn,
    ProposalOut,
    ProposalRevisedOut,
    SendIn,
    ServicesIn,
)
from cairn.resources import engagement_or_404, engagements
from cairn.sharing.models import SharedLink
from cairn.sharing.schemas import SharedLinkCreated

router = Router(tags=["proposals"])


def _editable(request: HttpRequest, engagement_id: int) -> tuple[Engagement, User]:
    user = user_of(request)
    engagement = access.editable_engagement(
        user, engagement_id, engagements(),
        message="You may not change this proposal: you neither own the engagement nor work on it.",
    )
    return engagement, user


def _out(engagement: Engagement) -> dict[str, Any]:
    proposal = actions.proposal_of(engagement)
    rows = version_rows(proposal)
    return {
        "engagement_id": engagement.pk,
        "document_id": proposal.document_id,
        "services": proposal.services,
        "current_version": rows[0].version.number if rows else None,
        "accepted_version": proposal.accepted_version.number if proposal.accepted_version else None,
        "body": rows[0].version.body if rows else "",
        "versions": [
            {
                "id": r.version.pk, "number": r.version.number, "created_at": r.version.created_at,
                "comment": r.version.comment, "is_current": r.is_current, "status": r.status,
                "links": r.links,
            }
            for r in rows
        ],
    }


@router.get("/{int:engagement_id}", response={200: ProposalOut, **READ_ERRORS},
            summary="The proposal with each version's status")
def get_proposal(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    return _out(engagement_or_404(engagement_id))


def _revised(engagement: Engagement, revision: actions.Revision) -> dict[str, Any]:
    return {
        **_out(engagement), "withdrawn_links": revision.withdrawn,
        "withdrawn_note": revision.withdrawn_note(),
    }


@router.post("/{int:engagement_id}/generate", response={200: ProposalRevisedOut, **WRITE_ERRORS},
             summary="Write the proposal from the engagement's data, as a new version")
def generate(request: HttpRequest, engagement_id: int) -> dict[str, Any]:
    engagement, user = _editable(request, engagement_id)
    return _revised(engagement, actions.generate(engagement, by=user))


@router.put("/{int:engagement_id}/text",
            response={200: ProposalRevisedOut, 409: EditConflictOut, **WRITE_ERRORS},
            summary="Save an edited text as a new version (open links to older ones are withdrawn)")
def edit(request: HttpRequest, engagement_id: int, payload: EditIn) -> Any:
    engagement, user = _editable(request, engagement_id)
    try:
        revision = actions.edit(engagement, payload.body, base_version=payload.base_version,
                                by=user, comment=payload.comment)
    except EditConflict as exc:
        return 409, {"detail": str(exc), "current_version": exc.current.number}
    return 200, _revised(engagement, revision)


@router.put("/{int:engagement_id}/services", response={200: ProposalOut, **WRITE_ERRORS},
            summary="Set the services offered (used when the proposal is generated)")
def set_services(request: HttpRequest, engagement_id: int, payload: ServicesIn) -> dict[str, Any]:
    engagement, user = _editable(request, engagement_id)
    actions.set_services(engagement, payload.services, by=user)
    return _out(engagement)


@router.post("/{int:engagement_id}/send", response={201: SharedLinkCreated, **WRITE_ERRORS},
             summary="Send the current version to a contact for acceptance")
def send(request: HttpRequest, engagement_id: int, payload: SendIn) -> tuple[int, SharedLink]:
    engagement, user = _editable(request, engagement_id)
    contact = related(Contact, payload.contact, "contact")
    new = actions.send(engagement, contact, by=user, days=payload.days, message=payload.message,
                       send_email=payload.send_email)
    link = SharedLink.objects.select_related("created_by", "version").get(pk=new.link.pk)
    link.url = new.url  # type: ignore[attr-defined]  # in this answer only
    return 201, link


@router.get("/{int:engagement_id}/pdf", response={200: None, **READ_ERRORS},
            summary="The proposal as a PDF (the current version, or ?version=N)")
def pdf(request: HttpRequest, engagement_id: int, version: int | None = None) -> HttpResponse:
    engagement = engagement_or_404(engagement_id)
    proposal = actions.proposal_of(engagement)
    rows = version_rows(proposal)
    row = next((r for r in rows if version is None or r.version.number == version), None)
    if row is None:
        raise Http404("There is no such version of the proposal.")
    return pdf_response(proposal_pdf(engagement, proposal, row), filename(engagement, row))
