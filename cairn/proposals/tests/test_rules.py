"""The proposal's rules: assembled from the engagement, versioned, accepted versions frozen."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cairn.documents.models import Document, DocumentType
from cairn.engagements.models import EngagementOutput
from cairn.proposals import actions
from cairn.proposals.queries import VersionStatus, version_rows
from cairn.sharing import actions as sharing
from cairn.sharing.models import SharedLink

pytestmark = pytest.mark.django_db


def test_generating_writes_a_proposal_document_from_the_engagement(
    engagement: Any, carol: Any, outcomes: Any
) -> None:
    from cairn.timeline.actions import create_task

    create_task(title="Book the kick-off", assignee=carol, account=engagement.account,
                created_by=carol, engagement=engagement)
    proposal = actions.generate(engagement, by=carol).proposal
    document = Document.objects.get()
    assert proposal.document == document and document.doc_type == DocumentType.PROPOSAL
    assert document.phase is not None and document.phase.key == "commitment"
    body = document.current_version.body
    assert "Energy costs doubled" in body  # the challenge
    assert "| Energy per unit | 12.5 | 10 | kWh | 30 Jun 2027 |" in body
    assert "Cairn Energy Monitor, 400 seats" in body  # the solution
    assert "Book the kick-off" in body  # the next steps
    assert "## Who does what" in body and "## Cadence and communication" in body


def test_the_proposal_uses_the_raci_and_the_stakeholder_plan(engagement: Any, carol: Any, acme: Any) -> None:
    from cairn.commitment.models import RaciActivity, RaciAssignment, RaciRole, Stakeholder
    from cairn.customers.models import Contact

    contact = Contact.objects.create(account=acme, first_name="Ole", last_name="Berg", title="CFO")
    stakeholder = Stakeholder.objects.create(engagement=engagement, contact=contact, power=5, interest=5)
    activity = RaciActivity.objects.create(engagement=engagement, name="Approve the rollout", position=1)
    RaciAssignment.objects.create(activity=activity, stakeholder=stakeholder, role=RaciRole.ACCOUNTABLE)
    RaciAssignment.objects.create(activity=activity, user=carol, role=RaciRole.RESPONSIBLE)
    body = actions.generate(engagement, by=carol).version.body
    assert "| Approve the rollout | Carol Owner | Ole Berg | — | — |" in body
    assert "| Ole Berg |" in body.split("## Cadence and communication")[1]


def test_the_services_text_goes_into_the_next_generation(engagement: Any, carol: Any) -> None:
    actions.generate(engagement, by=carol)
    actions.set_services(engagement, "- Quarterly energy review on site", by=carol)
    proposal = actions.generate(engagement, by=carol).proposal
    assert proposal.document.current_version.number == 2
    assert "Quarterly energy review on site" in proposal.document.current_version.body


def _accept(link: SharedLink, name: str = "Maria Jensen") -> SharedLink:
    return sharing.respond(link, accept=True, typed_name=name, ip_address="198.51.100.7")


def test_an_accepted_version_is_frozen_and_an_edit_needs_a_new_acceptance(
    engagement: Any, carol: Any, maria: Any
) -> None:
    proposal = actions.generate(engagement, by=carol).proposal
    new = actions.send(engagement, maria, by=carol)
    _accept(new.link)
    proposal.refresh_from_db()
    accepted = proposal.accepted_version
    assert accepted is not None and accepted.number == 1
    frozen_body = accepted.body
    assert [r.status for r in version_rows(proposal)] == [VersionStatus.ACCEPTED]

    actions.edit(engagement, frozen_body + "\nOne more line.", base_version=1, by=carol)
    rows = version_rows(proposal)
    assert [(r.version.number, r.status) for r in rows] == [
        (2, VersionStatus.NEEDS_NEW_ACCEPTANCE), (1, VersionStatus.ACCEPTED)
    ]
    assert rows[1].acceptance is not None and rows[1].acceptance.typed_name == "Maria Jensen"
    accepted.refresh_from_db()
    assert accepted.body == frozen_body
    proposal.refresh_from_db()
    assert proposal.accepted_version_id == accepted.pk

    second = actions.send(engagement, maria, by=carol)
    assert second.link.version_number == 2
    assert version_rows(proposal)[0].status == VersionStatus.SENT
    _accept(second.link)
    proposal.refresh_from_db()
    assert proposal.accepted_version.number == 2
    assert [r.status for r in version_rows(proposal)] == [VersionStatus.ACCEPTED] * 2


def test_an_accepted_version_cannot_be_sent_again(engagement: Any, carol: Any, maria: Any) -> None:
    actions.generate(engagement, by=carol)
    _accept(actions.send(engagement, maria, by=carol).link)
    with pytest.raises(ValidationError, match="already accepted"):
        actions.send(engagement, maria, by=carol)


def test_a_new_version_withdraws_the_open_links_to_older_ones_at_once(
    engagement: Any, carol: Any, maria: Any, acme: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from cairn.customers.models import Contact
    from cairn.timeline.models import Entry, EntryKind

    ole = Contact.objects.create(account=acme, first_name="Ole", last_name="Berg")
    actions.generate(engagement, by=carol)
    declined = actions.send(engagement, maria, by=carol)
    sharing.respond(declined.link, accept=False, comment="Targets too low.")
    revision = actions.generate(engagement, by=carol)
    assert revision.withdrawn == [] and revision.withdrawn_note() == ""
    expired = actions.send(engagement, ole, by=carol)
    now = timezone.now()
    SharedLink.objects.filter(pk=expired.link.pk).update(
        created_at=now - dt.timedelta(days=20), expires_at=now - dt.timedelta(days=1))
    open_link = actions.send(engagement, maria, by=carol)

    revision = actions.edit(engagement, "# Proposal\n\nHigher targets.", base_version=2, by=carol)

    assert revision.version.number == 3 and [link.pk for link in revision.withdrawn] == [open_link.link.pk]
    assert revision.withdrawn_note() == (
        "The open link to Maria Jensen (version 2) no longer works: version 3 replaces that "
        "text. Send version 3 for acceptance."
    )
    states = {link.pk: link.state() for link in SharedLink.objects.all()}
    assert states == {declined.link.pk: "declined", expired.link.pk: "expired",
                      open_link.link.pk: "revoked"}
    assert SharedLink.objects.get(pk=open_link.link.pk).revoked_by == carol
    entry = Entry.objects.get(title__startswith="Link to Maria Jensen withdrawn")
    assert entry.kind == EntryKind.DOCUMENT and entry.engagement == engagement
    assert entry.title.endswith("(version 2)") and "Version 3 replaces it" in entry.body
    with pytest.raises(sharing.LinkClosed):
        _accept(SharedLink.objects.get(pk=open_link.link.pk))
    assert [r.status for r in version_rows(revision.proposal)] == [
        VersionStatus.DRAFT, VersionStatus.DRAFT, VersionStatus.DECLINED
    ]


def test_sending_withdraws_links_to_a_version_saved_in_the_repository(
    engagement: Any, carol: Any, maria: Any
) -> None:
    from cairn.documents.actions import Details, update_written

    proposal = actions.generate(engagement, by=carol).proposal
    old = actions.send(engagement, maria, by=carol)
    document = proposal.document
    update_written(document, Details(document.title, document.doc_type), "# Edited elsewhere\n",
                   base_version=1, by=carol)
    assert SharedLink.objects.get(pk=old.link.pk).state() == "open"
    actions.send(engagement, maria, by=carol)
    old.link.refresh_from_db()
    assert old.link.state() == "revoked"
    with pytest.raises(sharing.LinkClosed):
        _accept(old.link)


def test_a_declined_version_shows_the_comment_and_stays_unaccepted(
    engagement: Any, carol: Any, maria: Any
) -> None:
    proposal = actions.generate(engagement, by=carol).proposal
    new = actions.send(engagement, maria, by=carol)
    sharing.respond(new.link, accept=False, comment="Targets too low.")
    rows = version_rows(proposal)
    assert rows[0].status == VersionStatus.DECLINED and rows[0].links[0].comment == "Targets too low."
    proposal.refresh_from_db()
    assert proposal.accepted_version is None


def test_acceptance_delivers_the_signed_proposal_output(engagement: Any, carol: Any, maria: Any) -> None:
    proposal = actions.generate(engagement, by=carol).proposal
    _accept(actions.send(engagement, maria, by=carol).link)
    output = EngagementOutput.objects.get(engagement=engagement, output__document_type="proposal")
    assert output.delivered and output.document_id == proposal.document_id
    assert "Maria Jensen" in output.note


def test_nothing_is_sent_before_the_proposal_exists_or_on_a_closed_engagement(
    engagement: Any, carol: Any, maria: Any
) -> None:
    with pytest.raises(ValidationError):
        actions.send(engagement, maria, by=carol)
    actions.generate(engagement, by=carol)
    engagement.status = "closed"
    engagement.save()
    with pytest.raises(ValidationError, match="closed"):
        actions.send(engagement, maria, by=carol)
    assert not SharedLink.objects.exists()
