"""How import cells are read: the date and number formats the mapping page promises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cairn.customers.importing.values import BadValue, DateOrder, date_value, decimal_number

DEC_31 = dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    "text",
    ["2026-12-31", "2026-12-31T00:00:00", "2026-12-31 08:30:00", "2026/12/31", "31/12/2026",
     "12/31/2026", "31.12.2026", "31-12-2026", "31 Dec 2026", "Dec 31, 2026",
     "December 31, 2026", "31-Dec-2026"],
)
def test_unambiguous_dates_are_read_in_every_documented_format(text):
    assert date_value(text) == DEC_31


def test_an_ambiguous_date_needs_the_files_date_order():
    with pytest.raises(BadValue, match="ambiguous"):
        date_value("03/04/2026")
    assert date_value("03/04/2026", DateOrder.DAY_FIRST) == dt.date(2026, 4, 3)
    assert date_value("03/04/2026", DateOrder.MONTH_FIRST) == dt.date(2026, 3, 4)
    assert date_value("05/05/2026") == dt.date(2026, 5, 5)


@pytest.mark.parametrize("text", ["31/31/2026", "2026-13-01", "tomorrow", "31 Foo 2026", "26-1-1"])
def test_a_date_that_is_not_one_says_so(text):
    with pytest.raises(BadValue):
        date_value(text)


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "31.12.1969", dt.datetime(9999, 1, 1)])
def test_finding_3_an_import_refuses_a_date_outside_the_years_cairn_keeps(raw):
    # Imports write in bulk, past the save guard: the cell itself is refused, naming the range.
    with pytest.raises(BadValue, match="Enter a date between 1970-01-01 and"):
        date_value(raw)


@pytest.mark.parametrize(
    ("text", "number"),
    [("1234.50", "1234.50"), ("1,234.50", "1234.50"), ("1.234,50", "1234.50"),
     ("1 234,50", "1234.50"), ("1'234.50", "1234.50"), ("$1,234", "1234"), ("€ 12,5", "12.5"),
     ("1,234,567", "1234567"), ("1.234.567", "1234567"), ("1.234", "1.234"), ("-7", "-7"),
     ("1\u00a0000", "1000")],
)
def test_numbers_are_read_with_thousands_separators_and_decimal_commas(text, number):
    assert decimal_number(text) == Decimal(number)


@pytest.mark.parametrize("text", ["ten", "1,2,3.4.5", "12abc", ""])
def test_a_number_that_is_not_one_says_so(text):
    with pytest.raises(BadValue, match="is not a number"):
        decimal_number(text)
