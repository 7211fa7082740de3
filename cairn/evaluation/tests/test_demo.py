"""The demo shows evaluation filled in: Halvorsen's rounds answered in structure, lessons
from challenge logs and written afresh with tags, a promoted template reused twice, and a
development plan with a review for each demo CSM; nothing dated at the load time."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cairn.documents import queries as documents
from cairn.engagements.models import Evaluation
from cairn.evaluation.models import CompanyValue, CustomerValue, DevelopmentPlan, Lesson, PlanReview

pytestmark = pytest.mark.django_db


def test_halvorsen_has_a_closed_round_in_value_realization_and_an_open_one(loaded_demo):
    rounds = list(Evaluation.objects.filter(engagement__account__name="Halvorsen Maritime").order_by("opened_at"))
    assert len(rounds) == 2
    earlier, current = rounds
    assert not earlier.is_open and current.is_open
    assert earlier.customer_values.count() == 2 and earlier.company_values.count() == 2
    assert current.customer_values.exists() and current.company_values.filter(kind="experience_insight").exists()
    assert earlier.closed_at.date() < timezone.localdate()
    assert not CustomerValue.objects.filter(created_at__gte=loaded_demo.started).exists()
    assert not CompanyValue.objects.filter(created_at__gte=loaded_demo.started).exists()


def test_lessons_come_from_challenges_and_afresh_with_tags(loaded_demo):
    gathered = Lesson.objects.filter(challenge__isnull=False)
    fresh = Lesson.objects.filter(challenge__isnull=True)
    assert gathered.count() >= 3 and fresh.count() >= 3
    assert all(lesson.tags.exists() for lesson in Lesson.objects.all())
    assert not Lesson.objects.filter(created_at__gte=loaded_demo.started).exists()


def test_a_promoted_template_is_reused_twice(loaded_demo):
    promoted = [t for t in documents.templates() if t.origin_id is not None]
    assert len(promoted) == 1
    assert promoted[0].reuses == 2 and promoted[0].origin.engagement.account.name == "Halvorsen Maritime"


def test_each_demo_csm_keeps_a_plan_with_a_review(loaded_demo):
    plans = DevelopmentPlan.objects.filter(user__username__in=["priya", "tomas", "lena"])
    assert plans.count() == 3
    assert all(p.items.exists() and p.reviews.exists() for p in plans)
    assert not PlanReview.objects.filter(held_on__gt=timezone.localdate()).exists()
    assert not DevelopmentPlan.objects.filter(created_at__gte=loaded_demo.started).exists()
