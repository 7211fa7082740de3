"""Scorecards as TOML: what `cairn scorecards export` writes and `cairn scorecards import` reads.

A file holds `[[scorecard]]` tables with the fields of the scorecard editor, each with its
`[[scorecard.measure]]` tables in order. A measure names its metric by slug and its bands as
inline tables `{from = 3.0, to = 14.0, points = 60.0}` (an open end is left out); a value that
is empty (no bad value, no segments) is left out too, since TOML has no null.

The fields are the editor forms' own, so a field added to the editor travels in files without
a change here. An import checks each card with those forms, as the web page does, and saves
it with `actions.save_scorecard`, so the history records it; every card or none.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli_w
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch

from cairn.health import actions
from cairn.health.forms import MeasureForm, MeasureFormSet, ScorecardForm
from cairn.health.models import Measure, Scorecard
from cairn.metrics.models import MetricDefinition
from cairn.people.models import User

VERSION = 1
PREFIX = "measures"
HEADER = (
    "# Cairn health scorecards, written by `cairn scorecards export`. Load them with\n"
    "# `cairn scorecards import FILE`: each [[scorecard]] is created, or updated by its name,\n"
    "# with its [[scorecard.measure]] lines in this order.\n"
)
BAND_KEYS = ("from", "to", "points")


# From the forms' fields as the classes were made: an inline formset appends its foreign key
# to the Meta's list of fields, which is shared.
def card_fields() -> list[str]:
    return list(ScorecardForm.base_fields)


def measure_fields() -> list[str]:
    return [*(f for f in MeasureForm.base_fields if f != "bands_text"), "bands"]


class ImportProblems(Exception):
    """Everything wrong with a file, one line each, naming the card, the measure and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} scorecard(s) created, {len(self.updated)} updated."


# --- Writing --------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A model value as TOML writes it; None (no TOML null) means "leave the key out"."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    return value


def _measure_table(measure: Measure) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name in measure_fields():
        if name == "metric":
            value: Any = measure.metric.slug if measure.metric is not None else None
        elif name == "bands":
            value = [{k: float(band[k]) for k in BAND_KEYS if band.get(k) is not None}
                     for band in measure.bands or []]
        else:
            value = getattr(measure, name)
        value = _plain(value)
        if value is not None:
            table[name] = value
    return table


def _card_table(card: Scorecard) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name in card_fields():
        value = _plain(getattr(card, name))
        if value is not None:
            table[name] = value
    table["measure"] = [_measure_table(m) for m in card.measures.all()]
    return table


def export_text(cards: Sequence[Scorecard] | None = None) -> str:
    """The given scorecards (default: all), as a file `import_file` reads back unchanged."""
    measures = Prefetch("measures", queryset=Measure.objects.select_related("metric"))
    if cards is None:
        chosen = list(Scorecard.objects.prefetch_related(measures))
    else:
        chosen = list(Scorecard.objects.filter(pk__in=[c.pk for c in cards]).prefetch_related(measures))
    return HEADER + tomli_w.dumps({"version": VERSION, "scorecard": [_card_table(c) for c in chosen]})


# --- Reading --------------------------------------------------------------------------------

