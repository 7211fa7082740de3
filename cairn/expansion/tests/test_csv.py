"""The opportunities' CSV export: the filtered list, every column, and no cell a spreadsheet
would run as a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cairn.customers.models import Account
from cairn.expansion import actions
from cairn.expansion.export import inert
from cairn.expansion.models import Kind, Stage
from cairn.expansion.tests import factories as make

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_export_holds_the_filtered_list_with_its_figures(as_rita, acme, carol, dave):
    won = make.handed(acme, carol, title="Connector", kind=Kind.CROSS_SELL, amount=Decimal("25000"))
    actions.close(won, actions.Close(Stage.WON, closed_amount=Decimal("24000.5"), reason="Signed"), by=carol)
    make.opportunity(Account.objects.create(name="Beta", owner=dave), dave, title="Beta idea")
    rows = _rows(as_rita.get(reverse("opportunities_csv")))
    header, *body = rows
    assert header[:5] == ["Id", "Account", "Title", "Kind", "Stage"] and len(body) == 2
    row = dict(zip(header, next(r for r in body if r[2] == "Connector"), strict=True))
    assert row["Account"] == "Acme Manufacturing" and row["Kind"] == "Cross-sell" and row["Stage"] == "Won"
    assert row["Estimated ARR"] == "25000.00" and row["Closed ARR"] == "24000.50"
    assert row["Sales owner"] == "Sam Seller" and row["CRM reference"] == "CRM-1"
    assert row["Spotted by"] == "Carol Owner" and row["Reason and notes"] == "Signed"
    only = _rows(as_rita.get(reverse("opportunities_csv"), {"account": acme.pk, "stage": "won"}))
    assert [r[2] for r in only[1:]] == ["Connector"]
    assert len(_rows(as_rita.get(reverse("opportunities_csv"), {"kind": "upsell", "account": acme.pk}))) == 1


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_cells_that_would_start_a_formula_are_neutralised(as_carol, acme, carol, evil):
    make.opportunity(acme, carol, title=evil, description=evil)
    acme.name = evil
    acme.save()
    header, row = _rows(as_carol.get(reverse("opportunities_csv")))
    cells = dict(zip(header, row, strict=True))
    for column in ("Account", "Title", "Description"):
        assert cells[column] == "'" + evil
        assert not cells[column].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_plain_text_is_left_as_it_is():
    assert inert("Fuel forecasts - Baltic") == "Fuel forecasts - Baltic"
    assert inert(None) == "" and inert("") == ""
