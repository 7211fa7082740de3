"""Demo content for the adoption tools; called by cairn.operations.demo_data.load.

Meridian Health is planning adoption (groups, risks, an outline waiting for Derek's approval,
a proof-of-value pilot); Brightwater Utilities is implementing it (a proof of concept partly
met, approved and detailed plan, published roadmap, work packages, a readiness workshop, KPIs
of which one is at risk, the challenge log, a governance report); Halvorsen Maritime is past
both: every tool filled and closed, its lessons kept and its KPIs still read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cairn.adoption import actions, queries, writing
from cairn.adoption.models import (
    Challenge,
    Consideration,
    ConsiderationKind,
    ImpactedGroup,
    ImpactedProcess,
    Kpi,
    KpiMilestone,
    Pilot,
    PilotCriterion,
    ReadinessItem,
    ReadinessWorkshop,
    Risk,
    RiskStatus,
    RoadmapStep,
    WorkPackage,
    WorkStatus,
)
from cairn.customers.models import Contact
from cairn.engagements.models import Engagement
from cairn.operations.demo_clock import at, dated
from cairn.people.models import User


def load(engagements: dict[str, Engagement], users: dict[str, User], today: dt.date) -> None:
    """Fill this app's tools for the demo engagements (keyed by demo account key)."""
    if "meridian-health" in engagements:
        _meridian(engagements["meridian-health"], users["priya"], today)
    if "brightwater-utilities" in engagements:
        _brightwater(engagements["brightwater-utilities"], users["tomas"], today)
    if "halvorsen-maritime" in engagements:
        _halvorsen(engagements["halvorsen-maritime"], users["priya"], today)


def _day(today: dt.date, offset: int) -> dt.date:
    return today + dt.timedelta(days=offset)


def _contact(engagement: Engagement, first_name: str) -> Contact | None:
    return engagement.account.contacts.filter(first_name=first_name).first()


def _save(obj: object, engagement: Engagement, by: User) -> None:
    actions.save_item(obj, engagement, by=by)  # type: ignore[type-var]


def _groups(engagement: Engagement, by: User, specs: list[dict[str, object]]) -> None:
    for spec in specs:
        manager = spec.pop("manager", None)
        contact = _contact(engagement, str(manager)) if manager else None
        group = ImpactedGroup(engagement=engagement, manager=contact, **spec)  # type: ignore[arg-type]
        _save(group, engagement, by)


def _risks(engagement: Engagement, by: User, specs: list[tuple[str, int, int, str, str, str]]) -> None:
    for title, likelihood, impact, owner, mitigation, status in specs:
        _save(Risk(engagement=engagement, title=title, likelihood=likelihood, impact=impact, owner=owner,
                   mitigation=mitigation, status=status), engagement, by)


def _kpi(
    engagement: Engagement, by: User, today: dt.date, *, name: str, unit: str, direction: str,
    baseline: tuple[int, str], target: tuple[int, str], milestones: list[tuple[int, str, str]],
    readings: list[tuple[int, str]],
) -> Kpi:
    kpi = Kpi(
        engagement=engagement, name=name, unit=unit, direction=direction,
        baseline_value=Decimal(baseline[1]), baseline_date=_day(today, baseline[0]),
        target_value=Decimal(target[1]), target_date=_day(today, target[0]),
        outcome=engagement.outcomes.filter(name__iexact=name).first(),
    )
    _save(kpi, engagement, by)
    for offset, expected, label in milestones:
        _save(KpiMilestone(kpi=kpi, date=_day(today, offset), expected=Decimal(expected), label=label),
              engagement, by)
    for offset, value in readings:
        # Each reading is entered on the day it was taken.
        with dated(at(_day(today, offset), 17)):
            actions.record_reading(kpi, on=_day(today, offset), value=Decimal(value), by=by)
    return kpi


