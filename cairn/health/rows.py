"""Many rows of plain numbers and strings, read without the ORM's per-row work.

A `values_list` queryset runs its rows through Django's iterator: fetched 100 at a time, and
each row passed through the converters of its columns (an annotation with an integer output
converts every value with `int()`). For the 100,000-account reads of a recompute that is a
quarter of the read's time. `fetch` runs the queryset's own SQL on a cursor of the same
connection (so inside the same transaction) and returns the driver's rows as they are.

Only for columns the driver already returns as the Python values wanted: integers, floats,
strings and NULL. Dates, decimals, booleans and JSON differ between SQLite and PostgreSQL
before conversion; read them through the ORM.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import QuerySet


def fetch(rows: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset, unconverted."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
