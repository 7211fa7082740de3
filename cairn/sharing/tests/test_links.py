"""The rules of customer links: secret, expiring, single use, and every answer recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.http import client_address
from cairn.sharing import actions
from cairn.sharing.models import LinkState, SharedLink
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


def _age(link: SharedLink) -> None:
    """Move the link's life into the past, as if it was sent fifteen days ago."""
    now = timezone.now()
    SharedLink.objects.filter(pk=link.pk).update(
        created_at=now - dt.timedelta(days=15), expires_at=now - dt.timedelta(days=1)
    )


def test_a_link_keeps_only_a_hash_of_its_token(sent: Any) -> None:
    link = SharedLink.objects.get()
    assert sent.token not in (link.token_hash, sent.url.replace(sent.token, ""))
    assert link.token_hash == hashlib.sha256(sent.token.encode()).hexdigest()
    assert sent.url.endswith(f"/shared/{sent.token}/")
    assert len(sent.token) >= 40


def test_a_link_names_the_frozen_version_and_fingerprints_its_content(sent: Any, plan: Any) -> None:
    link = sent.link
    version = plan.current_version
    assert (link.version_id, link.version_number, link.document_title) == (version.pk, 1, "Success plan")
    assert link.content_sha256 == hashlib.sha256(version.body.encode()).hexdigest()
    assert (link.recipient_name, link.recipient_email) == ("Maria Jensen", "maria@acme.example")


def test_a_link_expires_after_fourteen_days_by_default(sent: Any) -> None:
    link = sent.link
    assert link.expires_at - link.created_at == dt.timedelta(days=14)


def test_the_default_lifetime_is_a_setting(settings: Any, engagement: Any, plan: Any, maria: Any,
                                           carol: Any) -> None:
    settings.SHARED_LINK_DAYS = 3
    new = actions.create_link(engagement, plan.current_version, purpose="test-signoff",
                              contact=maria, by=carol)
    assert new.link.expires_at - new.link.created_at == dt.timedelta(days=3)


def test_finding_a_link_goes_by_the_hash_of_its_token_only(sent: Any) -> None:
    assert actions.find_link(sent.token) == sent.link
    stored = SharedLink.objects.get()
    assert actions.find_link(stored.token_hash) is None  # a copied hash opens nothing
    assert actions.find_link(sent.token[:-1] + ("A" if sent.token[-1] != "A" else "B")) is None
    assert actions.find_link("") is None
    assert actions.find_link("x" * 500) is None


def test_accepting_records_the_name_time_address_and_a_timeline_entry(sent: Any, answers: Any) -> None:
    link = actions.respond(sent.link, accept=True, typed_name="  Maria   Jensen ",
                           ip_address="203.0.113.9", user_agent="Firefox")
    assert link.response == "accepted" and link.typed_name == "Maria Jensen"
    assert link.ip_address == "203.0.113.9" and link.user_agent == "Firefox"
    assert link.used_at is not None
    entry = Entry.objects.get(kind=EntryKind.CUSTOMER_RESPONSE)
    assert entry.engagement == link.engagement and entry.author is None
    assert entry.title == "Maria Jensen accepted the test plan: Success plan (version 1)"
    assert answers == [(link.pk, "accepted")]


def test_a_link_takes_one_answer_only(sent: Any) -> None:
    actions.respond(sent.link, accept=True, typed_name="Maria Jensen")
    stale = SharedLink.objects.get()  # a second request that loaded the link before
    stale.used_at = None
    stale.response = ""
    with pytest.raises(actions.LinkClosed) as exc:
        actions.respond(stale, accept=False, comment="Changed my mind")
    assert exc.value.state == "accepted"
    link = SharedLink.objects.get()
    assert (link.response, link.comment) == ("accepted", "")
    assert Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE).count() == 1


def test_an_expired_link_takes_no_answer(sent: Any) -> None:
    _age(SharedLink.objects.get())
    link = SharedLink.objects.get()
    assert link.state() == LinkState.EXPIRED
    with pytest.raises(actions.LinkClosed):
        actions.respond(link, accept=True, typed_name="Maria Jensen")
    link.refresh_from_db()
    assert link.used_at is None and not Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE).exists()


def test_a_link_that_expires_while_the_page_is_open_takes_no_answer(sent: Any) -> None:
    # The page was loaded in time; the submit comes after expiry: the UPDATE's condition refuses.
    link = sent.link
    _age(SharedLink.objects.get())
    with pytest.raises(actions.LinkClosed) as exc:
        actions.respond(link, accept=True, typed_name="Maria Jensen")
    assert exc.value.state == "expired"


