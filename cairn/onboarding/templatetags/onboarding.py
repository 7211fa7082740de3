"""Template filters of the onboarding pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def hours(value: Decimal | int | float | None) -> str:
    """Hours as people write them: 2.5, 8, 0.25 (not 2.50 or 8.00)."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number.quantize(Decimal('0.01')).normalize():f}"
    return text
