"""Read-side queries for metric pages, each in a fixed number of SQL statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from cairn.customers.models import Account
from cairn.metrics import store
from cairn.metrics.charts import LineChart, line_chart
from cairn.metrics.models import MetricDefinition, MetricFill, MetricValue

SERIES_POINTS = 26


@dataclass
class AccountMetric:
    definition: MetricDefinition
    value: float | None
    observed_on: dt.date | None
    series: list[tuple[dt.date, float | None]]
    chart: LineChart | None


def account_page(request: HttpRequest, account: Account) -> dict[str, Any]:
    """For the account page (cairn.pages): each metric's latest value."""
    return {"metrics": account_metrics(account)}


def account_metrics(account: Account, *, with_series: bool = False) -> list[AccountMetric]:
    """Each active metric's latest value for the account; with `with_series`, its series over
    the last SERIES_POINTS computed dates from the analytics store, and a chart of it.

    Two queries (definitions with values, then the filled dates) whatever the metric count.
    """
    definitions = list(MetricDefinition.objects.filter(active=True).order_by("name"))
    values = {
        v.metric_id: v for v in MetricValue.objects.filter(account=account, metric__active=True)
    }
    series: dict[str, list[tuple[dt.date, float | None]]] = {}
    if with_series:
        days = list(
            MetricFill.objects.order_by("-observed_on").values_list("observed_on", flat=True)[:SERIES_POINTS]
        )
        series = store.read_account_series(account.pk, [d.slug for d in definitions], days)
    rows = []
    for definition in definitions:
        value = values.get(definition.pk)
        points = series.get(definition.slug, [])
        rows.append(AccountMetric(
            definition=definition,
            value=value.value if value else None,
            observed_on=value.observed_on if value else None,
            series=points,
            chart=line_chart(points) if points else None,
        ))
    return rows
