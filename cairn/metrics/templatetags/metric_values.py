"""`{% load metric_values %}{{ value|metric_value:definition.kind }}`: a metric's value as
its kind means it. Utilization and change between windows are stored as fractions (0.088,
-0.01); people read them as percentages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from cairn.customers.templatetags.display import figure, percent
from cairn.metrics.models import MetricKind

register = template.Library()

AS_PERCENT = {MetricKind.SEAT_UTILIZATION, MetricKind.PERCENT_CHANGE}


@register.filter
def metric_value(value: float | Decimal | None, kind: str) -> str:
    if kind in AS_PERCENT:
        return percent(value)
    return figure(value)
