"""The business review pages through the HTTP client: the book's programmes by their next
review, a programme set up and kept, a review prepared, edited, refreshed, built into a deck
and a PDF, held with its minutes, decisions and follow-up tasks; the account page's panel,
"my work" and the CSM's home. Strangers and readers are refused and see no button, bad input
is named next to its field with nothing saved, and the pages read in constant queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account, Contact
from cairn.fields import NOTE
from cairn.reviews import actions
from cairn.reviews.models import DEFAULT_AGENDA, Format, Kind, Program, Review, Status
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db

WRITE_BUTTONS = ("Edit the draft", "Gather again", "Build deck and PDF", "Record the meeting",
                 "Add a follow-up task", "Cancel the review", ">Delete<")


def _page(client: Any, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _said(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _count(client: Any, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _program(account: Account, by: Any, **fields: Any) -> Program:
    fields.setdefault("kind", Kind.QBR)
    fields.setdefault("purpose", "Show the value delivered and agree the next quarter.")
    return actions.create_program(Program(account=account, **fields), by=by)


def _draft(program: Program, by: Any, day: dt.date, **fields: Any) -> Review:
    return actions.prepare_review(program, actions.Prepare(date=day, **fields), by=by)


def _errors(response: Any, field: str) -> str:
    assert response.status_code == 400, response.status_code
    errors = response.context["form"].errors
    assert field in errors, dict(errors)
    return " ".join(errors[field])


# The list of the book's programmes.


def test_the_list_shows_programmes_overdue_first_with_their_drafts_and_filters(
    as_rita, as_dave, acme, carol, dave
):
    today = timezone.localdate()
    late = _program(acme, carol, next_date=today - dt.timedelta(days=12))
    beta = Account.objects.create(name="Beta Logistics", owner=dave)
    _program(beta, dave, kind=Kind.EBR, next_date=today + dt.timedelta(days=40))
    gamma = Account.objects.create(name="Gamma Foods", owner=dave)
    _program(gamma, dave, next_date=None)
    draft = _draft(late, carol, today + dt.timedelta(days=3))
    page = _page(as_rita, reverse("reviews"))
    assert page.index("Acme Manufacturing") < page.index("Beta Logistics") < page.index("Gamma Foods")
    assert "12 days overdue" in page and "in 40 days" in page and "not planned" in page
    assert "Executive business review" in page and "every 3 months" in page
    assert reverse("review", args=[draft.pk]) in page and "Carol Owner" in page
    mine = _page(as_dave, reverse("reviews"), owner="me")
    assert "Beta Logistics" in mine and "Acme Manufacturing" not in mine
    by_owner = _page(as_rita, reverse("reviews"), owner=str(carol.pk))
    assert "Acme Manufacturing" in by_owner and "Beta Logistics" not in by_owner
    ebr = _page(as_rita, reverse("reviews"), kind="ebr")
    assert "Beta Logistics" in ebr and "Gamma Foods" not in ebr


def test_unknown_filters_are_ignored_instead_of_failing(as_carol, program):
    for query in ({"owner": "nobody"}, {"owner": "9" * 30}, {"kind": "weekly"}, {"kind": "²"},
                  {"owner": "-1"}, {"page": "x"}, {"page": "99"}):
        assert "Acme Manufacturing" in _page(as_carol, reverse("reviews"), **query)


def test_the_list_shows_drafts_and_the_reviews_held_lately(as_rita, program, review, carol):
    held = _draft(program, carol, review.date - dt.timedelta(days=90))
    actions.record_meeting(held, actions.Meeting(held.date, "We agreed the plan."), by=carol)
    page = _page(as_rita, reverse("reviews"))
    assert f'href="{review.get_absolute_url()}"' in page and "minutes to record" in page
    assert f"held {held.date:%d %b %Y}" in page


# A programme.


def _program_data(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "ebr", "purpose": "The executives see the savings and the roadmap.", "cadence_months": "6",
        "duration_minutes": "90", "format": "on_site", "next_date": "2027-02-15", "agenda": "", **fields,
    }


def test_the_owner_sets_up_a_programme_and_strangers_and_readers_are_refused(
    as_carol, as_dave, as_rita, acme, carol, contact
):
    url = reverse("review_program_create", args=[acme.pk])
    data = _program_data(our_attendees=[carol.pk], customer_attendees=[contact.pk])
    assert as_dave.get(url).status_code == 403
    assert as_dave.post(url, data).status_code == 403
    assert as_rita.post(url, data).status_code == 403
    response = as_carol.post(url, data)
    assert response.status_code == 302
    program = Program.objects.get()
    assert (program.kind, program.cadence_months, program.next_date) == ("ebr", 6, dt.date(2027, 2, 15))
    assert program.agenda == DEFAULT_AGENDA[Kind.EBR]
    assert list(program.our_attendees.all()) == [carol] and list(program.customer_attendees.all()) == [contact]
    page = _page(as_carol, response["Location"])
    assert "Executive business review of Acme Manufacturing" in page and "15 Feb 2027" in page
    assert "Maria Jensen" in page and "Carol Owner" in page and "The executives see the savings" in page
    assert "Risks to the outcomes" in page and "90 minutes" in page and "On site" in page
    assert "Prepare the next review" in page and "Stop these reviews" in page
    for reader in (as_dave, as_rita):
        seen = _page(reader, response["Location"])
        assert "Prepare the next review" not in seen and "Stop these reviews" not in seen


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"kind": "monthly"}, "kind", "valid choice"),
    ({"purpose": ""}, "purpose", "required"),
    ({"purpose": "x" * (NOTE + 1)}, "purpose", "at most"),
    ({"cadence_months": "0"}, "cadence_months", "greater than or equal to 1"),
    ({"cadence_months": "25"}, "cadence_months", "less than or equal to 24"),
    ({"cadence_months": "three"}, "cadence_months", "whole number"),
    ({"duration_minutes": "5"}, "duration_minutes", "greater than or equal to 15"),
    ({"duration_minutes": "99999999999"}, "duration_minutes", "less than or equal to 480"),
    ({"format": "carrier pigeon"}, "format", "valid choice"),
    ({"next_date": "1900-01-01"}, "next_date", "between"),
    ({"next_date": "soon"}, "next_date", "valid date"),
    ({"our_attendees": ["x"]}, "our_attendees", "valid value"),
])
def test_bad_programme_input_is_named_next_to_its_field_and_nothing_is_saved(
    as_carol, acme, fields, field, words
):
    response = as_carol.post(reverse("review_program_create", args=[acme.pk]), _program_data(**fields))
    assert words in _errors(response, field)
    assert not Program.objects.exists()


def test_attendees_must_be_the_accounts_contacts_and_people_who_can_work(as_carol, acme, rita, dave):
    url = reverse("review_program_create", args=[acme.pk])
    stranger = Contact.objects.create(account=Account.objects.create(name="Other"), first_name="Sam")
    assert "valid choice" in _errors(as_carol.post(url, _program_data(customer_attendees=[stranger.pk])),
                                     "customer_attendees")
    assert "valid choice" in _errors(as_carol.post(url, _program_data(our_attendees=[rita.pk])), "our_attendees")
    many = [Contact.objects.create(account=acme, first_name=f"P{i}").pk for i in range(31)]
    assert "at most 30" in _errors(as_carol.post(url, _program_data(customer_attendees=many)),
                                   "customer_attendees")
    assert not Program.objects.exists()


def test_one_programme_of_each_kind_per_account(as_carol, program):
    response = as_carol.post(reverse("review_program_create", args=[program.account_id]),
                             _program_data(kind="qbr"))
    assert "already has a programme of this kind" in _errors(response, "kind")
    assert Program.objects.count() == 1


def test_the_owner_edits_the_programme_and_its_attendees(as_carol, as_dave, program, carol, dave, contact):
    url = reverse("review_program_edit", args=[program.pk])
    form = _page(as_carol, url)
    assert "Show the energy saved" in form and "Maria Jensen" in form
    data = _program_data(kind="qbr", cadence_months="4", our_attendees=[carol.pk, dave.pk],
                         customer_attendees=[], agenda="Welcome\nNumbers")
    assert as_dave.get(url).status_code == 403 and as_dave.post(url, data).status_code == 403
    bad = as_carol.post(url, {**data, "duration_minutes": "600"})
    assert "less than or equal to 480" in _errors(bad, "duration_minutes")
    assert Program.objects.get().duration_minutes == 60
    assert as_carol.post(url, data).status_code == 302
    program.refresh_from_db()
    assert (program.cadence_months, program.duration_minutes, program.agenda) == (4, 90, "Welcome\nNumbers")
    assert set(program.our_attendees.all()) == {carol, dave} and not program.customer_attendees.exists()


def test_stopping_a_programme_is_for_who_may_change_the_account(as_carol, as_dave, program, review):
    url = reverse("review_program_delete", args=[program.pk])
    assert as_dave.post(url).status_code == 403
    assert as_carol.get(url).status_code == 405
    response = as_carol.post(url)
    assert response.status_code == 302 and response["Location"] == program.account.get_absolute_url()
    assert not Program.objects.exists() and not Review.objects.exists()


# Preparing a review.


def test_preparing_a_review_starts_from_the_next_date_and_the_active_engagement(
    as_carol, as_dave, program, engagement
):
    url = reverse("review_prepare", args=[program.pk])
    form = _page(as_carol, url)
    assert 'value="2026-12-01"' in form and "Energy use down 20 %" in form
    assert as_dave.get(url).status_code == 403
    assert as_dave.post(url, {"date": "2027-01-10"}).status_code == 403
    response = as_carol.post(url, {"date": "2027-01-10", "engagement": engagement.pk})
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.status == Status.DRAFT and review.engagement == engagement
    assert (review.period_start, review.period_end) == (dt.date(2026, 10, 10), dt.date(2027, 1, 10))
    assert "Quarterly business review of Acme Manufacturing" in review.summary
    page = _page(as_carol, response["Location"])
    assert "QBR of Acme Manufacturing, 10 Jan 2027" in page and "10 Oct 2026" in page


@pytest.mark.parametrize(("data", "field", "words"), [
    ({}, "date", "required"),
    ({"date": "tomorrow"}, "date", "valid date"),
    ({"date": "1900-01-01"}, "date", "between"),
    ({"date": "2027-01-10", "period_start": "2027-01-01", "period_end": "2026-12-01"}, "period_end", "on or after"),
    ({"date": "2027-01-10", "period_start": "2027-02-01"}, "period_end", "on or after"),
    ({"date": "2027-01-10", "engagement": "x"}, "engagement", "valid choice"),
])
def test_bad_input_to_prepare_is_named_and_nothing_is_saved(as_carol, program, data, field, words):
    response = as_carol.post(reverse("review_prepare", args=[program.pk]), data)
    assert words in _errors(response, field)
    assert not Review.objects.exists()


def test_an_engagement_of_another_account_is_refused(as_carol, program, carol, playbook_version):
    from cairn.engagements.actions import EngagementData, start_engagement

    other = Account.objects.create(name="Other", owner=carol)
    theirs = start_engagement(other, EngagementData(
        initiative="Theirs", owner=carol, start_date=dt.date(2026, 1, 1),
    ), by=carol, version=playbook_version)
    response = as_carol.post(reverse("review_prepare", args=[program.pk]),
                             {"date": "2027-01-10", "engagement": theirs.pk})
    assert "valid choice" in _errors(response, "engagement")
    assert not Review.objects.exists()


# One review.


def test_the_review_page_shows_the_draft_and_the_figures_to_everyone(as_rita, as_dave, as_carol, review):
    from cairn.customers.models import Product, Subscription

    Subscription.objects.create(
        account=review.program.account, product=Product.objects.create(name="Energy Monitor"),
        arr=1234567, start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 12, 31),
    )
    review.summary = "Energy down 14 %.\nSecond line of the summary."
    review.save()
    for client in (as_rita, as_dave):
        page = _page(client, review.get_absolute_url())
        assert "Energy down 14 %.<br>Second line of the summary." in page
        assert "The figures behind it" in page and "<dd>1,234,567</dd>" in page
        assert "Opened" in page and "Our asks" in page and "No value item recorded" in page
        assert "Welcome and objectives" in page and "Value delivered" in page
        assert not [b for b in WRITE_BUTTONS if b in page]
    mine = _page(as_carol, review.get_absolute_url())
    assert [b for b in WRITE_BUTTONS if b in mine] == list(WRITE_BUTTONS)
    assert "replaces your edits" in mine and "Not built yet" in mine


def test_the_owner_edits_the_draft_and_a_stranger_is_refused(as_carol, as_dave, review, engagement):
    url = reverse("review_edit", args=[review.pk])
    form = _page(as_carol, url)
    assert "Our asks" in form and "Health over the period" in form
    data = {"date": "2026-12-03", "period_start": "2026-09-01", "period_end": "2026-12-01",
            "engagement": engagement.pk, "agenda": "Welcome\nThe numbers"}
    for name, _, _ in review.sections():
        data[name] = f"Our words for {name}."
    assert as_dave.get(url).status_code == 403 and as_dave.post(url, data).status_code == 403
    assert as_carol.post(url, data).status_code == 302
    review.refresh_from_db()
    assert review.date == dt.date(2026, 12, 3) and review.summary == "Our words for summary."
    assert review.agenda_items() == ["Welcome", "The numbers"]


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"period_end": "2026-08-01"}, "period_end", "on or after"),
    ({"date": "31/12/2026"}, "date", "valid date"),
    ({"date": "2200-01-01"}, "date", "between"),
    ({"summary": "x" * (NOTE + 1)}, "summary", "at most"),
    ({"asks_text": "a\x00b"}, "asks_text", "Null characters"),
    ({"engagement": "99999999"}, "engagement", "valid choice"),
])
def test_bad_input_to_the_draft_is_named_and_nothing_is_saved(as_carol, review, fields, field, words):
    data = {"date": "2026-12-01", "period_start": "2026-09-01", "period_end": "2026-12-01", "summary": "New",
            **fields}
    response = as_carol.post(reverse("review_edit", args=[review.pk]), data)
    assert words in _errors(response, field)
    review.refresh_from_db()
    assert review.summary != "New" and review.date == dt.date(2026, 12, 1)


def test_gathering_again_replaces_the_text_after_saying_so(as_carol, as_dave, review):
    review.summary = "My own words"
    review.save()
    url = reverse("review_refresh", args=[review.pk])
    assert as_dave.post(url).status_code == 403
    assert as_carol.get(url).status_code == 405
    response = as_carol.post(url)
    assert response.status_code == 302 and "draft text replaced" in _said(response)
    review.refresh_from_db()
    assert review.summary.startswith("Quarterly business review of Acme Manufacturing")


def test_building_the_deck_keeps_both_documents_as_versions_and_links_them(as_carol, as_rita, as_dave, review):
    url = reverse("review_export", args=[review.pk])
    assert as_dave.post(url).status_code == 403 and as_rita.post(url).status_code == 403
    first = as_carol.post(url)
    assert first.status_code == 302 and "were built" in _said(first)
    assert as_carol.post(url).status_code == 302
    review.refresh_from_db()
    assert review.deck.current_version.number == 2 and review.handout.current_version.number == 2
    page = _page(as_rita, review.get_absolute_url())
    assert reverse("document_download", args=[review.deck.pk]) in page
    assert reverse("document_download", args=[review.handout.pk]) in page
    assert "version 2" in page and "Slide deck (PPTX)" in page
    download = as_rita.get(reverse("document_download", args=[review.handout.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_building_without_an_engagement_says_why_instead_of_failing(as_carol, program, carol):
    review = _draft(program, carol, dt.date(2027, 1, 5))
    assert review.engagement is None
    response = as_carol.post(reverse("review_export", args=[review.pk]), follow=True)
    assert response.status_code == 200
    assert "The deck was not built. Engagement: Choose the engagement" in response.content.decode()
    review.refresh_from_db()
    assert review.deck is None and review.exported_at is None


def test_recording_the_meeting_keeps_minutes_and_decisions_and_moves_the_next_date(
    as_carol, as_dave, as_rita, review
):
    url = reverse("review_meeting", args=[review.pk])
    assert 'value="2026-12-01"' in _page(as_carol, url)
    data = {"held_on": "2026-12-02", "minutes": "Maria liked the savings.\nThey want the API.",
            "decisions": "Pilot the API in Q1\n\n  Add the night shift  \n"}
    assert as_dave.get(url).status_code == 403 and as_dave.post(url, data).status_code == 403
    assert as_carol.post(url, data).status_code == 302
    review.refresh_from_db()
    assert review.status == Status.HELD and review.held_on == dt.date(2026, 12, 2)
    assert [d.text for d in review.decisions.all()] == ["Pilot the API in Q1", "Add the night shift"]
    assert Program.objects.get().next_date == dt.date(2027, 3, 2)
    page = _page(as_rita, review.get_absolute_url())
    assert "Maria liked the savings.<br>They want the API." in page and "Add the night shift" in page
    assert "Held</span> on 02 Dec 2026" in page and "What was presented" in page
    # Held: the draft no longer changes, the minutes may be corrected.
    edit = as_carol.get(reverse("review_edit", args=[review.pk]))
    assert edit.status_code == 302 and "cannot change any more" in _said(edit)
    assert "Correct the minutes" in _page(as_carol, url)
    mine = _page(as_carol, review.get_absolute_url())
    assert "Edit the draft" not in mine and "Gather again" not in mine and "Correct the minutes" in mine


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"held_on": "2026-12-02", "minutes": ""}, "minutes", "required"),
    ({"held_on": "2026-12-02", "minutes": "   "}, "minutes", "required"),
    ({"held_on": "", "minutes": "Said"}, "held_on", "required"),
    ({"held_on": "1969-12-31", "minutes": "Said"}, "held_on", "between"),
    ({"held_on": "2026-12-02", "minutes": "x" * (NOTE + 1)}, "minutes", "at most"),
    ({"held_on": "2026-12-02", "minutes": "Said", "decisions": "ok\n" + "x" * 301}, "decisions", "Decision 2"),
    ({"held_on": "2026-12-02", "minutes": "Said", "decisions": "\n".join(["d"] * 51)}, "decisions", "at most 50"),
])
def test_bad_minutes_are_named_and_nothing_is_recorded(as_carol, review, data, field, words):
    response = as_carol.post(reverse("review_meeting", args=[review.pk]), data)
    assert words in _errors(response, field)
    review.refresh_from_db()
    assert review.status == Status.DRAFT and not review.decisions.exists()


def test_follow_up_tasks_land_in_their_assignees_work_and_on_the_review(
    as_carol, as_dave, as_rita, review, dave, rita
):
    url = reverse("review_follow_up", args=[review.pk])
    assert 'selected>Carol Owner' in _page(as_carol, url)
    data = {"title": "Send the API guide", "assignee": dave.pk, "due_date": "2026-12-20", "description": ""}
    assert as_dave.post(url, data).status_code == 403 and as_rita.get(url).status_code == 403
    assert "valid choice" in _errors(as_carol.post(url, {**data, "assignee": rita.pk}), "assignee")
    assert "at most 200" in _errors(as_carol.post(url, {**data, "title": "x" * 201}), "title")
    assert "between" in _errors(as_carol.post(url, {**data, "due_date": "3000-01-01"}), "due_date")
    assert not Task.objects.exists()
    assert as_carol.post(url, data).status_code == 302
    task = Task.objects.get()
    assert (task.assignee, task.due_date, task.account) == (dave, dt.date(2026, 12, 20), review.program.account)
    assert "Follow-up of the QBR of Acme Manufacturing" in task.description
    page = _page(as_rita, review.get_absolute_url())
    assert "Send the API guide" in page and "Dave Outsider" in page and "20 Dec 2026" in page and "Open" in page
    assert "Send the API guide" in _page(as_dave, reverse("my_work"))


def test_a_cancelled_review_sends_its_forms_back_and_shows_no_button_but_delete(as_carol, as_dave, review):
    url = reverse("review_cancel", args=[review.pk])
    assert as_dave.post(url).status_code == 403
    assert as_carol.post(url).status_code == 302
    assert Review.objects.get().status == Status.CANCELLED
    for name in ("review_edit", "review_meeting", "review_follow_up"):
        response = as_carol.get(reverse(name, args=[review.pk]))
        assert response.status_code == 302 and "cancelled" in _said(response)
    again = as_carol.post(url)
    assert again.status_code == 302 and "cannot change any more" in _said(again)
    refused = as_carol.post(reverse("review_meeting", args=[review.pk]), {"held_on": "2026-12-02", "minutes": "x"})
    assert refused.status_code == 400 and "cancelled" in str(refused.context["form"].non_field_errors())
    page = _page(as_carol, review.get_absolute_url())
    assert [b for b in WRITE_BUTTONS if b in page] == [">Delete<"]


def test_deleting_a_review_is_for_who_may_change_the_account(as_carol, as_dave, review):
    url = reverse("review_delete", args=[review.pk])
    assert as_dave.post(url).status_code == 403
    response = as_carol.post(url)
    assert response.status_code == 302 and response["Location"] == review.program.get_absolute_url()
    assert not Review.objects.exists()


def test_unknown_reviews_and_programmes_are_not_found(as_carol):
    for name in ("review", "review_edit", "review_meeting", "review_program", "review_prepare"):
        assert as_carol.get(reverse(name, args=[987654])).status_code == 404


# The account page, "my work" and the CSM's home.


def test_the_account_page_shows_its_programmes_with_the_overdue_in_red(as_carol, as_rita, acme, carol):
    today = timezone.localdate()
    late = _program(acme, carol, next_date=today - dt.timedelta(days=3))
    held = _draft(late, carol, today - dt.timedelta(days=100))
    actions.record_meeting(held, actions.Meeting(today - dt.timedelta(days=99), "Said"), by=carol)
    late.refresh_from_db()
    late.next_date = today - dt.timedelta(days=3)
    late.save()
    page = _page(as_carol, acme.get_absolute_url())
    assert "Business reviews" in page and "Quarterly business review" in page
    assert f'<span class="overdue">{late.next_date:%d %b %Y}, overdue</span>' in page
    assert f"last held {today - dt.timedelta(days=99):%d %b %Y}" in page
    assert "Set up reviews" in page and "Prepare review" in page
    read_only = _page(as_rita, acme.get_absolute_url())
    assert "Quarterly business review" in read_only
    assert "Set up reviews" not in read_only and "Prepare review" not in read_only
    _program(acme, carol, kind=Kind.EBR)
    assert "Set up reviews" not in _page(as_carol, acme.get_absolute_url())  # both kinds set up


def test_my_work_and_home_show_reviews_due_soon_and_minutes_to_record(as_carol, as_dave, acme, carol, dave):
    today = timezone.localdate()
    soon = _program(acme, carol, next_date=today + dt.timedelta(days=20))
    later = Account.objects.create(name="Later Ltd", owner=carol)
    _program(later, carol, next_date=today + dt.timedelta(days=45))
    past = Account.objects.create(name="Past Partners", owner=carol)
    waiting = _draft(_program(past, carol, format=Format.HYBRID), carol, today - dt.timedelta(days=2))
    work = _page(as_carol, reverse("my_work"))
    assert "QBR of Acme Manufacturing" in work and "to prepare" in work and "Later Ltd" not in work
    assert "Record the minutes: QBR of Past Partners" in work
    assert f'href="{waiting.get_absolute_url()}"' in work
    home = _page(as_carol, reverse("home"), view="mine")
    assert "Business reviews" in home and "QBR of Acme Manufacturing" in home and "Later Ltd" not in home
    assert "Record the minutes: QBR of Past Partners" in home
    _draft(soon, carol, today + dt.timedelta(days=20))
    assert "draft prepared" in _page(as_carol, reverse("my_work"))
    assert "Acme Manufacturing" not in _page(as_dave, reverse("my_work"))
    assert "No business review of yours" in _page(as_dave, reverse("home"), view="mine")
    # Someone else's work links to the review itself rather than to a form.
    theirs = _page(as_dave, reverse("my_work"), user=str(carol.pk))
    assert reverse("review_meeting", args=[waiting.pk]) not in theirs and waiting.get_absolute_url() in theirs


def _book(owner: Any, count: int) -> None:
    today = timezone.localdate()
    for i in range(count):
        account = Account.objects.create(name=f"Customer {Account.objects.count()}-{i}", owner=owner)
        program = _program(account, owner, next_date=today + dt.timedelta(days=i % 20))
        if i % 2 == 0:  # half wait for their minutes: listed once, as minutes to record
            _draft(program, owner, today - dt.timedelta(days=1 + i % 5))
        actions.record_meeting(
            _draft(program, owner, today - dt.timedelta(days=60)),
            actions.Meeting(today - dt.timedelta(days=60), "Said"), by=owner,
        )


def test_the_pages_and_the_providers_read_in_constant_queries(as_carol, carol, acme):
    from cairn import pages
    from cairn.reviews import queries

    _book(carol, 2)
    program = _program(acme, carol, next_date=timezone.localdate())
    urls = [reverse("reviews"), reverse("my_work"), reverse("home") + "?view=mine", acme.get_absolute_url(),
            program.get_absolute_url()]
    few = [_count(as_carol, url) for url in urls]
    _book(carol, 12)
    _draft(program, carol, timezone.localdate() - dt.timedelta(days=1))
    many = [_count(as_carol, url) for url in urls]
    # The account page runs one more query once it has a timeline entry to show.
    assert many[:3] == few[:3] and many[3] - few[3] <= 1 and many[4] == few[4]
    request = type("Request", (), {"user": carol})()
    for page, expected in (("my_work", 2), ("home", 2)):
        with CaptureQueriesContext(connection) as ctx:
            found = queries.my_work(request, carol) if page == "my_work" else queries.home(request, carol)
        assert len(ctx.captured_queries) == expected
        assert len(found["reviews_due"]) == 7 and len(found["reviews_to_record"]) == 8
    with CaptureQueriesContext(connection) as ctx:
        found = queries.account_page(request, acme)
    assert len(ctx.captured_queries) == 1 and found["account_review_programs"][0].draft_pk
    assert pages.context_for("home", request, carol)["home_sections"] == ["reviews/_home.html"]