def test_a_revoked_link_takes_no_answer_and_cannot_be_revoked_twice(sent: Any, carol: Any) -> None:
    actions.revoke(sent.link, by=carol)
    with pytest.raises(actions.LinkClosed) as exc:
        actions.respond(SharedLink.objects.get(), accept=True, typed_name="Maria Jensen")
    assert exc.value.state == "revoked"
    with pytest.raises(ValidationError, match="already revoked"):
        actions.revoke(SharedLink.objects.get(), by=carol)


def test_an_answered_link_cannot_be_revoked(sent: Any, carol: Any) -> None:
    actions.respond(sent.link, accept=True, typed_name="Maria Jensen")
    with pytest.raises(ValidationError, match="already accepted"):
        actions.revoke(SharedLink.objects.get(), by=carol)
    assert SharedLink.objects.get().revoked_at is None


def test_an_answered_link_stays_readable_until_it_expires_and_others_do_not(
    sent: Any, engagement: Any, plan: Any, maria: Any, carol: Any
) -> None:
    assert sent.link.can_read()
    revoked = actions.create_link(engagement, plan.current_version, purpose="test-signoff",
                                  contact=maria, by=carol)
    actions.revoke(revoked.link, by=carol)
    assert not SharedLink.objects.get(pk=revoked.link.pk).can_read()
    link = actions.respond(sent.link, accept=False, comment="Too vague")
    assert link.state() == LinkState.DECLINED and link.can_read()
    assert not link.can_read(now=link.expires_at)
    _age(link)
    link.refresh_from_db()
    assert link.state() == LinkState.DECLINED and not link.can_read()


def test_declining_needs_a_comment_and_accepting_a_name(sent: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.respond(sent.link, accept=False, comment="   ")
    assert "comment" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.respond(sent.link, accept=True, typed_name=" ")
    assert "typed_name" in exc.value.message_dict
    assert SharedLink.objects.get().used_at is None


def test_a_failing_purpose_callback_leaves_the_link_open(sent: Any) -> None:
    from cairn.sharing import purposes

    def refuse(link: SharedLink) -> None:
        raise ValidationError("The plan changed meanwhile.")

    purposes.register(
        purposes.Purpose(key="strict", label="Strict", refusal=lambda v: "", on_response=refuse)
    )
    SharedLink.objects.update(purpose="strict")
    with pytest.raises(ValidationError):
        actions.respond(SharedLink.objects.get(), accept=True, typed_name="Maria Jensen")
    link = SharedLink.objects.get()
    assert link.used_at is None and not Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE).exists()


def test_a_link_goes_only_to_a_contact_of_the_account_for_a_document_of_the_engagement(
    engagement: Any, plan: Any, maria: Any, carol: Any, playbook_version: Any
) -> None:
    from cairn.customers.models import Account, Contact

    other = Account.objects.create(name="Borealis", owner=carol)
    stranger = Contact.objects.create(account=other, first_name="Sam")
    version = plan.current_version
    cases = [
        ({"contact": stranger}, "contact"),
        ({"contact": None}, "contact"),
        ({"purpose": "nonsense"}, "purpose"),
        ({"days": 0}, "days"),
        ({"days": 91}, "days"),
    ]
    for change, field in cases:
        kwargs: dict[str, Any] = {"purpose": "test-signoff", "contact": maria, "by": carol, **change}
        with pytest.raises(ValidationError) as exc:
            actions.create_link(engagement, version, **kwargs)
        assert field in exc.value.message_dict
    assert not SharedLink.objects.exists()


