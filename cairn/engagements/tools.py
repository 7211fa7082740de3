"""The tools each phase of an engagement offers, contributed by the apps that build them.

The engagement page lists, beside each phase of the framework, the tools a CSM uses in it
(the dossier in preparation, the stakeholder matrix in commitment, the onboarding plan...).
An app registers its tools once, from its AppConfig.ready(); the page reads the registry, so
the engagements app does not import the apps that build on it.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def all_tools() -> list[PhaseTool]:
    return sorted(_TOOLS, key=lambda t: (t.phase_key, t.position))
