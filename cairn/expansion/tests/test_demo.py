"""The demo's expansion and advocacy tell their story on the value-phase account: a policy,
opportunities in every kind of stage, asks with their outcomes, and promoters to ask."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cairn.expansion import queries
from cairn.expansion.models import (
    AdvocacyAsk,
    AskStatus,
    HandoffPolicy,
    Opportunity,
    Stage,
    StageChange,
)
from cairn.renewals.models import Renewal

pytestmark = pytest.mark.django_db


def test_the_demo_has_opportunities_in_several_stages_with_their_history(loaded_demo):
    policy = HandoffPolicy.current()
    assert policy.pk and policy.minimum_amount > 0 and policy.text
    stages = set(Opportunity.objects.values_list("stage", flat=True))
    assert {Stage.WON, Stage.LOST, Stage.PROPOSAL, Stage.IDENTIFIED} <= stages
    lost = Opportunity.objects.get(stage=Stage.LOST)
    assert lost.close_reason and lost.closed_on
    won = Opportunity.objects.get(stage=Stage.WON)
    assert won.closed_amount and won.changes.count() == 5
    # The won expansion starts with the renewal, which is worked towards a higher target.
    renewal = Renewal.objects.filter(account=won.account, target_amount__isnull=False).first()
    assert renewal is not None and renewal.target_amount > renewal.arr
    kept = Opportunity.objects.get(stage=Stage.IDENTIFIED)
    assert kept.amount < policy.minimum_amount  # too small for Sales: the CSM keeps it
    assert all(o.account.engagements.filter(current_phase__key="value-realization").exists()
               for o in Opportunity.objects.select_related("account"))


def test_the_demo_is_dated_in_its_story_not_at_load_time(loaded_demo):
    today = timezone.localdate()
    assert not Opportunity.objects.filter(created_at__gte=loaded_demo.started).exists()
    assert not StageChange.objects.filter(changed_at__gte=loaded_demo.started).exists()
    assert not AdvocacyAsk.objects.filter(created_at__gte=loaded_demo.started).exists()
    won = Opportunity.objects.get(stage=Stage.WON)
    changes = list(won.changes.values_list("changed_at", flat=True))
    assert changes == sorted(changes) and timezone.localdate(changes[-1]) == won.closed_on < today


def test_the_demo_has_asks_with_outcomes_and_promoters_to_ask(loaded_demo):
    statuses = {a.kind: a.status for a in AdvocacyAsk.objects.all()}
    assert statuses["case_study"] == AskStatus.DONE and statuses["reference_call"] == AskStatus.ACCEPTED
    assert AskStatus.DECLINED in statuses.values()
    found = list(queries.candidates(timezone.localdate()))
    assert found and all(c.nps_score >= 9 for c in found)
    asked_lately = AdvocacyAsk.objects.filter(status__in=[AskStatus.ACCEPTED]).values_list("contact", flat=True)
    assert not {c.pk for c in found} & set(asked_lately)
