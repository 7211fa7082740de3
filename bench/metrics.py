"""Time Cairn's metric engine on a large event store, against hand-written DuckDB SQL and pandas.

    .venv/bin/python bench/metrics.py [--accounts 100000] [--events 20000000] [--weeks 26]
        [--data-dir DIR] [--keep]

Generates Parquet events directly in the store's layout (events/day=YYYY-MM-DD/*.parquet,
not timed), one subscription per account, and the standard metric set (20 event types
counted over 28 days, plus one metric of every other kind). Then times, each in its own
process so its peak memory is its own:

- Cairn's engine (DuckDB) for the latest date, and for the weekly grid of --weeks dates
  (the engine pass, then writing the series files, reported apart);
- the latest date's metrics as one hand-written DuckDB SQL query;
- the same 26-week grid as hand-written DuckDB SQL (daily rollup, then a range join);
- the latest date's metrics in straightforward pandas, reading the files included.

Each latest-date figure is the best of three runs, each grid figure the best of two, the
runs of Cairn and of its yardsticks taking turns (on a shared machine one slow spell would
otherwise decide a ratio). Prints times, ratios, data size, peak RSS and the machine. No
assertions: figures only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
LATEST = dt.date(2026, 6, 28)
LOOKBACK = 90  # the longest window of the standard set
SEED = 7
TYPES = [
    "login", "dashboard_view", "report_run", "report_export", "search", "record_create",
    "record_update", "record_delete", "comment", "share", "invite_sent", "integration_sync",
    "api_call", "file_upload", "file_download", "alert_created", "workflow_run",
    "task_completed", "settings_change", "help_article_view",
]
WEIGHTS = np.array([12, 10, 6, 3, 9, 7, 8, 1, 4, 2, 1, 5, 14, 3, 3, 1, 4, 5, 1, 1], dtype=float)


def setup_django(data_dir: Path) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ.pop("CAIRN_DATABASE_URL", None)
    os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- data -----------------------------------------------------------------------------------

def generate(data_dir: Path, accounts: int, events: int, weeks: int) -> tuple[list[str], Path]:
    rng = np.random.default_rng(SEED)
    days = weeks * 7 + LOOKBACK
    first = LATEST - dt.timedelta(days=days - 1)
    activity = rng.lognormal(0, 1.0, accounts)
    activity /= activity.sum()
    users = rng.integers(1, 60, accounts)
    type_p = WEIGHTS / WEIGHTS.sum()
    events_dir = data_dir / "analytics" / "events"
    files = []
    per_day = events // days
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        n = per_day if offset < days - 1 else events - per_day * (days - 1)
        account = rng.choice(accounts, n, p=activity).astype(np.int64) + 1
        user = (rng.random(n) * users[account - 1]).astype(np.int64)
        kind = rng.choice(len(TYPES), n, p=type_p)
        start = np.datetime64(day.isoformat(), "us").astype(np.int64)
        ts = start + rng.integers(0, 86_400_000_000, n)
        value = np.where(TYPES.index("file_upload") == kind, rng.exponential(4.0, n), np.nan)
        user_ids = pc.binary_join_element_wise(
            pa.array(account).cast(pa.string()), pa.array(user).cast(pa.string()), "-"
        )
        table = pa.table({
            "event_id": pa.array(np.arange(n) + offset * 10_000_000).cast(pa.string()),
            "account_id": pa.array(account),
            "account_external_id": pa.array(account).cast(pa.string()),
            "user_id": user_ids,
            "event_type": pa.array(np.array(TYPES, dtype=object)[kind], pa.string()),
            "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "value": pa.array(value, from_pandas=True),
            "properties": pa.nulls(n, pa.string()),
            "batch_id": pa.array(["bench"] * n, pa.string()),
        }).sort_by("ts")
        folder = events_dir / f"day={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bench-0.parquet"
        pq.write_table(table, path, compression="zstd", row_group_size=131_072)
        files.append(str(path))
    starts = [LATEST - dt.timedelta(days=int(d)) for d in rng.integers(0, 730, accounts)]
    subs = pa.table({
        "account_id": pa.array(np.arange(accounts, dtype=np.int64) + 1),
        "start_date": pa.array(starts, pa.date32()),
        "end_date": pa.array([s + dt.timedelta(days=730) for s in starts], pa.date32()),
        "quantity": pa.array(rng.integers(5, 200, accounts).astype(np.int64)),
    })
    subs_path = data_dir / "subscriptions.parquet"
    pq.write_table(subs, subs_path)
    return files, subs_path


def files_for(files: list[str], first: dt.date, last: dt.date) -> list[str]:
    return [f for f in files if first.isoformat() <= Path(f).parent.name[4:] <= last.isoformat()]


def accounts_table(n: int) -> pa.Table:
    return pa.table({"account_id": pa.array(np.arange(n, dtype=np.int64) + 1)})


# --- Cairn's engine -------------------------------------------------------------------------

def cairn_specs() -> list[Any]:
    from cairn.metrics.actions import STANDARD_FILE, read_file
    from cairn.metrics.kinds import clean

    entries = read_file(STANDARD_FILE)
    slugs = {e["slug"] for e in entries}
    return [clean(e, slugs) for e in entries]


def run_cairn(args: dict[str, Any]) -> dict[str, Any]:
    setup_django(Path(args["data_dir"]))
    from cairn.metrics import backends, engine, store

    specs = cairn_specs()
    dates = [LATEST - dt.timedelta(weeks=k) for k in range(args["dates"] - 1, -1, -1)]
    lookback = max(s.lookback_days for s in specs)
    reading = files_for(args["files"], dates[0] - dt.timedelta(days=lookback - 1), LATEST)
    subs = pq.read_table(args["subs"])
    started = time.perf_counter()
    runner = backends.connect("duckdb")
    wide = engine.compute(runner.con, runner.events(reading), specs, dates,
                          accounts_table(args["accounts"]), subs)
    computed = time.perf_counter() - started
    written = 0.0
    if args.get("write"):
        started = time.perf_counter()
        for day in dates:
            store.write_date(wide, day, [s.slug for s in specs])
        written = time.perf_counter() - started
    return {"seconds": computed, "write_seconds": written, "rows": wide.num_rows,
            "table": wide if args.get("return_table") else None}


# --- hand-written DuckDB SQL ----------------------------------------------------------------

# Hand-tuned: each scan reads only the days its metrics reach back (28 days of every event
# type; 90 days of logins only), windows are ts ranges (no per-event date conversion), and the
# last login's day is worked out per account from its newest ts.
LATEST_SQL = """
WITH recent AS (
    SELECT account_id,
        count(*) FILTER (WHERE event_type = 'login') AS logins,
        count(*) FILTER (WHERE event_type = 'dashboard_view') AS dashboard_views,
        count(*) FILTER (WHERE event_type = 'report_run') AS report_runs,
        count(*) FILTER (WHERE event_type = 'report_export') AS report_exports,
        count(*) FILTER (WHERE event_type = 'search') AS searches,
        count(*) FILTER (WHERE event_type = 'record_create') AS records_created,
        count(*) FILTER (WHERE event_type = 'record_update') AS records_updated,
        count(*) FILTER (WHERE event_type = 'record_delete') AS records_deleted,
        count(*) FILTER (WHERE event_type = 'comment') AS comments,
        count(*) FILTER (WHERE event_type = 'share') AS shares,
        count(*) FILTER (WHERE event_type = 'invite_sent') AS invites_sent,
        count(*) FILTER (WHERE event_type = 'integration_sync') AS integration_syncs,
        count(*) FILTER (WHERE event_type = 'api_call') AS api_calls,
        count(*) FILTER (WHERE event_type = 'file_upload') AS files_uploaded,
        count(*) FILTER (WHERE event_type = 'file_download') AS files_downloaded,
        count(*) FILTER (WHERE event_type = 'alert_created') AS alerts_created,
        count(*) FILTER (WHERE event_type = 'workflow_run') AS workflow_runs,
        count(*) FILTER (WHERE event_type = 'task_completed') AS tasks_completed,
        count(*) FILTER (WHERE event_type = 'settings_change') AS settings_changes,
        count(*) FILTER (WHERE event_type = 'help_article_view') AS help_articles,
        sum(value) FILTER (WHERE event_type = 'file_upload') AS upload_mb,
        count(*) FILTER (WHERE event_type = 'report_run' AND ts >= $start7) AS report_runs_7d,
        count(DISTINCT user_id) AS active_users
    FROM read_parquet($files28) WHERE ts >= $start28 AND ts < $end
    GROUP BY account_id
),
logins AS (
    SELECT account_id, count(*) AS logins_90d,
        count(*) FILTER (WHERE ts >= $start56 AND ts < $start28) AS logins_prev,
        max(ts) AS last_login
    FROM read_parquet($files) WHERE ts >= $start AND ts < $end AND event_type = 'login'
    GROUP BY account_id
),
subs AS (
    SELECT account_id, min(start_date) AS first_start,
        sum(quantity) FILTER (WHERE start_date <= $d AND end_date >= $d) AS seats
    FROM subscriptions GROUP BY account_id
)
SELECT a.account_id, g.*, l.logins_90d, l.logins_prev,
    g.report_runs_7d * 28.0 / 7 AS report_runs_per_month,
    coalesce(l.logins_90d, 0) * 28.0 / CASE WHEN s.first_start IS NOT NULL
        AND $d - s.first_start + 1 BETWEEN 1 AND 89 THEN $d - s.first_start + 1 ELSE 90 END
        AS logins_tenure,
    CASE WHEN coalesce(l.logins_prev, 0) = 0 THEN 0.0
        ELSE (coalesce(g.logins, 0) - l.logins_prev) / l.logins_prev END AS logins_change,
    $d - CAST(l.last_login AS DATE) AS days_since_login,
    CASE WHEN s.seats > 0 THEN coalesce(g.active_users, 0) / s.seats END AS seat_utilization,
    CASE WHEN coalesce(g.active_users, 0) = 0 THEN 0.0 ELSE g.report_runs / g.active_users END
        AS reports_per_user,
    coalesce(g.comments, 0) + coalesce(g.shares, 0) + coalesce(g.invites_sent, 0) AS collaboration
