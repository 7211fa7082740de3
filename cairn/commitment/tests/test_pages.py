"""The phase 2 pages through the HTTP client, for each persona."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2
import pytest
import weasyprint
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cairn.commitment import actions, charts
from cairn.commitment.models import FirstMeeting, RaciAssignment, Stakeholder
from cairn.engagements.tools import tools_for
from cairn.timeline.models import Entry, Task

pytestmark = pytest.mark.django_db


def url(name: str, engagement, *args) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[engagement.pk, *args])


def test_the_three_tools_are_offered_in_the_commitment_phase(engagement, as_carol):
    assert [t.label for t in tools_for("commitment")][:3] == ["Stakeholders", "RACI", "First meeting"]
    page = as_carol.get(engagement.get_absolute_url()).content.decode()
    assert url("commitment_stakeholders", engagement) in page


def test_everyone_reads_the_pages_but_only_the_team_sees_the_controls(
    engagement, stakeholder, contacts, as_rita, as_carol
):
    stakeholder(contacts[0], power=8, interest=9)
    for name in ("commitment_stakeholders", "commitment_raci", "commitment_meeting"):
        assert as_rita.get(url(name, engagement)).status_code == 200
    read = as_rita.get(url("commitment_stakeholders", engagement)).content.decode()
    assert "Olga Berg" in read and "Add a stakeholder" not in read and "Log a contact" not in read
    assert "Log a contact" in as_carol.get(url("commitment_stakeholders", engagement)).content.decode()


def test_adding_a_stakeholder_draws_them_in_their_quadrant(engagement, contacts, as_carol):
    response = as_carol.post(
        url("commitment_stakeholder_create", engagement),
        {"contact": contacts[0].pk, "power": 9, "interest": 3, "attitude": "sceptic", "cadence": "monthly"},
    )
    assert response.status_code == 302
    s = Stakeholder.objects.get()
    assert s.quadrant.label == "Keep satisfied"
    page = as_carol.get(url("commitment_stakeholders", engagement)).content.decode()
    assert f'id="dot-{s.pk}"' in page and "power 9, interest 3, sceptic (keep satisfied)" in page
    assert Entry.objects.filter(kind="planning", title__startswith="Stakeholder added").exists()


def test_a_bad_stakeholder_form_names_the_field_and_saves_nothing(engagement, contacts, as_carol):
    response = as_carol.post(
        url("commitment_stakeholder_create", engagement),
        {"contact": contacts[0].pk, "power": 11, "interest": 3, "attitude": "neutral", "cadence": "days"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "power" in form.errors
    response = as_carol.post(
        url("commitment_stakeholder_create", engagement),
        {"power": 5, "interest": 5, "attitude": "neutral", "cadence": "monthly"},
    )
    assert "contact" in response.context["form"].errors
    assert not Stakeholder.objects.exists()


def test_placing_with_htmx_redraws_the_matrix(engagement, stakeholder, contacts, as_carol):
    s = stakeholder(contacts[0], power=2, interest=2)
    response = as_carol.post(
        url("commitment_stakeholder_place", engagement, s.pk),
        {"power": 7, "interest": 8, "attitude": "champion"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="board">')
    assert "power 7, interest 8, champion (manage closely)" in body
    s.refresh_from_db()
    assert (s.power, s.interest, s.attitude) == (7, 8, "champion")


def test_placing_out_of_scale_shows_the_error_on_the_row(engagement, stakeholder, contacts, as_carol):
    s = stakeholder(contacts[0], power=2, interest=2)
    body = as_carol.post(
        url("commitment_stakeholder_place", engagement, s.pk),
        {"power": 0, "interest": 8, "attitude": "champion"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Power" in body and 'role="alert"' in body
    s.refresh_from_db()
    assert s.power == 2


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_cannot_write(engagement, stakeholder, contacts, persona, request, carol):
    client = request.getfixturevalue(persona)
    s = stakeholder(contacts[0], power=2, interest=2)
    activity = actions.add_raci_activity(engagement, "Kick-off", by=carol)
    today = timezone.localdate().isoformat()
    posts = [
        (url("commitment_stakeholder_create", engagement), {"contact": contacts[1].pk}),
        (
            url("commitment_stakeholder_place", engagement, s.pk),
            {"power": 9, "interest": 9, "attitude": "champion"},
        ),
        (url("commitment_stakeholder_contact", engagement, s.pk), {"on": today, "kind": "call"}),
        (url("commitment_stakeholder_delete", engagement, s.pk), {}),
        (url("commitment_raci_add", engagement), {"name": "Another"}),
        (url("commitment_raci_cell", engagement, activity.pk), {"party": f"s{s.pk}", "role": "A"}),
        (url("commitment_raci_seed", engagement), {}),
        (url("commitment_meeting_plan", engagement), {"format": "video", "length_minutes": 30}),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 403, target
    s.refresh_from_db()
    assert s.power == 2 and not RaciAssignment.objects.exists() and not FirstMeeting.objects.exists()


def test_logging_a_contact_from_the_plan(engagement, stakeholder, contacts, as_carol, carol):
    s = stakeholder(contacts[0], owner=carol, cadence="weekly")
    today = timezone.localdate()
    as_carol.post(
        url("commitment_stakeholder_contact", engagement, s.pk),
        {"on": today.isoformat(), "kind": "meeting", "note": "Coffee at the plant"},
    )
    s.refresh_from_db()
    assert s.next_contact == today + dt.timedelta(days=7)
    assert Entry.objects.get(kind="meeting").body == "Coffee at the plant"


def test_a_raci_cell_is_one_htmx_request_returning_the_row_and_its_warnings(
    engagement, stakeholder, contacts, as_carol, carol
):
    s = stakeholder(contacts[0])
    activity = actions.add_raci_activity(engagement, "Approve the rollout plan", by=carol)
    response = as_carol.post(
        url("commitment_raci_cell", engagement, activity.pk),
        {"party": f"s{s.pk}", "role": "A"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="raci-{activity.pk}"')
    assert "No one is responsible." in body and "No one is accountable." not in body
    assert 'id="raci-summary" hx-swap-oob="true"' in body
    as_carol.post(
        url("commitment_raci_cell", engagement, activity.pk),
        {"party": f"u{carol.pk}", "role": "R"},
        HTTP_HX_REQUEST="true",
    )
    page = as_carol.get(url("commitment_raci", engagement)).content.decode()
    assert "Every activity has one Accountable and someone Responsible." in page


def test_a_raci_cell_for_a_stranger_is_refused_on_the_row(engagement, dave, as_carol, carol):
    activity = actions.add_raci_activity(engagement, "Approve", by=carol)
    body = as_carol.post(
        url("commitment_raci_cell", engagement, activity.pk),
        {"party": f"u{dave.pk}", "role": "R"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "is not in this RACI" in body
    assert not RaciAssignment.objects.exists()


def test_the_first_meeting_from_plan_to_next_steps(engagement, contacts, as_carol, carol):
    plan = {
        "format": "in_person",
        "place": "Acme HQ, Eindhoven",
        "length_minutes": 60,
        "desired_outcomes": "Agree scope and cadence",
        "agenda": "Introductions (10 min)\nOur offer of help (20 min)\nQuestions",
        "contacts": [contacts[0].pk, contacts[1].pk],
        "users": [carol.pk],
    }
    assert as_carol.post(url("commitment_meeting_plan", engagement), plan).status_code == 302
    meeting = FirstMeeting.objects.get()
    assert meeting.agenda[1] == {"title": "Our offer of help", "minutes": 20}
    assert meeting.agenda[2] == {"title": "Questions", "minutes": None}
    step = {"title": "Send the proposal", "assignee": carol.pk, "due_date": "2030-01-10"}
    response = as_carol.post(url("commitment_meeting_next_step", engagement), step)
    assert response.status_code == 400 and "record it as held first" in response.content.decode()
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    as_carol.post(
        url("commitment_meeting_held", engagement), {"held_at": held, "minutes": "**Scope** agreed."}
    )
    assert as_carol.post(url("commitment_meeting_next_step", engagement), step).status_code == 302
    task = Task.objects.get()
    assert task.title == "Send the proposal" and task.engagement == engagement
    page = as_carol.get(url("commitment_meeting", engagement)).content.decode()
    assert "<strong>Scope</strong> agreed." in page and "Send the proposal" in page
    assert "The agenda takes 30 of 60 minutes" in page


def test_a_plan_without_desired_outcomes_names_the_field(engagement, as_carol):
    response = as_carol.post(
        url("commitment_meeting_plan", engagement), {"format": "video", "length_minutes": 45}
    )
    assert response.status_code == 400
    assert "desired_outcomes" in response.context["form"].errors
    assert not FirstMeeting.objects.exists()


def _count(client, target) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(target).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_run_a_constant_number_of_queries(
    engagement, acme, carol, as_carol, django_assert_num_queries
):
    from cairn.customers.models import Contact

    def fill(start: int, count: int) -> None:
        for i in range(start, start + count):
            contact = Contact.objects.create(account=acme, first_name="Person", last_name=str(i))
            s = actions.save_stakeholder(
                Stakeholder(engagement=engagement),
                {"contact": contact, "power": 1 + i % 10, "interest": 1 + (i * 3) % 10, "owner": carol},
                by=carol,
            )
            activity = actions.add_raci_activity(engagement, f"Activity {i}", by=carol)
            actions.set_raci_cell(activity, actions.PartyRef(stakeholder=s), "A", by=carol)
            actions.set_raci_cell(activity, actions.PartyRef(user=carol), "R", by=carol)

    meeting = actions.plan_meeting(
        engagement,
        actions.MeetingPlan(
            scheduled_at=None,
            place="",
            format="video",
            length_minutes=30,
            desired_outcomes="x",
            agenda=[],
            contacts=[],
            users=[carol],
            documents=[],
        ),
        by=carol,
    )
    actions.hold_meeting(meeting, by=carol, held_at=timezone.now(), minutes="ok")
    pages = [url(n, engagement) for n in ("commitment_stakeholders", "commitment_raci", "commitment_meeting")]
    fill(0, 2)
    actions.add_next_step(meeting, by=carol, title="One", assignee=carol, due_date=None)
    small = [_count(as_carol, p) for p in pages]
    fill(2, 12)
    for n in range(5):
        actions.add_next_step(meeting, by=carol, title=f"Step {n}", assignee=carol, due_date=None)
    meeting.contacts.set(Contact.objects.filter(account=acme))
    for page, expected in zip(pages, small, strict=True):
        with django_assert_num_queries(expected):
            as_carol.get(page)


def test_the_matrix_svg_is_not_blank_when_rendered(engagement, stakeholder, contacts):
    stakeholder(contacts[0], power=9, interest=9, attitude="champion")
    stakeholder(contacts[1], power=3, interest=8, attitude="opponent")
    stakeholder(None, category="Shift supervisors", headcount=40, power=2, interest=3)
    svg = render_to_string(
        "commitment/_matrix.svg.html", {"chart": charts.matrix(list(Stakeholder.objects.all()))}
    )
    pdf = weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    page = pypdfium2.PdfDocument(io.BytesIO(pdf))[0]
    image = page.render(scale=1).to_pil().convert("L")
    histogram = image.histogram()
    coloured = sum(histogram[:245])
    assert coloured / sum(histogram) > 0.05
