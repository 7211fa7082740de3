"""What each metric kind needs, and the one validation every way in (form, file, API) shares.

A definition is flat data: `slug, name, kind, event_type, window_days` plus the kind's own
fields `of` (count or sum), `numerator`, `denominator` and `metrics`. Errors are keyed by
those field names, so the form, the TOML loader and the API all name the same field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from cairn.metrics.models import MetricKind

# Kinds computed from events over a window; derived kinds combine metrics already computed;
# tenure reads only the subscriptions.
EVENT_KINDS = {
    MetricKind.COUNT, MetricKind.SUM, MetricKind.RATE_PER_MONTH, MetricKind.TENURE_RATE,
    MetricKind.PERCENT_CHANGE, MetricKind.DAYS_SINCE_LAST, MetricKind.ACTIVE_USERS,
    MetricKind.SEAT_UTILIZATION, MetricKind.PER_ACTIVE_DAY, MetricKind.PER_USER,
}
DERIVED_KINDS = {MetricKind.RATIO, MetricKind.TOTAL}
SUBSCRIPTION_KINDS = {MetricKind.TENURE}
# Kinds where the event type is optional: blank means "any event".
ANY_EVENT_KINDS = {MetricKind.ACTIVE_USERS, MetricKind.SEAT_UTILIZATION}
# Kinds whose denominator counts the account's activity of any event type (its active days,
# its active people), whatever event type the numerator reads.
ACTIVITY_KINDS = {MetricKind.PER_ACTIVE_DAY, MetricKind.PER_USER}
OF_KINDS = {MetricKind.RATE_PER_MONTH, MetricKind.PERCENT_CHANGE, *ACTIVITY_KINDS}
OF_CHOICES = ("count", "sum")
MAX_WINDOW = 3650
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
KIND_FIELDS = ("of", "numerator", "denominator", "metrics")


@dataclass(frozen=True)
class Spec:
    """A validated definition, as the engine reads it (no database needed)."""

    slug: str
    kind: str
    event_type: str = ""
    window_days: int = 28
    of: str = "count"
    numerator: str = ""
    denominator: str = ""
    metrics: tuple[str, ...] = field(default_factory=tuple)

    @property
    def references(self) -> tuple[str, ...]:
        if self.kind == MetricKind.RATIO:
            return (self.numerator, self.denominator)
        if self.kind == MetricKind.TOTAL:
            return self.metrics
        return ()

    @property
    def lookback_days(self) -> int:
        """How many days of events up to an observation date the metric reads."""
        if self.kind in DERIVED_KINDS | SUBSCRIPTION_KINDS:
            return 0
        if self.kind == MetricKind.PERCENT_CHANGE:
            return 2 * self.window_days
        return self.window_days

    def params(self) -> dict[str, Any]:
        if self.kind in OF_KINDS:
            return {"of": self.of}
        if self.kind == MetricKind.RATIO:
            return {"numerator": self.numerator, "denominator": self.denominator}
        if self.kind == MetricKind.TOTAL:
            return {"metrics": list(self.metrics)}
        return {}

    def fingerprint_parts(self) -> tuple[Any, ...]:
        return (self.slug, self.kind, self.event_type, self.window_days, self.of,
                self.numerator, self.denominator, self.metrics)


def _slugs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, list | tuple):
        return [str(s).strip() for s in value if str(s).strip()]
    return []


def clean(data: Mapping[str, Any], known_slugs: Iterable[str]) -> Spec:
    """Check one definition's kind-specific fields; raise ValidationError keyed by field.

    `known_slugs` are the metrics a ratio or total may refer to (saved ones, or the others
    in the same file).
    """
    errors: dict[str, str] = {}
    slug = str(data.get("slug") or "").strip()
    if not slug:
        errors["slug"] = "Give the metric a slug (letters, digits, - and _)."
    elif not SLUG_RE.match(slug) or len(slug) > 80:
        errors["slug"] = "The slug may only hold letters, digits, - and _ (at most 80)."
    kind = str(data.get("kind") or "").strip()
    if kind not in MetricKind.values:
        errors["kind"] = f"Choose a kind: {', '.join(MetricKind.values)}."
        raise ValidationError(errors)
    event_type = str(data.get("event_type") or "").strip()
    window = data.get("window_days", 28)
    if kind in EVENT_KINDS:
        if kind not in ANY_EVENT_KINDS and not event_type:
            errors["event_type"] = f"A {kind} metric needs the event type it reads."
        elif len(event_type) > 120:
            errors["event_type"] = "The event type is too long (at most 120 characters)."
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_WINDOW:
            errors["window_days"] = f"The window must be a whole number of days from 1 to {MAX_WINDOW}."
    else:
        event_type, window = "", 28
    of = str(data.get("of") or "count").strip()
    if kind in OF_KINDS and of not in OF_CHOICES:
        errors["of"] = "Say what to measure: count (of events) or sum (of their values)."
    known = set(known_slugs) - {slug}
    numerator = str(data.get("numerator") or "").strip()
    denominator = str(data.get("denominator") or "").strip()
    metrics = tuple(_slugs(data.get("metrics")))
    if kind == MetricKind.RATIO:
        for name, value in (("numerator", numerator), ("denominator", denominator)):
            if not value:
                errors[name] = f"Name the {name} metric (its slug)."
            elif value == slug:
                errors[name] = f"A ratio cannot use itself as its {name}."
            elif value not in known:
                errors[name] = f"There is no metric with the slug {value!r}."
    if kind == MetricKind.TOTAL:
        unknown = [m for m in metrics if m not in known]
        if len(metrics) < 2:
            errors["metrics"] = "A total adds at least two metrics (their slugs, comma-separated)."
        elif slug in metrics:
            errors["metrics"] = "A total cannot include itself."
        elif unknown:
            errors["metrics"] = f"There is no metric with the slug {unknown[0]!r}."
    if errors:
        raise ValidationError(errors)
    return Spec(
        slug=slug, kind=kind, event_type=event_type, window_days=int(window),
        of=of if kind in OF_KINDS else "count",
        numerator=numerator if kind == MetricKind.RATIO else "",
        denominator=denominator if kind == MetricKind.RATIO else "",
        metrics=metrics if kind == MetricKind.TOTAL else (),
    )


def spec_of(definition: Any) -> Spec:
    """The engine's view of a saved MetricDefinition (already validated when saved)."""
    params = definition.params or {}
    return Spec(
        slug=definition.slug, kind=definition.kind, event_type=definition.event_type,
        window_days=definition.window_days, of=params.get("of", "count"),
        numerator=params.get("numerator", ""), denominator=params.get("denominator", ""),
        metrics=tuple(params.get("metrics", ())),
    )


def in_dependency_order(specs: Iterable[Spec]) -> list[Spec]:
    """Specs ordered so every metric comes after those it refers to.

    Raises ValidationError naming the field when a reference is missing or goes round in
    a circle (a ratio of a total that includes the ratio).
    """
    by_slug = {s.slug: s for s in specs}
    ordered: list[Spec] = []
    state: dict[str, str] = {}

    def visit(spec: Spec, trail: tuple[str, ...]) -> None:
        if state.get(spec.slug) == "done":
            return
        if state.get(spec.slug) == "open":
            field_name = "metrics" if spec.kind == MetricKind.TOTAL else "numerator"
            circle = " -> ".join((*trail, spec.slug))
            raise ValidationError({field_name: f"The metrics refer to each other in a circle: {circle}."})
        state[spec.slug] = "open"
        for ref in spec.references:
            if ref not in by_slug:
                raise ValidationError({"metrics": f"{spec.slug} refers to an unknown metric {ref!r}."})
            visit(by_slug[ref], (*trail, spec.slug))
        state[spec.slug] = "done"
        ordered.append(spec)

    for spec in by_slug.values():
        visit(spec, ())
    return ordered
