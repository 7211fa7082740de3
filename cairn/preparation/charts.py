"""Layouts for the two drawings of this app, worked out here and drawn as SVG by templates.

The org chart is a tidy tree per top manager: leaves take the next free slot, a manager
sits centred over their reports. The strategy graph is layered left to right, from our
products through what they do to the customer's vision, each column ordered by where its
neighbours on the left sit so that lines cross as little as possible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cairn.customers.models import Contact

PALETTE = ["#2f7d5b", "#3a6ea5", "#b5651d", "#7b4f9d", "#a23b5a", "#4d8a8a", "#8a7a2f", "#5a6470"]
NO_DEPARTMENT = "#9aa5a0"


def wrap(text: str, width: int, lines: int = 2) -> list[str]:
    """Split text into at most `lines` lines of `width` characters, with an ellipsis if cut."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    cut = len(out) > lines
    out = [line if len(line) <= width else line[: width - 1] + "…" for line in out[:lines]]
    if cut and not out[-1].endswith("…"):
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out


# --- org chart -------------------------------------------------------------------------------

NODE_W, NODE_H, SLOT_W, LEVEL_H, MARGIN = 184, 62, 200, 96, 16


@dataclass
class OrgNode:
    contact: Contact
    x: float
    y: float
    colour: str
    name: str
    title: str
    department: str


@dataclass
class OrgChart:
    width: int
    height: int
    node_width: int
    node_height: int
    nodes: list[OrgNode]
    edges: list[str]
    legend: list[tuple[str, str]]


def department_colours(contacts: Iterable[Contact]) -> dict[str, str]:
    names = sorted({c.department.strip() for c in contacts if c.department.strip()}, key=str.lower)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def org_chart(contacts: list[Contact]) -> OrgChart:
    """Lay out contacts by reports_to; someone whose manager is elsewhere starts a tree."""
    known = {c.pk for c in contacts}
    reports: dict[int | None, list[Contact]] = {}
    for contact in contacts:
        manager = contact.reports_to_id if contact.reports_to_id in known else None
        reports.setdefault(manager, []).append(contact)
    for group in reports.values():
        # Reports of one department sit together, so departments read as blocks.
        group.sort(key=lambda c: (c.department.lower(), c.last_name.lower(), c.first_name.lower()))
    colours = department_colours(contacts)
    placed: dict[int, tuple[float, int]] = {}
    slot = 0

    def place(contact: Contact, depth: int) -> float:
        nonlocal slot
        children = [c for c in reports.get(contact.pk, []) if c.pk not in placed]
        placed[contact.pk] = (0.0, depth)  # marks it, so a loop in bad data cannot recurse
        if not children:
            x = float(slot)
            slot += 1
        else:
            xs = [place(child, depth + 1) for child in children]
            x = (xs[0] + xs[-1]) / 2
        placed[contact.pk] = (x, depth)
        return x

    for root in reports.get(None, []):
        place(root, 0)
    for contact in contacts:  # people caught in a reporting loop still appear
        if contact.pk not in placed:
            place(contact, 0)
    nodes: list[OrgNode] = []
    position: dict[int, tuple[float, float]] = {}
    for contact in contacts:
        x_slot, depth = placed[contact.pk]
        x = MARGIN + x_slot * SLOT_W
        y = MARGIN + depth * LEVEL_H
        position[contact.pk] = (x, y)
        department = contact.department.strip()
        nodes.append(
            OrgNode(
                contact=contact, x=x, y=y, colour=colours.get(department, NO_DEPARTMENT),
                name=wrap(contact.full_name, 24, 1)[0] if contact.full_name else "",
                title=(wrap(contact.title, 28, 1) or [""])[0],
                department=(wrap(department, 28, 1) or [""])[0],
            )
        )
    edges = []
    for contact in contacts:
        if contact.reports_to_id in position:
            px, py = position[contact.reports_to_id]  # type: ignore[index]
            cx, cy = position[contact.pk]
            mid = py + NODE_H + (LEVEL_H - NODE_H) / 2
            edges.append(
                f"M{px + NODE_W / 2:.0f},{py + NODE_H:.0f} V{mid:.0f} H{cx + NODE_W / 2:.0f} V{cy:.0f}"
            )
    depth_max = max((d for _, d in placed.values()), default=0)
    width = int(MARGIN * 2 + max(slot, 1) * SLOT_W - (SLOT_W - NODE_W))
    height = int(MARGIN * 2 + depth_max * LEVEL_H + NODE_H)
    legend = sorted(colours.items(), key=lambda item: item[0].lower())
    return OrgChart(width, height, NODE_W, NODE_H, nodes, edges, legend)


