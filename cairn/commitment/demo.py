"""Demo content for the phase 2 tools; called by cairn.operations.demo_data.load.

Halvorsen Maritime is long past commitment: its stakeholders are managed to a plan (one
contact overdue for Priya), its RACI is complete and its first meeting was held months ago.
Kestrel Freight is in commitment now: the first meeting was held last week, the RACI is
half done and shows its warnings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cairn.commitment import actions
from cairn.commitment.models import Stakeholder
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.timeline.actions import complete_task

# contact's "First Last" or category name, then fields of the stakeholder
Spec = tuple[str, dict[str, Any]]


def _at(today: dt.date, days: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour)))


def _stakeholders(
    engagement: Engagement, specs: list[Spec], users: dict[str, User], today: dt.date
) -> dict[str, Stakeholder]:
    contacts = {c.full_name: c for c in Contact.objects.filter(account=engagement.account)}
    made = {}
    for name, fields in specs:
        changes = dict(fields)
        if "owner" in changes:
            changes["owner"] = users[changes["owner"]]
        if "next_in" in changes:
            changes["next_contact"] = today + dt.timedelta(days=changes.pop("next_in"))
        if name in contacts:
            changes["contact"] = contacts[name]
        else:
            changes["category"] = name
        made[name] = actions.save_stakeholder(
            Stakeholder(engagement=engagement), changes, by=engagement.owner
        )
    return made


def _raci(
    engagement: Engagement,
    rows: list[tuple[str, dict[str, str]]],
    people: dict[str, Stakeholder],
    users: dict[str, User],
) -> None:
    for name, letters in rows:
        activity = actions.add_raci_activity(engagement, name, by=engagement.owner)
        for who, role in letters.items():
            party = (
                actions.PartyRef(stakeholder=people[who]) if who in people
                else actions.PartyRef(user=users[who])
            )
            actions.set_raci_cell(activity, party, role, by=engagement.owner)


def _halvorsen(engagement: Engagement, users: dict[str, User], today: dt.date) -> None:
    priya, lena = users["priya"], users["lena"]
    people = _stakeholders(engagement, [
        ("Ingrid Halvorsen", {
            "role": "Executive sponsor", "power": 10, "interest": 7, "attitude": "champion",
            "strategy": "Quarterly value review with fuel savings in euros; she reports them to "
            "the board.", "owner": "priya", "cadence": "quarterly", "next_in": 40,
        }),
        ("Mats Eriksen", {
            "role": "Owns the fleet fuel target", "power": 8, "interest": 9, "attitude": "supporter",
            "strategy": "Fortnightly call on the weekly fuel reviews; bring the laggard vessels.",
            "owner": "priya", "cadence": "fortnightly", "next_in": -3,
        }),
        ("Sofie Dahl", {
            "role": "Runs the data platform the dashboards depend on", "power": 7, "interest": 4,
            "attitude": "sceptic", "strategy": "Keep satisfied: early notice of any integration "
            "change, and no surprises on her team's workload.", "owner": "lena",
            "cadence": "monthly", "next_in": 12,
        }),
        ("Anders Moe", {
            "role": "Runs the weekly fuel reviews", "power": 4, "interest": 9, "attitude": "champion",
            "owner": "lena", "cadence": "weekly", "next_in": 2,
        }),
        ("Kari Lunde", {
            "role": "Data feeds from the vessels", "power": 3, "interest": 3, "attitude": "neutral",
            "owner": "lena", "cadence": "quarterly", "next_in": 60,
        }),
        ("Vessel masters", {
            "headcount": 40, "role": "Act on the fuel dashboards on board", "power": 3,
            "interest": 7, "attitude": "opponent",
            "strategy": "Monthly two-minute video with a master who saved fuel; listen to their "
            "complaints about extra reporting.", "owner": "lena", "cadence": "monthly",
            "next_in": 20,
        }),
    ], users, today)
    actions.log_contact(
        people["Mats Eriksen"], by=priya, on=today - dt.timedelta(days=17), kind="call",
        note="Three vessels still skip the weekly review; Mats will raise it with their masters.",
    )
    people["Mats Eriksen"].refresh_from_db()
    _raci(engagement, [
        ("Approve the fuel reduction target", {"Ingrid Halvorsen": "A", "Mats Eriksen": "R",
                                               "priya": "C", "Sofie Dahl": "I"}),
        ("Connect the vessel data feeds", {"Sofie Dahl": "A", "Kari Lunde": "R", "lena": "C",
                                           "Mats Eriksen": "I"}),
        ("Run the weekly fuel review on every vessel", {"Mats Eriksen": "A", "Anders Moe": "R",
                                                        "Vessel masters": "R", "priya": "C"}),
        ("Report fuel savings to the board", {"Ingrid Halvorsen": "A", "Mats Eriksen": "R",
                                              "priya": "C"}),
    ], people, users)
    contacts = Contact.objects.filter(account=engagement.account)
    meeting = actions.plan_meeting(engagement, actions.MeetingPlan(
        scheduled_at=_at(today, -285), place="Halvorsen head office, Bergen, board room",
        format="in_person", length_minutes=90,
        desired_outcomes="Agree the fuel target and how it is measured; agree who owns the weekly "
        "review; agree a monthly steering call.",
        agenda=[
            {"title": "Introductions and roles", "minutes": 10},
            {"title": "What Halvorsen needs from the fuel programme", "minutes": 25},
            {"title": "Our offer of help: onboarding, adoption, value reviews", "minutes": 25},
            {"title": "Scope, cadence and how we communicate", "minutes": 20},
            {"title": "Next steps", "minutes": 10},
        ],
        contacts=[c for c in contacts if c.last_name in ("Halvorsen", "Eriksen", "Dahl")],
        users=[priya, lena], documents=[],
        collateral_notes="Printed fuel-burn baseline per vessel; a ten-minute dashboard demo.",
    ), by=priya)
    actions.hold_meeting(meeting, by=priya, held_at=_at(today, -285), minutes=(
        "## Agreed\n\n"
        "- Target: **fuel per nautical mile down 8 %** within a year, baseline 212 kg/nm.\n"
        "- Mats owns the weekly fuel review; Anders runs it.\n"
        "- Monthly steering call, first Tuesday; quarterly value review with Ingrid.\n\n"
        "## Concerns\n\n"
        "Sofie worries about load on the data platform team; we start with two vessels.\n"
    ))
    for title, who, days in [
        ("Send the engagement proposal for signature", priya, -280),
        ("Agree the data feed plan with Sofie's team", lena, -270),
    ]:
        step = actions.add_next_step(
            meeting, by=priya, title=title, assignee=who, due_date=today + dt.timedelta(days=days)
        )
        complete_task(step.task, priya)


def _kestrel(engagement: Engagement, users: dict[str, User], today: dt.date) -> None:
    tomas = users["tomas"]
    people = _stakeholders(engagement, [
        ("Liam O'Connor", {
            "role": "Sponsor; signs the proposal", "power": 10, "interest": 6,
            "attitude": "supporter", "owner": "tomas", "cadence": "monthly", "next_in": 18,
        }),
        ("Aiko Sato", {
            "role": "Leads the planners; wants the morning plan by 07:00", "power": 7,
            "interest": 10, "attitude": "champion", "owner": "tomas", "cadence": "weekly",
            "next_in": 4,
        }),
        ("Ben Harris", {
            "role": "Depot operations", "power": 5, "interest": 4, "attitude": "sceptic",
            "strategy": "Show what the depots gain (fewer morning calls) before asking for time.",
            "owner": "tomas", "cadence": "fortnightly", "next_in": 9,
        }),
        ("Network planners", {
            "headcount": 12, "role": "Build the plan every morning", "power": 2, "interest": 8,
            "attitude": "neutral", "owner": "tomas", "cadence": "monthly", "next_in": 25,
        }),
    ], users, today)
    _raci(engagement, [
        ("Sign the customer engagement proposal", {"Liam O'Connor": "A", "tomas": "R",
                                                   "Aiko Sato": "C"}),
        ("Agree the live data sources", {"Aiko Sato": "R", "Ben Harris": "C"}),
        ("Retire the planners' spreadsheets", {"Aiko Sato": "A", "Liam O'Connor": "A",
                                               "Network planners": "I"}),
    ], people, users)
    contacts = Contact.objects.filter(account=engagement.account)
    meeting = actions.plan_meeting(engagement, actions.MeetingPlan(
        scheduled_at=_at(today, -7, 9), place="Video call", format="video", length_minutes=60,
        desired_outcomes="Agree what 'the plan by 07:00' means, who decides on data sources, and "
        "when the proposal is signed.",
        agenda=[
            {"title": "Introductions", "minutes": 5},
            {"title": "A morning in network planning today", "minutes": 20},
            {"title": "Our offer of help", "minutes": 20},
            {"title": "Questions and next steps", "minutes": 15},
        ],
        contacts=list(contacts), users=[tomas], documents=[],
    ), by=tomas)
    actions.hold_meeting(meeting, by=tomas, held_at=_at(today, -7, 9), minutes=(
        "Aiko walked us through the morning: four spreadsheets, two phone rounds with the "
        "depots, plan ready around 09:30.\n\n"
        "- The target is the plan **ready by 07:00** from live data.\n"
        "- Ben is worried about extra work at the depots; we will show the depot view first.\n"
        "- Liam wants the proposal before the end of the month.\n"
    ))
    for title, days in [
        ("Send the draft engagement proposal to Liam", 3),
        ("Workshop with Aiko on the live data sources", 8),
    ]:
        actions.add_next_step(
            meeting, by=tomas, title=title, assignee=tomas, due_date=today + dt.timedelta(days=days)
        )


# The stakeholder maps of the other engagements past commitment (the owner is the CSM).
MAPS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "brightwater-utilities": [
        ("Dana Whitfield", {"role": "Executive sponsor", "power": 10, "interest": 7,
                            "attitude": "supporter", "cadence": "monthly", "next_in": 12}),
        ("Elena Ruiz", {"role": "Change manager; owns training", "power": 6, "interest": 9,
                        "attitude": "champion", "cadence": "weekly", "next_in": 2}),
        ("Control room supervisors", {"headcount": 8, "role": "Run the shifts", "power": 5,
                                      "interest": 6, "attitude": "sceptic", "cadence": "fortnightly",
                                      "next_in": 6}),
    ],
    "meridian-health": [
        ("Patricia Nwosu", {"role": "Executive sponsor", "power": 10, "interest": 6,
                            "attitude": "supporter", "cadence": "monthly", "next_in": 9}),
        ("Derek Shaw", {"role": "Runs patient flow; approves the adoption plan", "power": 8,
                        "interest": 9, "attitude": "champion", "cadence": "weekly", "next_in": -2}),
        ("Ruth Adeyemi", {"role": "Leads nurse training", "power": 4, "interest": 8,
                          "attitude": "supporter", "cadence": "fortnightly", "next_in": 5}),
    ],
    "sable-ridge": [
        ("Mateo Fernández", {"role": "Sponsor; signs the proposal", "power": 10, "interest": 5,
                             "attitude": "neutral", "cadence": "monthly", "next_in": 3}),
        ("Diego Morales", {"role": "Maintenance superintendent", "power": 6, "interest": 9,
                           "attitude": "champion", "cadence": "weekly", "next_in": 1}),
    ],
    "copperleaf-foods": [
        ("Tobias Keller", {"role": "Sponsor", "power": 9, "interest": 5, "attitude": "supporter",
                           "cadence": "monthly", "next_in": 20}),
        ("Amélie Roux", {"role": "Plant manager, Lyon", "power": 7, "interest": 9,
                         "attitude": "champion", "cadence": "weekly", "next_in": 3}),
    ],
}


def load(engagements: dict[str, Engagement], users: dict[str, User], today: dt.date) -> None:
    """Fill the phase 2 tools: Halvorsen Maritime and Kestrel Freight in full, a stakeholder
    map for the other engagements that went through commitment."""
    if "halvorsen-maritime" in engagements:
        _halvorsen(engagements["halvorsen-maritime"], users, today)
    if "kestrel-freight" in engagements:
        _kestrel(engagements["kestrel-freight"], users, today)
    for key in MAPS.keys() & engagements.keys():
        owner = engagements[key].owner.username
        specs = [(name, {**fields, "owner": owner}) for name, fields in MAPS[key]]
        _stakeholders(engagements[key], specs, users, today)
