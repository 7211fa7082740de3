"""The dossier: facts, questions tracked to an answer, handover meetings."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cairn.engagements.actions import set_status
from cairn.engagements.models import Engagement
from cairn.preparation import actions
from cairn.preparation.models import Fact, HandoverMeeting, Question
from cairn.timeline.models import Entry, EntryKind, Task

pytestmark = pytest.mark.django_db


def _url(engagement: Engagement, name: str, *args: int) -> str:
    return reverse(name, args=[engagement.pk, *args])


def _fact(engagement: Engagement, carol: Any, confidence: str = "assumed", area: str = "initiative") -> Fact:
    return actions.save_item(
        Fact(engagement=engagement, area=area, statement="The board wants 20 % less energy.",
             source="company", source_detail="CRM opportunity", confidence=confidence),
        by=carol,
    )


def test_the_owner_adds_a_fact_and_it_shows_in_its_area(as_carol: Any, engagement: Engagement) -> None:
    response = as_carol.post(_url(engagement, "preparation_fact_create"), {
        "area": "business", "statement": "Three plants in France", "source": "external",
        "source_detail": "annual report", "confidence": "validated",
    })
    assert response.status_code == 302
    fact = Fact.objects.get(engagement=engagement)
    assert (fact.area, fact.source, fact.confidence) == ("business", "external", "validated")
    page = as_carol.get(_url(engagement, "preparation_dossier")).content.decode()
    assert "Three plants in France" in page and 'id="area-business"' in page
    assert Entry.objects.filter(engagement=engagement, kind=EntryKind.PLANNING).exists()
    assert fact.history.first().history_user.username == "carol"


def test_a_fact_without_statement_is_refused_and_nothing_saved(
    as_carol: Any, engagement: Engagement
) -> None:
    response = as_carol.post(_url(engagement, "preparation_fact_create"), {
        "area": "business", "statement": "", "source": "nowhere", "confidence": "validated",
    })
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"statement", "source"}
    assert not Fact.objects.exists()


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_cannot_change_the_dossier(
    persona: str, request: pytest.FixtureRequest, engagement: Engagement, carol: Any
) -> None:
    client = request.getfixturevalue(persona)
    fact = _fact(engagement, carol)
    assert client.get(_url(engagement, "preparation_dossier")).status_code == 200
    data = {"area": "business", "statement": "x", "source": "external", "confidence": "assumed"}
    assert client.post(_url(engagement, "preparation_fact_create"), data).status_code == 403
    assert client.post(_url(engagement, "preparation_fact_delete", fact.pk)).status_code == 403
    assert client.post(_url(engagement, "preparation_question_create"), {"text": "?"}).status_code == 403
    assert Fact.objects.count() == 1 and not Question.objects.exists()


def test_an_assumed_fact_raises_a_question_answered_by_a_contact(
    as_carol: Any, engagement: Engagement, carol: Any
) -> None:
    from cairn.customers.models import Contact

    fact = _fact(engagement, carol)
    contact = Contact.objects.create(account=engagement.account, first_name="Ines", last_name="Roy")
    as_carol.post(_url(engagement, "preparation_question_create"),
                  {"text": "Is 20 % the board's target?", "fact": fact.pk})
    question = Question.objects.get()
    assert question.fact == fact and question.status == "open"
    page = as_carol.get(_url(engagement, "preparation_dossier")).content.decode()
    assert "Is 20 % the board" in page
    response = as_carol.post(_url(engagement, "preparation_question_answer", question.pk), {
        "answer": "Yes, by the end of 2027.", "answered_by": contact.pk,
        "answered_on": "2026-09-10", "validate_fact": "on",
    })
    assert response.status_code == 302
    question.refresh_from_db()
    fact.refresh_from_db()
    assert question.status == "answered" and question.who_answered == "Ines Roy"
    assert fact.confidence == "validated"


def test_an_answer_needs_who_gave_it(as_carol: Any, engagement: Engagement, carol: Any) -> None:
    question = actions.raise_question(engagement, "How many sites?", by=carol)
    response = as_carol.post(_url(engagement, "preparation_question_answer", question.pk),
                             {"answer": "Four", "answered_on": "2026-09-10"})
    assert response.status_code == 400
    assert "answered_by" in response.context["form"].errors
    question.refresh_from_db()
    assert question.status == "open" and question.answer == ""


def test_a_validated_fact_raises_no_question(engagement: Engagement, carol: Any) -> None:
    from django.core.exceptions import ValidationError

    fact = _fact(engagement, carol, confidence="validated")
    with pytest.raises(ValidationError) as exc:
        actions.raise_question(engagement, "Really?", by=carol, fact=fact)
    assert "fact" in exc.value.message_dict


def test_a_question_cannot_point_at_another_engagements_fact(
    engagement: Engagement, carol: Any, acme: Any, playbook_version: Any
) -> None:
    from django.core.exceptions import ValidationError

    from cairn.engagements.actions import EngagementData, start_engagement

    other = start_engagement(acme, EngagementData(
        initiative="Other", owner=carol, start_date=engagement.start_date), by=carol)
    fact = _fact(other, carol)
    with pytest.raises(ValidationError) as exc:
        actions.raise_question(engagement, "Which?", by=carol, fact=fact)
    assert "fact" in exc.value.message_dict


def test_handover_meeting_with_colleagues_and_a_follow_up_task(
    as_carol: Any, engagement: Engagement, alice: Any, dave: Any
) -> None:
    response = as_carol.post(_url(engagement, "preparation_handover_create"), {
        "date": "2026-09-02", "agenda": "What was sold and why", "notes": "",
        "role_sales": [alice.pk], "role_solution_engineer": [dave.pk],
    })
    assert response.status_code == 302
    meeting = HandoverMeeting.objects.get()
    assert {(a.user.username, a.role) for a in meeting.attendees.all()} == {
        ("alice", "sales"), ("dave", "solution_engineer")}
    response = as_carol.post(_url(engagement, "preparation_follow_up", meeting.pk), {
        "title": "Get the signed order form", "assignee": alice.pk, "due_date": "2026-09-09"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.assignee == alice and task.engagement == engagement
    page = as_carol.get(_url(engagement, "preparation_dossier")).content.decode()
    assert "Get the signed order form" in page and "What was sold and why" in page


def test_one_colleague_attends_in_one_role(as_carol: Any, engagement: Engagement, alice: Any) -> None:
    response = as_carol.post(_url(engagement, "preparation_handover_create"), {
        "date": "2026-09-02", "role_sales": [alice.pk], "role_services": [alice.pk]})
    assert response.status_code == 400
    assert not HandoverMeeting.objects.exists()


def test_a_closed_engagement_keeps_its_dossier_read_only(
    as_carol: Any, engagement: Engagement, carol: Any
) -> None:
    set_status(engagement, "closed", by=carol, reason="Done")
    response = as_carol.post(_url(engagement, "preparation_fact_create"), {
        "area": "business", "statement": "Late news", "source": "external", "confidence": "assumed"})
    assert response.status_code == 400
    assert not Fact.objects.exists()
    assert "read-only" in as_carol.get(_url(engagement, "preparation_dossier")).content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_the_dossier_page_takes_the_same_queries_whatever_its_size(
    count: int, as_carol: Any, engagement: Engagement, carol: Any, alice: Any,
    django_assert_num_queries: Any,
) -> None:
    for i in range(count):
        fact = _fact(engagement, carol, area=["initiative", "business", "engagement"][i % 3])
        question = actions.raise_question(engagement, f"Question {i}?", by=carol, fact=fact)
        if i % 2:
            actions.answer_question(question, "Yes", by=carol, answered_on=engagement.start_date,
                                    name="Someone")
        meeting = actions.save_meeting(HandoverMeeting(engagement=engagement, date=engagement.start_date),
                                       by=carol, attendees=[(alice, "sales")])
        actions.add_follow_up(meeting, f"Task {i}", assignee=carol, by=carol)
    url = _url(engagement, "preparation_dossier")
    as_carol.get(url)
    with django_assert_num_queries(QUERIES["dossier"]):
        assert as_carol.get(url).status_code == 200


QUERIES = {"dossier": 12}
