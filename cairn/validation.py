"""Put every validation message next to the field it is about.

Django reports a violated constraint over an expression (a case-insensitive unique name)
or a condition (an end date after a start date) as an error of the whole form. The
constraint still concerns one field; these helpers find which, so forms and the API can
show the message where the user will look.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


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
