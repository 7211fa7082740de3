"""docs/importing.md stays true: it names every import field and every allowed value, and its
event file examples ingest as it says."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cairn.customers.importing.mapping import KINDS
from cairn.customers.models import Account, Segment, SubscriptionStatus
from cairn.usage.forms import SurveyRow, TicketRow
from cairn.usage.models import TicketPriority, TicketStatus
from cairn.usage.validation import ALIASES, REQUIRED, TEXT_COLUMNS

DOCS = Path(__file__).resolve().parents[3] / "docs"
TEXT = (DOCS / "importing.md").read_text()


def section(title: str) -> str:
    """The text under a heading, up to the next heading of the same level or higher."""
    start = TEXT.index(title)
    level = title.split(" ")[0]
    rest = TEXT[start + len(title):]
    ends = [m.start() for m in re.finditer(rf"^#{{1,{len(level)}}} ", rest, re.MULTILINE)]
    return rest[: ends[0]] if ends else rest


def table_fields(text: str) -> dict[str, str]:
    """First-column names of the Markdown tables in `text`, with their row."""
    return {m[1]: m[0] for m in re.finditer(r"^\| `(\w+)`.*$", text, re.MULTILINE)}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_it_lists_every_field_of_every_import_kind_with_its_label(kind: str) -> None:
    rows = table_fields(section(f"### {KINDS[kind].label}"))
    for field in KINDS[kind].fields:
        assert field.name in rows, f"{kind}.{field.name} is not documented"
        assert f"({field.label})" in rows[field.name]
        assert ("| yes |" in rows[field.name]) == field.required, field.name
    # Nothing else is listed as a field (the subscriptions' section also tables the statuses).
    assert set(rows) - set(SubscriptionStatus.values) <= {f.name for f in KINDS[kind].fields}


def test_it_lists_every_choice_of_every_choice_column() -> None:
    accounts = table_fields(section("### Accounts"))["segment"]
    for value, label in Segment.choices:
        assert f"`{value}` ({label})" in accounts
    statuses = table_fields(section("### Subscriptions"))
    for value, label in SubscriptionStatus.choices:
        assert f"`{value}` ({label})" in statuses[value]
    tickets = section("## Support tickets and survey answers")
    assert all(f"`{value}`" in tickets for value in TicketPriority.values)
    assert all(f"`{value}`" in tickets for value in TicketStatus.values)


def test_it_lists_the_ticket_and_survey_columns() -> None:
    rows = table_fields(section("## Support tickets and survey answers"))
    assert set(TicketRow.base_fields) | set(SurveyRow.base_fields) == set(rows)


def test_it_lists_every_event_column_and_alias() -> None:
    rows = table_fields(section("### Columns"))
    assert set(rows) == set(TEXT_COLUMNS)
    for name in TEXT_COLUMNS:
        assert ("| yes |" in rows[name]) == (name in REQUIRED), name
    for alias, name in ALIASES.items():
        assert f"`{alias}`" in rows[name]


def code(language: str) -> str:
    found = re.search(rf"```{language}\n(.*?)```", section("### Examples"), re.DOTALL)
    assert found is not None
    return found[1]


def ingest(path: Path) -> str:
    out = StringIO()
    call_command("ingest", "events", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_event_examples_ingest_as_documented(
    settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    Account.objects.create(name="Acme", external_id="acme-1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "events.csv").write_text(code("csv"))
    (tmp_path / "events.jsonl").write_text(code("json"))
    # Our own page's example, run as a reader would run it: it writes events.parquet.
    exec(code("python"), {})  # noqa: S102
    first, *others = ("events.csv", "events.jsonl", "events.parquet")
    assert "3 received, 3 stored, 0 duplicate(s), 0 quarantined" in ingest(tmp_path / first)
    for name in others:
        assert "3 received, 0 stored, 3 duplicate(s), 0 quarantined" in ingest(tmp_path / name)
