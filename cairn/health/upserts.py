"""Writing each account's latest score: insert or update, 100,000 rows at a time.

Constant statements with bound parameters, never text built from values. The ORM's
bulk_create spends most of its time preparing every field of every object, which at 100,000
accounts costs seconds, so each table has its upsert written out once per database:

- SQLite (3.24+): one prepared `INSERT ... VALUES ... ON CONFLICT DO UPDATE` executed per row
  (`executemany` steps the same statement in C).
- PostgreSQL: a statement executed per row is parsed and planned per row (Django binds
  parameters on the client), so a batch of rows is bound as one JSON document, an array of
  rows, that `jsonb_array_elements` turns back into rows: one statement per batch, the same
  ON CONFLICT clause. (One array parameter per column with `unnest` was twice as slow: text
  arrays of JSON texts are escaped element by element on both sides.)
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

BATCH = 10000


@dataclass(frozen=True)
class Upsert:
    each_row: str  # VALUES (%s, ...): the constants, then one row's columns
    batch: str  # the constants, then a JSON array of rows


def upsert(statement: Upsert, constants: Sequence[Any], columns: Sequence[list[Any]]) -> None:
    """Write the rows given as columns (lists of equal length); `constants` are the same
    for every row (the scoring date, the time)."""
    rows = len(columns[0]) if columns else 0
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, rows, BATCH):
            part = [column[start:start + BATCH] for column in columns]
            if postgres:
                document = json.dumps(list(zip(*part, strict=True)))
                cursor.execute(statement.batch, [*constants, document])
            else:
                same = [itertools.repeat(value) for value in constants]
                cursor.executemany(statement.each_row, list(zip(*same, *part, strict=False)))


_LATEST_CONFLICT = """
ON CONFLICT (account_id) DO UPDATE SET
  scored_on = excluded.scored_on, score = excluded.score, light = excluded.light,
  previous_score = excluded.previous_score, previous_light = excluded.previous_light,
  change = excluded.change, change_30d = excluded.change_30d
"""
# constants: scored_on; columns: account, score, light, previous score and light, change,
# change over 30 days
LATEST = Upsert(
    each_row="""
INSERT INTO health_accounthealth
  (scored_on, account_id, score, light, previous_score, previous_light, change, change_30d)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
""" + _LATEST_CONFLICT,
    batch="""
INSERT INTO health_accounthealth
  (scored_on, account_id, score, light, previous_score, previous_light, change, change_30d)
SELECT %s::date, (r->>0)::bigint, (r->>1)::float8, r->>2, (r->>3)::float8, r->>4,
  (r->>5)::float8, (r->>6)::float8
FROM jsonb_array_elements(%s::jsonb) AS r
""" + _LATEST_CONFLICT,
)
