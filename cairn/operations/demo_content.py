"""What the demo shows: an invented CS team, its customers and their engagements.

Pure data, no database access; `demo_data` turns it into rows through the domain actions.
Dates are offsets in days from today (negative is in the past), so the demo never looks stale.
Every company, person and domain here is invented; web and e-mail addresses use `.example`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Printed by `cairn demo` and written in the README: a demo login is public by design.
DEMO_PASSWORD = "cairn-demo"  # noqa: S105
DEMO_USERNAME = "demo"
# Demo users are recognised by this e-mail domain, so --reset removes exactly them.
DEMO_EMAIL_DOMAIN = "demo.cairn.example"
# Demo accounts carry this external-id prefix for the same reason.
DEMO_ID_PREFIX = "demo-"

# username, role, first name, last name, job title
TEAM: list[tuple[str, str, str, str, str]] = [
    (DEMO_USERNAME, "leader", "Jordan", "Avery", "Head of Customer Success"),
    ("ops", "admin", "Sam", "Okoro", "CS Operations"),
    ("priya", "csm", "Priya", "Natarajan", "Senior Customer Success Manager"),
    ("tomas", "csm", "Tomás", "Lindqvist", "Customer Success Manager"),
    ("lena", "csm", "Lena", "Brandt", "Customer Success Manager"),
    ("reader", "readonly", "Noah", "Kim", "Finance analyst"),
]

# name, sku, description
PRODUCTS: list[tuple[str, str, str]] = [
    ("Beacon Operations Platform", "BOP", "Operational analytics: live dashboards and alerts."),
    ("Beacon Forecasting", "BFC", "Demand and capacity forecasts on top of the platform."),
    ("Beacon Connect", "BCN", "Connectors to ERP, CRM and maintenance systems."),
    ("Premier Success Plan", "PSP", "A named CSM, quarterly reviews and priority support."),
]


@dataclass
class AccountSpec:
    key: str
    name: str
    industry: str
    region: str
    segment: str
    employees: int
    owner: str
    parent: str = ""
    # first, last, title, department, index of the manager in this list (or None)
    contacts: list[tuple[str, str, str, str, int | None]] = field(default_factory=list)
    # product sku, quantity, ARR, start offset, end (renewal) offset, status
    subscriptions: list[tuple[str, int, int, int, int, str]] = field(default_factory=list)

    @property
    def domain(self) -> str:
        return self.key + ".example"


ACCOUNTS: list[AccountSpec] = [
    AccountSpec(
        "halvorsen-maritime", "Halvorsen Maritime", "Shipping and logistics", "EMEA", "enterprise",
        4200, "priya",
        contacts=[
            ("Ingrid", "Halvorsen", "Chief Operating Officer", "Executive", None),
            ("Mats", "Eriksen", "VP Fleet Operations", "Fleet operations", 0),
            ("Sofie", "Dahl", "Head of Digital", "IT", 0),
            ("Anders", "Moe", "Fleet Performance Manager", "Fleet operations", 1),
            ("Kari", "Lunde", "Data Platform Lead", "IT", 2),
        ],
        subscriptions=[
            ("BOP", 350, 182_000, -700, 30, "active"),
            ("BFC", 80, 46_000, -330, 35, "active"),
            ("PSP", 1, 24_000, -330, 35, "active"),
        ],
    ),
    AccountSpec(
        "brightwater-utilities", "Brightwater Utilities", "Utilities", "North America",
        "strategic", 9800, "tomas",
        contacts=[
            ("Dana", "Whitfield", "Chief Information Officer", "Executive", None),
            ("Marcus", "Bell", "Director of Grid Operations", "Operations", 0),
            ("Elena", "Ruiz", "Change Manager", "HR", 0),
            ("Owen", "Price", "Control Room Supervisor", "Operations", 1),
            ("Grace", "Tan", "Training Lead", "HR", 2),
            ("Felix", "Osei", "Integration Architect", "IT", 0),
        ],
        subscriptions=[
            ("BOP", 900, 410_000, -420, 310, "active"),
            ("BCN", 6, 54_000, -420, 310, "active"),
            ("PSP", 1, 36_000, -420, 310, "active"),
        ],
    ),
    AccountSpec(
        "brightwater-renewables", "Brightwater Renewables", "Utilities", "North America",
        "mid_market", 650, "tomas", parent="brightwater-utilities",
        contacts=[
            ("Hannah", "Cole", "General Manager", "Executive", None),
            ("Ravi", "Mehta", "Asset Performance Engineer", "Engineering", 0),
            ("Julia", "Foster", "Site Operations Lead", "Operations", 0),
        ],
        subscriptions=[("BOP", 60, 38_000, -20, 345, "trial")],
    ),
    AccountSpec(
        "copperleaf-foods", "Copperleaf Foods", "Food manufacturing", "EMEA", "mid_market",
        1300, "lena",
        contacts=[
            ("Tobias", "Keller", "Managing Director", "Executive", None),
            ("Amélie", "Roux", "Plant Manager, Lyon", "Production", 0),
            ("Jonas", "Weber", "Supply Chain Manager", "Supply chain", 0),
            ("Nadia", "Haddad", "Continuous Improvement Lead", "Production", 1),
        ],
        subscriptions=[
            ("BOP", 120, 64_000, -75, 290, "active"),
            ("BFC", 25, 18_500, -75, 290, "active"),
        ],
    ),
    AccountSpec(
        "meridian-health", "Meridian Health Partners", "Healthcare", "North America",
        "enterprise", 6500, "priya",
        contacts=[
            ("Patricia", "Nwosu", "Chief Nursing Officer", "Clinical", None),
            ("Derek", "Shaw", "VP Patient Flow", "Operations", 0),
            ("Mei", "Lin", "Bed Management Lead", "Operations", 1),
            ("Carlos", "Vega", "Clinical Informatics Manager", "IT", 0),
            ("Ruth", "Adeyemi", "Nurse Educator", "Clinical", 0),
        ],
        subscriptions=[
            ("BOP", 400, 225_000, -160, 60, "active"),
            ("BCN", 3, 27_000, -160, 60, "active"),
        ],
    ),
    AccountSpec(
        "kestrel-freight", "Kestrel Freight", "Logistics", "APAC", "mid_market", 900, "tomas",
        contacts=[
            ("Liam", "O'Connor", "Chief Executive", "Executive", None),
            ("Aiko", "Sato", "Head of Network Planning", "Planning", 0),
            ("Ben", "Harris", "Depot Operations Manager", "Operations", 0),
        ],
        subscriptions=[("BOP", 90, 52_000, -30, 335, "active")],
    ),
    AccountSpec(
        "orchard-lane", "Orchard Lane Retail", "Retail", "EMEA", "smb", 240, "lena",
        contacts=[
            ("Harriet", "Lowe", "Founder and CEO", "Executive", None),
            ("Tom", "Fielding", "Operations Manager", "Operations", 0),
            ("Zara", "Ali", "E-commerce Lead", "Digital", 0),
        ],
        subscriptions=[("BOP", 15, 9_600, -10, 355, "active")],
    ),
    AccountSpec(
        "sable-ridge", "Sable Ridge Mining", "Mining", "Latin America", "strategic", 12_000,
        "priya",
        contacts=[
            ("Mateo", "Fernández", "Chief Operating Officer", "Executive", None),
            ("Lucía", "Paredes", "Mine Planning Director", "Planning", 0),
            ("Diego", "Morales", "Maintenance Superintendent", "Maintenance", 1),
            ("Valentina", "Rojas", "OT/IT Convergence Lead", "IT", 0),
        ],
        subscriptions=[
            ("BOP", 600, 298_000, -120, 75, "active"),
            ("BCN", 4, 36_000, -120, 75, "active"),
            ("BFC", 40, 28_000, -480, -115, "expired"),
        ],
    ),
    # Former customers: their usage faded and they left within the last half year. They give
    # the trust page churn to backtest the scorecard against.
    AccountSpec(
        "fjord-bakeries", "Fjord Bakeries", "Food manufacturing", "EMEA", "smb", 180, "lena",
        contacts=[("Eirik", "Solberg", "Operations Director", "Operations", None)],
        subscriptions=[("BOP", 40, 14_000, -520, -150, "churned")],
    ),
    AccountSpec(
        "larkspur-logistics", "Larkspur Logistics", "Logistics", "North America", "mid_market",
        700, "tomas",
        contacts=[("Megan", "Doyle", "VP Operations", "Operations", None),
                  ("Chris", "Okafor", "Planning Lead", "Planning", 0)],
        subscriptions=[("BOP", 120, 48_000, -460, -104, "churned")],
    ),
    AccountSpec(
        "northwind-clinics", "Northwind Clinics", "Healthcare", "North America", "mid_market",
        850, "priya",
        contacts=[("Alan", "Reyes", "Chief Operating Officer", "Executive", None)],
        subscriptions=[("BOP", 90, 41_000, -430, -62, "churned"),
                       ("BCN", 1, 9_000, -430, -62, "churned")],
    ),
    AccountSpec(
        "pebble-creek", "Pebble Creek Outfitters", "Retail", "EMEA", "smb", 160, "lena",
        contacts=[("Sara", "Lindgren", "Head of E-commerce", "Digital", None)],
        subscriptions=[("BOP", 30, 11_000, -400, -33, "churned")],
    ),
]


@dataclass
class EngagementSpec:
    account: str
    initiative: str
    challenge: str
    required_outcomes: str
    solution: str
    owner: str
    phase: str
    started: int
    team: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    # name, unit, baseline, target, current (or None), due offset
    outcomes: list[tuple[str, str, float, float, float | None, int]] = field(default_factory=list)
    # keys of phases whose required outputs were skipped, moved on by override with this reason
    override: tuple[str, str] | None = None
    open_evaluation: bool = False


ENGAGEMENTS: list[EngagementSpec] = [
    EngagementSpec(
        "halvorsen-maritime", "Cut fuel burn across the North Sea fleet",
        "Fuel is 38 % of voyage cost and nobody sees consumption until the monthly report.",
        "Fuel per nautical mile down 8 % within a year; weekly fuel review on every vessel.",
        "Beacon Operations Platform for 350 users, Beacon Forecasting, Premier Success Plan.",
        "priya", "value-realization", -300, team=["lena"], products=["BOP", "BFC", "PSP"],
        outcomes=[
            ("Fuel per nautical mile", "kg/nm", 212, 195, 199, 60),
            ("Vessels with a weekly fuel review", "%", 10, 100, 85, 30),
        ],
        open_evaluation=True,
    ),
    EngagementSpec(
        "brightwater-utilities", "Faster outage restoration in the control room",
        "Restoration times rose two years running; alarms arrive in four different tools.",
        "Average restoration time under 90 minutes; one screen for every control room alarm.",
        "Beacon Operations Platform for 900 users with Beacon Connect to SCADA and the work order "
        "system; Premier Success Plan.",
        "tomas", "adoption-implementation", -210, team=["priya"], products=["BOP", "BCN", "PSP"],
        outcomes=[
            ("Average restoration time", "minutes", 124, 90, 108, 120),
            ("Control room staff trained", "%", 0, 100, 64, 20),
        ],
    ),
    EngagementSpec(
        "meridian-health", "Shorter waits for an inpatient bed",
        "Emergency patients wait hours for a bed while discharged beds stay blocked.",
        "Median wait for a bed under 4 hours; discharge before noon on 40 % of days.",
        "Beacon Operations Platform for 400 users with Beacon Connect to the patient system.",
        "priya", "adoption-planning", -140, products=["BOP", "BCN"],
        outcomes=[
            ("Median wait for an inpatient bed", "hours", 6.5, 4, None, 200),
            ("Discharges before noon", "%", 18, 40, None, 200),
        ],
    ),
    EngagementSpec(
        "copperleaf-foods", "Less waste on the Lyon production lines",
        "Changeovers cause most of the scrap and each shift measures it differently.",
        "Scrap under 3 % of output; one changeover standard across shifts.",
        "Beacon Operations Platform for 120 users and Beacon Forecasting.",
        "lena", "onboarding", -60, products=["BOP", "BFC"],
        outcomes=[("Scrap rate", "%", 5.2, 3, None, 240)],
    ),
    EngagementSpec(
        "sable-ridge", "Predictive maintenance for the haul truck fleet",
        "Unplanned truck downtime costs a shift of production every week.",
        "Unplanned downtime halved; maintenance planned from condition, not calendar.",
        "Beacon Operations Platform for 600 users with Beacon Connect to the maintenance system.",
        "priya", "onboarding", -95, team=["tomas"], products=["BOP", "BCN"],
        outcomes=[("Unplanned truck downtime", "hours/week", 42, 21, None, 270)],
        override=(
            "commitment",
            "The customer's legal team is still reviewing the proposal, but their COO fixed the "
            "kick-off date with the board. Signature expected within three weeks.",
        ),
    ),
    EngagementSpec(
        "kestrel-freight", "One planning view for every depot",
        "Planners rebuild the network plan every morning from spreadsheets.",
        "The morning plan ready by 07:00 from live data; planners' spreadsheets retired.",
        "Beacon Operations Platform for 90 users.",
        "tomas", "commitment", -25, products=["BOP"],
    ),
    EngagementSpec(
        "orchard-lane", "Stock-outs under control before the holiday season",
        "Best sellers run out while slow lines fill the warehouse.",
        "Fewer than 2 % of orders hit an out-of-stock item.",
        "Beacon Operations Platform for 15 users.",
        "lena", "preparation", -8, products=["BOP"],
    ),
    EngagementSpec(
        "brightwater-renewables", "Wind farm availability reporting",
        "Each site reports turbine availability in its own spreadsheet, a week late.",
        "Daily availability per site, visible to the general manager.",
        "Beacon Operations Platform trial for 60 users.",
        "tomas", "preparation", -4, products=["BOP"],
    ),
]

# Checklist items skipped on the way, per phase: (activity position, reason).
SKIPS: dict[str, tuple[int, str]] = {
    "preparation": (5, "The account team's notes and last year's review already covered this."),
    "onboarding": (6, "The customer's own training team prepared the welcome pack."),
    "adoption-planning": (5, "Practical considerations were captured in the onboarding report."),
}

# account key, kind, days ago, title, body
TIMELINE: list[tuple[str, str, int, str, str]] = [
    # The quarterly business review 12 days ago is on the timeline from cairn.reviews.demo.
    ("halvorsen-maritime", "email", 5, "Renewal quote sent to procurement",
     "Sent the renewal for the platform, forecasting and the success plan. Asked for a decision "
     "by the end of the month."),
    ("halvorsen-maritime", "call", 2, "Call with Kari about the data platform",
     "Kari plans to move the fuel sensors to a new gateway; agreed to test the connector first."),
    ("brightwater-utilities", "meeting", 20, "Steering group: adoption progress",
     "64 % of control room staff trained. Night shift lags behind; Elena will add two sessions."),
    ("brightwater-utilities", "note", 6, "Risk: SCADA upgrade in the spring",
     "Felix mentioned a SCADA upgrade. The connector must be re-tested before it goes live."),
    ("brightwater-renewables", "email", 3, "Intro from Dana at Brightwater Utilities",
     "Dana introduced Hannah, the general manager, who wants availability reporting per site."),
    ("copperleaf-foods", "meeting", 15, "Onboarding kick-off in Lyon",
     "Agreed a three-stage plan: line 1 first, then lines 2 and 3. Amélie owns the plant side."),
    ("copperleaf-foods", "call", 4, "Weekly onboarding check-in",
     "Line 1 data flows. Nadia asked for a shift comparison dashboard."),
    ("meridian-health", "meeting", 18, "Workshop: who is affected by the new bed board",
     "Mapped five impacted groups: bed managers, ward nurses, porters, discharge team, "
     "emergency department coordinators."),
    ("meridian-health", "note", 7, "Ruth will lead nurse training",
     "Ruth Adeyemi offered to run the ward training herself, with our material."),
    ("kestrel-freight", "meeting", 9, "First meeting with Aiko and Ben",
     "They want depot managers in the pilot from day one. Proposal to follow this week."),
    ("orchard-lane", "note", 6, "Handover from sales",
     "Small team, quick decisions. Harriet signed for the holiday season: timing is everything."),
    ("sable-ridge", "call", 11, "Call with Valentina about the maintenance system",
     "The maintenance system exports work orders nightly; real time needs their vendor."),
    ("sable-ridge", "email", 1, "Reminder: signed proposal still outstanding",
     "Asked Mateo's office for the signed proposal; legal promised it by Friday."),
]

# assignee, account key, title, due offset (None: no date), done
TASKS: list[tuple[str, str, str, int | None, bool]] = [
    ("priya", "halvorsen-maritime", "Prepare the value report for the renewal", -2, False),
    ("priya", "sable-ridge", "Chase the signed engagement proposal", -1, False),
    ("priya", "meridian-health", "Draft the outline adoption plan with Derek", 3, False),
    ("priya", "halvorsen-maritime", "Book the Baltic fleet discovery call", 12, False),
    ("tomas", "brightwater-utilities", "Add two night-shift training sessions", -3, False),
    ("tomas", "kestrel-freight", "Send the engagement proposal to Aiko", 2, False),
    ("tomas", "brightwater-renewables", "Plan the handover with the account executive", 5, False),
    ("lena", "copperleaf-foods", "Build the shift comparison dashboard with Nadia", 4, False),
    ("lena", "orchard-lane", "Research Orchard Lane's peak season", 1, False),
    ("lena", "copperleaf-foods", "Send the welcome pack", -20, True),
    (DEMO_USERNAME, "halvorsen-maritime", "Approve the renewal discount for Halvorsen", -1, False),
    (DEMO_USERNAME, "meridian-health", "Review Meridian's renewal risk with Priya", 6, False),
    (DEMO_USERNAME, "sable-ridge", "Escalate the Sable Ridge proposal to their COO", None, False),
]
