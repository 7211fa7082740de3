"""The welcome pack: prefill, editing, the sent / received / reviewed steps, the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cairn.documents.models import Document, DocumentType
from cairn.onboarding.models import PackStatus, WelcomePack
from cairn.onboarding.tests.conftest import TODAY, queries_of
from cairn.testing_pdf import assert_not_blank, first_page_image
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db


def _url(name: str, engagement) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[engagement.pk])


def _pack(engagement, carol, contact):  # type: ignore[no-untyped-def]
    from cairn.onboarding.actions import prefilled_pack, save_pack

    pack = prefilled_pack(engagement)
    pack.recipient = contact
    return save_pack(pack, by=carol)


def _status(client, engagement, status: str, on: dt.date = TODAY):  # type: ignore[no-untyped-def]
    return client.post(_url("onboarding_welcome_pack_status", engagement),
                       {"status": status, "on": on.isoformat()}, follow=True)


def test_a_new_pack_is_prefilled_from_subscriptions_and_the_team(engagement, subscription, contact,
                                                                  as_carol):
    engagement.products.add(subscription.product)
    form = as_carol.get(_url("onboarding_welcome_pack_edit", engagement)).context["form"]
    assert "Energy Monitor: 400" in form.initial["quantities"]
    assert "400 licences" in form.initial["licences"]
    assert "Carol Owner" in form.initial["support_contacts"]
    assert "carol@cairn.test" in form.initial["support_contacts"]
    assert "Metering and alerts" in form.initial["components"]
    assert form.initial["recipient"] == contact.pk


def test_saving_the_pack_keeps_the_sections_and_shows_them(engagement, contact, carol, as_carol):
    response = as_carol.post(_url("onboarding_welcome_pack_edit", engagement), {
        "sender": carol.pk, "recipient": contact.pk, "introduction": "Welcome **aboard**",
        "self_service": "- [Help centre](https://help.example)", "delivery_format": "PDF by e-mail",
    })
    assert response.status_code == 302
    page = as_carol.get(_url("onboarding_welcome_pack", engagement)).content.decode()
    assert "<strong>aboard</strong>" in page
    assert "Self-service help and FAQs" in page
    assert Entry.objects.filter(engagement=engagement, title="Welcome pack started").exists()


def test_a_recipient_of_another_account_is_refused(engagement, other_contact, as_carol):
    response = as_carol.post(_url("onboarding_welcome_pack_edit", engagement), {
        "recipient": other_contact.pk, "introduction": "Hello",
    })
    assert "recipient" in response.context["form"].errors
    assert not WelcomePack.objects.exists()


def test_the_pack_moves_from_sent_to_received_to_reviewed(engagement, contact, carol, as_carol):
    _pack(engagement, carol, contact)
    _status(as_carol, engagement, "sent", TODAY - dt.timedelta(days=3))
    pack = WelcomePack.objects.get()
    assert pack.status == PackStatus.SENT and pack.sent_by == carol
    document = Document.objects.get(doc_type=DocumentType.WELCOME_PACK)
    assert pack.document == document
    assert "Welcome pack: Energy use down 20 %" in document.current_version.body
    _status(as_carol, engagement, "received", TODAY - dt.timedelta(days=2))
    _status(as_carol, engagement, "reviewed")
    pack.refresh_from_db()
    assert pack.status == PackStatus.REVIEWED
    assert (pack.received_on, pack.reviewed_on, pack.reviewed_by) == (
        TODAY - dt.timedelta(days=2), TODAY, carol)
    kinds = list(Entry.objects.filter(engagement=engagement, title__startswith="Welcome pack")
                 .values_list("kind", flat=True))
    assert EntryKind.CUSTOMER_RESPONSE in kinds
    page = as_carol.get(_url("onboarding_welcome_pack", engagement)).content.decode()
    assert "Reviewed with the customer on" in page


def test_it_cannot_be_received_before_it_was_sent(engagement, contact, carol, as_carol):
    _pack(engagement, carol, contact)
    _status(as_carol, engagement, "sent")
    response = _status(as_carol, engagement, "received", TODAY - dt.timedelta(days=1))
    assert "It cannot be received before it was sent." in response.content.decode()
    assert WelcomePack.objects.get().status == PackStatus.SENT


def test_it_cannot_be_sent_in_the_future_or_without_a_recipient(engagement, carol, as_carol):
    from cairn.onboarding.actions import prefilled_pack, save_pack

    pack = prefilled_pack(engagement)
    pack.introduction = "Hello"
    save_pack(pack, by=carol)
    response = _status(as_carol, engagement, "sent")
    assert "Choose who receives the pack" in response.content.decode()
    response = _status(as_carol, engagement, "sent", TODAY + dt.timedelta(days=1))
    assert "cannot be in the future" in response.content.decode()
    assert WelcomePack.objects.get().status == PackStatus.DRAFT
    assert not Document.objects.exists()


def test_a_draft_cannot_jump_to_received(engagement, contact, carol, as_carol):
    _pack(engagement, carol, contact)
    response = _status(as_carol, engagement, "received")
    assert "Only a sent pack can be marked received." in response.content.decode()


def test_sending_again_after_a_correction_adds_a_version(engagement, contact, carol, as_carol):
    _pack(engagement, carol, contact)
    _status(as_carol, engagement, "sent")
    _status(as_carol, engagement, "draft")
    assert WelcomePack.objects.get().sent_on is None
    _status(as_carol, engagement, "sent")
    document = Document.objects.get(doc_type=DocumentType.WELCOME_PACK)
    assert document.current_version.number == 2


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_cannot_change_the_pack(engagement, contact, carol, persona, request):
    client = request.getfixturevalue(persona)
    _pack(engagement, carol, contact)
    assert client.get(_url("onboarding_welcome_pack", engagement)).status_code == 200
    assert client.post(_url("onboarding_welcome_pack_edit", engagement), {"introduction": "x"}).status_code == 403
    assert client.post(_url("onboarding_welcome_pack_status", engagement),
                       {"status": "sent", "on": TODAY.isoformat()}).status_code == 403
    assert WelcomePack.objects.get().status == PackStatus.DRAFT


def test_the_pack_pdf_renders(engagement, contact, carol, subscription, as_rita):
    _pack(engagement, carol, contact)
    response = as_rita.get(_url("onboarding_welcome_pack_pdf", engagement))
    assert response["Content-Type"] == "application/pdf"
    assert_not_blank(first_page_image(response.content))


def test_the_pack_page_runs_a_constant_number_of_queries(engagement, contact, carol, as_carol,
                                                         assert_queries):
    _pack(engagement, carol, contact)
    url = _url("onboarding_welcome_pack", engagement)
    before = queries_of(as_carol, url)
    assert before > 3
    _status(as_carol, engagement, "sent")
    _status(as_carol, engagement, "reviewed")
    assert_queries(as_carol, url, before)
