"""Demo content for the onboarding tools; called by cairn.operations.demo_data.load.

Every engagement that reached onboarding gets a plan, a welcome pack and booked time, written
through the same actions a CSM's clicks call. Those past onboarding finished their plan and
had it signed off by a customer stakeholder through a customer link; the two still in
onboarding are part-way, one with a blocked activity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from cairn.engagements.models import Engagement
from cairn.onboarding import actions, signoff, timesheets
from cairn.onboarding.models import (
    ActivityStatus,
    Milestone,
    OnboardingPlan,
    PackStatus,
    PlanActivity,
    PlanPhase,
    TimeEntry,
)
from cairn.operations.demo_clock import at, dated
from cairn.people.models import User
from cairn.sharing import actions as sharing

# Phases as (name, first day, last day, outputs, outcomes), days from the plan's start.
PHASES = [
    ("Set-up and access", 0, 20, "Tenant configured; single sign-on live; data connectors tested.",
     "Everyone in the pilot group can log in and sees their own data."),
    ("Pilot group", 14, 45, "Pilot dashboards; first weekly review held with the pilot team.",
     "The pilot team uses the solution in its weekly routine."),
    ("Hand-over to adoption", 40, 60, "Onboarding report; lessons; adoption planning kick-off booked.",
     "The customer knows what it bought, why, and how to roll it out."),
]
# Activities as (phase index, name, first day, last day, ours: True / customer: False, outputs).
ACTIVITIES = [
    (0, "Kick-off with the project sponsor", 0, 2, True, "Agreed scope and plan"),
    (0, "Configure single sign-on", 2, 10, False, "Users log in with their company account"),
    (0, "Connect the source systems", 4, 18, True, "Live data in the platform"),
    (1, "Train the pilot team", 14, 21, True, "Pilot team trained"),
    (1, "Build the pilot dashboards", 18, 35, True, "Dashboards the pilot uses weekly"),
    (1, "First weekly review with the pilot team", 30, 45, False, "Review notes"),
    (2, "Write the onboarding report", 40, 52, True, "Onboarding report"),
    (2, "Agree the adoption planning kick-off", 48, 60, False, "Kick-off date"),
]
MILESTONES = [("Everyone in the pilot can log in", 20, 0), ("Pilot in weekly use", 45, 1),
              ("Onboarding complete", 60, 2)]


@dataclass
class Story:
    key: str
    start: int  # plan start, days from today
    done_before: int  # activities ending this many days before today or earlier are done
    pack: str  # how far the welcome pack got
    sign_off: bool = False
    fee: Decimal | None = None
    blocked: str = ""


# Each plan starts shortly before its engagement entered onboarding (see demo_content).
STORIES = [
    Story("halvorsen-maritime", -214, 0, PackStatus.REVIEWED, sign_off=True, fee=Decimal("18500")),
    Story("brightwater-utilities", -140, 0, PackStatus.REVIEWED, sign_off=True, fee=Decimal("24000")),
    Story("meridian-health", -100, 0, PackStatus.REVIEWED, sign_off=True),
    Story("sable-ridge", -30, 1, PackStatus.RECEIVED, fee=Decimal("9800"),
          blocked="Connect the source systems"),
    Story("copperleaf-foods", -12, 1, PackStatus.SENT),
]


def load(engagements: dict[str, Engagement], users: dict[str, User], today: dt.date) -> None:
    """Fill this app's tools for the demo engagements (keyed by demo account key)."""
    for story in STORIES:
        engagement = engagements.get(story.key)
        if engagement is not None:
            _fill(engagement, story, today)