# --- strategy graph --------------------------------------------------------------------------

COLUMNS = [
    "Our products", "Functions", "Outputs", "Outcome contributions", "Tactics",
    "Objectives · Strategies", "Goals · Mission", "Vision",
]
BOX_W, BOX_H, COL_W, ROW_H = 140, 54, 162, 66
# Column labels sit at the top; below them a band that long links arc through, so a line
# from a product to the tactic it serves flies over the columns between, not through them.
ARC_Y, TOP = 30, 60
BOLD_KINDS = {"product", "vision", "mission"}


@dataclass
class GraphNode:
    key: str
    column: int
    kind: str
    title: str
    subtitle: str = ""
    band: int = 0  # 0 ends or our side, 1 means: means sit below ends in a shared column
    x: float = 0
    y: float = 0
    lines: list[str] = field(default_factory=list)


@dataclass
class GraphEdge:
    source: str
    target: str
    kind: str  # "chain" (within a ladder or the product chain) or "serves" (our solution)
    path: str = ""


@dataclass
class Graph:
    width: int
    height: int
    box_width: int
    box_height: int
    columns: list[tuple[str, float]]
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    @property
    def is_empty(self) -> bool:
        return not self.nodes


def layout_graph(nodes: list[GraphNode], edges: list[GraphEdge]) -> Graph:
    by_key = {n.key: n for n in nodes}
    edges = [e for e in edges if e.source in by_key and e.target in by_key]
    incoming: dict[str, list[str]] = {}
    for edge in edges:
        incoming.setdefault(edge.target, []).append(edge.source)
    rows: dict[str, float] = {}
    height_rows = 1
    for column in range(len(COLUMNS)):
        members = [n for n in nodes if n.column == column]

        def weight(node: GraphNode, order: int) -> tuple[int, float, int]:
            left = [rows[s] for s in incoming.get(node.key, []) if s in rows]
            return (node.band, sum(left) / len(left) if left else 1e6 + order, order)

        ranked = sorted(enumerate(members), key=lambda pair: weight(pair[1], pair[0]))
        for row, (_order, node) in enumerate(ranked):
            rows[node.key] = row
            node.x = 12 + column * COL_W
            node.y = TOP + row * ROW_H
            # Bold white text (our products, their vision and mission) runs wider.
            node.lines = wrap(node.title, 18 if node.kind in BOLD_KINDS else 22, 2)
        height_rows = max(height_rows, len(members))
    for edge in edges:
        a, b = by_key[edge.source], by_key[edge.target]
        x1, y1 = a.x + BOX_W, a.y + BOX_H / 2
        x2, y2 = b.x, b.y + BOX_H / 2
        if b.column <= a.column:  # same column: a short loop to the right
            x2 = b.x + BOX_W
            bend = x1 + 30
            edge.path = f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
            continue
        if b.column - a.column > 1:
            # Out to the gap after the source, up over the columns between (the apex in the
            # band under the labels), down the gap before the target, in.
            out_x, in_x = a.x + BOX_W + (COL_W - BOX_W) / 2, b.x - (COL_W - BOX_W) / 2
            lift = (ARC_Y + 10 - (y1 + y2) / 8) / 0.75
            edge.path = (
                f"M{x1:.0f},{y1:.0f} H{out_x:.0f} C{out_x:.0f},{lift:.0f} {in_x:.0f},{lift:.0f} "
                f"{in_x:.0f},{y2:.0f} H{x2:.0f}"
            )
            continue
        dx = (x2 - x1) / 2
        edge.path = (
            f"M{x1:.0f},{y1:.0f} C{x1 + dx:.0f},{y1:.0f} {x2 - dx:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        )
    width = 24 + len(COLUMNS) * COL_W - (COL_W - BOX_W)
    height = TOP + height_rows * ROW_H + 8
    columns = [(label, 12 + i * COL_W + BOX_W / 2) for i, label in enumerate(COLUMNS)]
    return Graph(width, height, BOX_W, BOX_H, columns, nodes, edges)
