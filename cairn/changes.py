"""Change history in words (an account's, a document's, a user's): field names as people
call them, choices by their label, related records by name, team changes as who joined and
who left.

django-simple-history's diff gives field names, stored choice values, foreign-key ids and the
through rows of a many-to-many field (`[{'engagement': 1, 'user': 5}]`); none of that is for
people. Related records are fetched in one query per related model for the whole page, so the
page's query count does not grow with its rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.text import Truncator, capfirst

MISSING = "—"
TEXT_CHARS = 80


@dataclass
class Change:
    """One field's change. `old`/`new` for a value, `added`/`removed` for a set of records."""

    field: str
    old: str = MISSING
    new: str = MISSING
    added: list[str] = default(default_factory=list)
    removed: list[str] = default(default_factory=list)

    @property
    def is_set(self) -> bool:
        return bool(self.added or self.removed)


@dataclass
class _Pending:
    """A change whose related records are looked up once the whole page is known."""

    model_field: models.Field[Any, Any]
    old: Any
    new: Any


def describe(
    pairs: Iterable[tuple[Any, Any]], fields: Sequence[str] | None = None
) -> list[list[Change]]:
    """For each (record, previous record or None) pair, its changes in words (of `fields`
    only, when given)."""
    pairs = [(record, previous) for record, previous in pairs]
    teams = _m2m_rows(pairs, fields)
    pending: list[list[_Pending]] = []
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for record, previous in pairs:
        if previous is None:
            pending.append([])
            continue
        model = record.instance_type
        rows = []
        m2m = _m2m_names(record, fields)
        # Many-to-many fields are compared here from rows read once for the whole page:
        # simple-history's diff would query both records' rows for each pair.
        delta = record.diff_against(
            previous, excluded_fields=m2m, included_fields=[f for f in fields if f not in m2m],
        ) if fields else record.diff_against(previous, excluded_fields=m2m)
        changed = [(change.field, change.old, change.new) for change in delta.changes]
        for name in m2m:
            old, new = teams.get((name, previous.pk), []), teams.get((name, record.pk), [])
            if old != new:
                changed.append((name, old, new))
        for name, old, new in changed:
            model_field = model._meta.get_field(name)
            rows.append(_Pending(model_field, old, new))
            target = _related_model(model_field)
            if target is not None:
                wanted[target].update(_ids(model_field, old) + _ids(model_field, new))
        pending.append(rows)
    names = {
        target: {pk: str(obj) for pk, obj in target._default_manager.in_bulk(ids).items()}
        for target, ids in wanted.items()
        if ids
    }
    return [[_words(row, names) for row in rows] for rows in pending]


def _m2m_names(record: Any, fields: Sequence[str] | None) -> list[str]:
    names = [field.name for field in getattr(record, "_history_m2m_fields", [])]
    return [name for name in names if fields is None or name in fields]


def _m2m_rows(
    pairs: Sequence[tuple[Any, Any]], fields: Sequence[str] | None
) -> dict[tuple[str, Any], list[dict[str, Any]]]:
    """The through rows of every history record of the pairs, per many-to-many field, as
    simple-history's diff shows them (`{'engagement': 1, 'user': 5}`), sorted by target: one
    query per field and model."""
    wanted: dict[tuple[str, Any], tuple[Any, set[Any]]] = {}
    for record, previous in pairs:
        if previous is None:
            continue
        for name in _m2m_names(record, fields):
            through = getattr(record, name).model
            _, ids = wanted.setdefault((name, through), (record.instance_type, set()))
            ids.update((record.pk, previous.pk))
    found: dict[tuple[str, Any], list[dict[str, Any]]] = {}
    for (name, through), (model, ids) in wanted.items():
        target = model._meta.get_field(name).m2m_reverse_field_name()
        columns = [
            f.name for f in through._meta.fields
            if f.editable and f.name not in ("id", "m2m_history_id", "history")
        ]
        for row in through.objects.filter(history__in=ids).order_by(target).values(
            "history_id", *columns
        ):
            found.setdefault((name, row.pop("history_id")), []).append(row)
    return found


def in_sequence(records: Sequence[Any], fields: Sequence[str] | None = None) -> list[list[Change]]:
    """The changes of each record of one object's history (oldest first) against the one
    before it; the first record has none."""
    if not records:
        return []
    return describe(zip(records, [None, *records[:-1]], strict=True), fields)


def _related_model(model_field: models.Field[Any, Any]) -> type[models.Model] | None:
    if not model_field.is_relation:
        return None
    related = model_field.related_model
    return related if isinstance(related, type) else None


def _ids(model_field: models.Field[Any, Any], value: Any) -> list[Any]:
    """The related ids a diff value holds: the id itself for a foreign key, the target's id
    from each through row (`{'engagement': 1, 'user': 5}` → 5) for a many-to-many field."""
    if value is None or value == "":
        return []
    if not model_field.many_to_many:
        return [value]
    key = model_field.m2m_reverse_field_name()  # type: ignore[attr-defined]
    return [row[key] for row in value if row.get(key) is not None]


def _words(row: _Pending, names: dict[type[models.Model], dict[Any, str]]) -> Change:
    model_field = row.model_field
    label = capfirst(str(model_field.verbose_name))
    target = _related_model(model_field)
    if target is not None:
        known = names.get(target, {})

        def name(pk: Any) -> str:
            return known.get(pk, f"a deleted {target._meta.verbose_name}")

        if model_field.many_to_many:
            old, new = _ids(model_field, row.old), _ids(model_field, row.new)
            return Change(
                label,
                added=[name(pk) for pk in new if pk not in old],
                removed=[name(pk) for pk in old if pk not in new],
            )
        return Change(
            label,
            old=name(row.old) if row.old is not None else MISSING,
            new=name(row.new) if row.new is not None else MISSING,
        )
    return Change(label, old=_value(model_field, row.old), new=_value(model_field, row.new))


def _value(model_field: models.Field[Any, Any], value: Any) -> str:
    if value is None or value == "":
        return MISSING
    if model_field.choices:
        labels: dict[Any, Any] = dict(_flat(model_field.flatchoices))
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "d M Y H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "d M Y")
    return Truncator(str(value)).chars(TEXT_CHARS)


def _flat(choices: Sequence[Any] | None) -> list[tuple[Any, Any]]:
    return [(key, label) for key, label in (choices or [])]