def _pilot(engagement: Engagement, by: User, pilot: Pilot, criteria: list[tuple[str, str, str]]) -> None:
    _save(pilot, engagement, by)
    for criterion, result, evidence in criteria:
        _save(PilotCriterion(pilot=pilot, criterion=criterion, result=result, evidence=evidence),
              engagement, by)


def _meridian(engagement: Engagement, priya: User, today: dt.date) -> None:
    for name, before, after, owner in [
        ("Finding a bed for an emergency admission",
         "The ED coordinator phones each ward; bed managers keep a whiteboard and a spreadsheet.",
         "The ED coordinator sees free and soon-free beds on the live bed board and requests one there.",
         "Mei Lin"),
        ("Discharge before noon",
         "Discharges are confirmed on the afternoon ward round; porters are called when the bed is empty.",
         "Expected discharges are flagged the evening before; cleaning and porters are scheduled "
         "from the board.",
         "Derek Shaw"),
    ]:
        _save(ImpactedProcess(engagement=engagement, name=name, today=before, after=after, owner=owner),
              engagement, priya)
    _groups(engagement, priya, [
        {"name": "Ward nurses", "impact": "direct", "size": 380, "location": "All 14 inpatient wards",
         "manager": "Ruth", "knowledge_gap": 2, "knowledge_note": "The new bed states and who sets them.",
         "skills_gap": 1, "skills_note": "Updating the board from the ward tablet.",
         "attitude_gap": 3, "attitude_note": "Worry that the board adds screen time to every shift.",
         "communication_needs": "Why the change, from the Chief Nursing Officer, then ward huddles.",
         "training_needs": "45-minute ward sessions on every shift, led by Ruth's nurse educators.",
         "support_needs": "Floor walkers for the first two weeks; a one-page guide at each station."},
        {"name": "Bed managers", "impact": "direct", "size": 12, "location": "Patient flow office",
         "manager": "Mei", "knowledge_gap": 1, "skills_gap": 2,
         "skills_note": "Running the day from the board instead of the whiteboard.", "attitude_gap": 0,
         "communication_needs": "Weekly patient-flow meeting.",
         "training_needs": "Two half-day sessions before go-live.", "support_needs": "A named CSM contact."},
        {"name": "Porters and cleaning teams", "impact": "indirect", "size": 140, "location": "Facilities",
         "knowledge_gap": 1, "knowledge_note": "Jobs now come from the board's discharge flags.",
         "skills_gap": 0, "attitude_gap": 1,
         "communication_needs": "Team briefings by the facilities supervisors.",
         "training_needs": "None beyond the briefing.", "support_needs": "Supervisors know whom to call."},
    ])
    for kind, title, detail in [
        (ConsiderationKind.PRACTICAL, "Training has to cover all three shifts",
         "Night shift cannot attend day sessions; agency nurses change weekly."),
        (ConsiderationKind.PRACTICAL, "Ward tablets are shared",
         "One tablet per ward; a second is budgeted."),
        (ConsiderationKind.BARRIER, "Screen fatigue among nurses",
         "Staff survey: nurses already log into five systems per shift."),
    ]:
        _save(Consideration(engagement=engagement, kind=kind, title=title, detail=detail), engagement, priya)
    _risks(engagement, priya, [
        ("Nurses keep the whiteboard as well as the board", 4, 4, "Ruth Adeyemi",
         "Remove whiteboards ward by ward once the board is trusted.", RiskStatus.OPEN),
        ("Patient system interface late", 2, 5, "Carlos Vega",
         "Interface test in the pilot wards first.", RiskStatus.MITIGATING),
        ("Winter pressure delays training", 4, 5, "Derek Shaw",
         "Train before December; short refreshers after.", RiskStatus.OPEN),
        ("Agency staff not trained", 3, 2, "Ruth Adeyemi", "Five-minute induction card.", RiskStatus.OPEN),
        ("Tablet shortage on busy wards", 2, 2, "Carlos Vega", "Second tablet per ward.", RiskStatus.CLOSED),
    ])
    groups = list(engagement.impacted_groups.all())
    risks = list(Risk.objects.filter(engagement=engagement))
    sections = dict(writing.outline_start(groups, risks))
    sections.update({
        "Objectives and scope": "Median wait for an inpatient bed under 4 hours; discharge before noon on "
                                "40 % of days. Fourteen inpatient wards, the ED and the patient flow office.",
        "Communication": "Patricia announces the programme; ward huddles carry it; a weekly note from Derek.",
        "Training": "Ward sessions on every shift; bed managers first.",
        "Support": "Floor walkers for two weeks per ward; Beacon support through the patient flow office.",
        "Timeline and milestones": "Pilot on two wards, then all medical wards, then surgical wards.",
        "Measurements": "Median wait for a bed, discharges before noon, board updates per shift.",
    })
    actions.write_outline(engagement, writing.join_sections("Adoption plan (outline)", sections.items()),
                          by=priya, comment="First draft for Derek")
    _pilot(engagement, priya, Pilot(engagement=engagement, kind="pov",
                                    scope="Wards 4 and 7 (acute medicine) and the ED.",
                                    starts=_day(today, 14), ends=_day(today, 70)), [
        ("Median wait for a bed on the pilot wards under 5 hours", "pending", ""),
        ("Bed states updated within 30 minutes on 90 % of changes", "pending", ""),
        ("Nurses on the pilot wards would keep the board (survey)", "pending", ""),
    ])


