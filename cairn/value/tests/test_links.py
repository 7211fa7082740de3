"""The customer link flow: the CSM sends a value statement, the stakeholder confirms or
disputes it without logging in, the answer lands on the item once, never after expiry."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.sharing.models import SharedLink
from cairn.value import perception
from cairn.value.models import ValueItem

pytestmark = pytest.mark.django_db


def _send(as_carol, engagement, item, maria) -> str:  # type: ignore[no-untyped-def]
    response = as_carol.post(reverse("value_item_send", args=[engagement.pk, item.pk]),
                             {"contact": maria.pk, "days": 14, "message": "Does this match?"})
    assert response.status_code == 200
    found = re.search(r'value="(http[^"]+/shared/([^"/]+)/)"', response.content.decode())
    assert found, response.content.decode()
    return found.group(2)


def test_the_stakeholder_confirms_without_logging_in(as_carol, engagement, item, maria):
    token = _send(as_carol, engagement, item, maria)
    customer = Client()
    page = customer.get(reverse("shared_link", args=[token])).content.decode()
    assert "Energy use down 20 % within a year" in page and "Peak load" in page
    assert "Confirm" in page and "Dispute" in page
    response = customer.post(reverse("shared_link_accept", args=[token]), {"typed_name": "Maria Jensen"})
    assert response.status_code == 200 and "You confirmed" in response.content.decode()
    item.refresh_from_db()
    assert item.perception == "confirmed" and item.perceived_by == "Maria Jensen, COO"
    assert item.perceived_contact == maria and item.perceived_at is not None
    plan = as_carol.get(reverse("value_plan", args=[engagement.pk])).content.decode()
    assert "Confirmed" in plan and "by Maria Jensen, COO" in plan
    # Once only.
    again = customer.post(reverse("shared_link_decline", args=[token]), {"comment": "Changed my mind"})
    assert again.status_code == 410
    item.refresh_from_db()
    assert item.perception == "confirmed"


def test_a_dispute_needs_a_comment_and_is_shown_escaped(as_carol, engagement, item, maria):
    token = _send(as_carol, engagement, item, maria)
    customer = Client()
    empty = customer.post(reverse("shared_link_decline", args=[token]), {"comment": ""})
    assert empty.status_code == 200 and "Say why" in empty.content.decode()
    customer.post(reverse("shared_link_decline", args=[token]), {"comment": "<b>Not</b> what we see"})
    item.refresh_from_db()
    assert item.perception == "disputed" and item.perception_comment == "<b>Not</b> what we see"
    plan = as_carol.get(reverse("value_plan", args=[engagement.pk])).content.decode()
    assert "Disputed" in plan and "&lt;b&gt;Not&lt;/b&gt; what we see" in plan


def test_an_expired_link_takes_no_answer(as_carol, engagement, item, maria):
    token = _send(as_carol, engagement, item, maria)
    SharedLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1),
                              created_at=timezone.now() - dt.timedelta(days=15))
    response = Client().post(reverse("shared_link_accept", args=[token]), {"typed_name": "Maria Jensen"})
    assert response.status_code == 410
    item.refresh_from_db()
    assert item.perception == ""


def test_a_new_link_withdraws_the_open_one_and_a_changed_statement_is_a_new_version(
    as_carol, engagement, item, maria, carol
):
    first = _send(as_carol, engagement, item, maria)
    ValueItem.objects.filter(pk=item.pk).update(statement="Energy use down 25 %")
    second = _send(as_carol, engagement, item, maria)
    assert Client().get(reverse("shared_link", args=[first])).status_code == 410
    assert Client().get(reverse("shared_link", args=[second])).status_code == 200
    item.refresh_from_db()
    assert item.statement_document.current_version.number == 2
    assert [link.version_number for link in perception.links_of(item)] == [2, 1]


def test_only_a_contact_of_the_customer_may_answer(as_carol, engagement, item, dave):
    from cairn.customers.models import Account, Contact

    stranger = Contact.objects.create(account=Account.objects.create(name="Other", owner=dave),
                                      first_name="Sam", last_name="Stranger")
    response = as_carol.post(reverse("value_item_send", args=[engagement.pk, item.pk]),
                             {"contact": stranger.pk, "days": 14})
    assert response.status_code == 400 and not SharedLink.objects.exists()
    response = as_carol.post(reverse("value_item_send", args=[engagement.pk, item.pk]),
                             {"contact": "", "days": 500})
    assert response.status_code == 400


def test_a_forged_token_opens_nothing():
    assert Client().get(reverse("shared_link", args=["not-a-token"])).status_code == 404