FROM accounts a LEFT JOIN recent g USING (account_id) LEFT JOIN logins l USING (account_id)
LEFT JOIN subs s USING (account_id)
"""


def _sql_params(files: list[str], first: dt.date, last: dt.date) -> dict[str, Any]:
    return {
        "files": files, "d": last,
        "start": dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC),
        "end": dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    }


def run_sql_latest(args: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    first = LATEST - dt.timedelta(days=LOOKBACK - 1)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    subscriptions = pq.read_table(args["subs"])  # noqa: F841 (read by name in the SQL)
    accounts = accounts_table(args["accounts"])  # noqa: F841
    params = _sql_params(files_for(args["files"], first, LATEST), first, LATEST)
    midnight = params["end"]
    params.update(
        files28=files_for(args["files"], LATEST - dt.timedelta(days=27), LATEST),
        start28=midnight - dt.timedelta(days=28), start56=midnight - dt.timedelta(days=56),
        start7=midnight - dt.timedelta(days=7),
    )
    result = con.execute(LATEST_SQL, params).fetch_arrow_table()
    return {"seconds": time.perf_counter() - started, "rows": result.num_rows}


GRID_SQL = """
WITH ev AS (
    SELECT account_id, user_id, event_type, value, CAST(ts AS DATE) AS day
    FROM read_parquet($files) WHERE ts >= $start AND ts < $end
),
daily AS (
    SELECT account_id, event_type, day, count(*) AS n, sum(value) AS s FROM ev GROUP BY ALL
),
users AS (SELECT DISTINCT account_id, user_id, day FROM ev),
grid AS (SELECT unnest($dates) AS d),
counts AS (
    SELECT account_id, d,
        sum(n) FILTER (WHERE day > d - 28) AS n28,
        sum(s) FILTER (WHERE event_type = 'file_upload' AND day > d - 28) AS upload_mb,
        sum(n) FILTER (WHERE event_type = 'report_run' AND day > d - 7) AS report_runs_7d,
        sum(n) FILTER (WHERE event_type = 'login' AND day > d - 90) AS logins_90d,
        sum(n) FILTER (WHERE event_type = 'login' AND day > d - 56 AND day <= d - 28) AS logins_prev,
        max(day) FILTER (WHERE event_type = 'login') AS last_login
    FROM daily JOIN grid ON day > d - 90 AND day <= d
    GROUP BY account_id, d
),
by_type AS (
    PIVOT (SELECT account_id, d, event_type, sum(n) AS n FROM daily JOIN grid
           ON day > d - 28 AND day <= d GROUP BY ALL)
    ON event_type IN ('login', 'dashboard_view', 'report_run', 'report_export', 'search',
        'record_create', 'record_update', 'record_delete', 'comment', 'share', 'invite_sent',
        'integration_sync', 'api_call', 'file_upload', 'file_download', 'alert_created',
        'workflow_run', 'task_completed', 'settings_change', 'help_article_view')
    USING sum(n)
),
active AS (
    SELECT account_id, d, count(DISTINCT user_id) AS active_users
    FROM users JOIN grid ON day > d - 28 AND day <= d GROUP BY ALL
)
SELECT a.account_id, g.d, t.*, c.*, u.active_users
FROM accounts a CROSS JOIN grid g
LEFT JOIN by_type t ON t.account_id = a.account_id AND t.d = g.d
LEFT JOIN counts c ON c.account_id = a.account_id AND c.d = g.d
LEFT JOIN active u ON u.account_id = a.account_id AND u.d = g.d
"""


def run_sql_grid(args: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    dates = [LATEST - dt.timedelta(weeks=k) for k in range(args["dates"] - 1, -1, -1)]
    first = dates[0] - dt.timedelta(days=LOOKBACK - 1)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    accounts = accounts_table(args["accounts"])  # noqa: F841 (read by name in the SQL)
    params = {**_sql_params(files_for(args["files"], first, LATEST), first, LATEST), "dates": dates}
    params.pop("d")
    result = con.execute(GRID_SQL, params).fetch_arrow_table()
    return {"seconds": time.perf_counter() - started, "rows": result.num_rows}


# --- pandas ---------------------------------------------------------------------------------

def run_pandas(args: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    d = pd.Timestamp(LATEST)
    first = LATEST - dt.timedelta(days=LOOKBACK - 1)
    started = time.perf_counter()
    files = files_for(args["files"], first, LATEST)
    ev = pd.concat(
        [pd.read_parquet(f, columns=["account_id", "user_id", "event_type", "ts", "value"]) for f in files],
        ignore_index=True,
    )
    ev["day"] = ev["ts"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    age = (d - ev["day"]).dt.days
    in28 = ev[age < 28]
    out = pd.DataFrame(index=pd.RangeIndex(1, args["accounts"] + 1, name="account_id"))
    counts = in28.groupby(["account_id", "event_type"]).size().unstack(fill_value=0)
    out = out.join(counts).fillna(0)
    uploads = in28[in28.event_type == "file_upload"].groupby("account_id")["value"].sum()
    out["upload_mb"] = uploads.reindex(out.index, fill_value=0.0)
    rr7 = ev[(age < 7) & (ev.event_type == "report_run")].groupby("account_id").size()
    out["report_runs_per_month"] = rr7.reindex(out.index, fill_value=0) * 28 / 7
    logins = ev[ev.event_type == "login"]
    login_age = age[logins.index]
    l90 = logins.groupby("account_id").size().reindex(out.index, fill_value=0)
    subs = pq.read_table(args["subs"]).to_pandas().set_index("account_id")
    tenure = (d - pd.to_datetime(subs["start_date"])).dt.days + 1
    days = tenure.where((tenure >= 1) & (tenure < 90), 90).reindex(out.index, fill_value=90)
    out["logins_tenure"] = l90 * 28 / days
    prev = logins[(login_age >= 28) & (login_age < 56)].groupby("account_id").size()
    prev = prev.reindex(out.index, fill_value=0)
    cur = out.get("login", 0)
    out["logins_change"] = ((cur - prev) / prev.where(prev != 0)).fillna(0.0)
    last = logins.groupby("account_id")["day"].max().reindex(out.index)
    out["days_since_login"] = (d - last).dt.days
    active = in28.groupby("account_id")["user_id"].nunique().reindex(out.index, fill_value=0)
    out["active_users"] = active
    live = (pd.to_datetime(subs["start_date"]) <= d) & (pd.to_datetime(subs["end_date"]) >= d)
    seats = subs["quantity"].where(live).reindex(out.index)
    out["seat_utilization"] = active / seats.where(seats > 0)
    out["reports_per_user"] = (out.get("report_run", 0) / active.where(active != 0)).fillna(0.0)
    out["collaboration"] = out.get("comment", 0) + out.get("share", 0) + out.get("invite_sent", 0)
    return {"seconds": time.perf_counter() - started, "rows": len(out)}


# --- harness --------------------------------------------------------------------------------

def _child(target: Callable[[dict[str, Any]], dict[str, Any]], args: dict[str, Any], queue: Any) -> None:
    result = target(args)
    result.pop("table", None)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def measure(target: Callable[[dict[str, Any]], dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """Run in a fresh process, so each figure's peak memory is its own."""
    queue: Any = mp.get_context("spawn").Queue()
    process = mp.get_context("spawn").Process(target=_child, args=(target, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


Job = tuple[Callable[[dict[str, Any]], dict[str, Any]], dict[str, Any]]


def best_of(runs: int, jobs: dict[str, Job]) -> dict[str, dict[str, Any]]:
    """Each job's fastest of `runs` fresh processes, the jobs taking turns (a, b, a, b...):
    on a shared machine a neighbour can slow any run down, never speed it up, and taking
    turns spreads a slow spell over all the jobs instead of one. Every time is kept."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, (target, args) in jobs.items():
            results[name].append(measure(target, args))
    best = {}
    for name, runs_of in results.items():
        fastest = min(runs_of, key=lambda result: result["seconds"])
        best[name] = {**fastest, "times": [result["seconds"] for result in runs_of],
                      "peak_rss_mb": max(result["peak_rss_mb"] for result in runs_of)}
    return best


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {memory:.1f} GB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="cairn-bench-metrics-"))
    print(f"machine: {machine()}")
    started = time.perf_counter()
    files, subs = generate(data_dir, options.accounts, options.events, options.weeks)
    size = sum(Path(f).stat().st_size for f in files) / 2**20
    print(f"data: {options.accounts:,} accounts, {options.events:,} events in {len(files)} daily "
          f"files ({size:,.0f} MB Parquet), generated in {time.perf_counter() - started:.0f} s")
    base = {"data_dir": str(data_dir), "files": files, "subs": str(subs), "accounts": options.accounts}
    figures = best_of(3, {
        "cairn latest": (run_cairn, {**base, "dates": 1}),
        "sql latest": (run_sql_latest, base),
        "pandas latest": (run_pandas, base),
    })
    figures.update(best_of(2, {
        "cairn grid": (run_cairn, {**base, "dates": options.weeks, "write": True}),
        "sql grid": (run_sql_grid, {**base, "dates": options.weeks}),
    }))
    for name, result in figures.items():
        writing = result.get("write_seconds")
        extra = f", then {writing:.2f} s writing series files" if writing else ""
        extra += " (best of " + ", ".join(f"{t:.2f}" for t in result["times"]) + ")"
        print(f"{name:14s} {result['seconds']:8.2f} s  peak RSS {result['peak_rss_mb']:7.0f} MB  "
              f"{result['rows']:,} rows{extra}")
    cairn, sql, pandas = (figures[k]["seconds"] for k in ("cairn latest", "sql latest", "pandas latest"))
    print(f"latest date: Cairn / hand-written SQL = {cairn / sql:.2f}x (aim <= 1.5); "
          f"pandas / Cairn = {pandas / cairn:.2f}x (aim >= 2)")
    grid, sql_grid = figures["cairn grid"]["seconds"], figures["sql grid"]["seconds"]
    print(f"{options.weeks}-week grid: Cairn / hand-written SQL grid = {grid / sql_grid:.2f}x (aim <= 1.5); "
          f"Cairn grid / hand-written latest-date SQL = {grid / sql:.2f}x")
    # The aim is Cairn's; the hand-written grid query is a yardstick, shown for comparison.
    peak = max(r["peak_rss_mb"] for name, r in figures.items() if name.startswith("cairn"))
    others = max(r["peak_rss_mb"] for name, r in figures.items() if not name.startswith("cairn"))
    print(f"peak RSS of Cairn's runs: {peak:,.0f} MB (aim < 4096); of the others: {others:,.0f} MB")
    if not options.keep and not options.data_dir:
        shutil.rmtree(data_dir)


if __name__ == "__main__":
    main()