def _fill(engagement: Engagement, story: Story, today: dt.date) -> None:
    owner = engagement.owner
    contacts = list(engagement.account.contacts.order_by("pk"))
    start = today + dt.timedelta(days=story.start)
    # Planned the day before it starts; each milestone's report on its day.
    with dated(at(start - dt.timedelta(days=1), 15)):
        plan = actions.save_plan(OnboardingPlan(
            engagement=engagement,
            scope=f"Onboarding for “{engagement.initiative}”: set-up and access, a pilot group in weekly "
            "use, and a hand-over to adoption planning. End-user roll-out is planned in adoption.",
            start_date=start, deadline=start + dt.timedelta(days=60),
            communication="Weekly 30-minute call with the project lead; a shared action list.",
            reporting_cadence="milestones", reporting_note="A short report to the sponsor at each milestone.",
            service_fee=story.fee, fee_currency="EUR" if story.fee else "",
            fee_note="Professional services, invoiced at kick-off" if story.fee else "",
        ), by=owner)
        phases = [
            actions.save_phase(PlanPhase(
                plan=plan, name=name, start_date=start + dt.timedelta(days=first),
                end_date=start + dt.timedelta(days=last), outputs=outputs, outcomes=outcomes,
            ), by=owner)
            for name, first, last, outputs, outcomes in PHASES
        ]
        activities = []
        for index, name, first, last, ours, outputs in ACTIVITIES:
            end = start + dt.timedelta(days=last)
            begin = start + dt.timedelta(days=first)
            if end <= today - dt.timedelta(days=story.done_before):
                status, completed = ActivityStatus.DONE, min(end, today)
            elif begin <= today:
                status, completed = ActivityStatus.IN_PROGRESS, None
            else:
                status, completed = ActivityStatus.PLANNED, None
            if name == story.blocked:
                status, completed = ActivityStatus.BLOCKED, None
            activities.append(actions.save_activity(PlanActivity(
                phase=phases[index], name=name, start_date=begin, end_date=end, status=status,
                completed_on=completed, outputs=outputs,
                responsible_user=owner if ours or not contacts else None,
                responsible_contact=None if ours or not contacts else contacts[index % len(contacts)],
                note="Waiting for the customer's firewall change." if name == story.blocked else "",
            ), by=owner))
        for name, day, phase_index in MILESTONES:
            due = start + dt.timedelta(days=day)
            milestone = actions.save_milestone(Milestone(
                plan=plan, name=name, due_date=due, phase=phases[phase_index],
                done_on=due if due < today and all(
                    a.is_done for a in activities if a.phase_id == phases[phase_index].pk
                ) else None,
            ), by=owner)
            if milestone.is_done:
                with dated(at(due, 16)):
                    actions.write_milestone_report(milestone, by=owner, include_hours=False)
    _welcome_pack(engagement, story, start, today)
    _time(engagement, activities, start, today)
    if story.sign_off and contacts:
        # Sent when the plan ended, signed two days later.
        deadline = start + dt.timedelta(days=60)
        with dated(at(deadline, 15)):
            new = signoff.send_for_signoff(plan, contact=contacts[0], by=owner, days=14)
        with dated(at(deadline + dt.timedelta(days=2), 11)):
            sharing.respond(new.link, accept=True, typed_name=contacts[0].full_name,
                            comment="Thank you, a smooth start.")


def _welcome_pack(engagement: Engagement, story: Story, start: dt.date, today: dt.date) -> None:
    owner = engagement.owner
    pack = actions.prefilled_pack(engagement)
    pack.features = (
        "- Live operations dashboards per site and team\n- Alerts when a measure leaves its range\n"
        "- Weekly review pages that print on one sheet"
    )
    pack.self_service = "- Help centre: https://help.beacon.example\n- Status page: https://status.beacon.example"
    pack.learning_library = "- Ten-minute videos per role\n- Monthly live Q&A with our product team"
    pack.get_started = (
        "1. Log in with your company account\n2. Open your team's dashboard\n3. Book the pilot training"
    )
    pack.planned_on = start + dt.timedelta(days=2)
    actions.save_pack(pack, by=owner)
    if pack.recipient is None:
        return
    sent = min(start + dt.timedelta(days=2), today)
    steps = [(PackStatus.SENT, sent), (PackStatus.RECEIVED, min(sent + dt.timedelta(days=1), today)),
             (PackStatus.REVIEWED, min(sent + dt.timedelta(days=6), today))]
    for status, day in steps:
        with dated(at(day, 14)):
            actions.set_pack_status(pack, status, on=day, by=owner)
        if status == story.pack:
            return


def _time(engagement: Engagement, activities: list[PlanActivity], start: dt.date, today: dt.date) -> None:
    people = [engagement.owner, *engagement.team.all()]
    for offset in range(0, 60, 3):
        day = start + dt.timedelta(days=offset)
        if day > today or day.weekday() >= 5:
            continue
        current = [a for a in activities if a.start_date <= day <= a.end_date]
        for n, person in enumerate(people):
            hours = Decimal("1.5") if n else Decimal(2 + offset % 3)
            activity = current[n % len(current)] if current else None
            timesheets.log_time(TimeEntry(
                engagement=engagement, date=day, hours=hours, plan_activity=activity,
                note="Onboarding work" if activity is None else "",
            ), by=person)
