"""The texts Cairn writes into the central repository: the adoption plan's sections, the
starting point of the detailed plan, the workforce roadmap and governance reports.

A plan is Markdown with one `## ` heading per section, so the documents app shows, versions
and searches it like any written document, and the plan page can still edit it by section.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cairn.adoption.measurements import Assessment, number
from cairn.adoption.models import (
    Challenge,
    Gap,
    ImpactedGroup,
    Kpi,
    Risk,
    RoadmapStep,
    WorkPackage,
)

# The outline the key stakeholder approves: what a first conversation can settle.
OUTLINE_SECTIONS = [
    "Objectives and scope",
    "Impacted groups and what changes for them",
    "Communication",
    "Training",
    "Support",
    "Timeline and milestones",
    "Measurements",
    "Risks and barriers",
]

# What the detail adds, with the people the framework says to involve.
DETAIL_SECTIONS = [
    "Roles: HR, trainers, change managers and process owners",
    "Communication plan per impacted group",
    "Training plan per impacted group",
    "Support plan per impacted group",
]

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def split_sections(body: str) -> list[tuple[str, str]]:
    """The `## ` sections of a Markdown text, in order; text before the first heading is
    kept under an empty heading."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            sections.append((match.group(1), []))
        else:
            sections[-1][1].append(line)
    result = [(heading, "\n".join(lines).strip()) for heading, lines in sections]
    return [(h, b) for h, b in result if h or b]


def join_sections(title: str, sections: Iterable[tuple[str, str]]) -> str:
    parts = [f"# {title}"]
    for heading, text in sections:
        if heading:
            parts.append(f"## {heading}\n\n{text.strip()}" if text.strip() else f"## {heading}")
        elif text.strip():
            parts.append(text.strip())
    return "\n\n".join(parts) + "\n"


def split_after(body: str, heading: str) -> tuple[str, str]:
    """The text up to the end of its `## heading` section, and the rest; without that
    section, all of the text and nothing."""
    lines = body.splitlines()
    headings = [(n, m.group(1)) for n, line in enumerate(lines) if (m := _HEADING.match(line))]
    start = next((n for n, text in headings if text == heading), None)
    if start is None:
        return body, ""
    end = next((n for n, _ in headings if n > start), len(lines))
    return "\n".join(lines[:end]), "\n".join(lines[end:])


def section_headings(body: str) -> list[str]:
    return [h for h, _ in split_sections(body) if h]


def _gap(value: int) -> str:
    return Gap(value).label.lower()


def group_line(group: ImpactedGroup) -> str:
    size = f", {group.size} people" if group.size else ""
    where = f", {group.location}" if group.location else ""
    return (
        f"**{group.name}** ({group.get_impact_display().lower()}{size}{where}): knowledge gap "
        f"{_gap(group.knowledge_gap)}, skills gap {_gap(group.skills_gap)}, attitude gap "
        f"{_gap(group.attitude_gap)}"
    )


def outline_start(groups: list[ImpactedGroup], risks: list[Risk]) -> list[tuple[str, str]]:
    """The outline's sections, pre-filled from the impact analysis done so far."""
    texts = dict.fromkeys(OUTLINE_SECTIONS, "")
    texts["Impacted groups and what changes for them"] = "\n".join(f"- {group_line(g)}" for g in groups)
    texts["Risks and barriers"] = "\n".join(
        f"- {r.title} (score {r.score}, {r.level.label.lower()})" for r in risks
    )
    return list(texts.items())


def _needs(groups: list[ImpactedGroup], attribute: str) -> str:
    lines = [f"- **{g.name}**: {getattr(g, attribute).strip() or 'to be agreed'}" for g in groups]
    return "\n".join(lines) or "- No impacted group recorded yet."


def detailed_start(outline_body: str, groups: list[ImpactedGroup]) -> list[tuple[str, str]]:
    """The detailed plan starts as the approved outline plus the detail sections, the needs
    of each impacted group already written in."""
    sections = [(h, b) for h, b in split_sections(outline_body) if h]
    have = {h for h, _ in sections}
    generated = {
        DETAIL_SECTIONS[0]: "- HR:\n- Trainers:\n- Change managers:\n- Process owners:",
        DETAIL_SECTIONS[1]: _needs(groups, "communication_needs"),
        DETAIL_SECTIONS[2]: _needs(groups, "training_needs"),
        DETAIL_SECTIONS[3]: _needs(groups, "support_needs"),
    }
    return sections + [(h, text) for h, text in generated.items() if h not in have]


