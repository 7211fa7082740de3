"""Expansion and advocacy actions: an opportunity spotted, handed to Sales as the policy says,
worked through Sales' stages and closed, each move kept; advocacy asks and their dates; the
promoters suggested as candidates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.customers.models import Account
from cairn.expansion import actions, queries
from cairn.expansion.models import AskKind, AskStatus, Opportunity, Stage, StageChange
from cairn.expansion.tests import factories as make
from cairn.timeline.models import Entry

pytestmark = pytest.mark.django_db


def test_an_opportunity_starts_identified_spotted_by_its_author_with_its_history(acme, carol):
    found = make.opportunity(acme, carol, stage=Stage.WON)
    assert found.stage == Stage.IDENTIFIED and found.spotted_by == carol
    change = StageChange.objects.get(opportunity=found)
    assert (change.from_stage, change.to_stage, change.by) == ("", Stage.IDENTIFIED, carol)
    assert Entry.objects.filter(account=acme, title__contains="spotted").exists()


def test_the_engagement_and_the_confirming_contact_belong_to_the_account(acme, carol, engagement):
    other = Account.objects.create(name="Other", owner=carol)
    with pytest.raises(ValidationError) as exc:
        make.opportunity(acme, carol, confirmed_by=make.contact(other))
    assert "confirmed_by" in exc.value.message_dict
    elsewhere = make.opportunity(other, carol)
    with pytest.raises(ValidationError) as exc:
        actions.update_opportunity(elsewhere, {"engagement": engagement}, by=carol)
    assert "engagement" in exc.value.message_dict


def test_the_hand_off_names_the_sales_owner_and_moves_the_stage(acme, carol):
    found = make.opportunity(acme, carol)
    actions.hand_off(found, actions.Handoff(
        " Sam Seller ", "sam@sales.example", "CRM-9", amount=Decimal("35000"),
    ), by=carol)
    found.refresh_from_db()
    assert found.stage == Stage.HANDED and found.sales_owner_name == "Sam Seller"
    assert found.amount == Decimal("35000") and found.handed_on == timezone.localdate()
    assert list(found.changes.values_list("to_stage", flat=True)) == ["identified", "handed"]


@pytest.mark.parametrize(("handoff", "field"), [
    (actions.Handoff("", "sam@sales.example", "CRM-1"), "sales_owner_name"),
    (actions.Handoff("Sam", "", "CRM-1"), "sales_owner_email"),
    (actions.Handoff("Sam", "not an address", "CRM-1"), "sales_owner_email"),
    (actions.Handoff("Sam", "sam@sales.example", " "), "crm_reference"),
])
def test_a_hand_off_without_what_sales_needs_is_refused_naming_the_field(acme, carol, handoff, field):
    found = make.opportunity(acme, carol)
    with pytest.raises(ValidationError) as exc:
        actions.hand_off(found, handoff, by=carol)
    assert field in exc.value.message_dict
    found.refresh_from_db()
    assert found.stage == Stage.IDENTIFIED and found.changes.count() == 1


def test_the_policy_minimum_keeps_small_opportunities_with_the_csm(acme, carol, alice):
    make.policy(alice, minimum="20000")
    small = make.opportunity(acme, carol, amount=Decimal("19999.99"))
    with pytest.raises(ValidationError) as exc:
        actions.hand_off(small, actions.Handoff("Sam", "sam@sales.example", "CRM-1"), by=carol)
    assert "20,000" in exc.value.message_dict["amount"][0]
    small.refresh_from_db()
    assert small.stage == Stage.IDENTIFIED and small.amount == Decimal("19999.99")
    # Raising the estimate at the hand-off meets it.
    actions.hand_off(small, actions.Handoff("Sam", "sam@sales.example", "CRM-1", amount=Decimal("20000")), by=carol)
    assert Opportunity.objects.get(pk=small.pk).stage == Stage.HANDED


def test_the_policy_may_ask_for_a_contact_who_confirmed_the_need(acme, carol, alice):
    make.policy(alice, confirmation=True)
    found = make.opportunity(acme, carol)
    with pytest.raises(ValidationError) as exc:
        actions.hand_off(found, actions.Handoff("Sam", "sam@sales.example", "CRM-1"), by=carol)
    assert "confirmed_by" in exc.value.message_dict
    found = actions.hand_off(found, actions.Handoff(
        "Sam", "sam@sales.example", "CRM-1", confirmed_by=make.contact(acme),
    ), by=carol)
    assert found.stage == Stage.HANDED


def test_sales_stages_move_only_once_handed_and_each_move_is_kept(acme, carol, dave):
    found = make.opportunity(acme, carol)
    with pytest.raises(ValidationError) as exc:
        actions.update_opportunity(found, {"stage": Stage.QUALIFIED}, by=carol)
    assert "stage" in exc.value.message_dict
    actions.hand_off(found, actions.Handoff("Sam", "sam@sales.example", "CRM-1"), by=carol)
    actions.update_opportunity(found, {"stage": Stage.PROPOSAL}, by=dave)
    for stage in (Stage.WON, Stage.IDENTIFIED):
        with pytest.raises(ValidationError):
            actions.update_opportunity(found, {"stage": stage}, by=carol)
    with pytest.raises(ValidationError) as exc:
        actions.update_opportunity(found, {"sales_owner_name": ""}, by=carol)
    assert "sales_owner_name" in exc.value.message_dict
    last = found.changes.order_by("-pk").first()
    assert last is not None and (last.from_stage, last.to_stage, last.by) == ("handed", "proposal", dave)


def test_won_records_the_closed_arr_and_lost_says_why(acme, carol):
    won = make.handed(acme, carol)
    with pytest.raises(ValidationError) as exc:
        actions.close(won, actions.Close(Stage.WON), by=carol)
    assert "closed_amount" in exc.value.message_dict
    day = timezone.localdate() - dt.timedelta(days=3)
    actions.close(won, actions.Close(Stage.WON, closed_amount=Decimal("28000"), closed_on=day), by=carol)
    won.refresh_from_db()
    assert (won.stage, won.closed_amount, won.closed_on) == (Stage.WON, Decimal("28000"), day)
    with pytest.raises(ValidationError):
        actions.close(won, actions.Close(Stage.LOST, reason="Again"), by=carol)
    with pytest.raises(ValidationError):
        actions.update_opportunity(won, {"title": "Renamed"}, by=carol)
    lost = make.opportunity(acme, carol)
    with pytest.raises(ValidationError) as exc:
        actions.close(lost, actions.Close(Stage.LOST), by=carol)
    assert "close_reason" in exc.value.message_dict
    lost = actions.close(lost, actions.Close(Stage.LOST, reason="Built it in-house"), by=carol)
    assert lost.closed_amount == 0 and lost.close_reason == "Built it in-house"


def test_the_pipeline_adds_up_per_stage(acme, carol):
    make.opportunity(acme, carol, amount=Decimal("1000"))
    make.handed(acme, carol, amount=Decimal("2500"))
    won = make.handed(acme, carol, amount=Decimal("9000"))
    actions.close(won, actions.Close(Stage.WON, closed_amount=Decimal("8000")), by=carol)
    totals = queries.totals(Opportunity.objects.all())
    by_stage = {s.stage: (s.count, s.amount) for s in totals.stages}
    assert by_stage["identified"] == (1, Decimal("1000")) and by_stage["handed"] == (1, Decimal("2500"))
    assert by_stage["won"] == (1, Decimal("8000")) and by_stage["lost"] == (0, Decimal(0))
    assert (totals.pipeline_count, totals.pipeline) == (2, Decimal("3500"))


def test_an_ask_needs_the_dates_its_status_says(acme, carol):
    who = make.contact(acme)
    for fields, field in (
        ({"status": AskStatus.ASKED}, "asked_on"),
        ({"status": AskStatus.DONE, "asked_on": timezone.localdate()}, "done_on"),
        ({"status": AskStatus.ASKED, "asked_on": timezone.localdate(), "done_on": timezone.localdate()}, "done_on"),
    ):
        with pytest.raises(ValidationError) as exc:
            make.ask(who, carol, **fields)
        assert field in exc.value.message_dict
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        make.ask(who, carol, status=AskStatus.DONE, asked_on=today, done_on=today - dt.timedelta(days=1))
    assert "done_on" in exc.value.message_dict
    planned = actions.plan_ask(who, by=carol, kind=AskKind.CASE_STUDY)
    assert (planned.status, planned.asked_by, planned.kind) == (AskStatus.PLANNED, carol, AskKind.CASE_STUDY)
    planned = actions.update_ask(planned, {"status": AskStatus.DONE, "asked_on": today, "done_on": today}, by=carol)
    assert planned.status == AskStatus.DONE


def test_promoters_not_asked_lately_are_candidates(acme, carol):
    today = timezone.localdate()
    promoter = make.contact(acme, "Promoter")
    make.answer(promoter, 10)
    fallen = make.contact(acme, "Fallen")  # a promoter once; the latest answer is passive
    make.answer(fallen, 10, days_ago=60)
    make.answer(fallen, 7, days_ago=2)
    risen = make.contact(acme, "Risen")
    make.answer(risen, 3, days_ago=60)
    make.answer(risen, 9, days_ago=2)
    busy = make.contact(acme, "Busy")  # has an open ask
    make.answer(busy, 9)
    make.ask(busy, carol, status=AskStatus.ACCEPTED, asked_on=today - dt.timedelta(days=200))
    recent = make.contact(acme, "Recent")  # declined a month ago
    make.answer(recent, 10)
    make.ask(recent, carol, status=AskStatus.DECLINED, asked_on=today - dt.timedelta(days=30))
    rested = make.contact(acme, "Rested")  # did a case study long ago
    make.answer(rested, 9)
    make.ask(rested, carol, status=AskStatus.DONE, asked_on=today - dt.timedelta(days=200),
             done_on=today - dt.timedelta(days=150))
    found = {c.first_name: c.nps_score for c in queries.candidates(today)}
    assert found == {"Promoter": 10, "Risen": 9, "Rested": 9}
    actions.plan_ask(promoter, by=carol)
    assert "Promoter" not in {c.first_name for c in queries.candidates(today)}


def test_the_policy_is_one_record(alice, carol):
    first = make.policy(alice, minimum="5000", text="Ask first")
    second = make.policy(carol, minimum="7000")
    assert first.pk == second.pk == 1
    from cairn.expansion.models import HandoffPolicy

    assert HandoffPolicy.objects.count() == 1 and HandoffPolicy.current().minimum_amount == Decimal("7000")
    with pytest.raises(ValidationError) as exc:
        make.policy(alice, minimum="-1")
    assert "minimum_amount" in exc.value.message_dict
