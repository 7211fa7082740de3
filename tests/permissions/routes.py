"""Every route Cairn answers, read from the API's OpenAPI document and the URL configuration,
and the smallest request body each API operation accepts, derived from its schema."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from tests.permissions.rules import BODY_FIELDS

API_PREFIX = "/api/v1"


@dataclasses.dataclass(frozen=True)
class ApiOperation:
    method: str
    path: str
    body: dict[str, Any] | None  # the JSON schema of the body, None without one
    multipart: dict[str, Any] | None = None  # the schema of a form with a file
    fields: tuple[str, ...] = ()  # optional body fields given a value (rules.BODY_FIELDS)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path.removeprefix(API_PREFIX)}"

    @property
    def name(self) -> str:
        return self.key + (f" with {', '.join(self.fields)}" if self.fields else "")

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    route: str
    kwargs: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.name


def api_operations() -> list[ApiOperation]:
    schema = _schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            form = content.get("multipart/form-data", {}).get("schema")
            op = ApiOperation(method.upper(), path, body, form)
            # An operation whose optional fields choose between checks is called once per choice.
            for fields in BODY_FIELDS.get(op.key, [()]):
                operations.append(dataclasses.replace(op, fields=tuple(fields)))
    return operations


@functools.cache
def _schema() -> dict[str, Any]:
    from cairn.api import api

    return api.get_openapi_schema()  # type: ignore[no-any-return]


def components() -> dict[str, Any]:
    return _schema()["components"]["schemas"]  # type: ignore[no-any-return]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def pages() -> list[Page]:
    """Every named URL pattern outside the API (which the OpenAPI document lists) and the
    static files."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.lstrip("^").startswith(("api/", "static/", "media/")):
            continue
        if pattern.name is None:
            raise AssertionError(f"The URL pattern {route!r} has no name: name it.")
        found.append(Page(pattern.name, route, tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))))
    return found


def example(
    schema: dict[str, Any], schemas: dict[str, Any], value_of: Callable[[str, str], Any],
    name: str = "",
) -> Any:
    """The smallest value the schema accepts. `value_of(name, type)` answers a field that
    names a record (engagement, account, contact...) with one of the world's, else None."""
    if "$ref" in schema:
        return example(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas, value_of, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example(options[0], schemas, value_of, name)
    kind = schema.get("type", "object")
    known = value_of(name, kind)
    if known is not None:
        return known
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            field: example(properties[field], schemas, value_of, field)
            for field in schema.get("required", [])
        }
    if kind == "array":
        item = example(schema.get("items", {}), schemas, value_of, name)
        return [item] * schema.get("minItems", 0)
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    text_format = schema.get("format")
    if text_format == "date":
        return "2026-12-01"
    if text_format == "date-time":
        return "2026-12-01T10:00:00Z"
    if text_format == "email":
        return "someone@example.com"
    return "x" * max(schema.get("minLength", 1), 1)
