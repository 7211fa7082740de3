"""The proposal as a PDF: a cover (account, initiative, version, date), then the text with
its tables of outcomes and responsibilities, and the version's status."""

from __future__ import annotations

from cairn.documents.rendering import render_markdown
from cairn.engagements.models import Engagement
from cairn.pdf import render_pdf
from cairn.proposals.models import Proposal
from cairn.proposals.queries import VersionRow


def proposal_pdf(engagement: Engagement, proposal: Proposal, row: VersionRow) -> bytes:
    version = row.version
    return render_pdf(
        "proposals/proposal_pdf.html",
        {
            "title": proposal.document.title if proposal.document else "Proposal",
            "account": engagement.account.name, "subtitle": engagement.initiative,
            "kicker": "Customer engagement proposal", "version_label": f"Version {version.number}",
            "date": version.created_at,
            "prepared_by": engagement.owner.get_full_name() or str(engagement.owner),
            "body_html": render_markdown(version.body), "row": row,
        },
    )


def filename(engagement: Engagement, row: VersionRow) -> str:
    return f"{engagement.account.name} proposal v{row.version.number}"
