"""Integers of the API within the database's range.

Past 64 bits SQLite raises OverflowError and PostgreSQL a DataError: both were server errors
for an id or a filter such as `?engagement=99999999999999999999999`. The API gives every
plain `int` of every operation's parameters and bodies this range (cairn.api), so a new
endpoint cannot forget it and the OpenAPI document shows it.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import BaseModel

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
Integer = Annotated[int, Ge(INT_MIN), Le(INT_MAX)]
Id = Annotated[int, Ge(1), Le(INT_MAX)]


def bound_integers(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> None:
    """Give every plain `int` of a request model, nested models included, the 64-bit range.

    The API applies this to the parameters and bodies of every operation, so an endpoint
    cannot forget it. A field's own narrower bounds (`Field(ge=0)`) still apply: pydantic
    applies a field's constraints after those of its type.
    """
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    changed = False
    for field in model.model_fields.values():
        bounded = _bounded(field.annotation, seen)
        if bounded != field.annotation:
            field.annotation = bounded
            changed = True
    if changed or any(_nested(field.annotation) for field in model.model_fields.values()):
        model.model_rebuild(force=True)


def _bounded(annotation: Any, seen: set[type[BaseModel]]) -> Any:
    if annotation is int:
        return Integer
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        bound_integers(annotation, seen)
        return annotation
    origin, args = get_origin(annotation), get_args(annotation)
    if not args:
        return annotation
    if origin is Annotated:
        inner = _bounded(args[0], seen)
        return annotation if inner is args[0] else Annotated[(inner, *args[1:])]  # type: ignore[valid-type]
    bounded = tuple(_bounded(arg, seen) for arg in args)
    if bounded == args:
        return annotation
    if origin in (Union, UnionType):
        return Union[bounded]  # noqa: UP007
    return origin[bounded]  # list[int], dict[str, int], tuple[int, ...]


def _nested(annotation: Any) -> bool:
    """Whether a model appears inside the annotation (its validator was rebuilt above)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_nested(arg) for arg in get_args(annotation))
