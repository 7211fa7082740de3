"""Evaluation pages: a round answered and closed, the lessons library searched and gathered
from a challenge log, templates' reuse shown, development plans private to their CSM and
leaders; bad input answered with the field named, refusals for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.documents import actions as documents
from cairn.documents.actions import Details
from cairn.evaluation import actions
from cairn.evaluation.models import CompanyValue, CustomerValue, DevelopmentPlan, Lesson, PlanItem

pytestmark = pytest.mark.django_db

VALUE = {"what": "Energy down 12 %", "measured_how": "Meters", "known_to_customer": "yes", "known_to_us": "no"}


def _count(client, url) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_owner_answers_both_questions_and_closes_the_round(as_carol, round, engagement):
    url = reverse("evaluation_round", args=[round.pk])
    assert as_carol.post(reverse("customer_value_add", args=[round.pk]), VALUE).status_code == 302
    value = CustomerValue.objects.get()
    assert value.known_to_customer is True and value.known_to_us is False
    response = as_carol.post(reverse("company_value_set", args=[round.pk]),
                             {"kind": "product_insight", "description": "Needs SSO", "reported_to": ["product"]})
    assert response.status_code == 302 and CompanyValue.objects.get().teams == ["product"]
    page = as_carol.get(url).content.decode()
    assert "Energy down 12 %" in page and "Product insight" in page and "Reported to: Product" in page
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    assert reverse("evaluation_round", args=[round.pk]) in page and "Energy down 12 %" in page
    as_carol.post(reverse("evaluation_close", args=[engagement.pk, round.pk]))
    round.refresh_from_db()
    assert not round.is_open
    assert "Close the round" not in as_carol.get(url).content.decode()
    # A closed round's answers are read, not changed: its form sends back to the round.
    edit = as_carol.get(reverse("customer_value_edit", args=[value.pk]))
    assert edit.status_code == 302 and edit.url == url


def test_bad_answers_name_their_field_and_save_nothing(as_carol, round):
    response = as_carol.post(reverse("customer_value_add", args=[round.pk]),
                             {"what": "x" * 301, "known_to_customer": "maybe"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "at most 300 characters" in body and "Select a valid choice" in body
    response = as_carol.post(reverse("company_value_set", args=[round.pk]),
                             {"kind": "retention", "description": "", "reported_to": ["sales"]})
    assert response.status_code == 400 and "Say what value it was" in response.content.decode()
    response = as_carol.post(reverse("company_value_set", args=[round.pk]),
                             {"kind": "retention", "description": "x", "reported_to": ["finance"]})
    assert response.status_code == 400
    assert not CustomerValue.objects.exists() and not CompanyValue.objects.exists()
    closing = as_carol.post(reverse("evaluation_close", args=[round.engagement_id, round.pk]), follow=True)
    assert "Record the value the customer got" in closing.content.decode()


def test_strangers_read_a_round_but_cannot_answer_it(as_dave, as_rita, round, carol):
    value = actions.add_customer_value(round, {"what": "x", "known_to_customer": True, "known_to_us": True}, by=carol)
    page = as_dave.get(reverse("evaluation_round", args=[round.pk])).content.decode()
    assert "Add a value the customer got" not in page and "Close the round" not in page
    for client in (as_dave, as_rita):
        assert client.post(reverse("customer_value_add", args=[round.pk]), VALUE).status_code == 403
        assert client.post(reverse("customer_value_delete", args=[value.pk])).status_code == 403
        assert client.post(reverse("company_value_set", args=[round.pk]), {"kind": "retention"}).status_code == 403
    assert CustomerValue.objects.count() == 1


def test_challenges_are_gathered_in_one_step(as_carol, as_dave, engagement, challenges, round):
    url = reverse("lessons_gather", args=[engagement.pk])
    page = as_carol.get(url).content.decode()
    assert "Sponsor left" in page and "flagged as a lesson" in page
    assert as_dave.post(url, {"challenges": [challenges[0].pk]}).status_code == 403
    response = as_carol.post(url, {"challenges": []})
    assert response.status_code == 400 and "Pick at least one challenge" in response.content.decode()
    response = as_carol.post(url, {"challenges": [c.pk for c in challenges], "tags": "Sponsors, data"})
    assert response.status_code == 302 and Lesson.objects.count() == 2
    assert "Every challenge of this engagement is in the library" in as_carol.get(url).content.decode()


def test_the_library_searches_filters_and_paginates_in_constant_queries(as_rita, carol, dave):
    actions.create_lesson({"title": "Two sponsors", "what_happened": "The sponsor left"}, ["sponsors"], by=carol)
    actions.create_lesson({"title": "Late data", "what_happened": "Baseline late"}, ["data"], by=dave)
    url = reverse("lessons")
    assert "Two sponsors" in as_rita.get(url, {"q": "sponsor LEFT"}).content.decode()
    assert "Late data" not in as_rita.get(url, {"q": "sponsor"}).content.decode()
    filtered = as_rita.get(url, {"tag": "DATA"}).content.decode()
    assert "Late data" in filtered and "Two sponsors" not in filtered
    for query in ({"page": "x"}, {"page": "999"}, {"q": "x" * 500}, {"tag": "\x00"}):
        assert as_rita.get(url, query).status_code == 200
    few = _count(as_rita, url)
    for n in range(30):
        actions.create_lesson({"title": f"L{n}", "what_happened": "x"}, [f"t{n}", "common"], by=carol)
    assert _count(as_rita, url) == few
    assert "Page 1 of 2" in as_rita.get(url).content.decode()


def test_a_lesson_is_written_and_changed_by_its_author_or_a_leader(as_carol, as_dave, as_alice, as_rita):
    assert as_rita.post(reverse("lesson_create"), {"title": "x", "what_happened": "y"}).status_code == 403
    response = as_carol.post(reverse("lesson_create"), {"title": "", "what_happened": "y", "tags": "a"})
    assert response.status_code == 400 and not Lesson.objects.exists()
    response = as_carol.post(reverse("lesson_create"), {"title": "Map sponsors", "what_happened": "y", "tags": "a, b"})
    lesson = Lesson.objects.get()
    assert response.status_code == 302 and lesson.tags.count() == 2
    assert "Edit" not in as_dave.get(lesson.get_absolute_url()).content.decode()
    assert as_dave.post(reverse("lesson_edit", args=[lesson.pk]), {"title": "x", "what_happened": "y"}).status_code == 403
    assert as_dave.post(reverse("lesson_delete", args=[lesson.pk])).status_code == 403
    assert as_alice.post(reverse("lesson_edit", args=[lesson.pk]),
                         {"title": "Map two sponsors", "what_happened": "y", "tags": ""}).status_code == 302
    lesson.refresh_from_db()
    assert lesson.title == "Map two sponsors" and not lesson.tags.exists()
    assert as_carol.post(reverse("lesson_delete", args=[lesson.pk])).status_code == 302
    assert not Lesson.objects.exists()


def test_the_templates_list_shows_reuse_and_origin(as_rita, engagement, carol):
    doc = documents.create_written(engagement, Details(title="Value report"), "# V", by=carol)
    template = actions.promote(doc, by=carol, title="Value report template")
    documents.create_written(engagement, Details(title="Copy"), "x", by=carol, template=template)
    page = as_rita.get(reverse("document_search")).content.decode()
    assert "Reused 1 time" in page and "promoted from" in page
    assert "Reused" in as_rita.get(reverse("document_from_template", args=[engagement.pk])).content.decode()
    copy = template.copies.get()
    assert "Started from the template" in as_rita.get(copy.get_absolute_url()).content.decode()
    assert "Promoted to a team template from" in as_rita.get(template.get_absolute_url()).content.decode()


PLAN = {"career_vision": "Lead a team", "success_factors": "Coaching\nExecutive presence"}


def test_my_plan_is_mine_and_my_leaders_only(as_carol, as_dave, as_rita, as_alice, as_adam, carol, alice):
    assert as_rita.post(reverse("development_plan"), PLAN).status_code == 403
    assert as_carol.post(reverse("development_plan"), PLAN).status_code == 302
    plan = DevelopmentPlan.objects.get(user=carol)
    mine = as_carol.get(reverse("development_plan")).content.decode()
    assert "Lead a team" in mine and "Executive presence" in mine
    detail = reverse("development_plan_detail", args=[plan.pk])
    for client in (as_dave, as_rita):
        assert client.get(detail).status_code == 404
        assert "Lead a team" not in client.get(reverse("development_plans")).content.decode()
        assert "Lead a team" not in client.get(reverse("development_plan")).content.decode()
        assert client.post(reverse("plan_item_add", args=[plan.pk]),
                           {"title": "x", "target_date": "2027-01-01", "status": "planned"}).status_code == 403
        assert client.post(reverse("plan_review_add", args=[plan.pk]), {}).status_code == 403
    for client in (as_alice, as_adam):
        assert "Lead a team" in client.get(detail).content.decode()
        assert "Lead a team" in client.get(reverse("development_plans")).content.decode()
    response = as_alice.post(reverse("plan_review_add", args=[plan.pk]), {
        "held_on": dt.date.today().isoformat(), "reviewer": alice.pk, "notes": "Good quarter",
    })
    assert response.status_code == 302 and plan.reviews.count() == 1


def test_plan_items_are_kept_and_bad_input_named(as_carol, as_dave, carol):
    plan = actions.save_plan(carol, PLAN, by=carol)
    add = reverse("plan_item_add", args=[plan.pk])
    response = as_carol.post(add, {"title": "", "target_date": "31/31/2027", "status": "someday"})
    body = response.content.decode()
    assert response.status_code == 400 and "Enter a valid date" in body and "Select a valid choice" in body
    response = as_carol.post(add, {"title": "x", "target_date": "1900-01-01", "status": "planned"})
    assert response.status_code == 400 and not PlanItem.objects.exists()
    assert as_carol.post(add, {"title": "Course", "target_date": "2027-03-01", "status": "planned"}).status_code == 302
    item = PlanItem.objects.get()
    assert as_dave.post(reverse("plan_item_edit", args=[item.pk]), {}).status_code == 403
    assert as_dave.post(reverse("plan_item_delete", args=[item.pk])).status_code == 403
    assert as_carol.post(reverse("plan_item_edit", args=[item.pk]),
                         {"title": "Course", "target_date": "2027-03-01", "status": "done"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    response = as_carol.post(reverse("plan_review_add", args=[plan.pk]),
                             {"held_on": "2026-01-01", "reviewer": carol.pk, "notes": "Alone"})
    assert response.status_code == 400 and not plan.reviews.exists()
    assert as_carol.post(reverse("plan_item_delete", args=[item.pk])).status_code == 302
    assert not PlanItem.objects.exists()


def test_the_plans_list_and_a_plan_run_constant_queries(as_alice, alice, django_user_model):
    def person(n):  # type: ignore[no-untyped-def]
        user = django_user_model.objects.create_user(username=f"csm{n}", password="x", first_name=f"C{n}")
        plan = actions.save_plan(user, PLAN, by=user)
        actions.add_item(plan, {"title": "x", "target_date": dt.date(2027, 1, 1)}, by=user)
        actions.add_review(plan, held_on=dt.date(2026, 1, 1), reviewer=alice, notes="x", by=alice)
        return plan

    plan = person(0)
    few, one = _count(as_alice, reverse("development_plans")), _count(as_alice, plan.get_absolute_url())
    for n in range(1, 12):
        person(n)
        actions.add_item(plan, {"title": f"y{n}", "target_date": dt.date(2027, 1, 1)}, by=alice)
        actions.add_review(plan, held_on=dt.date(2026, 2, n), reviewer=alice, notes="y", by=alice)
    assert _count(as_alice, reverse("development_plans")) == few
    assert _count(as_alice, plan.get_absolute_url()) == one


def test_the_round_and_engagement_pages_run_constant_queries(as_carol, round, carol, engagement):
    url = reverse("evaluation_round", args=[round.pk])
    few, page = _count(as_carol, url), _count(as_carol, engagement.get_absolute_url())
    for n in range(10):
        actions.add_customer_value(round, {"what": f"v{n}", "known_to_customer": True, "known_to_us": True}, by=carol)
        actions.create_lesson({"title": f"L{n}", "what_happened": "x"}, ["a"], by=carol)
    actions.set_company_value(round, "retention", "x", ["sales"], by=carol)
    actions.set_company_value(round, "expansion", "x", ["sales"], by=carol)
    assert _count(as_carol, url) == few
    assert _count(as_carol, engagement.get_absolute_url()) == page


def test_the_old_close_link_leads_to_the_round(as_carol, round):
    response = as_carol.get(reverse("evaluation_close", args=[round.engagement_id, round.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("evaluation_round", args=[round.pk])


def test_a_search_too_long_is_named_and_the_library_still_shows(as_rita):
    page = as_rita.get(reverse("lessons"), {"q": "x" * 201}).content.decode()
    assert "Search: Ensure this value has at most 200 characters" in page
    assert 'placeholder="Words in the lesson"' in page