def read(path: Path) -> list[dict[str, Any]]:
    """The [[scorecard]] tables of a file; ImportProblems when it cannot be read or is not TOML."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ImportProblems([f"{path}: cannot be read ({exc.strerror})."]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ImportProblems([f"{path}: not valid TOML ({exc})."]) from None
    problems = [f"{path}: {key}: unknown field." for key in sorted(set(document) - {"version", "scorecard"})]
    if document.get("version", VERSION) != VERSION:
        problems.append(f"{path}: version: this Cairn reads version {VERSION} files.")
    cards = document.get("scorecard")
    if not isinstance(cards, list) or not cards:
        problems.append(f"{path}: no [[scorecard]] tables found.")
    if problems or not isinstance(cards, list):
        raise ImportProblems(problems)
    return cards


def _expected(model_field: models.Field[Any, Any]) -> tuple[type | tuple[type, ...], str]:
    """The TOML type a model field takes, and how to say it."""
    if isinstance(model_field, models.BooleanField):
        return bool, "true or false"
    if isinstance(model_field, models.FloatField):
        return (int, float), "a number"
    if isinstance(model_field, models.IntegerField):
        return int, "a whole number"
    if isinstance(model_field, models.JSONField):
        return list, "a list"
    if isinstance(model_field, models.ForeignKey):
        return str, "a slug"
    return str, "text"


def _type_problems(table: Mapping[str, Any], model: type[models.Model], allowed: list[str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for key in table:
        if key not in allowed:
            problems[key] = "unknown field."
            continue
        kind, said = _expected(model._meta.get_field(key))  # type: ignore[arg-type]
        value = table[key]
        # A TOML true is no weight: bool is an int to Python, not to people.
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            problems[key] = f"must be {said}."
    return problems


def _band_problems(bands: list[Any]) -> str | None:
    for number, band in enumerate(bands, start=1):
        if not isinstance(band, dict) or not set(band) <= set(BAND_KEYS) or "points" not in band:
            return (
                f"band {number} must be a table {{from = ..., to = ..., points = ...}} "
                "(from or to may be left out)."
            )
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in band.values()):
            return f"band {number}: from, to and points must be numbers."
    return None


def _number_text(value: float) -> str:
    # The shortest text that reads back as exactly this float, with no exponent (the band
    # syntax of the editor has none).
    return format(Decimal(repr(float(value))), "f")


def _bands_text(bands: list[dict[str, Any]]) -> str:
    lines = []
    for band in bands:
        low, high = band.get("from"), band.get("to")
        lines.append(
            f"{'' if low is None else _number_text(low)}..{'' if high is None else _number_text(high)}"
            f" = {_number_text(band['points'])}"
        )
    return "\n".join(lines)


def _default(model: type[models.Model], name: str) -> Any:
    value = model._meta.get_field(name).get_default()  # type: ignore[union-attr]
    return "" if value is None and not model._meta.get_field(name).null else value


def _label(index: int, table: Mapping[str, Any], noun: str) -> str:
    name = table.get("name")
    return f"{noun} {index}" + (f" {name!r}" if isinstance(name, str) and name.strip() else "")


class _Card:
    """One [[scorecard]] table on its way to the editor's forms."""

    def __init__(self, index: int, table: dict[str, Any], slugs: Mapping[str, MetricDefinition]) -> None:
        self.table = table
        self.label = _label(index, table, "scorecard")
        self.measures: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.slugs = slugs
        self._check_shape()

    def _check_shape(self) -> None:
        card = {k: v for k, v in self.table.items() if k != "measure"}
        for key, message in _type_problems(card, Scorecard, card_fields()).items():
            self.problems.append(f"{self.label}, {key}: {message}")
        measures = self.table.get("measure", [])
        if not isinstance(measures, list) or not all(isinstance(m, dict) for m in measures):
            self.problems.append(f"{self.label}, measure: must be [[scorecard.measure]] tables.")
            return
        if not measures:
            self.problems.append(f"{self.label}, measures: A scorecard needs at least one measure.")
        self.measures = measures
        allowed = [f for f in measure_fields() if f != "bands"]
        for number, measure in enumerate(measures, start=1):
            where = f"{self.label}, {_label(number, measure, 'measure')}"
            simple = {k: v for k, v in measure.items() if k != "bands"}
            for key, message in _type_problems(simple, Measure, allowed).items():
                self.problems.append(f"{where}, {key}: {message}")
            bands = measure.get("bands", [])
            problem = "must be a list of bands." if not isinstance(bands, list) else _band_problems(bands)
            if problem:
                self.problems.append(f"{where}, bands: {problem}")
            slug = measure.get("metric")
            if isinstance(slug, str) and slug not in self.slugs:
                self.problems.append(f"{where}, metric: There is no metric with the slug {slug!r}.")
            elif isinstance(slug, str) and not self.slugs[slug].active:
                self.problems.append(f"{where}, metric: The metric {slug!r} is not active.")

    def card_data(self) -> dict[str, Any]:
        return {
            name: self.table[name] if name in self.table else _default(Scorecard, name)
            for name in card_fields()
        }

    def measure_data(self, measure: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in measure_fields():
            if name == "bands":
                data["bands_text"] = _bands_text(measure.get("bands", []))
            elif name == "metric":
                slug = measure.get("metric")
                data["metric"] = self.slugs[slug].pk if slug else ""
            elif name in measure:
                data[name] = measure[name]
            else:
                default = _default(Measure, name)
                data[name] = "" if default is None else default
        return data


def _formset_data(card: _Card, existing: list[Measure]) -> tuple[dict[str, Any], list[int]]:
    """The editor's POST data for a card's measures: file measures update the saved ones of
    the same name (so their history goes on), the others are new, unmatched saved ones are
    deleted. Returns the data and, per file measure, its form's index."""
    data: dict[str, Any] = {}
    forms_of: list[int] = []
    new: list[dict[str, Any]] = []
    matched: dict[int, dict[str, Any]] = {}
    for measure in card.measures:
        name = str(measure.get("name", "")).strip().lower()
        match = next(
            (i for i, m in enumerate(existing) if i not in matched and m.name.strip().lower() == name), None
        )
        if match is None:
            new.append(measure)
            forms_of.append(len(existing) + len(new) - 1)
            continue
        matched[match] = measure
        forms_of.append(match)
    for index, saved in enumerate(existing):
        data[f"{PREFIX}-{index}-id"] = saved.pk
        if index in matched:
            values = card.measure_data(matched[index])
        else:
            values = {"name": saved.name, "DELETE": True}
        data.update({f"{PREFIX}-{index}-{k}": v for k, v in values.items()})
    for offset, measure in enumerate(new):
        index = len(existing) + offset
        data.update({f"{PREFIX}-{index}-{k}": v for k, v in card.measure_data(measure).items()})
    data.update({
        f"{PREFIX}-TOTAL_FORMS": len(existing) + len(new), f"{PREFIX}-INITIAL_FORMS": len(existing),
        f"{PREFIX}-MIN_NUM_FORMS": 0, f"{PREFIX}-MAX_NUM_FORMS": 1000,
    })
    return data, forms_of


def _errors(where: str, errors: Mapping[str, Any]) -> list[str]:
    lines = []
    for name, messages in errors.items():
        shown = "bands" if name == "bands_text" else name
        for message in messages:
            lines.append(f"{where}: {message}" if name == "__all__" else f"{where}, {shown}: {message}")
    return lines


def _save(card: _Card, by: User | None) -> tuple[Scorecard | None, bool, list[str]]:
    """Check one card with the editor's forms and save it; (card, created, problems)."""
    name = str(card.table.get("name", "")).strip()
    instance = Scorecard.objects.filter(name__iexact=name).first() if name else None
    created = instance is None
    instance = instance or Scorecard()
    form = ScorecardForm(card.card_data(), instance=instance)
    queryset = Measure.objects.order_by("position", "id")
    existing = list(queryset.filter(scorecard=instance)) if instance.pk else []
    data, forms_of = _formset_data(card, existing)
    formset = MeasureFormSet(data, instance=instance, prefix=PREFIX, queryset=queryset)
    problems = _errors(card.label, form.errors) if not form.is_valid() else []
    if not formset.is_valid():
        for number, index in enumerate(forms_of, start=1):
            where = f"{card.label}, {_label(number, card.measures[number - 1], 'measure')}"
            problems += _errors(where, formset.forms[index].errors)
        problems += [f"{card.label}, measures: {e}" for e in formset.non_form_errors()]
    if problems:
        return None, created, problems
    kept = [formset.forms[index].instance for index in forms_of]
    deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
    try:
        saved = actions.save_scorecard(form.instance, kept, by=by, deleted=deleted)
    except ValidationError as exc:
        return None, created, _errors(card.label, exc.message_dict)
    return saved, created, []


def import_cards(tables: list[dict[str, Any]], *, by: User | None = None) -> ImportResult:
    """Create or update every card of a file by name, all or none; ImportProblems lists every
    problem as `scorecard 1 'Usage', measure 2 'Logins', weight: message`.

    The file's shape (fields, types, metric slugs) is checked first, then each card with the
    editor's forms and saved in turn, so a later card sees the earlier ones (a segment moved
    from one card to another in the same file)."""
    slugs = {m.slug: m for m in MetricDefinition.objects.all()}
    problems: list[str] = []
    cards: list[_Card] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            problems.append(f"scorecard {index}: must be a [[scorecard]] table.")
            continue
        card = _Card(index, table, slugs)
        cards.append(card)
        problems += card.problems
        name = str(card.table.get("name", "")).strip().lower()
        if name and name in seen:
            problems.append(f"{card.label}, name: appears twice in the file.")
        seen.add(name)
    if problems:
        raise ImportProblems(problems)
    result = ImportResult()
    with transaction.atomic():
        for card in cards:
            saved, created, found = _save(card, by)
            problems += found
            if saved is not None:
                (result.created if created else result.updated).append(saved.name)
        if problems:
            # Everything saved so far goes with the transaction: every card or none.
            raise ImportProblems(problems)
    return result


def import_file(path: Path, *, by: User | None = None) -> ImportResult:
    return import_cards(read(path), by=by)
