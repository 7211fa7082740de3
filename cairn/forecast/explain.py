"""An account's risk in words: the features that moved its forecast most, each as a sentence a
CSM can check ("Messages sent fell 60 % in 28 days") and whether it raised or lowered the risk.

The amounts are TreeSHAP contributions to the calibrated log-odds (train.Fitted.contributions):
they add up, with the book's base value, to the account's forecast, so the largest are what
made this account's risk differ from the typical account's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from cairn.forecast.features import Feature

RAISING_SHOWN = 3
LOWERING_SHOWN = 2
# Contributions smaller than this (in log-odds) change the probability by well under a point.
NEGLIGIBLE = 0.02


def number(value: float) -> str:
    """A value as people write it: thousands separated, at most two decimals, no trailing zeros."""
    if not math.isfinite(value):
        return "—"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def describe(feature: Feature, value: float, median: float | None = None) -> str:
    """What the account's value of the feature says, as a sentence without a subject."""
    if not math.isfinite(value):
        if feature.kind == "change":
            name = feature.label.removeprefix("Change in ")
            return f"{name}: no value {feature.back_days} days earlier to compare"
        if feature.kind == "tenure":
            return "No paying subscription on record"
        return f"No {feature.label} recorded"
    if feature.kind == "tenure":
        days = int(value)
        if days >= 730:
            return f"A customer for {days / 365:.1f} years"
        return f"A customer for {days:,} day{'s' if days != 1 else ''}"
    if feature.kind == "change":
        name = feature.label.removeprefix("Change in ")
        pct = value * 100
        if abs(pct) < 1:
            return f"{name} unchanged over {feature.back_days} days"
        verb = "rose" if pct > 0 else "fell"
        return f"{name} {verb} {abs(pct):,.0f} % in {feature.back_days} days"
    text = f"{feature.label}: {number(value)}"
    if median is not None and math.isfinite(median) and median != value:
        text += f" ({'above' if value > median else 'below'} the book's median of {number(median)})"
    return text


def drivers(
    features: Sequence[Feature], values: np.ndarray, contributions: np.ndarray,
    medians: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """The features that raised the account's risk most, then those that lowered it most."""
    amounts = contributions[: len(features)]
    order = np.argsort(-amounts, kind="stable")
    raising = [j for j in order[:RAISING_SHOWN] if amounts[j] > NEGLIGIBLE]
    lowering = [j for j in order[::-1][:LOWERING_SHOWN] if amounts[j] < -NEGLIGIBLE]
    out = []
    for j in [*raising, *lowering]:
        median = None if medians is None else float(medians[j])
        out.append({
            "feature": features[j].name,
            "text": describe(features[j], float(values[j]), median),
            "effect": round(float(amounts[j]), 4),
            "raises": bool(amounts[j] > 0),
        })
    return out


def book_drivers(
    features: Sequence[Feature], contributions: np.ndarray, values: np.ndarray
) -> list[dict[str, Any]]:
    """Across the book: each feature's mean absolute contribution, largest first, and the
    direction it mostly pushes in as its value rises (the sign of the correlation between the
    feature's value and its contribution)."""
    out: list[dict[str, Any]] = []
    for j, feature in enumerate(features):
        amounts = contributions[:, j]
        column = values[:, j]
        finite = np.isfinite(column)
        direction = 0.0
        if finite.sum() > 2 and np.std(column[finite]) > 0 and np.std(amounts[finite]) > 0:
            direction = float(np.corrcoef(column[finite], amounts[finite])[0, 1])
        out.append({
            "feature": feature.name,
            "label": feature.label,
            "importance": round(float(np.abs(amounts).mean()), 5),
            "direction": round(direction, 3),
        })
    out.sort(key=lambda d: -float(d["importance"]))
    return out
