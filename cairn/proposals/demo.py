"""Demo content for the proposal: Halvorsen Maritime accepted its proposal months ago (the
second version, after the sponsor asked for a weekly fuel review); Kestrel Freight, in
commitment now, has its proposal sent to the chief executive and waiting for an answer."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from cairn.customers.models import Contact
from cairn.documents.models import DocumentVersion
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.proposals import actions
from cairn.sharing import actions as sharing
from cairn.sharing.models import SharedLink
from cairn.timeline.models import Entry, EntryKind

HALVORSEN_SERVICES = (
    "- Priya Nair as your named CSM, with Lena as fleet data specialist\n"
    "- Onboarding of the 350 Beacon users in three waves, one per vessel class\n"
    "- A weekly fuel review template and coaching for every vessel's chief engineer\n"
    "- Quarterly business reviews with the COO"
)
KESTREL_SERVICES = (
    "- Tomas as your named CSM\n"
    "- A two-day planning workshop at the Auckland depot\n"
    "- Data connection to the depot systems, checked daily during the first month\n"
    "- Monthly progress review against the 07:00 target"
)


def _contact(engagement: Engagement, first: str, last: str) -> Contact | None:
    return Contact.objects.filter(account=engagement.account, first_name=first, last_name=last).first()


def _shift(link: SharedLink, days: int) -> None:
    """Move a link's life back by `days`, so the demo's acceptance sits where its story is."""
    delta = dt.timedelta(days=days)
    SharedLink.objects.filter(pk=link.pk).update(
        created_at=F("created_at") - delta, expires_at=F("expires_at") - delta,
        used_at=F("used_at") - delta,
    )


def _halvorsen(engagement: Engagement) -> None:
    owner = engagement.owner
    ingrid = _contact(engagement, "Ingrid", "Halvorsen")
    if ingrid is None:
        return
    actions.set_services(engagement, HALVORSEN_SERVICES, by=owner)
    proposal = actions.generate(engagement, by=owner).proposal
    first = actions.send(engagement, ingrid, by=owner, days=14,
                         message="Ingrid, here is the plan we walked through on Tuesday.")
    sharing.respond(first.link, accept=False,
                    comment="Add the weekly fuel review on every vessel as a target, not a hope.",
                    ip_address="192.0.2.44", user_agent="Mozilla/5.0 (Macintosh)")
    assert proposal.document is not None and proposal.document.current_version is not None
    body = proposal.document.current_version.body.replace(
        "## How we will help",
        "Every vessel holds a weekly fuel review from the third month.\n\n## How we will help",
    )
    actions.edit(engagement, body, base_version=proposal.document.current_version.number, by=owner,
                 comment="Weekly fuel review as a firm commitment, as Ingrid asked")
    second = actions.send(engagement, ingrid, by=owner, days=14)
    sharing.respond(second.link, accept=True, typed_name="Ingrid Halvorsen",
                    comment="Agreed. Let's start with the North Sea vessels.",
                    ip_address="192.0.2.44", user_agent="Mozilla/5.0 (Macintosh)")
    _shift(first.link, 292)
    _shift(second.link, 285)
    now = timezone.now()
    Entry.objects.filter(engagement=engagement, kind=EntryKind.CUSTOMER_RESPONSE).update(
        occurred_at=now - dt.timedelta(days=285)
    )
    DocumentVersion.objects.filter(document=proposal.document).update(
        created_at=now - dt.timedelta(days=293)
    )


def _kestrel(engagement: Engagement) -> None:
    owner = engagement.owner
    liam = _contact(engagement, "Liam", "O'Connor")
    if liam is None:
        return
    actions.set_services(engagement, KESTREL_SERVICES, by=owner)
    actions.generate(engagement, by=owner)
    actions.send(engagement, liam, by=owner, days=14,
                 message="Liam, the plan from last week's meeting. Aiko has seen the RACI.")


def load(engagements: dict[str, Engagement], users: dict[str, User], today: dt.date) -> None:
    """An accepted proposal for Halvorsen Maritime, a sent one for Kestrel Freight."""
    if "halvorsen-maritime" in engagements:
        _halvorsen(engagements["halvorsen-maritime"])
    if "kestrel-freight" in engagements:
        _kestrel(engagements["kestrel-freight"])
