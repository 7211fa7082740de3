"""Demo content for this app's tools; called by cairn.operations.demo_data.load.

Halvorsen Maritime (in value realization) and Brightwater Utilities (in adoption) have
every tool filled in; Brightwater Renewables, just starting, shares the utilities PESTLE
with its parent and overrides one driver of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cairn.customers.models import Account, Contact
from cairn.engagements.models import Engagement
from cairn.people.models import User
from cairn.preparation import actions
from cairn.preparation.models import (
    Capability,
    Contribution,
    Fact,
    HandoverMeeting,
    InternalDriver,
    PestleDriver,
    SharedPestle,
    SolutionLink,
    StrategyElement,
    ValueChainFunction,
)

# area, statement, source, where, confidence
HALVORSEN_FACTS = [
    ("initiative", "Cut fuel burn per nautical mile by 8 % within a year, across the North Sea "
     "fleet.", "company", "Signed order form and sales hand-off notes", "validated"),
    ("initiative", "Ingrid Halvorsen reports fuel savings to the board every quarter.", "customer",
     "Kick-off call with Ingrid", "validated"),
    ("solution", "350 platform users on the vessels and in fleet operations; forecasting for the "
     "voyage planners.", "company", "CRM opportunity", "validated"),
    ("solution", "Fuel sensors feed a data platform Kari's team built in 2022.", "customer",
     "Solution engineer's notes", "assumed"),
    ("business", "Family-owned shipping group, 4,200 staff, 38 vessels in the North Sea and "
     "Baltic.", "external", "Annual report 2025", "validated"),
    ("business", "Fuel is about 38 % of voyage cost.", "customer", "Discovery workshop", "validated"),
    ("stakeholders", "Mats Eriksen (VP Fleet Operations) owns the initiative day to day.",
     "company", "Account manager", "validated"),
    ("stakeholders", "Captains are sceptical of shore-side dashboards.", "company",
     "Sales call notes", "assumed"),
    ("engagement", "Renewal of platform, forecasting and success plan falls in a month.",
     "company", "CRM renewal date", "validated"),
]

BRIGHTWATER_FACTS = [
    ("initiative", "Average outage restoration under 90 minutes; one screen for every alarm.",
     "customer", "RFP section 2", "validated"),
    ("solution", "900 users; Beacon Connect to SCADA and the work order system.", "company",
     "Order form", "validated"),
    ("business", "Regulated utility serving 1.2 million customers in three states.", "external",
     "Regulator filings", "validated"),
    ("stakeholders", "Elena Ruiz leads change management and owns training.", "customer",
     "First meeting", "validated"),
    ("stakeholders", "The night shift supervisors were not part of the selection.", "company",
     "Solution engineer", "assumed"),
    ("engagement", "A SCADA upgrade is planned for the spring.", "customer", "Call with Felix",
     "assumed"),
]


def _facts(engagement: Engagement, rows: list[tuple[str, str, str, str, str]], by: User) -> list[Fact]:
    return [
        actions.save_item(
            Fact(engagement=engagement, area=area, statement=text, source=source,
                 source_detail=where, confidence=confidence),
            by=by,
        )
        for area, text, source, where, confidence in rows
    ]


def _shared_pestle(
    account: Account, summary: str, drivers: list[tuple[str, str, str, str]], by: User
) -> dict[str, PestleDriver]:
    """The shared analysis of the account's industry and region, with these drivers.

    Shared analyses belong to no account, so they outlive a demo reset: a reload reuses
    them and adds only the drivers that are missing.
    """
    analysis = SharedPestle.objects.filter(
        industry__iexact=account.industry, region__iexact=account.region
    ).first() or actions.save_shared_analysis(
        SharedPestle(industry=account.industry, region=account.region, summary=summary), by=by
    )
    found = {d.title: d for d in analysis.drivers.all()}
    for category, title, kind, impact in drivers:
        if title not in found:
            found[title] = actions.save_item(
                PestleDriver(analysis=analysis, category=category, title=title, driver_type=kind,
                             impact=impact), by=by)
    return found


def _contact(account: Account, first: str) -> Contact | None:
    return Contact.objects.filter(account=account, first_name=first).first()


def _chain(account: Account, by: User, spec: dict[str, Any]) -> dict[str, StrategyElement]:
    made: dict[str, StrategyElement] = {}

    def add(key: str, kind: str, title: str, parent: str = "", serves: str = "") -> None:
        made[key] = actions.save_item(
            StrategyElement(account=account, kind=kind, title=title,
                            parent=made.get(parent), serves=made.get(serves)),
            by=by,
        )

    for row in spec["elements"]:
        add(*row)
    return made


def _organization(engagement: Engagement, by: User, impacts: dict[str, tuple[str, str]],
                  capabilities: list[tuple[str, str, list[dict[str, Any]]]]) -> None:
    actions.start_value_chain(engagement, by=by)
    for function in ValueChainFunction.objects.filter(engagement=engagement):
        if function.name in impacts:
            function.impact, function.impact_note = impacts[function.name]
            actions.save_item(function, by=by)
    for high_name, mid_name, lows in capabilities:
        high = Capability.objects.filter(engagement=engagement, level="high", name=high_name).first()
        high = high or actions.save_item(
            Capability(engagement=engagement, level="high", name=high_name), by=by
        )
        mid = actions.save_item(
            Capability(engagement=engagement, level="mid", name=mid_name, parent=high), by=by
        )
        for low in lows:
            actions.save_item(Capability(engagement=engagement, level="low", parent=mid, **low), by=by)


def _halvorsen(engagement: Engagement, users: dict[str, User], today: dt.date) -> None:
    owner = engagement.owner
    account = engagement.account
    facts = _facts(engagement, HALVORSEN_FACTS, owner)
    captains = next(f for f in facts if "Captains" in f.statement)
    sensors = next(f for f in facts if "sensors" in f.statement)
    actions.raise_question(engagement, "Which captains could champion the weekly fuel review?",
                           by=owner, fact=captains)
    question = actions.raise_question(
        engagement, "Does the data platform keep sensor readings at one-minute resolution?",
        by=owner, fact=sensors,
    )
    actions.answer_question(
        question, "Yes, one-minute readings kept for 24 months.", by=owner,
        answered_on=engagement.start_date + dt.timedelta(days=12),
        contact=_contact(account, "Kari"), validate_fact=True,
    )
    actions.raise_question(engagement, "Will the Baltic fleet join next year?", by=owner)
    meeting = actions.save_meeting(
        HandoverMeeting(
            engagement=engagement, date=engagement.start_date + dt.timedelta(days=3),
            agenda="1. Why Halvorsen bought\n2. Promises made in the sale\n3. Who is who\n"
                   "4. Risks and open questions",
            notes="Sales promised a weekly fuel review on every vessel within the year. Ingrid "
                  "is the sponsor; Mats runs it. The captains were not in the demo: plan to win "
                  "them over early. Forecasting was added late in the deal for the planners.",
        ),
        by=owner,
        attendees=[(owner, "csm"), (users["demo"], "sales"), (users["lena"], "solution_engineer"),
                   (users["tomas"], "account_manager")],
    )
    actions.add_follow_up(meeting, "Send the fuel review template to Mats", assignee=owner,
                          by=owner, due_date=engagement.start_date + dt.timedelta(days=10))
    _organization(
        engagement, owner,
        {"Operations": ("direct", "Voyages run with live fuel per nautical mile on the bridge"),
         "Inbound logistics": ("indirect", "Bunkering planned from forecast consumption"),
         "Service": ("indirect", "Charter customers get fuel reports"),
         "Technology development": ("direct", "The data platform feeds the sensors in")},
        [("Fleet operations", "Voyage execution", [
            {"name": "Weekly fuel review per vessel", "people": "Captains, fleet performance team",
             "process": "Monthly spreadsheet review", "tools": "Noon reports, Excel",
             "inputs": "Noon reports", "outputs": "Monthly fuel report", "changed": True,
             "change": "Weekly review from live consumption on the platform", "slow": True,
             "inefficient": True},
            {"name": "Speed and trim decisions", "people": "Captains", "process": "Experience",
             "tools": "Bridge instruments", "changed": True,
             "change": "Advice from consumption per speed band", "costly": True},
        ]),
         ("Fleet operations", "Voyage planning", [
             {"name": "Bunkering plan", "people": "Voyage planners", "tools": "Forecasting",
              "changed": True, "change": "Forecast consumption replaces rules of thumb"},
         ])],
    )
    chain = _chain(account, owner, {"elements": [
        ("vision", "vision", "The cleanest short-sea shipping line in Northern Europe"),
        ("goal", "goal", "Cut fleet CO2 by 30 % by 2030", "vision"),
        ("objective", "objective", "Fuel per nautical mile down 8 % this year", "goal"),
        ("mission", "mission", "Move our customers' cargo safely, on time and with the least fuel"),
        ("strategy", "strategy", "Run every voyage on data", "mission", "goal"),
        ("tactic", "tactic", "Weekly fuel review on every vessel", "strategy", "objective"),
        ("tactic2", "tactic", "Plan bunkering from forecast consumption", "strategy", "objective"),
    ]})
    products = {p.sku: p for p in engagement.products.all()}
    outcomes = {o.name: o for o in engagement.outcomes.all()}
    links = [("BOP", "tactic", "Live fuel per nautical mile for every vessel"),
             ("BFC", "tactic2", "Consumption forecast per voyage"),
             ("PSP", "objective", "Quarterly value reviews against the 8 % target")]
    for sku, key, note in links:
        if sku in products:
            actions.save_item(SolutionLink(engagement=engagement, product=products[sku],
                                           element=chain[key], note=note), by=owner)
    rows = [("BOP", "Live fuel dashboards", "Captains see consumption per speed band",
             "-5 % fuel per nautical mile", "Fuel per nautical mile"),
            ("BOP", "Weekly review pack", "Every vessel reviews its week",
             "100 % of vessels reviewed weekly", "Vessels with a weekly fuel review"),
            ("BFC", "Voyage consumption forecast", "Bunkering planned to need",
             "-3 % fuel bought", "Fuel per nautical mile")]
    for sku, function, output, contribution, outcome in rows:
        if sku in products:
            actions.save_item(Contribution(
                engagement=engagement, product=products[sku], function=function, output=output,
                contribution=contribution, outcome=outcomes.get(outcome)), by=owner)
    actions.save_item(InternalDriver(
        account=account, category="vision", title="Family owners want a greener fleet",
        driver_type="positive", impact="high",
        description="The Halvorsen family ties the CEO's bonus to CO2 per tonne-mile."), by=owner)
    actions.save_item(InternalDriver(
        account=account, category="culture", title="Captains decide on board",
        driver_type="negative", impact="medium",
        description="Shore advice is ignored unless a captain asks for it."), by=owner)
    _shared_pestle(
        account,
        "Short-sea shipping in Northern Europe: regulation drives fuel efficiency harder than "
        "price.",
        [("legal", "EU emissions trading covers shipping from 2024", "negative", "high"),
         ("economic", "Bunker fuel prices stay volatile", "negative", "high"),
         ("environmental", "FuelEU Maritime rewards lower-carbon fuels", "positive", "medium"),
         ("technological", "Cheap IoT sensors on board", "positive", "medium")],
        users["demo"],
    )
    actions.generate_strategy_document(engagement, by=owner)


def _brightwater(engagement: Engagement, users: dict[str, User], today: dt.date) -> None:
    owner = engagement.owner
    account = engagement.account
    facts = _facts(engagement, BRIGHTWATER_FACTS, owner)
    night = next(f for f in facts if "night shift" in f.statement)
    actions.raise_question(engagement, "Who speaks for the night shift supervisors?", by=owner,
                           fact=night)
    scada = next(f for f in facts if "SCADA upgrade" in f.statement)
    actions.raise_question(engagement, "When exactly is the SCADA upgrade, and who tests it?",
                           by=owner, fact=scada)
    meeting = actions.save_meeting(
        HandoverMeeting(
            engagement=engagement, date=engagement.start_date + dt.timedelta(days=2),
            agenda="The deal, the integration scope, the regulator's reporting deadline",
            notes="Connector scope is SCADA and work orders only; outage maps come later. "
                  "Dana wants a first control room live before the storm season.",
        ),
        by=owner,
        attendees=[(owner, "csm"), (users["demo"], "sales"), (users["priya"], "services")],
    )
    actions.add_follow_up(meeting, "Confirm the SCADA test window with Felix", assignee=owner,
                          by=owner, due_date=engagement.start_date + dt.timedelta(days=9))
    _organization(
        engagement, owner,
        {"Operations": ("direct", "Control rooms restore outages from one alarm screen"),
         "Service": ("indirect", "Customers get restoration times sooner"),
         "Human resource management": ("indirect", "Control room training and certification")},
        [("Grid operations", "Outage restoration", [
            {"name": "Alarm triage in the control room", "people": "Control room operators",
             "process": "Four tools watched side by side", "tools": "SCADA, work orders, e-mail",
             "inputs": "Alarms", "outputs": "Dispatched crews", "changed": True,
             "change": "One correlated alarm list", "slow": True, "frustrating": True},
        ])],
    )
    chain = _chain(account, owner, {"elements": [
        ("vision", "vision", "Reliable power for every home, every hour"),
        ("goal", "goal", "Top-quartile reliability among peer utilities", "vision"),
        ("objective", "objective", "Restoration under 90 minutes on average", "goal"),
        ("mission", "mission", "Keep the lights on safely and affordably"),
        ("strategy", "strategy", "Modernise the control rooms", "mission", "goal"),
        ("tactic", "tactic", "One screen for every alarm", "strategy", "objective"),
    ]})
    products = {p.sku: p for p in engagement.products.all()}
    outcomes = {o.name: o for o in engagement.outcomes.all()}
    if "BOP" in products:
        actions.save_item(SolutionLink(engagement=engagement, product=products["BOP"],
                                       element=chain["tactic"], note="Correlated alarm board"), by=owner)
        actions.save_item(Contribution(
            engagement=engagement, product=products["BOP"], function="Correlated alarm board",
            output="Operators see the real fault first", contribution="-25 minutes per outage",
            outcome=outcomes.get("Average restoration time")), by=owner)
    if "BCN" in products:
        actions.save_item(Contribution(
            engagement=engagement, product=products["BCN"], function="SCADA and work order feed",
            output="Crews dispatched from the alarm", contribution="-10 minutes per outage",
            outcome=outcomes.get("Average restoration time")), by=owner)
    actions.save_item(InternalDriver(
        account=account, category="resources", title="Control room headcount is frozen",
        driver_type="negative", impact="high"), by=owner)
    actions.generate_strategy_document(engagement, by=owner)


def _utilities_pestle(
    engagements: dict[str, Engagement], users: dict[str, User]
) -> None:
    # The group's analysis is written with the utility's engagement; the subsidiary adapts it
    # with its own (the demo loads each engagement's tools in its own step).
    parent = engagements.get("brightwater-utilities")
    if parent is not None:
        _shared_pestle(
            parent.account, "North American utilities: reliability rules and ageing grids.",
            [("political", "Regulators publish reliability league tables", "negative", "high"),
             ("economic", "Rate cases cap operating budgets", "negative", "medium"),
             ("environmental", "More frequent severe storms", "negative", "high"),
             ("technological", "Grid sensors and smart meters everywhere", "positive", "high"),
             ("social", "Customers expect live outage updates", "negative", "medium"),
             ("legal", "New cyber-security rules for control systems", "negative", "medium")],
            users["demo"],
        )
    renewables = engagements.get("brightwater-renewables")
    if renewables is None:
        return
    shared = SharedPestle.objects.filter(
        industry__iexact=renewables.account.industry, region__iexact=renewables.account.region
    ).first()
    if shared is None:
        return
    drivers = {d.title: d for d in shared.drivers.all()}
    tomas = renewables.owner
    actions.override_driver(
        renewables.account, drivers["More frequent severe storms"],
        {"title": "Storms stop turbines and hide availability losses", "impact": "medium",
         "description": "Wind farms shut down in high winds; availability reports must say why."},
        by=tomas, context=renewables,
    )
    actions.hide_driver(renewables.account, drivers["Customers expect live outage updates"],
                        by=tomas, context=renewables)
    actions.save_item(PestleDriver(
        account=renewables.account, category="economic", title="Production tax credits reward uptime",
        driver_type="positive", impact="high"), by=tomas, context=renewables)
    _facts(renewables, [
        ("initiative", "Hannah wants daily availability per site instead of weekly spreadsheets.",
         "customer", "Intro e-mail from Dana", "validated"),
        ("business", "Three wind farms, 140 turbines.", "external", "Company website", "assumed"),
    ], tomas)


# The other engagements' dossiers: what the CSM learnt in preparation, and what is still open.
DOSSIERS: dict[str, tuple[list[tuple[str, str, str, str, str]], str]] = {
    "meridian-health": ([
        ("business", "Hospital group with four sites and 1,100 inpatient beds.", "external",
         "Annual report", "validated"),
        ("initiative", "Emergency patients wait over six hours for a bed on bad days.", "customer",
         "Handover call with Derek Shaw", "validated"),
        ("stakeholders", "Patricia Nwosu sponsors; Derek Shaw runs patient flow day to day.",
         "company", "Account executive", "validated"),
        ("engagement", "Winter pressure starts in December: training must finish before.", "customer",
         "Call with Ruth Adeyemi", "assumed"),
    ], "Which wards would pilot the bed board?"),
    "sable-ridge": ([
        ("business", "Copper mine with 140 haul trucks on three shifts.", "external", "Company website",
         "validated"),
        ("initiative", "Unplanned truck downtime costs a shift of production every week.", "customer",
         "Discovery call with Lucía Paredes", "validated"),
        ("engagement", "Their forecasting subscription lapsed last year unused.", "company",
         "Renewal history", "validated"),
    ], "Can the maintenance system send work orders in real time?"),
    "copperleaf-foods": ([
        ("initiative", "Changeovers cause most of the scrap on the Lyon lines.", "customer",
         "Sales notes", "validated"),
        ("stakeholders", "Amélie Roux owns the plant side; Nadia Haddad runs improvement.", "company",
         "Account executive", "validated"),
        ("solution", "Forecasting was bought for the planners, not for the lines.", "company",
         "Solution engineer", "assumed"),
    ], "Does each shift record scrap the same way?"),
    "kestrel-freight": ([
        ("initiative", "Planners rebuild the network plan every morning from spreadsheets.", "customer",
         "Sales notes", "validated"),
        ("business", "Fourteen depots across Australia and New Zealand.", "external", "Company website",
         "validated"),
        ("stakeholders", "Ben Harris doubts a tool can beat his planners' spreadsheets.", "company",
         "Account executive", "assumed"),
    ], "Which live data sources can the plan read by 06:00?"),
    "orchard-lane": ([
        ("initiative", "Best sellers run out while slow lines fill the warehouse.", "customer",
         "Sales notes", "validated"),
        ("engagement", "The holiday season starts in six weeks: timing is everything.", "customer",
         "Handover from sales", "validated"),
    ], "Who at Orchard Lane owns the stock plan?"),
}


def _dossier(engagement: Engagement, key: str) -> None:
    facts, question = DOSSIERS[key]
    _facts(engagement, facts, engagement.owner)
    actions.raise_question(engagement, question, by=engagement.owner)


def load(engagements: dict[str, Engagement], users: dict[str, User], today: dt.date) -> None:
    """Fill this app's tools for the demo engagements (keyed by demo account key)."""
    _utilities_pestle(engagements, users)
    if "halvorsen-maritime" in engagements:
        _halvorsen(engagements["halvorsen-maritime"], users, today)
    if "brightwater-utilities" in engagements:
        _brightwater(engagements["brightwater-utilities"], users, today)
    for key in DOSSIERS.keys() & engagements.keys():
        _dossier(engagements[key], key)
