"""Evaluation's actions: rounds answered in structure and closed, lessons gathered and
tagged, templates promoted and counted, development plans and their reviews."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cairn.documents import actions as documents
from cairn.documents import queries as document_queries
from cairn.documents.actions import Details
from cairn.evaluation import actions
from cairn.evaluation.models import CompanyValue, Lesson, Tag
from cairn.timeline.models import Entry, EntryKind

pytestmark = pytest.mark.django_db

VALUE = {"what": "Energy down 12 %", "measured_how": "Meter readings", "known_to_customer": True,
         "known_to_us": False}


def test_a_round_closes_only_once_both_questions_are_answered(round, carol):
    with pytest.raises(ValidationError, match="the value the customer got and the value our company got"):
        actions.close_round(round, by=carol)
    actions.add_customer_value(round, dict(VALUE), by=carol)
    with pytest.raises(ValidationError, match="the value our company got"):
        actions.close_round(round, by=carol)
    actions.set_company_value(round, "retention", "Renewal agreed early", ["sales", "leadership"], by=carol)
    actions.close_round(round, by=carol)
    round.refresh_from_db()
    assert not round.is_open
    assert Entry.objects.filter(kind=EntryKind.EVALUATION, title="Engagement evaluation closed").exists()
    with pytest.raises(ValidationError, match="closed"):
        actions.add_customer_value(round, dict(VALUE), by=carol)


def test_company_value_is_one_per_kind_with_known_teams(round, carol):
    actions.set_company_value(round, "expansion", "Upsell", ["sales"], by=carol)
    value = actions.set_company_value(round, "expansion", "Upsell of 40 seats", ["product", "sales"], by=carol)
    assert CompanyValue.objects.get().description == "Upsell of 40 seats"
    assert value is not None and value.reported_to == "product,sales"
    with pytest.raises(ValidationError) as error:
        actions.set_company_value(round, "retention", "x", ["finance"], by=carol)
    assert "reported_to" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.set_company_value(round, "nonsense", "x", [], by=carol)
    actions.set_company_value(round, "expansion", "", [], by=carol)
    assert not CompanyValue.objects.exists()


def test_known_flags_must_be_answered(round, carol):
    with pytest.raises(ValidationError) as error:
        actions.add_customer_value(round, {"what": "x"}, by=carol)
    assert "known_to_customer" in error.value.message_dict


def test_challenges_gather_into_lessons_once(engagement, challenges, carol, round):
    lessons = actions.gather_lessons(engagement, challenges, ["Sponsors", "sponsors", "data"], by=carol)
    assert len(lessons) == 2 and Tag.objects.count() == 2
    first = Lesson.objects.get(challenge=challenges[0])
    assert first.next_time == "Map two sponsors from the start." and "Found a new sponsor" in first.what_happened
    assert first.engagement == engagement and first.round == round and first.author == carol
    with pytest.raises(ValidationError, match="Already in the library: Sponsor left"):
        actions.gather_lessons(engagement, challenges[:1], [], by=carol)
    assert Lesson.objects.count() == 2
    assert Entry.objects.filter(title="2 lessons added to the team library").exists()


def test_gathering_refuses_other_engagements_challenges_and_too_many_tags(engagement, challenges, carol, acme):
    from cairn.engagements.actions import EngagementData, start_engagement

    other = start_engagement(acme, EngagementData(initiative="Other", owner=carol, start_date=dt.date(2026, 1, 1)),
                             by=carol, version=engagement.playbook_version)
    with pytest.raises(ValidationError, match="this engagement"):
        actions.gather_lessons(other, challenges, [], by=carol)
    with pytest.raises(ValidationError, match="at most 8 tags"):
        actions.gather_lessons(engagement, challenges, [f"t{i}" for i in range(9)], by=carol)
    with pytest.raises(ValidationError, match="at most 40"):
        actions.create_lesson({"title": "x", "what_happened": "y"}, ["x" * 41], by=carol)
    assert not Lesson.objects.exists() and not Tag.objects.exists()


def test_a_lesson_written_afresh_reuses_tags_whatever_their_case(carol, dave):
    actions.create_lesson({"title": "A", "what_happened": "B"}, ["Onboarding"], by=carol)
    lesson = actions.create_lesson({"title": "C", "what_happened": "D"}, ["onboarding", "Data"], by=dave)
    assert Tag.objects.count() == 2 and {t.name for t in lesson.tags.all()} == {"Onboarding", "Data"}
    with pytest.raises(ValidationError) as error:
        actions.create_lesson({"title": "", "what_happened": "x"}, [], by=carol)
    assert "title" in error.value.message_dict


def test_a_promoted_template_keeps_its_origin_and_counts_its_reuse(engagement, carol):
    doc = documents.create_written(engagement, Details(title="Value report"), "# Value", by=carol)
    template = actions.promote(doc, by=carol)
    assert template.is_template and template.origin == doc and template.engagement is None
    for n in range(2):
        documents.create_written(engagement, Details(title=f"Copy {n}"), "x", by=carol, template=template)
    assert document_queries.templates().get(pk=template.pk).reuses == 2
    with pytest.raises(ValidationError):
        actions.promote(template, by=carol)


def test_a_plan_is_kept_with_items_and_reviews(carol, alice, rita):
    plan = actions.save_plan(carol, {"career_vision": "Lead", "success_factors": "A\n\nB\n"}, by=carol)
    assert actions.save_plan(carol, {"career_vision": "Lead a team"}, by=carol).pk == plan.pk
    plan.refresh_from_db()
    assert plan.factors == ["A", "B"] and plan.career_vision == "Lead a team"
    item = actions.add_item(plan, {"title": "Course", "target_date": dt.date(2027, 3, 1)}, by=carol)
    actions.update_item(item, {"status": "done"}, by=carol)
    with pytest.raises(ValidationError) as error:
        actions.update_item(item, {"status": "someday"}, by=carol)
    assert "status" in error.value.message_dict
    today = timezone.localdate()
    actions.add_review(plan, held_on=today, reviewer=alice, notes="Good", by=alice)
    for reviewer, held, field in ((carol, today, "reviewer"), (rita, today, "reviewer"),
                                  (alice, today + dt.timedelta(days=3), "held_on")):
        with pytest.raises(ValidationError) as error:
            actions.add_review(plan, held_on=held, reviewer=reviewer, notes="x", by=carol)
        assert field in error.value.message_dict
    assert plan.reviews.count() == 1
