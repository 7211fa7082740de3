"""The engagement strategy and roadmap, written as Markdown from the preparation tools.

The CSM edits the result in the central repository like any other document; generating
again writes a new version from the data as it then stands.
"""

from __future__ import annotations

from django.utils import timezone

from cairn.engagements.models import ActivityStatus, Engagement
from cairn.preparation import queries
from cairn.preparation.models import Confidence, Impact, Level


def _md(text: str) -> str:
    """One line of user text, safe inside a Markdown list or table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _section(title: str, lines: list[str], empty: str) -> list[str]:
    return [f"## {title}", "", *(lines or [f"_{empty}_"]), ""]


def _summary(engagement: Engagement) -> list[str]:
    products = ", ".join(p.name for p in engagement.products.all()) or "—"
    return [
        f"- **Customer:** {_md(engagement.account.name)}"
        + (f" ({_md(engagement.account.industry)}, {_md(engagement.account.region)})"
           if engagement.account.industry else ""),
        f"- **Initiative:** {_md(engagement.initiative)}",
        f"- **Challenge:** {_md(engagement.challenge) or '—'}",
        f"- **Required outcomes:** {_md(engagement.required_outcomes) or '—'}",
        f"- **Solution:** {_md(engagement.solution) or '—'} (products: {products})",
        f"- **Lead CSM:** {engagement.owner}",
    ]


def _dossier(engagement: Engagement) -> list[str]:
    data = queries.dossier(engagement)
    lines: list[str] = []
    for area in data["areas"]:
        lines += [f"### {area['label']}", ""]
        if not area["facts"]:
            lines += ["_Nothing known yet: a gap to fill._", ""]
            continue
        for fact in area["facts"]:
            mark = "validated" if fact.confidence == Confidence.VALIDATED else "**assumed**"
            source = fact.get_source_display() + (f", {fact.source_detail}" if fact.source_detail else "")
            lines.append(f"- {_md(fact.statement)} ({_md(source)}; {mark})")
        lines.append("")
    questions = data["open_questions"]
    lines += ["### Questions for the customer", ""]
    lines += [f"- [ ] {_md(q.text)}" for q in questions] or ["_No open question._"]
    lines += [
        f"- [x] {_md(q.text)}: {_md(q.answer)} ({_md(q.who_answered)}, {q.answered_on:%d %b %Y})"
        for q in data["answered_questions"] if q.answered_on
    ]
    lines.append("")
    for meeting in data["meetings"]:
        people = ", ".join(f"{a.user} ({a.get_role_display()})" for a in meeting.attendees.all())
        lines += [f"### Handover meeting, {meeting.date:%d %b %Y}", ""]
        if people:
            lines.append(f"Attendees: {people}.")
        if meeting.notes:
            lines += ["", meeting.notes.strip()]
        lines.append("")
    return lines


def _organization(engagement: Engagement) -> list[str]:
    contacts = queries.contacts_of(engagement.account)
    lines: list[str] = []
    if contacts:
        lines += ["### Stakeholders and reporting lines", "", "| Name | Title | Department | Reports to |",
                  "|---|---|---|---|"]
        names = {c.pk: c.full_name for c in contacts}
        for c in contacts:
            manager = names.get(c.reports_to_id, "—") if c.reports_to_id else "—"
            lines.append(
                f"| {_md(c.full_name)} | {_md(c.title) or '—'} | {_md(c.department) or '—'} | "
                f"{_md(manager)} |"
            )
        lines.append("")
    chain = queries.value_chain(engagement)
    impacted = [f for f in chain["primary"] + chain["support"] if f.impact != Impact.NONE]
    if impacted:
        lines += ["### Value chain: where the initiative lands", ""]
        for f in impacted:
            note = f": {_md(f.impact_note)}" if f.impact_note else ""
            lines.append(f"- **{_md(f.name)}** ({f.get_kind_display().lower()}), "
                         f"{f.get_impact_display().lower()}{note}")
        lines.append("")
    changed = []
    for high in queries.capability_map(engagement):
        for mid in high.children:
            for low in mid.children:
                cap = low.capability
                if cap.level == Level.LOW and (cap.changed or cap.flag_names):
                    path = f"{high.capability.name} › {mid.capability.name} › {cap.name}"
                    what = f" Changes: {_md(cap.change)}." if cap.changed else ""
                    flags = f" Today: {', '.join(cap.flag_names)}." if cap.flag_names else ""
                    who = f" People: {_md(cap.people)}." if cap.people else ""
                    changed.append(f"- **{_md(path)}**.{what}{flags}{who}")
    if changed:
        lines += ["### Capabilities the initiative changes", "", *changed, ""]
    return lines


def _stakeholders(engagement: Engagement) -> list[str]:
    """The stakeholder management plan kept by the commitment tools."""
    from cairn.commitment.queries import communication_plan

    plan = communication_plan(engagement)
    if not plan:
        return []
    lines = ["| Stakeholder | Role | Power and interest | Attitude | How we manage them | Who | Cadence |",
             "|---|---|---|---|---|---|---|"]
    for p in plan:
        lines.append(
            f"| {_md(p.name)} | {_md(p.role) or '—'} | {_md(p.quadrant)} | {_md(p.attitude)} | "
            f"{_md(p.strategy) or '—'} | {_md(p.owner) or '—'} | {_md(p.cadence)} |"
        )
    return lines


def _strategy(engagement: Engagement) -> list[str]:
    lines: list[str] = []
    pestle = queries.effective_pestle(engagement.account)
    strong = [d for d in pestle.drivers if d.driver.impact in ("high", "medium")]
    if strong:
        lines += ["### Drivers for change (PESTLE)", ""]
        for d in strong:
            kind = "opportunity" if d.driver.driver_type == "positive" else "threat"
            lines.append(
                f"- {d.driver.get_category_display()}: **{_md(d.driver.title)}** "
                f"({kind}, {d.driver.get_impact_display().lower()} impact)"
            )
        lines.append("")
    internal = queries.internal_drivers(engagement.account)
    if internal:
        lines += ["### Internal drivers", ""]
        lines += [
            f"- {d.get_category_display()}: **{_md(d.title)}** "
            f"({'opportunity' if d.driver_type == 'positive' else 'threat'}, "
            f"{d.get_impact_display().lower()} impact)"
            for d in internal
        ]
        lines.append("")
    chain = queries.strategy_chain(engagement)

    def ladder(items: list[dict[str, object]], depth: int = 0) -> list[str]:
        out: list[str] = []
        for item in items:
            element = item["element"]
            out.append(f"{'  ' * depth}- {element}")
            out += ladder(item["children"], depth + 1)  # type: ignore[arg-type]
        return out

    if chain.elements:
        lines += ["### The customer's strategy", "", *ladder(chain.ends), *ladder(chain.means), ""]
    if chain.paths:
        lines += ["### How our solution serves it", ""]
        for p in chain.paths:
            product = p["product"].name if p["product"] else "The solution"
            steps = " → ".join(f"{e.get_kind_display()}: {_md(e.title)}" for e in p["path"])
            note = f" ({_md(p['link'].note)})" if p["link"].note else ""
            lines.append(f"- **{_md(product)}** → {steps}{note}")
        lines.append("")
    if chain.contributions:
        lines += ["### Product → function → output → outcome contribution", "",
                  "| Product | Function | Output | Contribution | Outcome |", "|---|---|---|---|---|"]
        for c in chain.contributions:
            lines.append(
                f"| {_md(c.product.name)} | {_md(c.function)} | {_md(c.output)} | "
                f"{_md(c.contribution)} | {_md(c.outcome.name) if c.outcome else '—'} |"
            )
        lines.append("")
    return lines


def _roadmap(engagement: Engagement) -> list[str]:
    current = engagement.current_phase
    phases = list(engagement.playbook_version.phases.order_by("position"))
    open_items = list(
        engagement.activities.filter(status=ActivityStatus.OPEN)
        .select_related("activity", "assignee").order_by("activity__phase__position",
                                                         "activity__position")
    )
    lines: list[str] = []
    for phase in phases:
        state = (
            "current" if phase.pk == current.pk
            else "done" if phase.position < current.position and not phase.periodic
            else "ahead"
        )
        lines.append(f"{phase.position}. **{phase.name}** ({state})")
        if state == "done":
            continue
        for item in [i for i in open_items if i.activity.phase_id == phase.pk][:8]:
            due = f", due {item.due_date:%d %b %Y}" if item.due_date else ""
            who = f", {item.assignee}" if item.assignee else ""
            lines.append(f"   - {_md(item.activity.name)}{who}{due}")
    outcomes = list(engagement.outcomes.all())
    if outcomes:
        lines += ["", "Outcomes to reach:", ""]
        for o in outcomes:
            base = f"from {o.baseline.normalize():f} " if o.baseline is not None else ""
            due = f" by {o.due_date:%b %Y}" if o.due_date else ""
            lines.append(f"- **{_md(o.name)}**: {base}to {o.target.normalize():f} {_md(o.unit)}{due}")
    return lines


def strategy_markdown(engagement: Engagement) -> str:
    today = timezone.localdate()
    # No level-one heading: the repository shows the document's title above its text.
    parts = [
        f"_{_md(engagement.account.name)} · generated {today:%d %b %Y} from the preparation "
        "tools; edit freely, generating again adds a new version._",
        "",
    ]
    parts += _section("Summary", _summary(engagement), "")
    parts += _section("What we know", _dossier(engagement), "Nothing recorded yet.")
    parts += _section("The customer's organization", _organization(engagement),
                      "No contacts, value chain or capabilities recorded yet.")
    parts += _section("Stakeholder management", _stakeholders(engagement),
                      "No stakeholders in the stakeholder matrix yet.")
    parts += _section("The customer's strategy", _strategy(engagement),
                      "No drivers or strategy recorded yet.")
    parts += _section("Roadmap", _roadmap(engagement), "")
    return "\n".join(parts).rstrip() + "\n"
