"""Small readers shared by the playbook tests."""

from __future__ import annotations


def positions(queryset) -> list[int]:  # type: ignore[no-untyped-def]
    return list(queryset.order_by("position").values_list("position", flat=True))


def names(queryset) -> list[str]:  # type: ignore[no-untyped-def]
    return list(queryset.order_by("position").values_list("name", flat=True))
