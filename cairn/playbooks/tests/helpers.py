"""Small readers shared by the playbook tests."""

from __future__ import annotations

from cairn.playbooks.models import Activity, Output, PlaybookVersion


def positions(queryset) -> list[int]:  # type: ignore[no-untyped-def]
    return list(queryset.order_by("position").values_list("position", flat=True))


def names(queryset) -> list[str]:  # type: ignore[no-untyped-def]
    return list(queryset.order_by("position").values_list("name", flat=True))


def snapshot(version: PlaybookVersion) -> list[tuple[object, ...]]:
    """Every row of a version, to prove that nothing of it changed."""
    phases = list(version.phases.values_list("pk", "position", "name", "stage", "purpose"))
    activities = list(
        Activity.objects.filter(phase__version=version).values_list("pk", "position", "name")
    )
    outputs = list(
        Output.objects.filter(phase__version=version).values_list(
            "pk", "position", "name", "required"
        )
    )
    return sorted(phases) + sorted(activities) + sorted(outputs)
