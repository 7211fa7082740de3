"""Ingest rate of product-usage events, from Parquet and from CSV, through the CLI's code.

    .venv/bin/python bench/ingest.py [--events 20000000] [--accounts 100000] [--types 20]
        [--chunk-size ROWS] [--runs 3] [--no-event-ids] [--keep]

Generates the events (not timed) in a temporary directory: `--accounts` accounts with up to
20 users each, `--types` event types with skewed popularity, timestamps over a year in time
order (as product exports arrive), a value on a third of them, properties on a tenth, and an
event id unless --no-event-ids (then Cairn derives one from each event's content). Each file
is then ingested by `cairn ingest events FILE` in a child process, into its own fresh store,
so the figures are the command's own: events per second (the ingest only, Django start-up
excluded), the CPU time it used (on a shared machine the wall clock also measures the
neighbours: the load average is printed with each figure), peak RSS of the child, and the
store's size on disk, with the machine. Each format is ingested --runs times, each time into
a fresh store, the formats taking turns; the best run is reported, with every time (a
neighbour can slow a run down, never speed it up).
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
SEED = 20260301
YEAR_START_US = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z
YEAR_US = 365 * 86_400_000_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--types", type=int, default=20)
    parser.add_argument("--chunk-size", type=int, default=0,
                        help="Rows per batch (default: the CLI's default).")
    parser.add_argument("--no-event-ids", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="Ingests of each file; the best is reported.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    parser.add_argument("--child", nargs=3, metavar=("DATA_DIR", "FILE", "CHUNK"),
                        help=argparse.SUPPRESS)
    return parser.parse_args()


def setup_django(data_dir: Path) -> None:
    os.environ["CAIRN_DATA_DIR"] = str(data_dir)
    os.environ.pop("CAIRN_DATABASE_URL", None)
    os.environ["CAIRN_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cairn.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_database(data_dir: Path, accounts: int) -> None:
    setup_django(data_dir)
    from django.core.management import call_command

    from cairn.customers.models import Account

    call_command("migrate", verbosity=0)
    Account.objects.bulk_create(
        (Account(name=f"Account {n:06d}", external_id=f"acct-{n:06d}") for n in range(accounts)),
        batch_size=5000,
    )


def generate(folder: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    """Parquet and CSV files of the same events, written a million rows at a time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    account_ids = pc.binary_join_element_wise(
        "acct-", pc.utf8_lpad(pa.array(np.arange(args.accounts)).cast(pa.string()), 6, "0"), ""
    )
    users = pc.binary_join_element_wise(
        "user-", pa.array(np.arange(args.accounts * 20)).cast(pa.string()), ""
    )
    types = pa.array([f"feature_{n:02d}" for n in range(args.types)])
    type_weights = 1.0 / np.arange(1, args.types + 1)
    type_weights /= type_weights.sum()
    account_weights = rng.pareto(1.5, args.accounts) + 1
    account_weights /= account_weights.sum()
    step = 1_000_000
    parquet_path, csv_path = folder / "events.parquet", folder / "events.csv"
    parquet_writer = csv_writer = None
    for start in range(0, args.events, step):
        rows = min(step, args.events - start)
        # Time order: each million covers its slice of the year.
        low = YEAR_START_US + YEAR_US * start // args.events
        high = YEAR_START_US + YEAR_US * (start + rows) // args.events
        ts = np.sort(rng.integers(low, high, rows))
        account = rng.choice(args.accounts, rows, p=account_weights)
        user = account * 20 + rng.integers(0, 20, rows) // rng.integers(1, 4, rows)
        kind = rng.choice(args.types, rows, p=type_weights)
        value = np.where(rng.random(rows) < 0.33, rng.gamma(2.0, 30.0, rows).round(2), np.nan)
        with_props = rng.random(rows) < 0.1
        properties = pa.array(
            [json.dumps({"plan": "pro", "n": int(n)}) if flag else None
             for flag, n in zip(with_props, rng.integers(0, 100, rows), strict=True)],
            pa.string(),
        )
        columns = {
            "account_external_id": pc.take(account_ids, pa.array(account)),
            "user_id": pc.take(users, pa.array(user)),
            "event_type": pc.take(types, pa.array(kind)),
            "timestamp": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "value": pa.array(value, from_pandas=True),
            "properties": properties,
        }
        if not args.no_event_ids:
            columns["event_id"] = pc.binary_join_element_wise(
                "evt-", pa.array(np.arange(start, start + rows)).cast(pa.string()), ""
            )
        table = pa.table(columns)
        if parquet_writer is None:
            parquet_writer = pq.ParquetWriter(parquet_path, table.schema, compression="zstd")
        parquet_writer.write_table(table)
        as_text = table.set_column(
            3, "timestamp", pc.strftime(table.column("timestamp"), format="%Y-%m-%dT%H:%M:%SZ")
        )
        if csv_writer is None:
            csv_writer = pacsv.CSVWriter(csv_path, as_text.schema)
        csv_writer.write_table(as_text)
    assert parquet_writer is not None and csv_writer is not None
    parquet_writer.close()
    csv_writer.close()
    return parquet_path, csv_path


