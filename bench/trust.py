"""The trust backtest and weight suggestion on a synthetic book: how long they take.

    .venv/bin/python bench/trust.py [--accounts 20000] [--weeks 26] [--lead-days 60]

Seeds (not timed) a fresh SQLite database in a temporary directory: `--accounts` accounts
with subscriptions (about a third churn, likelier when usage falls) and two weekly metric
series in the analytics store (cairn.health.trust.synthetic), and the default scorecard.
Then times the backtest (scoring every account on every date) and the suggestion (logistic
regression with the out-of-time folds) through `cairn.health.trust.actions.evaluate`, and
prints the times, the figures, the data size and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--lead-days", type=int, default=60)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-trust-"))
    try:
        os.environ["CAIRN_DATA_DIR"] = str(data_dir)
        os.environ.pop("CAIRN_DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from cairn.health.trust import backtest
        from cairn.health.trust.observe import card_and_accounts, observe
        from cairn.health.trust.suggest import suggest
        from cairn.health.trust.synthetic import make_book, make_scorecard

        started = time.perf_counter()
        book = make_book(accounts=args.accounts, weeks=args.weeks, lead_days=args.lead_days)
        card = make_scorecard(book)
        print(f"seeded {args.accounts} accounts x {args.weeks} weekly dates in "
              f"{time.perf_counter() - started:.1f} s (not timed below)")
        started = time.perf_counter()
        spec, ids = card_and_accounts(card)
        split = backtest.plan(lead_days=args.lead_days, as_of=book.as_of)
        obs = observe(
            spec, ids, lead_days=args.lead_days, as_of=book.as_of,
            dates=split.train_dates + split.test_dates,
        )
        report = backtest.summarise(obs, split, lead_days=args.lead_days, as_of=book.as_of)
        backtest_s = time.perf_counter() - started
        started = time.perf_counter()
        suggestion = suggest(obs, lead_days=args.lead_days)
        suggest_s = time.perf_counter() - started
        print(f"backtest: {backtest_s:.2f} s for {report.observations} observations "
              f"({report.accounts} accounts, {len(split.test_dates)} test dates, "
              f"{report.churn_events} churn events); "
              f"AUC {report.auc}, lift of the riskiest tenth {report.lift}")
        print(f"suggestion: {suggest_s:.2f} s ({suggestion.cv_folds} out-of-time folds); "
              f"AUC current {suggestion.cv_auc_current}, suggested {suggestion.cv_auc_suggested}")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
