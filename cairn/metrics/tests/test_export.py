"""`cairn metrics export` writes what `cairn metrics load` reads: a metric set survives the trip
out of one Cairn and into another unchanged."""

from __future__ import annotations

import tomllib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.metrics.models import MetricDefinition

pytestmark = pytest.mark.django_db

MINE = '''
[[metric]]
slug = "uploads-per-person"
name = "Megabytes uploaded per person"
description = "Say \\"hello\\"\\non two lines."
kind = "per_user"
event_type = "file_upload"
window_days = 14
of = "sum"
higher_is_better = false
active = false

[[metric]]
slug = "uploads-ratio"
name = "Uploads per login"
kind = "ratio"
numerator = "uploads-per-person"
denominator = "logins-28d"
'''


def call(*args: str) -> str:
    out = StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def _fields() -> list[tuple[object, ...]]:
    return list(MetricDefinition.objects.order_by("slug").values_list(
        "slug", "name", "description", "kind", "event_type", "window_days", "params",
        "higher_is_better", "active",
    ))


def test_an_export_loads_back_into_an_empty_cairn_and_exports_the_same_text(tmp_path: Path) -> None:
    call("load", "--standard")
    mine = tmp_path / "mine.toml"
    mine.write_text(MINE)
    call("load", str(mine))
    before = _fields()
    first = tmp_path / "first.toml"
    assert "34 metric definition(s) written to" in call("export", str(first))

    MetricDefinition.objects.all().delete()
    assert "34 metric(s) created, 0 updated." in call("load", str(first))
    assert _fields() == before
    assert call("export") == first.read_text()


def test_the_export_is_plain_toml_in_the_load_format() -> None:
    call("load", "--standard")
    document = tomllib.loads(call("export"))
    assert document["version"] == 1
    tenure = next(m for m in document["metric"] if m["slug"] == "tenure-days")
    # Tenure reads no events: no event type or window to write.
    assert tenure == {
        "slug": "tenure-days", "name": "Tenure (days)", "description": tenure["description"],
        "kind": "tenure", "higher_is_better": True, "active": True,
    }
    total = next(m for m in document["metric"] if m["kind"] == "total")
    assert total["metrics"] == ["comments-28d", "shares-28d", "invites-sent-28d"]


def test_exporting_nothing_or_to_a_missing_folder_fails_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no metric definitions to export"):
        call("export")
    call("load", "--standard")
    with pytest.raises(CommandError, match=r"nowhere/set.toml: cannot be written \(No such file or directory\)"):
        call("export", str(tmp_path / "nowhere" / "set.toml"))


def test_loading_a_missing_or_malformed_file_or_an_unknown_kind_saves_nothing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("metrics", "load", str(tmp_path / "absent.toml"), stderr=StringIO())
    broken = tmp_path / "broken.toml"
    broken.write_text('[[metric]]\nslug = "a"\nname = \n')
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("metrics", "load", str(broken), stderr=err)
    assert "not valid TOML" in err.getvalue() and "line 3" in err.getvalue()
    odd = tmp_path / "odd.toml"
    odd.write_text('[[metric]]\nslug = "a"\nname = "A"\nkind = "tenure"\n\n'
                   '[[metric]]\nslug = "b"\nname = "B"\nkind = "median"\n')
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("metrics", "load", str(odd), stderr=err)
    assert "metric 2 (b): kind: Choose a kind:" in err.getvalue()
    assert MetricDefinition.objects.count() == 0
