"""The proposal's first text, written as Markdown from what the engagement already knows.

Sections follow the framework's commitment phase: the customer's challenge, the outcomes
with their targets, the help we offer, who does what (the RACI), how we keep in touch
(the stakeholder plan) and the next steps. The CSM edits the result; generating again
writes a new version from the data as it then stands.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cairn.commitment.queries import communication_plan, responsibilities
from cairn.engagements.models import Engagement
from cairn.timeline.models import Task, TaskStatus

TITLE = "Customer engagement proposal"

DEFAULT_SERVICES = (
    "- A named customer success manager and a regular review of progress against the outcomes\n"
    "- Onboarding: kick-off, configuration and training for your teams\n"
    "- Adoption support: usage reviews, best-practice sessions and a shared roadmap\n"
    "- Executive business reviews with your sponsor"
)


def _md(text: str) -> str:
    """One line of user text, safe inside a Markdown list or table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.normalize():f}"
    return text


def _date(value: dt.date | None) -> str:
    return f"{value:%d %b %Y}" if value else "—"


def _outcomes(engagement: Engagement) -> list[str]:
    lines = []
    if engagement.required_outcomes.strip():
        lines += [engagement.required_outcomes.strip(), ""]
    outcomes = list(engagement.outcomes.all())
    if not outcomes:
        return lines or ["_No measurable outcomes yet: we will agree them together._"]
    lines += ["| Outcome | Baseline | Target | Unit | By |", "|---|---:|---:|---|---|"]
    for o in outcomes:
        lines.append(
            f"| {_md(o.name)} | {_number(o.baseline)} | {_number(o.target)} | {_md(o.unit) or '—'} "
            f"| {_date(o.due_date)} |"
        )
    return lines


def _help(engagement: Engagement, services: str) -> list[str]:
    products = ", ".join(p.name for p in engagement.products.all())
    lines = [f"**Solution.** {_md(engagement.solution) or 'To be confirmed.'}"]
    if products:
        lines += ["", f"**Products.** {_md(products)}"]
    lines += ["", "**Our services.**", "", services.strip() or DEFAULT_SERVICES]
    return lines


def _raci(engagement: Engagement) -> list[str]:
    rows = responsibilities(engagement)
    if not rows:
        return ["_Responsibilities will be agreed in the first meeting._"]
    lines = [
        "R: responsible, does the work. A: accountable, answers for it. C: consulted. I: informed.",
        "",
        "| Activity | Responsible | Accountable | Consulted | Informed |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [", ".join(_md(n) for n in names) or "—"
                 for names in (r.responsible, r.accountable, r.consulted, r.informed)]
        lines.append(f"| {_md(r.activity)} | " + " | ".join(cells) + " |")
    return lines


def _communication(engagement: Engagement, today: dt.date) -> list[str]:
    plan = communication_plan(engagement, today)
    if not plan:
        return ["_We will agree who meets whom, and how often, in the first meeting._"]
    lines = ["| Who | Role | Our contact | How often | How we work together |", "|---|---|---|---|---|"]
    for p in plan:
        lines.append(
            f"| {_md(p.name)} | {_md(p.role) or '—'} | {_md(p.owner) or _md(str(engagement.owner))} "
            f"| {_md(p.cadence) or '—'} | {_md(p.strategy)} |"
        )
    return lines


def _next_steps(engagement: Engagement) -> list[str]:
    tasks = (
        Task.objects.filter(engagement=engagement, status=TaskStatus.OPEN)
        .select_related("assignee")
        .order_by("due_date", "pk")[:15]
    )
    lines = [
        f"- {_md(t.title)} ({t.assignee}{', by ' + _date(t.due_date) if t.due_date else ''})"
        for t in tasks
    ]
    return lines or ["- Accept this proposal, so we can start onboarding together."]


def proposal_markdown(engagement: Engagement, services: str, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    account = engagement.account
    parts = [
        f"# {TITLE}",
        "",
        f"**{_md(account.name)}** · {_md(engagement.initiative)} · {today:%d %B %Y}",
        "",
        "## Your challenge",
        "",
        _md(engagement.challenge) or "_To be described with you._",
        "",
        "## The outcomes you need",
        "",
        *_outcomes(engagement),
        "",
        "## How we will help",
        "",
        *_help(engagement, services),
        "",
        "## Who does what",
        "",
        *_raci(engagement),
        "",
        "## Cadence and communication",
        "",
        *_communication(engagement, today),
        "",
        "## Next steps",
        "",
        *_next_steps(engagement),
        "",
        "## Acceptance",
        "",
        f"By accepting this proposal, {_md(account.name)} and our team agree on the outcomes, the "
        "responsibilities and the way of working above. Any later change is written as a new "
        "version and accepted again.",
        "",
    ]
    return "\n".join(parts)
