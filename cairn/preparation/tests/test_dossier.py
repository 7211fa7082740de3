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


def _facts(engagement: Engagement, carol: Any, area: str, count: int, start: int = 0) -> list[Fact]:
    return [
        actions.save_item(Fact(engagement=engagement, area=area, statement=f"{area} fact {i:02}",
                               source="company"), by=carol)
        for i in range(start, start + count)
    ]


def test_the_dossier_pages_its_facts_and_keeps_them_grouped_by_area(
    as_rita: Any, engagement: Engagement, carol: Any
) -> None:
    from cairn.preparation.views import FACTS_PER_PAGE

    _facts(engagement, carol, "business", 5)  # added first, listed after the initiative area
    _facts(engagement, carol, "initiative", FACTS_PER_PAGE + 5)
    url = _url(engagement, "preparation_dossier")

    first = as_rita.get(url).content.decode()

    assert f"{FACTS_PER_PAGE + 10} facts, {FACTS_PER_PAGE + 10} still assumed" in first
    assert "initiative fact 00" in first and f"initiative fact {FACTS_PER_PAGE - 1:02}" in first
    assert f"initiative fact {FACTS_PER_PAGE:02}" not in first and "business fact" not in first
    business = first[first.index('id="area-business"'):first.index('id="area-stakeholders"')]
    assert "5 facts of this area on page" in business and "facts=2#area-business" in business
    stakeholders = first[first.index('id="area-stakeholders"'):first.index('id="area-engagement"')]
    assert "Nothing known yet" in stakeholders
    assert "Page 1 of 2" in first and 'href="?facts=2#facts"' in first

    second = as_rita.get(url + "?facts=2").content.decode()

    assert "initiative fact 00" not in second and f"initiative fact {FACTS_PER_PAGE + 4:02}" in second
    assert "business fact 00" in second and "business fact 04" in second
    assert second.index("initiative fact") < second.index("business fact")
    assert f"{FACTS_PER_PAGE} more facts of this area on page" in second
    assert as_rita.get(url + "?facts=99").context["facts_page"].number == 2


def test_adding_or_moving_a_fact_shows_the_page_that_lists_it(
    as_carol: Any, engagement: Engagement, carol: Any
) -> None:
    from cairn.preparation.views import FACTS_PER_PAGE

    _facts(engagement, carol, "initiative", FACTS_PER_PAGE)
    business = _facts(engagement, carol, "business", 1)[0]
    url = _url(engagement, "preparation_dossier")
    assert 'action="' + _url(engagement, "preparation_fact_create") + '"' in as_carol.get(url + "?facts=2").content.decode()

    response = as_carol.post(_url(engagement, "preparation_fact_create"), {
        "area": "solution", "statement": "Runs on the plant network", "source": "customer",
        "confidence": "assumed"})

    fact = Fact.objects.get(statement="Runs on the plant network")
    assert response.status_code == 302 and response["Location"] == f"{url}?facts=2#fact-{fact.pk}"
    page = as_carol.get(response["Location"]).content.decode()
    assert f'id="fact-{fact.pk}"' in page and page.index("Runs on the plant") < page.index("business fact 00")

    response = as_carol.post(_url(engagement, "preparation_fact_edit", business.pk), {
        "area": "initiative", "statement": "Moved to the initiative", "source": "company",
        "confidence": "assumed"})
    assert response["Location"] == f"{url}?facts=2#fact-{business.pk}"
    edit_page = as_carol.get(_url(engagement, "preparation_fact_edit", business.pk)).content.decode()
    assert f"{url}?facts=2#fact-{business.pk}" in edit_page  # its way back
    first = _facts(engagement, carol, "initiative", 1, start=90)[0]
    response = as_carol.post(_url(engagement, "preparation_fact_delete", first.pk))
    assert response["Location"] == f"{url}?facts=2#area-initiative"
    assert not Fact.objects.filter(pk=first.pk).exists()


def test_the_facts_and_the_answered_questions_page_on_their_own(
    as_carol: Any, engagement: Engagement, carol: Any
) -> None:
    from cairn.preparation.views import ANSWERED_PER_PAGE, FACTS_PER_PAGE

    _facts(engagement, carol, "initiative", FACTS_PER_PAGE + 1)
    for i in range(ANSWERED_PER_PAGE + 1):
        question = actions.raise_question(engagement, f"Question {i}?", by=carol)
        actions.answer_question(question, "Yes", by=carol, answered_on=engagement.start_date, name="Ines")
    page = as_carol.get(_url(engagement, "preparation_dossier") + "?facts=2&page=2").content.decode()
    assert 'href="?page=2&amp;facts=1#facts"' in page  # the facts pager keeps the questions' page
    assert 'href="?facts=2&amp;page=1"' in page  # and the other way round


@pytest.mark.parametrize("count", [2, 40])
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


QUERIES = {"dossier": 13}
