"""The churn forecast at scale: training on a large book and scoring it.

    .venv/bin/python bench/forecast.py [--accounts 100000] [--weeks 52] [--lead-days 56]
        [--database-url URL]

Seeds (not timed) the synthetic book of cairn.forecast.synthetic in a temporary data
directory (SQLite, or the empty database of --database-url): `--accounts` accounts with
weekly series of five metrics over `--weeks` dates, churn driven by the chosen effects. Then a
second process, which does nothing else, so its peak memory is the training's:

- trains a version as `cairn forecast train` does: reading the series into features, the
  out-of-time check (a fit on the training dates, AUC, lift and their bootstrap intervals,
  calibration and the logistic-regression yardstick on the test dates), the fit on every
  date, and scoring the book with its drivers, written to the database;
- scores the book again as the nightly recompute does (`score_latest`: features,
  probabilities, each account's drivers, the rows written), then its parts apart: reading
  the features, the probabilities, and the TreeSHAP contributions.

The yardstick measured in the same run: reading every series file of the grid once.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(data_dir: Path, database_url: str) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
    if database_url:
        os.environ["CAIRN_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CAIRN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from cairn.forecast.synthetic import make_book

    started = time.perf_counter()
    book = make_book(accounts=args.accounts, weeks=args.weeks, lead_days=args.lead_days)
    print(json.dumps({"seed_s": round(time.perf_counter() - started, 1), "as_of": book.as_of.isoformat(),
                      "churned": book.churned}))


def train(args: argparse.Namespace) -> None:
    import datetime as dt

    import numpy as np
    from django.db import connection

    from cairn.forecast import actions
    from cairn.forecast.features import Reader, standard_features
    from cairn.health.trust.series import grid_dates

    as_of = dt.date.fromisoformat(args.as_of)
    timings: dict[str, float] = {}
    grid = grid_dates(as_of)
    ids = np.array(sorted(connection.cursor().execute("SELECT id FROM customers_account").fetchall()),
                   dtype=np.int64).ravel()
    started = time.perf_counter()
    reader = Reader(ids, grid)
    for feature in standard_features():
        if feature.kind == "level":
            for day in grid:
                reader.read(feature.metric, day, day)
    timings["yardstick_read_every_series_file_s"] = time.perf_counter() - started
    del reader
    started = time.perf_counter()
    model = actions.train_model(lead_days=args.lead_days, as_of=as_of)
    timings["train_total_s"] = time.perf_counter() - started
    e = model.evaluation
    started = time.perf_counter()
    result = actions.score_latest(as_of=as_of)
    timings["score_latest_total_s"] = time.perf_counter() - started
    # The parts of a rescore, timed apart.
    from cairn.customers.churn import ChurnBook
    from cairn.forecast.dataset import current
    from cairn.forecast.features import Feature

    features = [Feature.from_json(f) for f in model.features]
    fitted = actions.fitted_of(model)
    started = time.perf_counter()
    book = ChurnBook(ids, as_of=grid[-1])
    _, values = current(features, Reader(ids, grid), book, grid[-1])
    timings["score_features_s"] = time.perf_counter() - started
    started = time.perf_counter()
    fitted.probability(values)
    timings["score_probabilities_s"] = time.perf_counter() - started
    started = time.perf_counter()
    fitted.contributions(values)
    timings["score_contributions_s"] = time.perf_counter() - started
    print(json.dumps({
        "status": model.status, "message": model.message,
        "observations": model.observations, "churn_events": model.churn_events,
        "trees": model.calibration.get("trees"), "rows_fitted": model.calibration.get("rows"),
        "auc_out_of_time": e.get("auc"), "auc_ci": e.get("auc_ci"), "lift_out_of_time": e.get("lift"),
        "lift_ci": e.get("lift_ci"), "baseline_auc": e.get("baseline_auc"),
        "baseline_lift": e.get("baseline_lift"), "test_dates": [e.get("test_from"), e.get("test_until")],
        "scored": result.get("scored"), "seconds_recorded": model.seconds,
        **{k: round(v, 2) for k, v in timings.items()},
        "peak_memory_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 2),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--lead-days", type=int, default=56)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--phase", choices=["seed", "train"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        setup(Path(args.data_dir), args.database_url)
        (seed if args.phase == "seed" else train)(args)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-forecast-"))
    try:
        common = [sys.executable, __file__, "--accounts", str(args.accounts), "--weeks", str(args.weeks),
                  "--lead-days", str(args.lead_days), "--database-url", args.database_url,
                  "--data-dir", str(data_dir)]
        seeded = json.loads(subprocess.run([*common, "--phase", "seed"], check=True, capture_output=True,
                                           text=True).stdout.strip().splitlines()[-1])
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"load {os.getloadavg()[0]:.1f}; database: {'PostgreSQL' if args.database_url else 'SQLite'}")
        print(f"seeded {args.accounts:,} accounts x {args.weeks} weekly dates x 5 metrics "
              f"({seeded['churned']:,} churned) in {seeded['seed_s']} s (not timed)")
        done = subprocess.run([*common, "--phase", "train", "--as-of", seeded["as_of"]], check=True,
                              capture_output=True, text=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        for key, value in figures.items():
            print(f"  {key}: {value}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