def _brightwater(engagement: Engagement, tomas: User, today: dt.date) -> None:
    _save(ImpactedProcess(
        engagement=engagement, name="Outage restoration",
        today="Operators watch four alarm tools and phone field crews; work orders are typed in afterwards.",
        after="One screen for every alarm; the work order is raised from the alarm and crews see it at once.",
        owner="Marcus Bell"), engagement, tomas)
    _groups(engagement, tomas, [
        {"name": "Control room operators", "impact": "direct", "size": 140, "location": "Two control rooms",
         "manager": "Owen", "knowledge_gap": 2, "knowledge_note": "Alarm priorities in the new screen.",
         "skills_gap": 3, "skills_note": "Raising work orders from an alarm under pressure.",
         "attitude_gap": 1, "attitude_note": "Trust that no alarm is lost in the move.",
         "communication_needs": "Shift briefings; a countdown in the control room.",
         "training_needs": "Simulator sessions per shift, night shift included.",
         "support_needs": "Super-users on every shift for the first month."},
        {"name": "Field crews", "impact": "indirect", "size": 420, "location": "Eight depots",
         "knowledge_gap": 1, "knowledge_note": "Work orders arrive with the alarm details.", "skills_gap": 0,
         "attitude_gap": 2, "attitude_note": "Fear of being tracked.",
         "communication_needs": "Depot talks by the field supervisors; a clear statement on tracking.",
         "training_needs": "A short video.", "support_needs": "Depot supervisors."},
    ])
    _risks(engagement, tomas, [
        ("SCADA upgrade in the spring breaks the connector", 4, 4, "Felix Osei",
         "Re-test the connector in the vendor's test environment before the upgrade.", RiskStatus.OPEN),
        ("Night shift misses training", 4, 3, "Elena Ruiz", "Two extra night sessions.",
         RiskStatus.MITIGATING),
        ("Alarm floods hide priority alarms", 2, 5, "Owen Price", "Tune suppression rules in week 1.",
         RiskStatus.MITIGATING),
        ("Union objects to crew tracking", 2, 3, "Elena Ruiz", "Agreement on what is recorded.",
         RiskStatus.CLOSED),
        ("Training room unavailable", 1, 2, "Grace Tan", "Book the simulator room for the quarter.",
         RiskStatus.OPEN),
    ])
    # The proof of concept in the north control room came before the plan.
    _pilot(engagement, tomas, Pilot(
        engagement=engagement, kind="poc", scope="One shift of the north control room, for four weeks.",
        starts=_day(today, -150), ends=_day(today, -122),
        result_notes="Go ahead with both rooms; simulator training to bring the work-order time down."), [
        ("Every alarm class arrives on the one screen", "met",
         "All 37 alarm classes seen on the screen during the four weeks; none only in the old tools."),
        ("A work order is raised from an alarm within 2 minutes", "partly",
         "Median 2 min 40 s; under 2 minutes in the last week, once the operators knew the screen."),
        ("Operators on the pilot shift would keep the screen", "met", "11 of 12 in the closing survey."),
    ])
    _kpi(engagement, tomas, today, name="Average restoration time", unit="minutes", direction="lower",
         baseline=(-150, "124"), target=(120, "90"), milestones=[(-30, "112", "North room live")],
         readings=[(-120, "125"), (-90, "121"), (-60, "118"), (-30, "112"), (-5, "108")])
    # Training lags: the latest reading falls a little short of the path, so it shows at risk.
    _kpi(engagement, tomas, today, name="Control room staff trained", unit="%", direction="higher",
         baseline=(-150, "0"), target=(20, "100"), milestones=[(-60, "50", "Half of the operators")],
         readings=[(-90, "12"), (-60, "41"), (-20, "64"), (-6, "78")])
    outline = writing.join_sections("Adoption plan (outline)", [
        ("Objectives and scope", "Average restoration time under 90 minutes; one screen for every alarm. "
                                 "Both control rooms; field crews as indirectly impacted."),
        ("Communication", "Dana opens the programme; shift briefings; depot talks."),
        ("Training", "Simulator sessions per shift, then super-users."),
        ("Support", "Super-users on every shift; Beacon support on the Premier plan."),
        ("Timeline and milestones", "Pilot in the north control room, then the south, then decommissioning."),
        ("Measurements", "Restoration time and the share of staff trained."),
    ])
    actions.write_outline(engagement, outline, by=tomas)
    dana = _contact(engagement, "Dana")
    if dana is not None:
        with dated(at(_day(today, -100), 16)):
            actions.approve_outline(engagement, stakeholder=dana, approved_on=_day(today, -100), by=tomas,
                                    note="Approved at the steering group.")
    plan = queries.plan_of(engagement)
    detailed = actions.detailed_start_text(engagement, plan) if plan else outline
    actions.write_detailed(engagement, detailed.replace(
        "- HR:\n- Trainers:\n- Change managers:\n- Process owners:",
        "- HR: Elena Ruiz (change manager)\n- Trainers: Grace Tan's team\n- Change managers: Elena Ruiz\n"
        "- Process owners: Marcus Bell (restoration), Felix Osei (integrations)"), by=tomas)
    actions.save_roadmap_summary(
        engagement, "From spring, every control room alarm arrives on one screen and work orders go to "
                    "crews the moment an alarm is confirmed. Here is what happens, and when.", by=tomas)
    for title, start, end, audience, description in [
        ("Why we change", -90, -70, "Everyone in operations",
         "Briefings in both control rooms and all depots."),
        ("Simulator training", -70, 10, "Control room operators", "Every shift, night shift included."),
        ("North control room goes live", -20, -10, "North control room", "Super-users on every shift."),
        ("South control room goes live", 15, 30, "South control room", "Old alarm tools switched off after."),
    ]:
        step = RoadmapStep(engagement=engagement, title=title, starts=_day(today, start),
                           ends=_day(today, end), audience=audience, description=description)
        _save(step, engagement, tomas)
    actions.publish_roadmap(engagement, by=tomas)
    for title, owner, deliverables, due, status, section in [
        ("Simulator training for all shifts", "Grace Tan", "Sessions booked and run; attendance list",
         10, WorkStatus.IN_PROGRESS, "Training plan per impacted group"),
        ("Super-user network", "Owen Price", "Two super-users per shift, named and trained", -15,
         WorkStatus.DONE, "Support plan per impacted group"),
        ("Depot talks", "Elena Ruiz", "Talk in each of eight depots; tracking statement", 20,
         WorkStatus.PLANNED, "Communication plan per impacted group"),
        ("Connector re-test before the SCADA upgrade", "Felix Osei", "Test report signed by the vendor", -3,
         WorkStatus.PLANNED, ""),
    ]:
        actions.save_work_package(
            WorkPackage(engagement=engagement, title=title, owner=owner, deliverables=deliverables,
                        due_date=_day(today, due), status=status), by=tomas, from_section=section or None)
    workshop = ReadinessWorkshop(engagement=engagement, held_on=_day(today, -30),
                                 participants="Marcus Bell, Elena Ruiz, Owen Price, Grace Tan, "
                                              "Tomás Lindqvist",
                                 notes="Go-live readiness of the north control room.")
    _save(workshop, engagement, tomas)
    items = {}
    for text, owner in [("Operator accounts created", "Felix Osei"),
                        ("Alarm priorities agreed", "Owen Price"), ("Night shift trained", "Grace Tan")]:
        items[text] = ReadinessItem(workshop=workshop, item=text, owner=owner)
        _save(items[text], engagement, tomas)
    actions.resolve_item(items["Operator accounts created"], "All 140 accounts tested on day -25.", by=tomas)
    actions.resolve_item(items["Alarm priorities agreed"], "Signed off by Owen and Marcus.", by=tomas)
    actions.carry_as_issue(items["Night shift trained"],
                           impact="A third of night operators not trained at go-live.", by=tomas)
    night = Challenge.objects.filter(engagement=engagement, challenge="Night shift trained").first()
    if night is not None:
        night.response = "Two extra night sessions added by Elena; super-users cover nights meanwhile."
        night.is_lesson = True
        night.lesson = "Plan night-shift training from the start; day sessions never reach nights."
        _save(night, engagement, tomas)
    _save(Challenge(engagement=engagement, challenge="Alarm flood on go-live day", impact="Operators muted a "
                    "priority alarm class for two hours.", response="Suppression rules tuned with Owen.",
                    raised_on=_day(today, -18), resolved_on=_day(today, -16)), engagement, tomas)
    with dated(at(_day(today, -20), 16)):
        actions.hold_governance_meeting(
            engagement, held_on=_day(today, -20), by=tomas,
            attendees="Dana Whitfield, Marcus Bell, Elena Ruiz, Tomás Lindqvist",
            decisions="Two extra night-shift sessions (Elena). Connector re-test before the SCADA "
                      "upgrade (Felix).")