def roadmap_markdown(account: str, summary: str, steps: list[RoadmapStep]) -> str:
    lines = [f"# Adoption roadmap: {account}", "", summary.strip(), ""]
    for step in steps:
        lines.append(f"## {step.title}")
        lines.append("")
        audience = f" · for {step.audience}" if step.audience else ""
        lines.append(f"*{step.starts:%d %b %Y} to {step.ends:%d %b %Y}{audience}*")
        if step.description.strip():
            lines += ["", step.description.strip()]
        lines.append("")
    return "\n".join(lines).strip() + "\n"


@dataclass
class GovernanceData:
    account: str
    initiative: str
    held_on: dt.date
    attendees: str
    decisions: str
    kpis: list[tuple[Kpi, Assessment]]
    work_packages: list[WorkPackage]
    risks: list[Risk]
    challenges: list[Challenge]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip() or "—"


def governance_markdown(data: GovernanceData) -> str:
    """A progress report for a governance meeting, written from the engagement's records."""
    out = [
        f"# Governance report: {data.account}",
        "",
        f"**Initiative:** {data.initiative}  ",
        f"**Meeting:** {data.held_on:%d %B %Y}  ",
    ]
    if data.attendees.strip():
        out.append(f"**Attendees:** {_cell(data.attendees)}")
    out += ["", "## Measurements", ""]
    if data.kpis:
        out += ["| KPI | Baseline | Target | Latest | Expected now | Status |", "|---|---|---|---|---|---|"]
        for kpi, a in data.kpis:
            unit = f" {kpi.unit}" if kpi.unit else ""
            latest = f"{number(a.latest.value)}{unit} ({a.latest.date:%d %b})" if a.latest else "—"
            out.append(
                f"| {_cell(kpi.name)} | {number(kpi.baseline_value)}{unit} ({kpi.baseline_date:%d %b %Y}) | "
                f"{number(kpi.target_value)}{unit} by {kpi.target_date:%d %b %Y} | {latest} | "
                f"{number(a.expected)} | **{a.status.label}** |"
            )
    else:
        out.append("No KPI is measured yet.")
    counts: dict[str, int] = {}
    for wp in data.work_packages:
        counts[wp.get_status_display()] = counts.get(wp.get_status_display(), 0) + 1
    summary = ", ".join(f"{n} {label.lower()}" for label, n in counts.items())
    out += ["", "## Work packages", "", summary + "." if summary else "No work package yet.", ""]
    if data.work_packages:
        out += ["| Work package | Owner | Due | Status |", "|---|---|---|---|"]
        for wp in data.work_packages:
            due = f"{wp.due_date:%d %b %Y}" if wp.due_date else "—"
            out.append(f"| {_cell(wp.title)} | {_cell(wp.owner)} | {due} | {wp.get_status_display()} |")
    out += ["", "## Open risks", ""]
    if data.risks:
        out += ["| Risk | Score | Owner | Status | Mitigation |", "|---|---|---|---|---|"]
        for r in data.risks:
            out.append(
                f"| {_cell(r.title)} | {r.score} ({r.level.label.lower()}) | {_cell(r.owner)} | "
                f"{r.get_status_display()} | {_cell(r.mitigation)} |"
            )
    else:
        out.append("No open risk.")
    out += ["", "## Challenges", ""]
    if data.challenges:
        for c in data.challenges:
            state = f"resolved {c.resolved_on:%d %b %Y}" if c.resolved_on else "open"
            out.append(f"- **{c.challenge}** ({state}): {_cell(c.impact)}")
            if c.response.strip():
                out.append(f"  Response: {_cell(c.response)}")
    else:
        out.append("No challenge logged.")
    out += ["", "## Decisions and actions", "", data.decisions.strip() or "None recorded.", ""]
    return "\n".join(out)
