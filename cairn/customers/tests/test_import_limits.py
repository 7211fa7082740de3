"""Cells an import cannot take (issue 13, finding 3): a cell past Python's CSV limit and a
NUL character are reported by row and column, on the page and by `cairn import`, and
nothing is saved."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse

from cairn.cli import main
from cairn.customers.importing import readers
from cairn.customers.models import Account

pytestmark = pytest.mark.django_db

HUGE = "x" * 200_000  # Python's csv module stops at 131,072 characters a cell


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path


def import_page(client: Client, text: str) -> tuple[str, Any]:
    """Upload, confirm the proposed mapping: the mapping page's HTML, then the answer."""
    response = client.post(reverse("import"), {
        "kind": "accounts", "file": SimpleUploadedFile("export.csv", text.encode()),
    })
    assert response.status_code == 302, response.content
    url = response["Location"]
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    confirmed = client.post(url, data)
    assert confirmed.status_code == 200
    return page.content.decode(), confirmed


def cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        main(["cairn", *args])
    return int(exit_info.value.code or 0)


def test_finding_3_a_cell_over_131072_characters_is_named_on_the_import_page(as_carol: Client) -> None:
    preview, confirmed = import_page(
        as_carol, f"Account Name,Industry\nGlobex,Energy\nInitech,{HUGE}\n"
    )
    assert HUGE not in preview and "200,000 characters" in preview  # the preview shows a start
    errors = confirmed.context["result"].errors
    assert [(e.line, e.column) for e in errors] == [(3, "Industry")]
    html = confirmed.content.decode()
    assert "200,000 characters long" in html and HUGE not in html
    assert Account.objects.count() == 0


def test_finding_3_cairn_import_names_the_row_and_column_of_a_huge_cell_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"Account Name,Industry\nGlobex,Energy\nInitech,{HUGE}\n")
    assert cli(monkeypatch, "import", "accounts", str(path)) == 1
    err = capsys.readouterr().err
    assert 'line 3, column "Industry": is 200,000 characters long' in err
    assert "nothing was saved" in err and "Traceback" not in err
    assert Account.objects.count() == 0


def test_a_cell_past_the_reading_limit_names_its_row_and_saves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit is 16 MiB; a smaller one here keeps the file small.
    previous = csv.field_size_limit(1_000)
    monkeypatch.setattr(readers, "CSV_CELL_LIMIT", 1_000)
    try:
        path = tmp_path / "export.csv"
        path.write_text("Account Name,Industry\nGlobex,Energy\nInitech,\"" + "y" * 5_000 + "\"\n")
        assert cli(monkeypatch, "import", "accounts", str(path)) == 1
    finally:
        csv.field_size_limit(previous)
    err = capsys.readouterr().err
    assert "line 3: this row cannot be read as CSV (field larger than field limit (1000))." in err
    assert "Traceback" not in err and Account.objects.count() == 0


def test_finding_3_a_nul_character_is_refused_by_row_and_column(
    as_carol: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "Account Name,Industry\nGlobex,Energy\nIni\x00tech,Software\n"
    _, confirmed = import_page(as_carol, text)
    assert [(e.line, e.column) for e in confirmed.context["result"].errors] == [(3, "Account Name")]
    assert "contains a NUL character" in confirmed.content.decode()
    path = tmp_path / "export.csv"
    path.write_text(text)
    assert cli(monkeypatch, "import", "accounts", str(path)) == 1
    assert 'line 3, column "Account Name": contains a NUL character' in capsys.readouterr().err
    assert Account.objects.count() == 0
