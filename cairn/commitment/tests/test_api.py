"""/api/v1/commitment: the same rules, permissions and validation as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.commitment import actions
from cairn.commitment.models import Attitude, Cadence, FirstMeeting, MeetingFormat, RaciRole, Stakeholder
from cairn.commitment.schemas import AttitudeValue, CadenceValue, FormatValue, RoleValue
from cairn.timeline.models import Task

pytestmark = pytest.mark.django_db

API = "/api/v1/commitment"


def test_the_api_literals_match_the_model_choices():
    assert set(AttitudeValue.__args__) == set(Attitude.values)  # type: ignore[attr-defined]
    assert set(CadenceValue.__args__) == set(Cadence.values)  # type: ignore[attr-defined]
    assert set(RoleValue.__args__) == set(RaciRole.values)  # type: ignore[attr-defined]
    assert set(FormatValue.__args__) == set(MeetingFormat.values)  # type: ignore[attr-defined]


def test_stakeholders_are_added_placed_and_listed_with_their_quadrant(engagement, contacts, as_carol, carol):
    created = as_carol.post(
        f"{API}/engagements/{engagement.pk}/stakeholders",
        {
            "contact": contacts[0].pk,
            "power": 6,
            "interest": 5,
            "attitude": "supporter",
            "owner": carol.pk,
            "cadence": "days",
            "cadence_days": 10,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["quadrant"] == "keep_satisfied" and body["name"] == "Olga Berg"
    moved = as_carol.patch(
        f"{API}/stakeholders/{body['id']}", {"interest": 6}, content_type="application/json"
    )
    assert moved.json()["quadrant"] == "manage_closely"
    group = as_carol.post(
        f"{API}/engagements/{engagement.pk}/stakeholders",
        {"category": "Shift supervisors", "headcount": 40, "power": 2, "interest": 8},
        content_type="application/json",
    )
    assert group.json()["name"] == "Shift supervisors (40)"
    listing = as_carol.get(f"{API}/engagements/{engagement.pk}/stakeholders").json()
    assert listing["count"] == 2
    plan = as_carol.get(f"{API}/engagements/{engagement.pk}/plan").json()
    assert plan[0]["cadence"] == "Every 10 days" and plan[0]["owner"] == str(carol)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"power": 11}, "power"),
        ({"interest": 0}, "interest"),
        ({"attitude": "hostile"}, "attitude"),
        ({"cadence": "days"}, "cadence_days"),
        ({"contact": 999999}, "contact"),
        ({}, "contact"),
    ],
)
def test_bad_stakeholder_input_names_the_field_and_saves_nothing(
    engagement, contacts, as_carol, payload, field
):
    data = {"contact": contacts[0].pk, **payload} if payload != {} else {"power": 5}
    response = as_carol.post(
        f"{API}/engagements/{engagement.pk}/stakeholders", data, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Stakeholder.objects.exists()


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_get_403_on_writes_and_read_freely(
    engagement, stakeholder, contacts, persona, request, carol
):
    client = request.getfixturevalue(persona)
    s = stakeholder(contacts[0])
    activity = actions.add_raci_activity(engagement, "Kick-off", by=carol)
    writes = [
        ("post", f"{API}/engagements/{engagement.pk}/stakeholders", {"contact": contacts[1].pk}),
        ("patch", f"{API}/stakeholders/{s.pk}", {"power": 9}),
        ("delete", f"{API}/stakeholders/{s.pk}", None),
        ("post", f"{API}/stakeholders/{s.pk}/contacts", {"on": timezone.localdate().isoformat()}),
        ("post", f"{API}/engagements/{engagement.pk}/raci/activities", {"name": "X"}),
        ("put", f"{API}/raci/activities/{activity.pk}/cell", {"stakeholder": s.pk, "role": "A"}),
        ("post", f"{API}/engagements/{engagement.pk}/raci/seed", None),
        ("put", f"{API}/engagements/{engagement.pk}/first-meeting", {"desired_outcomes": "x"}),
    ]
    for method, target, data in writes:
        response = getattr(client, method)(target, data, content_type="application/json")
        assert response.status_code == 403, target
    assert client.get(f"{API}/engagements/{engagement.pk}/raci").status_code == 200
    s.refresh_from_db()
    assert s.power == 5 and not FirstMeeting.objects.exists()


def test_the_raci_answers_rows_with_warnings_and_cells(engagement, stakeholder, contacts, as_carol, carol):
    s = stakeholder(contacts[0])
    made = as_carol.post(
        f"{API}/engagements/{engagement.pk}/raci/activities",
        {"name": "Approve the plan"},
        content_type="application/json",
    ).json()
    row = as_carol.put(
        f"{API}/raci/activities/{made['id']}/cell",
        {"stakeholder": s.pk, "role": "A"},
        content_type="application/json",
    ).json()
    assert row["accountable"] == ["Olga Berg"] and row["warnings"] == ["No one is responsible."]
    row = as_carol.put(
        f"{API}/raci/activities/{made['id']}/cell",
        {"user": carol.pk, "role": "A"},
        content_type="application/json",
    ).json()
    assert row["warnings"] == [f"More than one accountable: {carol}, Olga Berg.", "No one is responsible."]
    raci = as_carol.get(f"{API}/engagements/{engagement.pk}/raci").json()
    assert [p["key"] for p in raci["parties"]] == [f"s{s.pk}", f"u{carol.pk}"]
    assert raci["rows"][0]["cells"] == {f"s{s.pk}": "A", f"u{carol.pk}": "A"}
    cleared = as_carol.put(
        f"{API}/raci/activities/{made['id']}/cell",
        {"user": carol.pk, "role": None},
        content_type="application/json",
    ).json()
    assert cleared["accountable"] == ["Olga Berg"]


def test_a_cell_needs_exactly_one_party_and_a_known_letter(
    engagement, stakeholder, contacts, as_carol, carol
):
    s = stakeholder(contacts[0])
    activity = actions.add_raci_activity(engagement, "Kick-off", by=carol)
    target = f"{API}/raci/activities/{activity.pk}/cell"
    both = as_carol.put(
        target, {"stakeholder": s.pk, "user": carol.pk, "role": "A"}, content_type="application/json"
    )
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "stakeholder"
    letter = as_carol.put(target, {"stakeholder": s.pk, "role": "X"}, content_type="application/json")
    assert letter.status_code == 400 and letter.json()["errors"][0]["field"] == "role"
    duplicate = as_carol.post(
        f"{API}/engagements/{engagement.pk}/raci/activities",
        {"name": "KICK-OFF"},
        content_type="application/json",
    )
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["field"] == "name"


def test_the_first_meeting_through_the_api(engagement, contacts, as_carol, carol):
    base = f"{API}/engagements/{engagement.pk}/first-meeting"
    assert as_carol.get(base).status_code == 404
    plan = {
        "format": "video",
        "length_minutes": 45,
        "desired_outcomes": "Agree scope",
        "agenda": [{"title": "Introductions", "minutes": 10}, {"title": "Scope", "minutes": 30}],
        "contacts": [contacts[0].pk],
        "users": [carol.pk],
    }
    response = as_carol.put(base, plan, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["agenda_minutes"] == 40
    bad = as_carol.put(base, {**plan, "length_minutes": 2}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "length_minutes"
    early = as_carol.post(
        f"{base}/next-steps",
        {"title": "Send the proposal", "assignee": carol.pk},
        content_type="application/json",
    )
    assert early.status_code == 400 and not Task.objects.exists()
    held = as_carol.post(
        f"{base}/held",
        {"held_at": timezone.now().isoformat(), "minutes": "Scope agreed."},
        content_type="application/json",
    )
    assert held.json()["minutes"] == "Scope agreed."
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    step = as_carol.post(
        f"{base}/next-steps",
        {"title": "Send the proposal", "assignee": carol.pk, "due_date": due},
        content_type="application/json",
    )
    assert step.status_code == 201 and step.json()["due_date"] == due
    assert as_carol.get(base).json()["next_steps"][0]["title"] == "Send the proposal"


def test_attendees_from_another_account_are_refused(engagement, as_carol, carol):
    from cairn.customers.models import Account, Contact

    stranger = Contact.objects.create(
        account=Account.objects.create(name="Other", owner=carol), first_name="Ann"
    )
    response = as_carol.put(
        f"{API}/engagements/{engagement.pk}/first-meeting",
        {"desired_outcomes": "x", "contacts": [stranger.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "contacts"
    assert not FirstMeeting.objects.exists()


def test_overdue_contacts_appear_in_my_work_in_constant_queries(
    engagement, acme, contacts, carol, as_carol, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cairn.customers.models import Contact

    yesterday = timezone.localdate() - dt.timedelta(days=1)

    def add(contact: Contact) -> Stakeholder:
        return actions.save_stakeholder(
            Stakeholder(engagement=engagement),
            {"contact": contact, "owner": carol, "next_contact": yesterday},
            by=carol,
        )

    olga = add(contacts[0])
    with CaptureQueriesContext(connection) as ctx:
        page = as_carol.get(reverse("my_work")).content.decode()
    assert f'id="contact-{olga.pk}"' in page and "Get in touch with Olga Berg" in page
    for i in range(10):
        add(Contact.objects.create(account=acme, first_name="P", last_name=str(i)))
    with django_assert_num_queries(len(ctx.captured_queries)):
        as_carol.get(reverse("my_work"))
