"""Where a trained model's trees live (LightGBM's text format, in the analytics directory) and
how the book's latest forecasts are written: insert or update, 100,000 rows at a time (the
same constant statements as the health scores, cairn.health.upserts)."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from cairn.health.upserts import Upsert, upsert


def folder() -> Path:
    return Path(settings.ANALYTICS_DIR) / "forecast"


def save_trees(booster: Any, version: int) -> str:
    """Write the trees (whole or not at all) and answer the file's name: the version and a
    random part, so a training whose transaction rolls back never overwrites a kept model."""
    name = f"model-{version:05d}-{uuid.uuid4().hex[:12]}.txt"
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target, prefix=".model-", suffix=".txt")
    os.close(handle)
    try:
        booster.save_model(temporary)
        os.replace(temporary, target / name)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return name


def load_trees(name: str) -> Any:
    import lightgbm as lgb

    path = folder() / name
    if "/" in name or not path.is_file():
        raise FileNotFoundError(f"The forecast model file {name!r} is missing from {folder()}.")
    return lgb.Booster(model_file=str(path))


_CONFLICT = """
ON CONFLICT (account_id) DO UPDATE SET
  model_id = excluded.model_id, scored_on = excluded.scored_on,
  probability = excluded.probability, drivers = excluded.drivers
"""
LATEST = Upsert(
    each_row="""
INSERT INTO forecast_accountforecast (model_id, scored_on, account_id, probability, drivers)
VALUES (%s, %s, %s, %s, %s)
""" + _CONFLICT,
    batch="""
INSERT INTO forecast_accountforecast (model_id, scored_on, account_id, probability, drivers)
SELECT %s, %s::date, (r->>0)::bigint, (r->>1)::float8, (r->2)
FROM jsonb_array_elements(%s::jsonb) AS r
""" + _CONFLICT,
)


def write_latest(model_id: int, scored_on: Any, accounts: Sequence[int],
                 probabilities: Sequence[float], drivers: Sequence[list[dict[str, Any]]]) -> None:
    from django.db import connection

    # PostgreSQL's batch carries them as JSON inside its JSON document; SQLite takes text.
    texts: list[Any] = (
        list(drivers) if connection.vendor == "postgresql" else [json.dumps(d) for d in drivers]
    )
    upsert(LATEST, [model_id, scored_on], [list(accounts), list(probabilities), texts])
