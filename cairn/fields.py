"""The bounds every text and date field of Cairn keeps, whatever writes it.

A text field is of one kind, and the kind sets its longest value: CharFields name their
own `max_length`, TextFields take one of the kinds below. `bound_models()` gives every
field of Cairn's models the validators Django leaves out: NUL characters refused (PostgreSQL
cannot store them), a TextField's `max_length` enforced (Django only passes it to forms), and
dates kept between 1970 and a horizon after today. Forms (through `full_clean`), the API
(through `full_clean` and the schemas' types in cairn.validation) and every other save()
(through a `pre_save` check) then refuse the same values, naming the field. Bulk writes
send no signal: the imports check each row's values before they write (importing.values,
usage.feedback). tests/test_bounds.py walks every model, so a new field without a bound
fails it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# The kinds of text, by their longest value.
NAME = 200  # what something is called: an account, a product, a KPI
TITLE = 300  # a line that says what it is about: a task, a criterion, a follow-up
NOTE = 20_000  # free text people type in a box: a challenge, a description, minutes
DOCUMENT = 1_000_000  # a Markdown document written in Cairn
UPLOAD_TEXT = 2 * 1024 * 1024  # the text of an uploaded file, kept for search (read up to 2 MiB)

EARLIEST_DAY = dt.date(1970, 1, 1)


def latest_day() -> dt.date:
    """The last day a date may name: today plus CAIRN_DATE_HORIZON_YEARS."""
    today = timezone.localdate()
    years: int = settings.DATE_HORIZON_YEARS
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February, and the horizon year is not a leap year
        return today.replace(year=today.year + years, day=28)


@deconstructible
class SaneDateValidator:
    """Refuse a date (or a moment's date) before 1970 or past the horizon."""

    code = "date_out_of_range"

    def __call__(self, value: dt.date | dt.datetime) -> None:
        day = value.date() if isinstance(value, dt.datetime) else value
        last = latest_day()
        if EARLIEST_DAY <= day <= last:
            return
        raise ValidationError(
            "Enter a date between %(earliest)s and %(latest)s.",
            code=self.code,
            params={"earliest": EARLIEST_DAY.isoformat(), "latest": last.isoformat()},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SaneDateValidator)

    def __hash__(self) -> int:
        return hash(self.code)


def sane_day(text: str) -> dt.date:
    """A day given as YYYY-MM-DD (a command's option) within the bounds, or a ValueError
    that says what is wrong with it."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-03-31.") from None
    try:
        SaneDateValidator()(day)
    except ValidationError as exc:
        raise ValueError(f"{text!r}: {exc.messages[0]}") from None
    return day


BOUNDED_FIELDS = (models.CharField, models.TextField, models.DateField)


def _add(field: models.Field[Any, Any], validator: Any) -> None:
    # Appended to the computed `validators` list, as CharField does with its own
    # MaxLengthValidator, and not to `_validators`: migrations do not record them. Once
    # only: a history model's fields share that list with the model's own.
    if not any(type(v) is type(validator) for v in field.validators):
        field.validators.append(validator)


def bound_field(field: models.Field[Any, Any]) -> None:
    if isinstance(field, models.TextField | models.CharField):
        _add(field, ProhibitNullCharactersValidator())
    if isinstance(field, models.TextField) and field.max_length is not None:
        _add(field, MaxLengthValidator(field.max_length))
    if isinstance(field, models.DateField):  # DateTimeField is one too
        _add(field, SaneDateValidator())


def cairn_models() -> list[type[models.Model]]:
    """Cairn's own models, with the history models django-simple-history makes for them."""
    return [m for m in apps.get_models() if m._meta.app_config.name.startswith("cairn.")]


def bound_models() -> None:
    """Give every field of Cairn's models its bounds, and check them on every save."""
    for model in cairn_models():
        for field in model._meta.get_fields():
            if isinstance(field, BOUNDED_FIELDS):
                bound_field(field)
        uid = f"cairn.fields.{model._meta.label}"
        pre_save.connect(_check_bounds, sender=model, dispatch_uid=uid)


def _check_bounds(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Refuse to store a value outside its field's bounds, even where nothing called
    full_clean(): the last guard, so no path stores a NUL, a 5 MB note or year 9999.

    Fixtures loaded as they are (`raw`) are not checked, and a save of some fields checks
    only those, so a row holding an older value can still change its other fields."""
    if kwargs.get("raw"):
        return
    only = kwargs.get("update_fields")
    errors: dict[str, list[ValidationError]] = {}
    for field in sender._meta.concrete_fields:
        if not isinstance(field, BOUNDED_FIELDS) or (only is not None and field.name not in only):
            continue
        value = getattr(instance, field.attname)
        # Only values of the field's own type: anything else is the database's to refuse.
        expected = dt.date if isinstance(field, models.DateField) else str
        if not isinstance(value, expected) or value == "":
            continue
        try:
            field.run_validators(value)
        except ValidationError as exc:
            errors[field.name] = exc.error_list
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
