"""What the proposal page and the API show: each version with its status and its links."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from cairn.documents.models import DocumentVersion
from cairn.proposals.actions import PURPOSE
from cairn.proposals.models import Proposal
from cairn.sharing.models import LinkState, SharedLink


class VersionStatus:
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NEEDS_NEW_ACCEPTANCE = "needs_new_acceptance"

    LABELS = {
        DRAFT: "Draft",
        SENT: "Sent",
        ACCEPTED: "Accepted",
        DECLINED: "Declined",
        NEEDS_NEW_ACCEPTANCE: "Needs new acceptance",
    }


@dataclass
class VersionRow:
    version: DocumentVersion
    status: str
    is_current: bool
    links: list[SharedLink] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return VersionStatus.LABELS[self.status]

    @property
    def acceptance(self) -> SharedLink | None:
        return next((link for link in self.links if link.response == "accepted"), None)


def _status(links: list[SharedLink], later_than_accepted: bool) -> str:
    """Accepted wins; then an open link (sent); then the last answer; else draft, or, after an
    earlier version was accepted, "needs new acceptance"."""
    now = timezone.now()
    if any(link.response == "accepted" for link in links):
        return VersionStatus.ACCEPTED
    if any(link.state(now) == LinkState.OPEN for link in links):
        return VersionStatus.SENT
    if any(link.response == "declined" for link in links):
        return VersionStatus.DECLINED
    return VersionStatus.NEEDS_NEW_ACCEPTANCE if later_than_accepted else VersionStatus.DRAFT


def version_rows(proposal: Proposal) -> list[VersionRow]:
    """Every version, newest first, each with its links (three queries whatever the count)."""
    if proposal.document_id is None:
        return []
    versions = list(
        DocumentVersion.objects.filter(document_id=proposal.document_id)
        .select_related("created_by")
        .order_by("-number")
    )
    links: dict[int, list[SharedLink]] = {}
    for link in (
        SharedLink.objects.filter(version__document_id=proposal.document_id, purpose=PURPOSE)
        .select_related("created_by", "revoked_by", "version")
        .order_by("-created_at", "-pk")
    ):
        links.setdefault(link.version_id or 0, []).append(link)
    accepted_numbers = [
        v.number for v in versions if any(link.response == "accepted" for link in links.get(v.pk, []))
    ]
    last_accepted = max(accepted_numbers, default=0)
    current_id = versions[0].pk if versions else None
    return [
        VersionRow(
            version=v,
            status=_status(links.get(v.pk, []), bool(last_accepted) and v.number > last_accepted),
            is_current=v.pk == current_id,
            links=links.get(v.pk, []),
        )
        for v in versions
    ]


def current_status(rows: list[VersionRow]) -> str | None:
    return rows[0].status if rows else None
