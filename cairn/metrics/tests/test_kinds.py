"""Every metric kind against values worked out by hand, on DuckDB.

The scenario (all times UTC), observed on 2026-03-01 and on the week before, 2026-02-22:

    account 1: login  u1 2026-03-01 10:00      login u2 2026-02-20 10:00
               export u1 2026-02-01 10:00 value 5.0
               login  u3 2026-02-28 23:59:59 (last second of the day)
               login  u1 2026-01-05 09:00
               one subscription from 2026-02-20 to 2027-01-01, 4 seats
    account 2: login  u9 2026-01-01 00:00; no subscription
    account 3: nothing at all

A window at d is (d - window, d]: 28 days at 2026-03-01 is 2026-02-02 .. 2026-03-01.
Subscriptions without a `paying` column count as paying.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from django.core.exceptions import ValidationError

from cairn.metrics import engine
from cairn.metrics.backends import connect
from cairn.metrics.kinds import Spec, clean, in_dependency_order
from cairn.metrics.tests.conftest import UTC, write_events

D1, D0 = dt.date(2026, 3, 1), dt.date(2026, 2, 22)
EVENTS = [
    (1, "u1", "login", dt.datetime(2026, 3, 1, 10, tzinfo=UTC), None),
    (1, "u2", "login", dt.datetime(2026, 2, 20, 10, tzinfo=UTC), None),
    (1, "u1", "export", dt.datetime(2026, 2, 1, 10, tzinfo=UTC), 5.0),
    (1, "u3", "login", dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC), None),
    (1, "u1", "login", dt.datetime(2026, 1, 5, 9, tzinfo=UTC), None),
    (2, "u9", "login", dt.datetime(2026, 1, 1, tzinfo=UTC), None),
]
SPECS = [
    Spec("logins", "count", "login", 28),
    Spec("export-value", "sum", "export", 35),
    Spec("login-rate", "rate_per_month", "login", 14),
    Spec("export-rate", "rate_per_month", "export", 56, of="sum"),
    Spec("login-tenure", "tenure_rate", "login", 28),
    Spec("login-change", "percent_change", "login", 28),
    Spec("since-login", "days_since_last", "login", 90),
    Spec("users", "active_users", "", 28),
    Spec("login-users", "active_users", "login", 7),
    Spec("seats", "seat_utilization", "", 28),
    Spec("logins-per-user", "ratio", numerator="logins", denominator="users"),
    Spec("activity", "total", metrics=("logins", "export-value")),
    Spec("logins-per-day", "per_active_day", "login", 35),
    Spec("export-per-day", "per_active_day", "export", 35, of="sum"),
    Spec("logins-per-day-90", "per_active_day", "login", 90),
    Spec("logins-per-person", "per_user", "login", 35),
    Spec("export-per-person", "per_user", "export", 35, of="sum"),
    Spec("logins-per-person-90", "per_user", "login", 90),
    Spec("tenure", "tenure"),
]
SUBSCRIPTIONS = pa.table({
    "account_id": pa.array([1], pa.int64()), "start_date": pa.array([dt.date(2026, 2, 20)], pa.date32()),
    "end_date": pa.array([dt.date(2027, 1, 1)], pa.date32()), "quantity": pa.array([4], pa.int64()),
})
ACCOUNTS = pa.table({"account_id": pa.array([1, 2, 3], pa.int64())})


@pytest.fixture(scope="module")
def values(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, dt.date], dict[str, float | None]]:
    root: Path = tmp_path_factory.mktemp("events")
    files = write_events(root, EVENTS)
    runner = connect("duckdb")
    table = engine.compute(runner.con, runner.events(files), SPECS, [D0, D1], ACCOUNTS, SUBSCRIPTIONS)
    return {(r.pop("account_id"), r.pop("observed_on")): r for r in table.to_pylist()}


def test_a_count_counts_events_of_its_type_in_the_window(values) -> None:  # type: ignore[no-untyped-def]
    # (2026-02-02, 03-01]: logins on 03-01, 02-28 (23:59:59 is still the 28th), 02-20 -> 3.
    assert values[1, D1]["logins"] == 3
    # (2026-01-25, 02-22]: only 02-20 -> 1. The 01-05 login is outside both windows.
    assert values[1, D0]["logins"] == 1
    assert values[3, D1]["logins"] == 0  # no events is 0, not missing


def test_a_sum_adds_the_values_and_the_window_start_is_exclusive(values) -> None:  # type: ignore[no-untyped-def]
    # 35 days at 03-01 is (01-25, 03-01]: the export of 02-01 (5.0) is in.
    assert values[1, D1]["export-value"] == 5.0
    assert values[2, D1]["export-value"] == 0.0


def test_a_rate_scales_the_window_to_28_days(values) -> None:  # type: ignore[no-untyped-def]
    # 14 days at 03-01 is (02-15, 03-01]: 3 logins -> 3 * 28 / 14 = 6.
    assert values[1, D1]["login-rate"] == 6.0
    # Of a sum: 56 days (01-04, 03-01] hold the 5.0 export -> 5 * 28 / 56 = 2.5.
    assert values[1, D1]["export-rate"] == 2.5


def test_a_tenure_rate_uses_the_tenure_when_shorter_than_the_window(values) -> None:  # type: ignore[no-untyped-def]
    # Subscription from 02-20: at 03-01 tenure is 10 days (02-20 .. 03-01), shorter than 28,
    # so 3 logins * 28 / 10 = 8.4. At 02-22 tenure is 3 days: 1 login * 28 / 3.
    assert values[1, D1]["login-tenure"] == pytest.approx(8.4, abs=1e-12)
    assert values[1, D0]["login-tenure"] == pytest.approx(28 / 3, abs=1e-12)
    # No subscription: the whole window. Account 2 has no login in (02-01, 03-01].
    assert values[2, D1]["login-tenure"] == 0.0


def test_percent_change_compares_with_the_previous_window_and_is_0_without_one(values) -> None:  # type: ignore[no-untyped-def]
    # At 03-01: current (02-01, 03-01] has 3 logins; previous (01-04, 02-01] has 01-05 -> 1.
    # (3 - 1) / 1 = 2.
    assert values[1, D1]["login-change"] == 2.0
    # At 02-22: current (01-25, 02-22] has 1; previous (12-28, 01-25] has 01-05 -> (1-1)/1 = 0.
    assert values[1, D0]["login-change"] == 0.0
    # Account 2: previous (01-04, 02-01] is empty -> 0 by definition, not a division by zero.
    assert values[2, D1]["login-change"] == 0.0


def test_days_since_last_counts_days_up_to_the_date_and_is_empty_without_events(values) -> None:  # type: ignore[no-untyped-def]
    assert values[1, D1]["since-login"] == 0.0  # a login on 03-01 itself
    assert values[1, D0]["since-login"] == 2.0  # last login 02-20, observed 02-22
    assert values[2, D1]["since-login"] == 59.0  # 01-01 to 03-01: 31 + 28 days
    assert values[3, D1]["since-login"] is None


def test_active_users_counts_distinct_people(values) -> None:  # type: ignore[no-untyped-def]
    # Any event in (02-01, 03-01]: u1 (login 03-01), u2, u3 -> 3. The 02-01 export is out.
    assert values[1, D1]["users"] == 3
    # Logins in (02-22, 03-01]: u1 and u3 -> 2.
    assert values[1, D1]["login-users"] == 2
    # (01-25, 02-22]: u1's export on 02-01 and u2's login on 02-20 -> 2.
    assert values[1, D0]["users"] == 2


def test_seat_utilization_divides_by_live_seats_and_is_empty_without_seats(values) -> None:  # type: ignore[no-untyped-def]
    assert values[1, D1]["seats"] == 0.75  # 3 active users / 4 seats
    assert values[1, D0]["seats"] == 0.5  # 2 / 4
    assert values[2, D1]["seats"] is None  # no subscription, no seats


def test_a_ratio_divides_and_is_0_when_the_denominator_is_0(values) -> None:  # type: ignore[no-untyped-def]
    assert values[1, D1]["logins-per-user"] == 1.0  # 3 logins / 3 users
    assert values[1, D0]["logins-per-user"] == 0.5  # 1 / 2
    assert values[3, D1]["logins-per-user"] == 0.0  # 0 / 0 -> 0


def test_a_total_adds_its_metrics(values) -> None:  # type: ignore[no-untyped-def]
    assert values[1, D1]["activity"] == 8.0  # 3 logins + 5.0 exported
    assert values[2, D1]["activity"] == 0.0


def test_per_active_day_divides_by_the_days_with_any_event_and_is_empty_without_one(values) -> None:  # type: ignore[no-untyped-def]
    # 35 days at 03-01 is (01-25, 03-01]: account 1 is active on 03-01, 02-28, 02-20 and 02-01
    # (the export counts as activity) -> 4 days; 3 logins / 4 = 0.75; 5.0 exported / 4 = 1.25.
    assert values[1, D1]["logins-per-day"] == 0.75
    assert values[1, D1]["export-per-day"] == 1.25
    # (01-18, 02-22]: active on 02-20 and 02-01 -> 1 login / 2 days, 5.0 / 2 days.
    assert values[1, D0]["logins-per-day"] == 0.5
    assert values[1, D0]["export-per-day"] == 2.5
    # 90 days (12-01, 03-01]: 4 logins over 5 active days (01-05 joins).
    assert values[1, D1]["logins-per-day-90"] == 0.8
    assert values[2, D1]["logins-per-day-90"] == 1.0  # one login on its one active day
    # No active day in the window: no value, not 0.
    assert values[2, D1]["logins-per-day"] is None
    assert values[3, D1]["logins-per-day"] is None


def test_per_user_divides_by_the_people_active_in_any_event(values) -> None:  # type: ignore[no-untyped-def]
    # (01-25, 03-01]: u1, u2 and u3 were active -> 3 logins / 3, 5.0 exported / 3.
    assert values[1, D1]["logins-per-person"] == 1.0
    assert values[1, D1]["export-per-person"] == pytest.approx(5 / 3, abs=1e-12)
    # (01-18, 02-22]: u1 only exported, u2 logged in: 1 login over 2 people.
    assert values[1, D0]["logins-per-person"] == 0.5
    assert values[1, D0]["export-per-person"] == 2.5
    # 90 days: 4 logins (01-05 joins) over the same 3 people.
    assert values[1, D1]["logins-per-person-90"] == pytest.approx(4 / 3, abs=1e-12)
    assert values[2, D1]["logins-per-person-90"] == 1.0
    assert values[2, D1]["logins-per-person"] is None
    assert values[3, D1]["logins-per-person"] is None


def test_tenure_counts_days_since_the_first_subscription_started(values) -> None:  # type: ignore[no-untyped-def]
    # Account 1's subscription started 02-20: 9 days by 03-01, 2 by 02-22.
    assert values[1, D1]["tenure"] == 9.0
    assert values[1, D0]["tenure"] == 2.0
    assert values[2, D1]["tenure"] is None  # never subscribed
    assert values[3, D0]["tenure"] is None


def test_tenure_starts_at_the_first_paying_subscription_not_a_trial(tmp_path: Path) -> None:
    days = [dt.date(2026, 2, 19), dt.date(2026, 2, 20), D1]
    subscriptions = pa.table({
        "account_id": pa.array([1, 1, 1, 2, 3], pa.int64()),
        "start_date": pa.array([dt.date(2026, 1, 1), dt.date(2026, 2, 20), dt.date(2026, 2, 25),
                                dt.date(2026, 3, 5), dt.date(2025, 6, 1)], pa.date32()),
        "end_date": pa.array([dt.date(2026, 1, 31), dt.date(2027, 2, 19), dt.date(2027, 2, 24),
                              dt.date(2027, 3, 4), dt.date(2025, 6, 30)], pa.date32()),
        "quantity": pa.array([5, 4, 2, 3, 9], pa.int64()),
        "paying": pa.array([False, True, True, True, False]),
    })
    runner = connect("duckdb")
    specs = [Spec("tenure", "tenure")]
    for dates in (days, [D1]):
        table = engine.compute(runner.con, runner.events([]), specs, dates, ACCOUNTS, subscriptions)
        got = {(r["account_id"], r["observed_on"]): r["tenure"] for r in table.to_pylist()}
        # Account 1: the January trial does not count; paying from 02-20 (the later second
        # subscription changes nothing). Null the day before, 0 on the day itself.
        assert got[1, D1] == 9.0
        if len(dates) > 1:
            assert got[1, dt.date(2026, 2, 19)] is None
            assert got[1, dt.date(2026, 2, 20)] == 0.0
        assert got[2, D1] is None  # paying only from 03-05, after the date
        assert got[3, D1] is None  # only ever a trial


def test_no_event_files_gives_zeros_for_every_account() -> None:
    runner = connect("duckdb")
    table = engine.compute(runner.con, runner.events([]), SPECS, [D1], ACCOUNTS, None)
    rows = table.to_pylist()
    assert [r["account_id"] for r in sorted(rows, key=lambda r: r["account_id"])] == [1, 2, 3]
    assert {r["logins"] for r in rows} == {0.0}
    assert {r["seats"] for r in rows} == {None}


def test_a_kind_without_its_event_type_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        clean({"slug": "x", "kind": "count", "window_days": 28}, set())
    assert "event_type" in caught.value.message_dict


def test_a_ratio_of_an_unknown_metric_names_the_numerator() -> None:
    with pytest.raises(ValidationError) as caught:
        clean({"slug": "r", "kind": "ratio", "numerator": "nope", "denominator": "b"}, {"b"})
    assert caught.value.message_dict["numerator"] == ["There is no metric with the slug 'nope'."]


def test_metrics_referring_to_each_other_in_a_circle_are_refused() -> None:
    specs = [Spec("a", "total", metrics=("b", "c")), Spec("b", "ratio", numerator="a", denominator="c"),
             Spec("c", "count", "login")]
    with pytest.raises(ValidationError, match="circle"):
        in_dependency_order(specs)


def test_one_date_alone_gives_the_same_values_as_within_a_grid(values, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A single date takes the engine's direct plan (one aggregation per account); a grid
    # takes the interval plan. Both must agree on every metric.
    files = write_events(tmp_path, EVENTS)
    runner = connect("duckdb")
    table = engine.compute(runner.con, runner.events(files), SPECS, [D1], ACCOUNTS, SUBSCRIPTIONS)
    alone = {(r.pop("account_id"), r.pop("observed_on")): r for r in table.to_pylist()}
    assert alone == {key: row for key, row in values.items() if key[1] == D1}


def test_distinct_users_on_an_irregular_grid_match_a_brute_force_count(tmp_path: Path) -> None:
    """The grid counts each active user once per window through the newest interval they
    were active in (engine.Plan._user_stats); a plain set per window must agree, for windows
    that overlap, dates that are not evenly spaced, gaps in activity and two event types."""
    import random

    rng = random.Random(11)  # noqa: S311 (test data, not secrets)
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    events = [
        (rng.randint(1, 4), f"u{rng.randint(1, 9)}", rng.choice(["login", "export", "view"]),
         start + dt.timedelta(hours=rng.randint(0, 24 * 95)), None)
        for _ in range(400)
    ]
    specs = [Spec("users", "active_users", "", 28), Spec("login-users", "active_users", "login", 10),
             Spec("users-7", "active_users", "", 7)]
    dates = [dt.date(2026, 2, 3), dt.date(2026, 2, 10), dt.date(2026, 2, 12), dt.date(2026, 3, 1),
             dt.date(2026, 3, 20), dt.date(2026, 4, 5)]
    runner = connect("duckdb")
    files = write_events(tmp_path, events)
    accounts = pa.table({"account_id": pa.array([1, 2, 3, 4, 5], pa.int64())})
    table = engine.compute(runner.con, runner.events(files), specs, dates, accounts, SUBSCRIPTIONS)
    got = {(r["account_id"], r["observed_on"], s.slug): r[s.slug] for r in table.to_pylist() for s in specs}
    for (account, day, slug), value in got.items():
        spec = next(s for s in specs if s.slug == slug)
        low = day - dt.timedelta(days=spec.window_days)
        people = {
            user for a, user, kind, ts, _ in events
            if a == account and low < ts.date() <= day and (not spec.event_type or kind == spec.event_type)
        }
        assert value == len(people), (account, day, slug)


def test_per_day_and_per_user_on_an_irregular_grid_match_a_brute_force_count(tmp_path: Path) -> None:
    """Active days come from per-interval distinct days summed over a window, active people
    from the newest-interval count; both must agree with plain sets per window, on the grid
    and for a date alone."""
    import random

    rng = random.Random(5)  # noqa: S311 (test data, not secrets)
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    events = [
        (rng.randint(1, 4), f"u{rng.randint(1, 7)}", rng.choice(["login", "export", "view"]),
         start + dt.timedelta(hours=rng.randint(0, 24 * 95)), float(rng.randint(1, 9)))
        for _ in range(300)
    ]
    specs = [Spec("per-day", "per_active_day", "login", 10), Spec("per-day-28", "per_active_day", "export", 28, of="sum"),
             Spec("per-user", "per_user", "export", 10, of="sum"), Spec("per-user-28", "per_user", "login", 28)]
    dates = [dt.date(2026, 2, 3), dt.date(2026, 2, 10), dt.date(2026, 2, 12), dt.date(2026, 3, 20)]
    runner = connect("duckdb")
    files = write_events(tmp_path, events)
    accounts = pa.table({"account_id": pa.array([1, 2, 3, 4, 5], pa.int64())})
    for grid in (dates, dates[-1:]):
        table = engine.compute(runner.con, runner.events(files), specs, grid, accounts, None)
        for row in table.to_pylist():
            for spec in specs:
                day = row["observed_on"]
                inside = [e for e in events if e[0] == row["account_id"]
                          and day - dt.timedelta(days=spec.window_days) < e[3].date() <= day]
                typed = [e for e in inside if e[2] == spec.event_type]
                amount = sum(e[4] for e in typed) if spec.of == "sum" else len(typed)
                if spec.kind == "per_active_day":
                    count = len({e[3].date() for e in inside})
                else:
                    count = len({e[1] for e in inside})
                expected = amount / count if count else None
                assert row[spec.slug] == pytest.approx(expected), (row["account_id"], day, spec.slug)
