"""The written documents of the demo, in Markdown, by document type.

Each text is a format string filled from the engagement ({account}, {initiative},
{challenge}, {outcomes}, {solution}, {owner}), so every demo engagement gets its own copy.
"""

from __future__ import annotations

HANDOVER = """# Handover notes: {account}

**Initiative:** {initiative}
**Owner:** {owner}

## What the customer bought
{solution}

## Why they bought it
{challenge}

## What they expect
{outcomes}

## Who is who
- The executive sponsor signed the order and wants a monthly one-page summary.
- The operations lead will run the day-to-day work; keep them close.
- IT owns the integrations and is cautious about anything touching production systems.

## Open questions from the handover
1. Which sites or teams go first?
2. Who measures the baseline today, and how often?
3. Are there other initiatives competing for the same people?
"""

HANDOVER_FIRST_DRAFT = """# Handover notes: {account}

Notes taken during the handover call with sales. To be completed.

- Bought: {solution}
- Problem: {challenge}
"""

STRATEGY = """# Engagement strategy: {account}

## The chain from our product to their vision
| Level | In their words |
|---|---|
| Product | {solution} |
| Initiative | {initiative} |
| Problem | {challenge} |
| Required outcomes | {outcomes} |

## How we will engage
- Start with one team that feels the problem most, and prove the value there.
- Agree the measurements and take the baseline before anyone is trained.
- Report progress in the customer's own numbers, not in product usage.

## Roadmap
1. **Commitment:** meet the sponsor and operations lead, sign the proposal.
2. **Onboarding:** connect the data, configure, welcome pack.
3. **Adoption:** impacted groups, training, support, measurements.
4. **Value:** quarterly reviews against the required outcomes.
"""

PROPOSAL = """# Customer engagement proposal: {account}

## Our understanding
{challenge}

## What success looks like
{outcomes}

## How we will help
- A named customer success manager ({owner}) for the length of the engagement.
- A phased onboarding plan agreed with your team.
- An adoption plan for every group of people the change affects.
- Reviews at agreed intervals, reporting value in your measurements.

## What we ask of you
- A sponsor who can clear obstacles, and an operations lead with time set aside.
- Access to the data sources named in the onboarding plan.

*Signed for the customer: ________  Date: ________*
"""

ONBOARDING_PLAN = """# Onboarding plan: {account}

| Stage | Scope | Owner | Done when |
|---|---|---|---|
| 1 | Connect the first data source and check it | Customer IT | Data arrives every hour |
| 2 | Configure dashboards for the pilot team | {owner} | The pilot team uses them daily |
| 3 | Roll out to the remaining teams | Operations lead | Every team signed off |

Reporting: a short written update every Friday; a milestone report at the end of each stage.
"""

ONBOARDING_REPORT = """# Onboarding report: {account}

All three onboarding stages are complete. The data arrives on time, the pilot team works
from the dashboards every day, and the remaining teams signed off last week.

**Lessons:** start the IT access request on day one; it took longer than any technical step.

*Signed off by the customer's operations lead.*
"""

ADOPTION_PLAN = """# Adoption plan: {account}

## Impacted groups
| Group | Knowledge | Skills | Attitude |
|---|---|---|---|
| Front-line operators | Why the change matters | Reading the new screens | Wary: another tool |
| Supervisors | The new measurements | Running the daily review | Supportive |
| Managers | The value targets | Coaching on the numbers | Eager for results |

## Communication, training, support
- Kick-off message from the sponsor, then a short update every two weeks.
- Hands-on sessions per group, recorded for the night shift.
- Floor walkers in the first two weeks; a named expert in every team afterwards.

## Barriers and risks
- Shift patterns make training hard to schedule.
- A system upgrade planned by IT could interrupt data for a few days.
"""

ADOPTION_REPORT = """# Adoption programme report: {account}

Every impacted group was trained and the daily review runs in all teams. Measurements were
taken against the baseline agreed before the programme started.

{outcomes}
"""

VALUE_REPORT = """# Value report: {account}

## Required outcomes and where they stand
{outcomes}

## What the customer says
> "We now talk about the numbers every week instead of once a month."

## Next
- Extend to the next part of the business.
- Ask the sponsor for a reference call.
"""

LESSONS = """# Lessons learned: {account}

- Taking the baseline early made every later conversation easier.
- The sponsor's monthly one-pager was read; the long reports were not.
- Next time: agree the training calendar before the onboarding ends.
"""

TEMPLATE_STRATEGY = """# Engagement strategy: <account>

## The chain from our product to their vision
| Level | In their words |
|---|---|
| Product | |
| Initiative | |
| Problem | |
| Required outcomes | |

## How we will engage

## Roadmap
"""

# document type -> (title pattern, body)
BY_TYPE: dict[str, tuple[str, str]] = {
    "handover_notes": ("Handover notes", HANDOVER),
    "engagement_strategy": ("Engagement strategy and roadmap", STRATEGY),
    "proposal": ("Customer engagement proposal", PROPOSAL),
    "onboarding_plan": ("Onboarding plan", ONBOARDING_PLAN),
    "adoption_plan": ("Adoption plan", ADOPTION_PLAN),
    "lessons_learned": ("Lessons learned", LESSONS),
}

# Report outputs differ by phase: the phase key picks the text.
REPORTS: dict[str, tuple[str, str]] = {
    "onboarding": ("Onboarding report", ONBOARDING_REPORT),
    "adoption-implementation": ("Adoption programme report", ADOPTION_REPORT),
    "value-realization": ("Value report", VALUE_REPORT),
}
