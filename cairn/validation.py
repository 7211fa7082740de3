"""Put every validation message next to the field it is about.

Django reports a violated constraint over an expression (a case-insensitive unique name)
or a condition (an end date after a start date) as an error of the whole form. The
constraint still concerns one field; these helpers find which, so forms and the API can
show the message where the user will look.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from annotated_types import MaxLen
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from cairn import fields


def constraint_fields(model: type[models.Model]) -> dict[str, str]:
    """The field each of a model's named constraints is about, keyed by its message."""
    fields: dict[str, str] = {}
    for constraint in model._meta.constraints:
        message = str(getattr(constraint, "violation_error_message", "") or "")
        names: list[str] = list(getattr(constraint, "fields", ()) or ())
        for expression in getattr(constraint, "expressions", ()) or ():
            names.extend(_referenced_names(expression))
        condition = getattr(constraint, "condition", None)
        if not names and condition is not None:
            names.extend(_condition_names(condition))
        if message and names:
            fields[message] = names[-1]
    return fields


def _referenced_names(expression: Any) -> list[str]:
    if isinstance(expression, str):
        return [expression]
    if isinstance(expression, models.F):
        return [str(getattr(expression, "name", ""))]
    names: list[str] = []
    for inner in getattr(expression, "get_source_expressions", list)():
        names.extend(_referenced_names(inner))
    return names


def _condition_names(condition: models.Q) -> list[str]:
    names: list[str] = []
    for child in condition.children:
        if isinstance(child, models.Q):
            names.extend(_condition_names(child))
        elif isinstance(child, tuple):
            names.append(str(child[0]).split("__")[0])
    return names[:1]


class FieldedConstraints(models.Model):
    """A model whose constraint violations are reported on the field they concern."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude: Any = None) -> None:
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            hints = constraint_fields(type(self))
            regrouped: dict[str, list[ValidationError]] = {}
            for field, errors in exc.error_dict.items():
                for error in errors:
                    message = " ".join(error.messages)
                    target = hints.get(message, field) if field == NON_FIELD_ERRORS else field
                    regrouped.setdefault(target, []).append(error)
            raise ValidationError(regrouped) from None  # type: ignore[arg-type]


def assignable(user: Any, field: str) -> None:
    """Refuse to give work to someone who cannot do it: inactive or read-only users."""
    if user is None:
        return
    if not user.is_active:
        raise ValidationError({field: f"{user} is deactivated and cannot be given work."})
    if getattr(user, "is_readonly", False):
        raise ValidationError({field: f"{user} is a read-only user and cannot be given work."})


def refuse_nul(value: str) -> str:
    """Refuse a NUL character: PostgreSQL cannot store one, and no person types one."""
    if "\x00" in value:
        # Django's own words for it, so the API and the pages say the same.
        raise PydanticCustomError("null_characters", "Null characters are not allowed.")
    return value


D = TypeVar("D", dt.date, dt.datetime)


def sane_date(value: D) -> D:
    """Refuse a date (or a moment's date) the models would refuse: see cairn.fields."""
    try:
        fields.SaneDateValidator()(value)
    except ValidationError as exc:
        raise PydanticCustomError("date_out_of_range", exc.messages[0]) from None
    return value


# Text in the API, one type per kind of cairn.fields: the OpenAPI document shows the
# longest value, and a longer one or a NUL is a 400 that names the field. A field that
# mirrors a CharField of another length spells it: Annotated[str, MaxLen(120), NO_NUL].
# The length comes before the validator so pydantic counts characters, not items.
NO_NUL = AfterValidator(refuse_nul)
Key = Annotated[str, MaxLen(40), NO_NUL]  # a choice's value or a registered key; the model checks which
Name = Annotated[str, MaxLen(fields.NAME), NO_NUL]
Title = Annotated[str, MaxLen(fields.TITLE), NO_NUL]
Note = Annotated[str, MaxLen(fields.NOTE), NO_NUL]
DocumentText = Annotated[str, MaxLen(fields.DOCUMENT), NO_NUL]

# Dates in the API: from 1970 to the horizon, as the models keep them.
Day = Annotated[dt.date, AfterValidator(sane_date)]
Moment = Annotated[dt.datetime, AfterValidator(sane_date)]
