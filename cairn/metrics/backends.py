"""Where the engine runs: DuckDB in-process by default, or Spark (local mode here).

The only engine-specific code: connecting, and opening the event files as an Ibis table.
Both run in UTC, so an event's day is its UTC day on either engine.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from cairn.metrics.engine import EVENT_COLUMNS, EVENT_SCHEMA

ENGINES = ("duckdb", "spark")
MEMORY_LIMIT = "2500MB"
_lock = threading.Lock()


class Engine(ABC):
    name = ""
    con: Any

    @abstractmethod
    def events(self, files: Sequence[str]) -> ir.Table:
        """The committed event files as one table of the documented columns."""

    def empty_events(self) -> ir.Table:
        return ibis.memtable(EVENT_SCHEMA.empty_table())


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self) -> None:
        # A bounded memory: beyond it DuckDB spills joins and aggregations to disk rather
        # than growing with the event store.
        spill = Path(tempfile.gettempdir()) / "cairn-duckdb"
        self.con: Any = ibis.duckdb.connect(memory_limit=MEMORY_LIMIT, temp_directory=str(spill))

    def events(self, files: Sequence[str]) -> ir.Table:
        if not files:
            return self.empty_events()
        # The day is in the ts column; the folder names (day=...) are not read as a column.
        table = self.con.read_parquet(list(files), hive_partitioning=False)
        return table.select(*EVENT_COLUMNS)


@cache
def spark_session() -> Any:
    """One local SparkSession per process: starting the JVM takes seconds."""
    from pyspark.sql import SparkSession

    # py4j logs each connection it closes; at interpreter exit its handlers are gone and
    # every such line becomes a "Logging error" traceback. Only its warnings matter.
    logging.getLogger("py4j").setLevel(logging.WARNING)

    return (
        SparkSession.builder.master("local[*]")
        .appName("cairn-metrics")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


class SparkEngine(Engine):
    name = "spark"

    def __init__(self) -> None:
        self.session = spark_session()
        self.con: Any = ibis.pyspark.connect(self.session)
        self._views = 0

    def events(self, files: Sequence[str]) -> ir.Table:
        if not files:
            return self.empty_events()
        with _lock:
            self._views += 1
            name = f"cairn_events_{id(self)}_{self._views}"
        # Ibis's read_parquet takes one path; Spark itself reads a list of files at once.
        frame = self.session.read.parquet(*files).select(*EVENT_COLUMNS)
        frame.createOrReplaceTempView(name)
        return self.con.table(name)


def connect(engine: str = "duckdb") -> Engine:
    if engine == "duckdb":
        return DuckDBEngine()
    if engine == "spark":
        return SparkEngine()
    raise ValueError(f"Unknown engine {engine!r}: choose one of {', '.join(ENGINES)}.")
