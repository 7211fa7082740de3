"""Domain actions on metric definitions: save, delete, load from a file (and write the file
that loads them back). Each owns its transaction. Recomputing lives in cairn.metrics.recompute
and is re-exported here."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.metrics.kinds import EVENT_KINDS, KIND_FIELDS, Spec, clean, in_dependency_order, spec_of
from cairn.metrics.models import MetricDefinition
from cairn.metrics.recompute import RecomputeResult, recompute
from cairn.people.models import User

STANDARD_FILE = Path(__file__).parent / "data" / "standard-metrics.toml"
COMMON_FIELDS = ("name", "description", "higher_is_better", "active")
ALLOWED_KEYS = {"slug", "kind", "event_type", "window_days", *KIND_FIELDS, *COMMON_FIELDS}

EXPORT_HEADER = (
    "# Cairn metric definitions, written by `cairn metrics export`. Load them with\n"
    "# `cairn metrics load FILE`: each [[metric]] is created, or updated by its slug.\n"
)

__all__ = [
    "RecomputeResult", "delete_definition", "export_text", "load_file", "recompute",
    "save_definition",
]


def _common(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = "Give the metric a name."
    elif len(name) > 150:
        errors["name"] = "The name is too long (at most 150 characters)."
    for flag in ("higher_is_better", "active"):
        if not isinstance(data.get(flag, True), bool):
            errors[flag] = f"{flag} must be true or false."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name, "description": str(data.get("description") or "").strip(),
        "higher_is_better": data.get("higher_is_better", True), "active": data.get("active", True),
    }


def _apply(definition: MetricDefinition, spec: Spec, common: dict[str, Any]) -> MetricDefinition:
    definition.slug = spec.slug
    definition.kind = spec.kind
    definition.event_type = spec.event_type
    definition.window_days = spec.window_days
    definition.params = spec.params()
    for name, value in common.items():
        setattr(definition, name, value)
    return definition


def _check_graph(changed: list[Spec], removed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Refuse a change that leaves a reference dangling or going round in a circle."""
    specs = {d.slug: spec_of(d) for d in MetricDefinition.objects.all() if d.slug not in removed}
    specs.update({s.slug: s for s in changed})
    in_dependency_order(specs.values())


@transaction.atomic
def save_definition(
    definition: MetricDefinition | None, data: Mapping[str, Any], *, by: User
) -> MetricDefinition:
    """Create (definition None) or update a definition from flat data; errors name the field."""
    existing = {s for s in MetricDefinition.objects.values_list("slug", flat=True)}
    errors: dict[str, Any] = {}
    spec: Spec | None = None
    common: dict[str, Any] = {}
    try:
        spec = clean(data, existing)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        common = _common(data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors or spec is None:
        raise ValidationError(errors)
    clash = MetricDefinition.objects.filter(slug=spec.slug)
    if definition is not None:
        clash = clash.exclude(pk=definition.pk)
    if clash.exists():
        raise ValidationError({"slug": f"Another metric already has the slug {spec.slug!r}."})
    removed = {definition.slug} if definition is not None and definition.slug != spec.slug else set()
    _check_graph([spec], removed)
    definition = definition or MetricDefinition(created_by=by)
    _apply(definition, spec, common)
    definition.full_clean()
    definition.save()
    return definition


@transaction.atomic
def delete_definition(definition: MetricDefinition, *, by: User) -> None:
    users = [
        d.slug for d in MetricDefinition.objects.exclude(pk=definition.pk)
        if definition.slug in spec_of(d).references
    ]
    if users:
        raise ValidationError(
            f"{definition.slug} is used by {', '.join(sorted(users))}: change or delete those first."
        )
    definition.delete()


@dataclass
class LoadResult:
    created: int
    updated: int

    def summary(self) -> str:
        return f"{self.created} metric(s) created, {self.updated} updated."


class LoadError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_file(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise LoadError([f"{path}: cannot be read ({exc.strerror})."]) from None
    except tomllib.TOMLDecodeError as exc:
        raise LoadError([f"{path}: not valid TOML ({exc})."]) from None
    metrics = document.get("metric")
    if not isinstance(metrics, list) or not metrics:
        raise LoadError([f"{path}: no [[metric]] tables found."])
    return metrics


def _label(index: int, data: Mapping[str, Any]) -> str:
    slug = data.get("slug")
    return f"metric {index}" + (f" ({slug})" if slug else "")


def check_file_entries(entries: list[dict[str, Any]]) -> list[tuple[Spec, dict[str, Any]]]:
    """Validate every entry of a file against the saved metrics and each other.

    Raises LoadError listing every problem as `metric N (slug): field: message`.
    """
    problems: list[str] = []
    slugs = [str(e.get("slug") or "") for e in entries]
    known = set(MetricDefinition.objects.values_list("slug", flat=True)) | set(slugs)
    checked: list[tuple[Spec, dict[str, Any]]] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        label = _label(index, entry)
        for key in sorted(set(entry) - ALLOWED_KEYS):
            problems.append(f"{label}: {key}: unknown field.")
        if entry.get("slug") in seen:
            problems.append(f"{label}: slug: appears twice in the file.")
        seen.add(str(entry.get("slug")))
        try:
            spec = clean(entry, known)
            common = _common(entry)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                problems.extend(f"{label}: {field_name}: {m}" for m in messages)
            continue
        checked.append((spec, common))
    if not problems:
        try:
            _check_graph([spec for spec, _ in checked])
        except ValidationError as exc:
            problems.extend(f"{f}: {m}" for f, ms in exc.message_dict.items() for m in ms)
    if problems:
        raise LoadError(problems)
    return checked


@transaction.atomic
def load_file(path: Path, *, by: User | None = None) -> LoadResult:
    """Upsert every metric of a TOML file by slug: all of them, or none if any is wrong."""
    checked = check_file_entries(read_file(path))
    current = {d.slug: d for d in MetricDefinition.objects.all()}
    result = LoadResult(0, 0)
    for spec, common in checked:
        definition = current.get(spec.slug)
        if definition is None:
            definition = MetricDefinition(created_by=by)
            result.created += 1
        else:
            result.updated += 1
        _apply(definition, spec, common).save()
    return result


def load_standard(*, by: User | None = None) -> LoadResult:
    return load_file(STANDARD_FILE, by=by)


def _entry(definition: MetricDefinition) -> dict[str, Any]:
    """One [[metric]] table with the fields `check_file_entries` reads, in the editor's order."""
    entry: dict[str, Any] = {"slug": definition.slug, "name": definition.name}
    if definition.description:
        entry["description"] = definition.description
    entry["kind"] = definition.kind
    if definition.kind in EVENT_KINDS:
        if definition.event_type:
            entry["event_type"] = definition.event_type
        entry["window_days"] = definition.window_days
    params = spec_of(definition).params()
    entry.update(params)
    entry["higher_is_better"] = definition.higher_is_better
    entry["active"] = definition.active
    return entry


def export_text() -> str:
    """Every definition, oldest first, as a TOML file that `load_file` reads back unchanged:
    loading the export into an empty database and exporting again gives the same text."""
    entries = [_entry(d) for d in MetricDefinition.objects.order_by("pk")]
    return EXPORT_HEADER + tomli_w.dumps({"version": 1, "metric": entries})
