"""Recomputing through the CLI and the domain function: incremental, resumable, stored."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.customers.models import Account, Product, Subscription
from cairn.metrics import actions, store
from cairn.metrics.models import MetricDefinition, MetricFill, MetricValue
from cairn.usage import actions as usage

pytestmark = pytest.mark.django_db
LATEST = dt.date(2026, 3, 1)
STANDARD_COUNT = 32


def send(rows: list[tuple[str, str, str, str]], key: str) -> None:
    """Ingest events through the usage app, as the API does: (account, user, type, timestamp)."""
    names = ("account_external_id", "user_id", "event_type", "timestamp")
    columns = {n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)}
    columns.update({n: pa.nulls(len(rows), pa.string()) for n in ("value", "properties", "event_id")})
    usage.ingest_api_batch(pa.table({**columns, "line": pa.array(range(len(rows)), pa.int64())}),
                           key=key, user=None)


@pytest.fixture
def customers(acme: Account) -> dict[str, Account]:
    acme.external_id = "acme-1"
    acme.save()
    globex = Account.objects.create(name="Globex", external_id="globex-1")
    product = Product.objects.create(name="Cairn Monitor")
    Subscription.objects.create(account=acme, product=product, quantity=10,
                                start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))
    Subscription.objects.create(account=globex, product=product, quantity=3, status="trial",
                                start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 3, 31))
    send([("acme-1", "u1", "login", "2026-02-27T10:00:00Z"),
          ("acme-1", "u2", "login", "2026-03-01T08:00:00Z"),
          ("acme-1", "u1", "login", "2026-02-10T08:00:00Z"),
          ("globex-1", "g1", "report_run", "2026-02-28T08:00:00Z")], key="first")
    return {"acme": acme, "globex": globex}


def run(*args: str) -> str:
    out = StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def test_the_standard_set_loads_from_the_cli_and_loading_again_updates_by_slug() -> None:
    assert "32 metric(s) created, 0 updated." in run("load", "--standard")
    assert "0 metric(s) created, 32 updated." in run("load", "--standard")
    assert MetricDefinition.objects.filter(kind="count").count() == 20
    assert set(MetricDefinition.objects.values_list("kind", flat=True)) == {
        "count", "sum", "rate_per_month", "tenure_rate", "ratio", "total", "percent_change",
        "days_since_last", "active_users", "seat_utilization", "tenure", "per_active_day", "per_user",
    }


def test_recompute_writes_the_series_files_and_the_latest_values(customers) -> None:  # type: ignore[no-untyped-def]
    run("load", "--standard")
    output = run("recompute", "--date", "2026-03-01", "--weeks", "3")
    assert "[3/3] 2026-03-01: 2 account(s) written." in output
    assert MetricFill.objects.count() == 3
    acme = customers["acme"]
    # Logins in (02-01, 03-01]: 02-10, 02-27, 03-01 -> 3. Two people, 10 seats -> 0.2.
    values = {v.metric.slug: v.value for v in MetricValue.objects.filter(account=acme).select_related("metric")}
    assert values["logins-28d"] == 3
    assert values["active-users-28d"] == 2
    assert values["seat-utilization-28d"] == pytest.approx(0.2)
    assert values["days-since-last-login"] == 0
    # Paying since 2025-01-01: 365 + 59 days by 2026-03-01. Globex is only in a trial.
    assert values["tenure-days"] == 424
    assert MetricValue.objects.get(account=customers["globex"], metric__slug="tenure-days").value is None
    # 3 logins over 3 active days; no record created by the 2 active people.
    assert values["logins-per-active-day-28d"] == 1
    assert values["records-created-per-user-28d"] == 0
    assert MetricValue.objects.count() == 2 * STANDARD_COUNT
    series = pq.read_table(store.series_path("logins-28d", dt.date(2026, 2, 22))).to_pylist()
    # At 02-22 only the 02-10 login is in the window.
    assert series == [
        {"account_id": acme.pk, "observed_on": dt.date(2026, 2, 22), "value": 1.0},
        {"account_id": customers["globex"].pk, "observed_on": dt.date(2026, 2, 22), "value": 0.0},
    ]


def test_a_second_run_skips_the_dates_already_current(customers) -> None:  # type: ignore[no-untyped-def]
    run("load", "--standard")
    run("recompute", "--date", "2026-03-01", "--weeks", "3")
    assert "All 3 date(s) are current; nothing to do." in run("recompute", "--date", "2026-03-01", "--weeks", "3")
    assert "3 date(s) computed" in run("recompute", "--date", "2026-03-01", "--weeks", "3", "--full")


def test_new_events_redo_only_the_dates_whose_windows_read_them(customers) -> None:  # type: ignore[no-untyped-def]
    run("load", "--standard")
    run("recompute", "--date", "2026-03-01", "--weeks", "3")
    send([("globex-1", "g2", "login", "2026-03-01T12:00:00Z")], key="second")
    result = actions.recompute(date=LATEST, weeks=3)
    # The new file is of day 03-01: only the date 03-01 reads it.
    assert result.computed == [LATEST]
    assert result.skipped == [dt.date(2026, 2, 15), dt.date(2026, 2, 22)]
    globex = customers["globex"]
    assert MetricValue.objects.get(account=globex, metric__slug="logins-28d").value == 1


def test_a_changed_definition_redoes_every_date(customers) -> None:  # type: ignore[no-untyped-def]
    run("load", "--standard")
    actions.recompute(date=LATEST, weeks=2)
    MetricDefinition.objects.filter(slug="logins-28d").update(window_days=7)
    result = actions.recompute(date=LATEST, weeks=2)
    assert len(result.computed) == 2
    # 7 days at 03-01 is (02-22, 03-01]: 02-27 and 03-01 -> 2.
    assert MetricValue.objects.get(account=customers["acme"], metric__slug="logins-28d").value == 2


def test_a_run_interrupted_half_way_leaves_no_half_written_date_and_the_next_run_finishes(
    customers, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    run("load", "--standard")
    real = store.write_series_file
    calls = {"n": 0}

    def failing(table: pa.Table, path: Path) -> None:
        calls["n"] += 1
        if calls["n"] == STANDARD_COUNT + 10:  # the first date is whole; die in the middle of the second
            raise OSError("disk full")
        real(table, path)

    monkeypatch.setattr(store, "write_series_file", failing)
    with pytest.raises(OSError, match="disk full"):
        actions.recompute(date=LATEST, weeks=3)
    assert list(MetricFill.objects.values_list("observed_on", flat=True)) == [dt.date(2026, 2, 15)]
    assert MetricValue.objects.count() == 0  # the latest date was never reached
    assert not list(store.series_dir().glob("metric=*/.tmp-*"))  # no temporary file left
    monkeypatch.setattr(store, "write_series_file", real)
    result = actions.recompute(date=LATEST, weeks=3)
    assert result.skipped == [dt.date(2026, 2, 15)]
    assert result.computed == [dt.date(2026, 2, 22), LATEST]
    assert MetricFill.objects.count() == 3
    assert MetricValue.objects.count() == 2 * STANDARD_COUNT


def test_recompute_without_definitions_says_what_to_do() -> None:
    assert "Load some first: cairn metrics load --standard" in run("recompute", "--weeks", "1")


def test_a_bad_date_is_refused_naming_the_option() -> None:
    with pytest.raises(CommandError, match="--date: '2026-02-30' is not a date"):
        run("recompute", "--date", "2026-02-30")


def test_loading_a_file_with_errors_saves_nothing_and_names_metric_and_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[metric]]\nslug = "good"\nname = "Good"\nkind = "count"\nevent_type = "login"\n\n'
        '[[metric]]\nslug = "bad"\nname = "Bad"\nkind = "count"\nwindow_days = 0\n\n'
        '[[metric]]\nslug = "share"\nname = "Share"\nkind = "ratio"\nnumerator = "good"\ndenominator = "nope"\n'
    )
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("metrics", "load", str(path), stderr=err)
    problems = err.getvalue()
    assert "metric 2 (bad): event_type: A count metric needs the event type it reads." in problems
    assert "metric 2 (bad): window_days: The window must be a whole number of days from 1 to 3650." in problems
    assert "metric 3 (share): denominator: There is no metric with the slug 'nope'." in problems
    assert MetricDefinition.objects.count() == 0


def test_a_file_updates_metrics_by_slug(tmp_path: Path) -> None:
    run("load", "--standard")
    path = tmp_path / "tweak.toml"
    path.write_text('[[metric]]\nslug = "logins-28d"\nname = "Logins (7 days)"\nkind = "count"\n'
                    'event_type = "login"\nwindow_days = 7\n')
    assert "0 metric(s) created, 1 updated." in run("load", str(path))
    assert MetricDefinition.objects.get(slug="logins-28d").window_days == 7
    assert MetricDefinition.objects.count() == STANDARD_COUNT