def _halvorsen(engagement: Engagement, priya: User, today: dt.date) -> None:
    """Past both adoption phases (planned from day -154, implemented until day -56): every
    tool filled and closed, the KPIs still read in value realization."""
    _save(ImpactedProcess(
        engagement=engagement, name="Weekly fuel review per vessel",
        today="Fuel use is seen in the monthly voyage report, weeks after the voyage.",
        after="Each vessel reviews last week's fuel per nautical mile with fleet operations every Monday.",
        owner="Mats Eriksen"), engagement, priya)
    _groups(engagement, priya, [
        {"name": "Vessel masters and chief engineers", "impact": "direct", "size": 80,
         "location": "38 vessels, North Sea and Baltic", "manager": "Mats", "knowledge_gap": 2,
         "knowledge_note": "What the fuel figures measure and where they come from.", "skills_gap": 1,
         "skills_note": "Reading the weekly review pack.", "attitude_gap": 3,
         "attitude_note": "Shore-side dashboards are seen as a way to blame the ship.",
         "communication_needs": "Ingrid's letter to every master; the review framed as help, not control.",
         "training_needs": "One session on board per vessel during a port call.",
         "support_needs": "A fleet performance contact on call during the first reviews."},
        {"name": "Fleet operations", "impact": "direct", "size": 18, "location": "Bergen head office",
         "manager": "Anders", "knowledge_gap": 1, "skills_gap": 2,
         "skills_note": "Running the Monday review from the platform.", "attitude_gap": 0,
         "communication_needs": "Weekly team meeting.", "training_needs": "Two half days before the pilot.",
         "support_needs": "Priya on the Premier plan."},
        {"name": "Bunkering desk", "impact": "indirect", "size": 6, "location": "Bergen head office",
         "knowledge_gap": 1, "knowledge_note": "Forecast consumption replaces the rule of thumb.",
         "skills_gap": 1, "attitude_gap": 0, "communication_needs": "Briefing by Anders.",
         "training_needs": "One session on the forecasts.", "support_needs": "Kari's data team."},
    ])
    _save(Consideration(engagement=engagement, kind=ConsiderationKind.PRACTICAL,
                        title="Training only in port",
                        detail="Crews can be trained only during port calls of six to twelve hours."),
          engagement, priya)
    _risks(engagement, priya, [
        ("Masters see the review as blame", 4, 4, "Mats Eriksen",
         "Start with the willing vessels; share their savings first.", RiskStatus.CLOSED),
        ("Sensor gaps on older vessels", 3, 3, "Kari Lunde", "Bunker notes fill the gaps until refit.",
         RiskStatus.CLOSED),
        ("Fleet operations too busy in the spring", 2, 3, "Anders Moe",
         "Review takes 20 minutes, not an hour.", RiskStatus.CLOSED),
    ])
    _pilot(engagement, priya, Pilot(
        engagement=engagement, kind="pov", scope="Four vessels on the Bergen to Rotterdam route.",
        starts=_day(today, -150), ends=_day(today, -125),
        result_notes="Roll out to the North Sea fleet; the Baltic fleet next year."), [
        ("Fuel per nautical mile down 3 % on the pilot vessels", "met", "Down 4.1 % over the four weeks."),
        ("Every pilot vessel holds the Monday review", "met", "16 reviews out of 16."),
        ("Masters would keep the review (survey)", "partly", "Three of four masters; one wants it monthly."),
    ])
    # The KPIs are defined with the plan; each reading is dated on its own day.
    _kpi(engagement, priya, today, name="Fuel per nautical mile", unit="kg/nm", direction="lower",
         baseline=(-150, "212"), target=(60, "195"), milestones=[(-60, "203", "North Sea fleet live")],
         readings=[(-150, "211"), (-120, "208"), (-90, "205"), (-60, "203"), (-30, "200"), (-10, "198")])
    _kpi(engagement, priya, today, name="Vessels holding the weekly fuel review", unit="%",
         direction="higher", baseline=(-150, "0"), target=(-30, "100"),
         milestones=[(-90, "30", "Wave 1"), (-60, "90", "All waves trained")],
         readings=[(-120, "11"), (-90, "34"), (-60, "82"), (-30, "97"), (-7, "100")])
    groups = list(engagement.impacted_groups.all())
    risks = list(Risk.objects.filter(engagement=engagement))
    sections = dict(writing.outline_start(groups, risks))
    sections.update({
        "Objectives and scope": "Fuel per nautical mile down 8 % within a year; a weekly fuel review on "
                                "every North Sea vessel.",
        "Communication": "Ingrid writes to every master; Mats presents the pilot's savings at the fleet "
                         "meeting.",
        "Training": "One session on board per vessel at a port call; fleet operations first.",
        "Support": "Fleet performance on call for the first reviews; Premier support for the platform.",
        "Timeline and milestones": "Pilot on four vessels, then the North Sea fleet in three waves.",
        "Measurements": "Fuel per nautical mile; the share of vessels holding the weekly review.",
    })
    outline = writing.join_sections("Adoption plan (outline)", sections.items())
    with dated(at(_day(today, -124), 11)):
        actions.write_outline(engagement, outline, by=priya, comment="After the pilot")
    ingrid = _contact(engagement, "Ingrid")
    if ingrid is not None:
        with dated(at(_day(today, -118), 16)):
            actions.approve_outline(engagement, stakeholder=ingrid, approved_on=_day(today, -118),
                                    by=priya, note="Approved at the board meeting.")
    plan = queries.plan_of(engagement)
    detailed = actions.detailed_start_text(engagement, plan) if plan else outline
    with dated(at(_day(today, -114), 11)):
        actions.write_detailed(engagement, detailed, by=priya)
    # The roadmap, published before wave 1 (the steps are written just before it).
    actions.save_roadmap_summary(
        engagement, "Every North Sea vessel reviews its fuel each Monday by the summer. Here is when "
                    "your vessel joins.", by=priya)
    for title, start, end, audience, description in [
        ("Letter from Ingrid", -112, -108, "All masters and chief engineers", "Why the fleet reviews fuel."),
        ("Wave 1: Rotterdam route", -105, -90, "Ten vessels", "Training at the Bergen port call."),
        ("Wave 2: Hamburg route", -90, -75, "Twelve vessels", "Training at the Hamburg port call."),
        ("Wave 3: the rest of the North Sea fleet", -75, -58, "Twelve vessels", "Training on board."),
    ]:
        _save(RoadmapStep(engagement=engagement, title=title, starts=_day(today, start),
                          ends=_day(today, end), audience=audience, description=description),
              engagement, priya)
    with dated(at(_day(today, -110), 9)):
        actions.publish_roadmap(engagement, by=priya)
    for title, owner, deliverables, due, section in [
        ("On-board training, three waves", "Anders Moe", "A session on every vessel; attendance list",
         -58, "Training plan per impacted group"),
        ("Weekly review pack", "Kari Lunde", "The Monday pack for every vessel, generated by the platform",
         -100, ""),
        ("Masters' letter and fleet meeting", "Mats Eriksen", "Letter sent; pilot savings presented", -105,
         "Communication plan per impacted group"),
    ]:
        actions.save_work_package(
            WorkPackage(engagement=engagement, title=title, owner=owner, deliverables=deliverables,
                        due_date=_day(today, due), status=WorkStatus.DONE), by=priya,
            from_section=section or None)
    with dated(at(_day(today, -107), 15)):
        workshop = ReadinessWorkshop(engagement=engagement, held_on=_day(today, -107),
                                     participants="Mats Eriksen, Anders Moe, Kari Lunde, Priya Natarajan",
                                     notes="Readiness of wave 1.")
        _save(workshop, engagement, priya)
        for text, owner, resolution in [
            ("Review pack tested on the pilot vessels", "Kari Lunde",
             "Four weeks of packs checked by Anders."),
            ("Port calls booked for training", "Anders Moe", "All ten wave-1 calls booked."),
        ]:
            item = ReadinessItem(workshop=workshop, item=text, owner=owner)
            _save(item, engagement, priya)
            actions.resolve_item(item, resolution, by=priya)
    for text, impact, response, raised, resolved, lesson in [
        ("Captains distrusted the fuel figures", "Weekly fuel reviews skipped on four vessels.",
         "Compared sensor figures with bunker notes together with the captains.", -100, -84,
         "Show the data's source to the people judged by it before asking them to use it."),
        ("Satellite link too slow for live dashboards", "Dashboards at sea lagged by hours.",
         "Daily summaries sent by e-mail at sea; live view in port.", -95, -70,
         "Check bandwidth where the users are during onboarding, not after."),
    ]:
        with dated(at(_day(today, resolved), 15)):
            _save(Challenge(engagement=engagement, challenge=text, impact=impact, response=response,
                            raised_on=_day(today, raised), resolved_on=_day(today, resolved),
                            is_lesson=True, lesson=lesson), engagement, priya)
    for held, decisions in [
        (-90, "Wave 2 goes ahead; masters see the source of every figure first (Kari)."),
        (-60, "Adoption complete on the North Sea fleet; value realization from next month."),
    ]:
        with dated(at(_day(today, held), 16)):
            actions.hold_governance_meeting(engagement, held_on=_day(today, held), by=priya,
                                            attendees="Ingrid Halvorsen, Mats Eriksen, Priya Natarajan",
                                            decisions=decisions)
