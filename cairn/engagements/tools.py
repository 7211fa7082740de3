"""The tools each phase of an engagement offers, contributed by the apps that build them.

The engagement page lists, beside each phase of the framework, the tools a CSM uses in it
(the dossier in preparation, the stakeholder matrix in commitment, the onboarding plan...).
An app registers its tools once, from its AppConfig.ready(); the page reads the registry, so
the engagements app does not import the apps that build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class PhaseTool:
    """One tool: the phase it serves (the playbook phase key), a label and a URL name.

    The URL name takes the engagement's primary key as its only argument.
    """

    phase_key: str
    label: str
    url_name: str
    description: str = ""
    position: int = 100

    def url(self, engagement_pk: int) -> str:
        return reverse(self.url_name, args=[engagement_pk])


_TOOLS: list[PhaseTool] = []


def register(*tools: PhaseTool) -> None:
    """Add tools to the registry; registering the same tool twice keeps one."""
    for tool in tools:
        if tool not in _TOOLS:
            _TOOLS.append(tool)


def tools_for(phase_key: str) -> list[PhaseTool]:
    return sorted((t for t in _TOOLS if t.phase_key == phase_key), key=lambda t: t.position)


@dataclass(frozen=True)
class EngagementPanel:
    """A card another app draws on the engagement page (the strategy graph, say).

    `context` reads what the template needs for one engagement, in a fixed number of
    queries; the template gets it as `panel` (and the page's `engagement`).
    """

    template: str
    context: Callable[[Any], dict[str, Any]]
    position: int = 100


_PANELS: list[EngagementPanel] = []


def register_panel(panel: EngagementPanel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def panels_for(engagement: Any) -> list[dict[str, Any]]:
    """Each registered panel's template with its context for this engagement."""
    return [
        {"template": p.template, **p.context(engagement)}
        for p in sorted(_PANELS, key=lambda p: p.position)
    ]
