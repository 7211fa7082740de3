"""No two apps import each other, except the pairs listed here on purpose.

An app that shows another app's data on its page registers a provider (cairn.pages) or a
panel (cairn.engagements.tools) instead of importing it, so the dependency goes one way.
Registrations in `apps.py` and the demo loaders (`demo.py`) are left out: they run once at
start-up or load time and are where apps are meant to meet.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import cairn

ROOT = Path(cairn.__file__).parent

# Known pairs, each for a reason. Anything else that appears is a new cycle.
ALLOWED = {
    # An engagement belongs to an account, and the portfolio lists each account's engagements.
    frozenset({"customers", "engagements"}),
    # Engagement checklists make tasks and timeline entries; my work lists engagement activities.
    frozenset({"engagements", "timeline"}),
    # The permission rules name accounts, engagements and tasks (for typing and a lookup).
    frozenset({"people", "customers"}),
    frozenset({"people", "engagements"}),
    frozenset({"people", "timeline"}),
}


def app_imports() -> dict[str, set[str]]:
    apps = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
    edges: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).parts
        if len(relative) < 2 or relative[0] not in apps:
            continue
        if {"tests", "migrations"} & set(relative) or path.name in {"apps.py", "demo.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cairn."):
                other = (node.module or "").split(".")[1]
                if other in apps and other != relative[0]:
                    edges[relative[0]].add(other)
    return edges


def test_no_two_apps_import_each_other_beyond_the_known_pairs() -> None:
    edges = app_imports()
    cycles = {frozenset({a, b}) for a, targets in edges.items() for b in targets if a in edges[b]}
    assert cycles - ALLOWED == set(), "new import cycles between apps: use cairn.pages or a panel"


def test_the_cycles_the_issue_named_are_gone() -> None:
    # Issue 13: customers and metrics, customers and timeline, engagements and documents,
    # commitment and timeline imported each other; the page registry broke each one.
    edges = app_imports()
    assert "metrics" not in edges["customers"] and "timeline" not in edges["customers"]
    assert "documents" not in edges["engagements"]
    assert "commitment" not in edges["timeline"]
