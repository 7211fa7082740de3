"""Reading one cell of a CRM export into a Python value, or saying clearly why not.

Accepted formats (also shown to the user on the mapping page):

- Dates: real dates in XLSX; in text, ISO `2026-12-31` (a time part is ignored), `2026/12/31`,
  `31.12.2026` (always day first), `31 Dec 2026`, `Dec 31, 2026`, `31-Dec-2026`, and
  `31/12/2026` or `12/31/2026`. For slashes and dashes the order is read from the value when
  one number is above 12; when both could be the day (03/04/2026) the value is ambiguous
  unless the import says which order the file uses (day first or month first).
- Numbers: `1234.50`, `1,234.50`, `1.234,50`, `1 234,50`, `1'234.50`, with or without a
  currency sign. When both `,` and `.` appear, the last one is the decimal separator; a
  separator that repeats is a thousands separator; a lone comma before exactly three digits
  is a thousands separator (`1,234` = 1234), otherwise a decimal comma (`12,5` = 12.5); a
  lone dot is a decimal point.
- Choices: the stored value or the label, in any case and punctuation (`Mid Market`,
  `mid_market` and `Mid-market` are the same segment).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models

from cairn.fields import SaneDateValidator


class BadValue(ValueError):
    """A cell that cannot be read; the message is shown to the user as the reason."""


class DateOrder(models.TextChoices):
    AUTO = "auto", "Read from each value (reject ambiguous dates)"
    DAY_FIRST = "dmy", "Day first (31/12/2026)"
    MONTH_FIRST = "mdy", "Month first (12/31/2026)"


def as_text(raw: object) -> str:
    """The cell as the user sees it: XLSX numbers without a spurious `.0`, text trimmed."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def text(raw: object, max_length: int) -> str:
    value = as_text(raw)
    if len(value) > max_length:
        raise BadValue(f"is {len(value)} characters long; at most {max_length} fit.")
    return value


# Currency signs and spaces (including the no-break spaces spreadsheets put in numbers).
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f'$€£¥]|(?:USD|EUR|GBP|CHF)", re.IGNORECASE)
_THREE_DIGITS_AT_END = re.compile(r"[.,]\d{3}$")


def decimal_number(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise BadValue(f"{as_text(raw)!r} is not a number.")
    if isinstance(raw, int | float):
        return Decimal(str(raw))
    original = as_text(raw)
    value = _NUMBER_NOISE.sub("", original)
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("-()")
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        decimal_sep = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        value = value.replace(thousands, "").replace(decimal_sep, ".")
    elif commas > 1 or dots > 1:
        value = value.replace(",", "").replace(".", "")
    elif commas == 1:
        value = value.replace(",", "" if _THREE_DIGITS_AT_END.search(value) else ".")
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        raise BadValue(f"{original!r} is not a number.")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadValue(f"{original!r} is not a number.") from None
    return -number if negative else number


def whole_number(raw: object, *, minimum: int = 0) -> int:
    number = decimal_number(raw)
    if number != number.to_integral_value():
        raise BadValue(f"{as_text(raw)!r} is not a whole number.")
    if number < minimum:
        raise BadValue(f"{as_text(raw)!r} is below {minimum}.")
    return int(number)


def money(raw: object, *, decimal_places: int = 2, max_digits: int = 14) -> Decimal:
    number = decimal_number(raw)
    if number < 0:
        raise BadValue(f"{as_text(raw)!r} is negative.")
    rounded = number.quantize(Decimal(1).scaleb(-decimal_places))
    if rounded != number:
        raise BadValue(f"{as_text(raw)!r} has more than {decimal_places} decimal places.")
    if len(rounded.as_tuple().digits) > max_digits:
        raise BadValue(f"{as_text(raw)!r} is too large.")
    return rounded


_MONTHS = {
    name: index
    for index in range(1, 13)
    for name in (
        dt.date(2000, index, 1).strftime("%b").lower(),
        dt.date(2000, index, 1).strftime("%B").lower(),
    )
}
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_NUMERIC = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?: [\d:.]+(?: ?[AP]M)?)?", re.IGNORECASE)
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4})")
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})")


def _make_date(original: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(f"{original!r} is not a real date.") from None


def _month(original: str, name: str) -> int:
    month = _MONTHS.get(name.lower())
    if month is None:
        raise BadValue(f"{original!r} is not a date: {name!r} is not a month.")
    return month


def date_value(raw: object, order: str = DateOrder.AUTO) -> dt.date:
    """The day a cell names, within the dates every field of Cairn keeps (1970 to the
    horizon): imports write in bulk, past the save guard, so the range is checked here."""
    day = _parse_date(raw, order)
    try:
        SaneDateValidator()(day)
    except ValidationError as exc:
        raise BadValue(f"{day.isoformat()}: {exc.messages[0]}") from None
    return day


def _parse_date(raw: object, order: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    original = as_text(raw)
    if match := _ISO.fullmatch(original):
        year, month, day = (int(part) for part in match.groups())
        return _make_date(original, year, month, day)
    if match := _DOTTED.fullmatch(original):
        day, month, year = (int(part) for part in match.groups())
        return _make_date(original, year, month, day)
    if match := _NUMERIC.fullmatch(original):
        first, second, year = (int(part) for part in match.groups())
        if order == DateOrder.DAY_FIRST or (order == DateOrder.AUTO and first > 12):
            return _make_date(original, year, second, first)
        if order == DateOrder.MONTH_FIRST or second > 12 or first == second:
            return _make_date(original, year, first, second)
        raise BadValue(
            f"{original!r} is ambiguous: it could be day/month or month/day. Write it as "
            f"{year}-{second:02}-{first:02} or {year}-{first:02}-{second:02}, or choose the "
            "file's date order."
        )
    if match := _DAY_MONTH_NAME.fullmatch(original):
        day_text, name, year_text = match.groups()
        return _make_date(original, int(year_text), _month(original, name), int(day_text))
    if match := _MONTH_NAME_DAY.fullmatch(original):
        name, day_text, year_text = match.groups()
        return _make_date(original, int(year_text), _month(original, name), int(day_text))
    raise BadValue(f"{original!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31.")


def squash(value: str) -> str:
    """Lower case, accents and punctuation removed: what people mean, not how they typed it."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", plain.lower())


def choice(raw: object, choices: Iterable[tuple[str, str]]) -> str:
    options = list(choices)
    wanted = squash(as_text(raw))
    for value, label in options:
        if wanted in (squash(value), squash(str(label))):
            return value
    allowed = ", ".join(str(label) for _, label in options)
    raise BadValue(f"{as_text(raw)!r} is not one of: {allowed}.")


_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])


def email(raw: object, max_length: int = 254) -> str:
    value = as_text(raw)
    try:
        _email_validator(value)
    except ValidationError:
        raise BadValue(f"{value!r} is not a valid e-mail address.") from None
    if len(value) > max_length:
        raise BadValue(f"is {len(value)} characters long; at most {max_length} fit.")
    return value


def url(raw: object, max_length: int = 200) -> str:
    """CRMs often export a bare domain (acme.com); it is read as https://acme.com."""
    value = as_text(raw)
    if "://" not in value:
        value = f"https://{value}"
    try:
        _url_validator(value)
    except ValidationError:
        raise BadValue(f"{as_text(raw)!r} is not a valid web address.") from None
    if len(value) > max_length:
        raise BadValue(f"is {len(value)} characters long; at most {max_length} fit.")
    return value
