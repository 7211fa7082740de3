"""Log and percentile scoring: the arithmetic, through a recompute (also of one account), the
editor's preview, the editor's checks and the API."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health.actions import recompute_scores
from cairn.health.models import AccountHealth, Measure, Scorecard
from cairn.health.scoring import CardSpec, Column, MeasureSpec, percentile_ranks, points_column, score_block
from cairn.health.tests.helpers import metric, set_value
from cairn.people.models import ApiToken

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)


def spec(method: str, bad: float | None, good: float | None, key: str = "m") -> MeasureSpec:
    return MeasureSpec(key, "Measure", "product_utilization", 1.0, "metric", method=method, bad=bad,
                       good=good, metric_id=1)


def points(method: str, bad: float, good: float, values: list[float | None]) -> list[float | None]:
    found = points_column(spec(method, bad, good), values)
    return [None if math.isnan(p) else round(float(p), 4) for p in found]


def test_log_points_are_linear_in_log_one_plus_the_value() -> None:
    # log1p(9) is half of log1p(99): 9 sits half-way between 0 and 99 on the log scale.
    assert points("log", 0, 99, [0, 9, 99, 999, None]) == [0, 50, 100, 100, None]
    assert points("log", 3, 15, [1, 3, 7, 15]) == [0, 0, 50, 100]
    # Lower is better: good below bad.
    assert points("log", 99, 0, [0, 9, 99]) == [100, 50, 0]
    # A negative value scores as 0 would.
    assert points("log", 0, 99, [-5, -0.99]) == [0, 0]


def test_percentile_points_are_the_rank_among_the_values_either_way() -> None:
    assert points("percentile", 0, 100, [10, 20, 30, 40, None]) == [12.5, 37.5, 62.5, 87.5, None]
    assert points("percentile", 100, 0, [10, 20, 30, 40]) == [87.5, 62.5, 37.5, 12.5]
    # Ties share a rank; bad and good as ranks stretch the middle: below the 25th scores 0.
    assert points("percentile", 0, 100, [5, 5, 5, 5]) == [50, 50, 50, 50]
    assert points("percentile", 25, 75, [10, 20, 30, 40]) == [0, 25, 75, 100]
    ranks = percentile_ranks(np.array([15.0, 100.0]), np.array([10.0, 20.0, np.nan]))
    assert ranks.tolist() == [50.0, 100.0]


def test_a_percentile_ranks_among_fresh_values_or_the_given_reference() -> None:
    card = CardSpec(1, "Card", (spec("percentile", 0, 100),), max_age_days=30)
    old = (TODAY - dt.timedelta(days=90)).toordinal()
    column = Column(np.array([1.0, 2.0, 3.0, 100.0]), np.array([0, 0, 0, old]))
    block = score_block(card, [column], TODAY)
    # The stale 100 neither scores nor counts among the others.
    assert block.weighed.scores == [16.7, 50.0, 83.3, None]
    assert block.note(3, 0).startswith("data from")
    ranked = score_block(card, [Column(np.array([2.0]))], TODAY, {"m": np.array([1.0, 2.0, 3.0, 4.0])})
    assert ranked.weighed.scores == [37.5]


def card_with(method: str, bad: float | None, good: float | None, *, higher: bool = True) -> Scorecard:
    card = Scorecard.objects.create(name="Scaled", is_default=True)
    Measure.objects.create(
        scorecard=card, name="Logins", indicator="product_utilization", weight=1, source="metric",
        metric=metric("logins", higher_is_better=higher), method=method, bad_value=bad, good_value=good,
    )
    return card


def book(values: list[float], day: dt.date = TODAY) -> list[Account]:
    accounts = [Account.objects.create(name=f"Customer {i:02d}") for i in range(1, len(values) + 1)]
    for account, value in zip(accounts, values, strict=True):
        set_value(account, metric("logins"), value, day)
    return accounts


def scores() -> dict[str, float | None]:
    return dict(AccountHealth.objects.values_list("account__name", "score"))


def test_a_recompute_scores_each_account_by_its_percentile_in_the_book() -> None:
    card_with("percentile", 0, 100)
    accounts = book([1, 2, 3, 4, 5])
    recompute_scores(TODAY)
    assert list(scores().values()) == [10, 30, 50, 70, 90]
    # Rescoring one account ranks it among the whole book's values, not among itself.
    set_value(accounts[0], metric("logins"), 6, TODAY)
    recompute_scores(TODAY, accounts=[accounts[0].pk])
    assert scores()["Customer 01"] == 90


def test_a_recompute_scores_lower_is_better_percentiles_and_log_scales() -> None:
    card = card_with("percentile", 100, 0)
    book([1, 2, 3, 4, 5])
    recompute_scores(TODAY)
    assert list(scores().values()) == [90, 70, 50, 30, 10]
    Measure.objects.filter(scorecard=card).update(method="log", bad_value=0, good_value=99)
    for name, value in (("Customer 01", 0), ("Customer 02", 9), ("Customer 03", 99)):
        set_value(Account.objects.get(name=name), metric("logins"), value, TODAY)
    recompute_scores(TODAY)
    assert [scores()[f"Customer 0{i}"] for i in (1, 2, 3)] == [0, 50, 100]


def test_the_preview_ranks_the_sampled_accounts_among_the_whole_book(as_alice: Client) -> None:
    book([float(v) for v in range(1, 21)], timezone.localdate())
    metric_id = metric("logins").pk
    data = {
        "name": "Scaled", "description": "", "green_from": "70", "red_below": "40",
        "max_age_days": "45", "alert_drop_points": "15", "alert_period_days": "30",
        **measure_fields(metric=str(metric_id), method="percentile", bad_value="", good_value=""),
    }
    response = as_alice.post(reverse("scorecard_preview_new"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    shown = re.findall(r'<td>Customer (\d+)</td>.*?title="\w+">(\d+)</span>', body, re.S)
    assert len(shown) == 10
    for number, score in shown:
        # Value v ranks (v - 0.5) / 20 among the 20 accounts, not among the 10 shown.
        assert abs(int(score) - (5 * int(number) - 2.5)) <= 0.5


def measure_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "measures-TOTAL_FORMS": "1", "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0", "measures-MAX_NUM_FORMS": "1000",
        "measures-0-name": "Logins", "measures-0-indicator": "product_utilization",
        "measures-0-weight": "3", "measures-0-source": "metric", "measures-0-metric": "",
        "measures-0-method": "thresholds", "measures-0-bad_value": "0", "measures-0-good_value": "10",
        "measures-0-window_days": "90", "measures-0-bands_text": "",
    }
    fields.update({f"measures-0-{k}": v for k, v in overrides.items()})
    return fields


def save(client: Client, **overrides: str) -> Any:
    data = {
        "name": "Scaled", "description": "", "green_from": "70", "red_below": "40",
        "max_age_days": "45", "alert_drop_points": "15", "alert_period_days": "30",
        **measure_fields(**{"metric": str(metric("logins").pk), **overrides}),
    }
    return client.post(reverse("scorecard_new"), data)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"method": "log", "bad_value": "-1"}, "bad_value", "A log scale starts at 0"),
        ({"method": "percentile", "good_value": "150"}, "good_value", "A percentile rank is from 0 to 100."),
        ({"method": "percentile", "good_value": ""}, "good_value", "Give both percentile ranks"),
        ({"method": "percentile", "source": "survey", "metric": ""}, "method", "choose a metric"),
        ({"good_value": "0"}, "good_value", "must differ from the bad one"),
        # Lower is better only when the measure says it is against the metric's direction.
        ({"bad_value": "10", "good_value": "0"}, "good_value", "if more of it went with churn"),
        ({"method": "percentile", "bad_value": "90", "good_value": "10"}, "good_value",
         "the good rank must be above the bad one"),
    ],
)
def test_the_editor_refuses_a_scaled_measure_naming_the_field(
    as_alice: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    response = save(as_alice, **overrides)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_measures-0-{field}_error"' in body and message in body
    assert not Scorecard.objects.exists()


def test_the_editor_saves_log_percentile_and_reversed_measures(as_alice: Client) -> None:
    assert save(as_alice, method="log", bad_value="1", good_value="50").status_code == 302
    assert Measure.objects.get().method == "log"
    Scorecard.objects.all().delete()
    assert save(as_alice, method="percentile", bad_value="", good_value="").status_code == 302
    assert (Measure.objects.get().bad_value, Measure.objects.get().good_value) == (0, 100)
    Scorecard.objects.all().delete()
    assert save(as_alice, bad_value="10", good_value="0", reverse_direction="on").status_code == 302
    assert Measure.objects.get().reverse_direction
    Scorecard.objects.all().delete()
    metric("idle", higher_is_better=False)
    response = save(as_alice, method="percentile", bad_value="", good_value="", metric=str(metric("idle").pk))
    assert response.status_code == 302
    assert (Measure.objects.get().bad_value, Measure.objects.get().good_value) == (100, 0)


def api(client_user: Any, body: dict[str, Any]) -> Any:
    _, key = ApiToken.issue(client_user, "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.post("/api/v1/health/scorecards", body, content_type="application/json")


def test_the_api_takes_scaled_measures_and_names_a_bad_field(alice) -> None:  # type: ignore[no-untyped-def]
    measure = {"name": "Logins", "indicator": "product_utilization", "weight": 1, "source": "metric",
               "metric": metric("logins").pk, "method": "percentile"}
    created = api(alice, {"name": "Scaled", "measures": [measure]})
    assert created.status_code == 201, created.json()
    assert created.json()["measures"][0] | {"id": None} == {
        **measure, "id": None, "bad_value": 0.0, "good_value": 100.0, "reverse_direction": False,
        "bands": [], "window_days": 90, "weight": 1.0,
    }
    refused = api(alice, {"name": "Scaled 2", "measures": [{**measure, "method": "log", "bad_value": -2,
                                                             "good_value": 9}]})
    assert refused.status_code == 400
    assert {e["field"] for e in refused.json()["errors"]} == {"measures.0.bad_value"}
    assert Scorecard.objects.count() == 1
