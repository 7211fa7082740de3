"""Rules found in review: who may start engagements, who can be given work, closed engagements."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cairn.customers.models import Account
from cairn.engagements import actions
from cairn.engagements.models import Engagement
from cairn.timeline.models import Entry

pytestmark = pytest.mark.django_db


def test_an_outsider_cannot_start_an_engagement_to_get_into_an_account(
    acme, as_dave, dave, playbook_version
):
    response = as_dave.post(
        reverse("engagement_create", args=[acme.pk]),
        {"initiative": "Back door", "owner": dave.pk, "start_date": "2026-10-01",
         "playbook_version": playbook_version.pk},
    )
    assert response.status_code == 403
    assert "only on accounts you look after" in response.content.decode()
    assert not Engagement.objects.exists()
    assert as_dave.get(reverse("account_edit", args=[acme.pk])).status_code == 403


def test_the_account_owner_starts_an_engagement_with_a_colleague_on_the_team(
    acme, as_carol, dave, carol, playbook_version
):
    as_carol.post(
        reverse("engagement_create", args=[acme.pk]),
        {"initiative": "Shared", "owner": carol.pk, "team": [dave.pk], "start_date": "2026-10-01",
         "playbook_version": playbook_version.pk},
    )
    assert list(Engagement.objects.get().team.all()) == [dave]


def test_a_read_only_user_cannot_be_given_an_activity(engagement, carol, rita):
    item = engagement.activities.first()
    with pytest.raises(ValidationError) as error:
        actions.update_activity(item, by=carol, assignee=rita)
    assert "assignee" in error.value.message_dict
    item.refresh_from_db()
    assert item.assignee is None


def test_a_deactivated_user_cannot_own_an_account(carol):
    carol.is_active = False
    carol.save()
    account = Account(name="Ghost Inc", owner=carol)
    with pytest.raises(ValidationError) as error:
        account.full_clean()
    assert "owner" in error.value.message_dict


def test_evaluation_waits_for_value_realization(engagement, carol):
    with pytest.raises(ValidationError) as error:
        actions.open_evaluation(engagement, by=carol)
    assert "Evaluation opens from Value realization on" in error.value.messages[0]
    assert not engagement.evaluations.exists()


def test_a_closed_engagement_keeps_its_checklist_and_outputs_as_they_were(engagement, carol):
    actions.set_status(engagement, "closed", by=carol)
    engagement.refresh_from_db()
    item = engagement.activities.first()
    with pytest.raises(ValidationError):
        actions.update_activity(item, by=carol, status="done")
    with pytest.raises(ValidationError):
        actions.set_output(engagement.outputs.first(), by=carol, delivered=True)
    item.refresh_from_db()
    assert item.status == "open"


def test_a_closed_engagement_refuses_a_tick_with_a_message(engagement, carol, as_carol):
    actions.set_status(engagement, "closed", by=carol)
    item = engagement.activities.first()
    response = as_carol.post(
        reverse("activity_update", args=[engagement.pk, item.pk]), {"status": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert "The engagement is closed" in response.content.decode()


def test_a_document_id_that_is_not_a_number_is_a_message_not_a_crash(engagement, as_carol):
    output = engagement.outputs.first()
    response = as_carol.post(
        reverse("output_update", args=[engagement.pk, output.pk]),
        {"delivered": "on", "document": "abc"}, follow=True,
    )
    assert response.status_code == 200
    assert "Document: choose a document of this engagement." in response.content.decode()
    output.refresh_from_db()
    assert not output.delivered


def test_delivering_an_output_is_on_the_timeline(engagement, carol):
    output = engagement.outputs.filter(output__required=True).first()
    actions.set_output(output, by=carol, delivered=True)
    assert Entry.objects.filter(
        engagement=engagement, title=f"Output delivered: {output.output.name}"
    ).exists()


def test_outcome_changes_are_on_the_timeline(engagement, as_carol):
    as_carol.post(reverse("outcome_create", args=[engagement.pk]),
                  {"name": "Energy per site", "unit": "MWh", "baseline": "100", "target": "80"})
    outcome = engagement.outcomes.get()
    as_carol.post(reverse("outcome_delete", args=[engagement.pk, outcome.pk]))
    titles = list(Entry.objects.filter(engagement=engagement).values_list("title", flat=True))
    assert any(t.startswith("Outcome added: Energy per site (baseline 100, target 80 MWh") for t in titles)
    assert "Outcome removed: Energy per site" in titles


def test_products_and_team_are_saved_with_the_engagement_in_one_go(engagement, as_carol, carol, dave):
    from cairn.customers.models import Product

    product = Product.objects.create(name="Monitor")
    response = as_carol.post(
        reverse("engagement_edit", args=[engagement.pk]),
        {"initiative": "Energy use down 25 %", "owner": carol.pk, "team": [dave.pk],
         "products": [product.pk], "start_date": "2026-09-01"},
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.initiative == "Energy use down 25 %"
    assert list(engagement.products.all()) == [product]
    assert list(engagement.team.all()) == [dave]