def child(data_dir: Path, file: Path, chunk: int) -> None:
    """Runs in its own process: the ingest alone is timed, as `cairn ingest events` does it."""
    setup_django(data_dir)
    from io import StringIO

    from django.core.management import call_command

    from cairn.usage.readers import DEFAULT_CHUNK_ROWS

    chunk = chunk or DEFAULT_CHUNK_ROWS
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    call_command("ingest", "events", str(file), chunk_size=chunk, stdout=StringIO())
    elapsed = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    used = (cpu.ru_utime - cpu_before.ru_utime) + (cpu.ru_stime - cpu_before.ru_stime)
    print(json.dumps({"seconds": elapsed, "cpu": used, "chunk": chunk}))


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} CPUs, {memory:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    args = parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), int(args.child[2]))
        return
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-ingest-"))
    try:
        template = folder / "template"
        template.mkdir()
        print(f"Machine: {machine()}")
        print(f"Generating {args.events:,} events for {args.accounts:,} accounts, "
              f"{args.types} event types, one year (not timed)...", flush=True)
        started = time.perf_counter()
        parquet_path, csv_path = generate(folder, args)
        seed_database(template, args.accounts)
        print(f"  generated in {time.perf_counter() - started:.0f} s: Parquet "
              f"{parquet_path.stat().st_size / 2**20:,.0f} MiB, CSV "
              f"{csv_path.stat().st_size / 2**20:,.0f} MiB; event ids "
              f"{'derived by Cairn' if args.no_event_ids else 'given'}", flush=True)
        runs: dict[str, list[tuple[dict[str, float], str]]] = {"Parquet": [], "CSV": []}
        for _ in range(args.runs):
            for label, path in (("Parquet", parquet_path), ("CSV", csv_path)):
                store = folder / f"store-{label.lower()}"
                shutil.rmtree(store, ignore_errors=True)
                shutil.copytree(template, store)
                # The generated files (2 GB) and the previous child's store are still being
                # written back to disk: flushed first, so the figure is the ingest's alone.
                os.sync()
                load = " ".join(f"{figure:.1f}" for figure in os.getloadavg())
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(store), str(path),
                     str(args.chunk_size)],
                    check=True, capture_output=True, text=True,
                )
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                figures["store_bytes"] = size_of(store / "analytics" / "events")
                runs[label].append((figures, load))
        # The children's largest RSS: a child's own is not reported back separately.
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        for label, results in runs.items():
            figures, load = min(results, key=lambda result: result[0]["seconds"])
            seconds, cpu = figures["seconds"], figures["cpu"]
            times = ", ".join(f"{result['seconds']:.1f}" for result, _ in results)
            print(f"{label}: {args.events:,} events in {seconds:.1f} s = "
                  f"{args.events / seconds:,.0f} events/s (best of {times} s); CPU {cpu:.1f} s "
                  f"({cpu / args.events * 1e6:.2f} core-s per million); store "
                  f"{figures['store_bytes'] / 2**20:,.0f} MiB (chunks of {figures['chunk']:,}); "
                  f"load average before it {load}", flush=True)
        print(f"Peak RSS of any ingest: {peak_kib / 2**10:,.0f} MiB", flush=True)
    finally:
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
