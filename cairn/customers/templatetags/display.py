"""`{% load display %}`: numbers and choices as people read them, on every page.

A stored float such as 0.13921113689095127 or a coefficient of 212.0000 says nothing to a
CS team; these filters give each number the decimals it deserves and each choice its label.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

Number = int | float | Decimal

MISSING = "—"


def _as_float(value: object) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


@register.filter
def figure(value: Number | str | None) -> str:
    """A number with the decimals its size deserves: 212, 18.2, 1.25, 0.088, 1,204.

    Whole numbers lose their zeros (212.0000 → 212); at 100 and above no decimals; from 1 up
    to two; below 1 two significant digits, so small ratios do not read as 0.
    """
    number = _as_float(value)
    if number is None:
        return MISSING
    size = abs(number)
    if number == round(number) or size >= 100:
        return str(intcomma(round(number)))
    if size >= 1:
        text = f"{number:,.2f}"
    else:
        decimals = max(2, 1 - math.floor(math.log10(size)))
        text = f"{number:.{decimals}f}"
    return text.rstrip("0").rstrip(".")


@register.filter
def percent(value: Number | str | None, decimals: int = 0) -> str:
    """A ratio as a percentage: 0.139 → "14 %" (the space is how Cairn's pages write it;
    a no-break space, so the sign never wraps away from its figure in a narrow column).

    A small share that would round to 0 gets one more decimal (0.004 → "0.4 %"), so a
    little is not shown as nothing; below that it reads "≈0 %".
    """
    number = _as_float(value)
    if number is None:
        return MISSING
    places = int(decimals)
    if number != 0 and round(abs(number) * 100, places) == 0:
        places += 1
        if round(abs(number) * 100, places) == 0:
            return "≈0\u00a0%"
    return f"{number * 100:.{places}f}\u00a0%"


@register.filter
def name_label(value: object) -> str:
    """An identifier as words: "REPORT_RUN" or "company_health" → "Report run", "Company health".

    For names that come from outside as codes (event types sent by integrations); a model's
    own choices use `get_FOO_display` instead.
    """
    if value is None or value == "":
        return MISSING
    return str(value).replace("_", " ").strip().capitalize()