def test_the_link_is_e_mailed_only_when_asked_and_after_commit(
    engagement: Any, plan: Any, maria: Any, carol: Any, mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        new = actions.create_link(engagement, plan.current_version, purpose="test-signoff",
                                  contact=maria, by=carol, send_email=True)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["maria@acme.example"] and new.url in mailoutbox[0].body


@pytest.mark.parametrize(
    ("trusted", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, "10.0.0.5"),
        (1, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.1"}, "198.51.100.1"),
        (1, {"REMOTE_ADDR": "10.0.0.5"}, "10.0.0.5"),
        (0, {"REMOTE_ADDR": "not an address"}, None),
    ],
)
def test_the_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(
    settings: Any, trusted: int, meta: dict[str, str], expected: str | None
) -> None:
    settings.TRUSTED_PROXY_COUNT = trusted
    assert client_address(meta) == expected


def test_a_new_version_withdraws_only_open_links_of_its_purpose_to_older_versions(
    sent: Any, engagement: Any, plan: Any, maria: Any, carol: Any
) -> None:
    from cairn.documents.actions import Details, update_written

    other = actions.create_link(engagement, plan.current_version, purpose="test-signoff",
                                contact=maria, by=carol)
    SharedLink.objects.filter(pk=other.link.pk).update(purpose="another-purpose")
    newer = update_written(plan, Details(plan.title, plan.doc_type), "# v2\n", base_version=1, by=carol)
    current = actions.create_link(engagement, newer, purpose="test-signoff", contact=maria, by=carol)

    withdrawn = actions.withdraw_superseded(newer, purpose="test-signoff", by=carol)

    assert [link.pk for link in withdrawn] == [sent.link.pk]
    states = {link.pk: link.state() for link in SharedLink.objects.all()}
    assert states == {sent.link.pk: "revoked", other.link.pk: "open", current.link.pk: "open"}
    entry = Entry.objects.get(title__contains="withdrawn")
    assert entry.title == "Link to Maria Jensen withdrawn: Success plan (version 1)"
    assert actions.withdraw_superseded(newer, purpose="test-signoff", by=carol) == []


def _notes(engagement: Any, carol: Any) -> Any:
    from cairn.documents.actions import Details, create_written
    from cairn.documents.models import DocumentType

    return create_written(engagement, Details("Handover notes", DocumentType.HANDOVER_NOTES),
                          "# Notes\n", by=carol)


def test_finding_2_a_link_is_made_only_for_a_document_its_purpose_fits(
    engagement: Any, maria: Any, carol: Any
) -> None:
    notes = _notes(engagement, carol)
    with pytest.raises(ValidationError) as exc:
        actions.create_link(engagement, notes.current_version, purpose="test-signoff", contact=maria, by=carol)
    assert exc.value.message_dict == {"purpose": ["Test sign-off: only a success plan can be sent for sign-off."]}
    assert not SharedLink.objects.exists()


def test_finding_2_an_answer_is_refused_once_the_purpose_no_longer_fits_the_document(
    sent: Any, plan: Any, answers: Any
) -> None:
    from cairn.documents.models import Document, DocumentType

    Document.objects.filter(pk=plan.pk).update(doc_type=DocumentType.HANDOVER_NOTES)
    with pytest.raises(ValidationError, match="cannot take an answer"):
        actions.respond(SharedLink.objects.get(), accept=True, typed_name="Maria Jensen")
    assert SharedLink.objects.get().used_at is None and answers == []


def test_an_answer_is_refused_when_the_version_no_longer_holds_the_content_that_was_sent(
    sent: Any, plan: Any, answers: Any
) -> None:
    # The link keeps the SHA-256 of what was sent; the answer compares it with what the
    # version holds now, so nobody accepts a text they were not sent.
    from cairn.documents.models import DocumentVersion

    DocumentVersion.objects.filter(pk=plan.current_version.pk).update(body="# Another plan\n")
    with pytest.raises(ValidationError, match="changed since this link was sent"):
        actions.respond(SharedLink.objects.get(), accept=True, typed_name="Maria Jensen")
    assert SharedLink.objects.get().used_at is None and answers == []
    assert not Entry.objects.filter(kind=EntryKind.CUSTOMER_RESPONSE).exists()


def test_an_answer_on_a_file_that_is_gone_from_the_data_directory_is_refused_not_a_crash(
    engagement: Any, maria: Any, carol: Any, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cairn.documents.actions import Details, create_uploaded
    from cairn.documents.models import DocumentType

    settings.MEDIA_ROOT = tmp_path
    document = create_uploaded(engagement, Details("Signed plan", DocumentType.PROPOSAL),
                               SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"), by=carol)
    new = actions.create_link(engagement, document.current_version, purpose="test-signoff",
                              contact=maria, by=carol)
    assert new.link.content_sha256 == hashlib.sha256(b"%PDF-1.4 plan").hexdigest()
    document.current_version.file.delete(save=False)
    with pytest.raises(ValidationError, match="changed since this link was sent"):
        actions.respond(SharedLink.objects.get(), accept=True, typed_name="Maria Jensen")
    assert SharedLink.objects.get().used_at is None
