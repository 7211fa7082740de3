"""Calling a route as a persona, in the world, and judging the answer by its rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from cairn.people.models import ApiToken
from tests.permissions.routes import ApiOperation, Page, components, example
from tests.permissions.rules import (
    ALLOWED,
    FIELD_MODELS,
    PAGE_KWARGS,
    PAGE_RULES,
    PARAM_MODELS,
    SEGMENT_MODELS,
    Rule,
)
from tests.permissions.world import World

PERSONAS = ["anonymous", "rita", "dave", "carol", "alice", "adam"]
REFUSED = (403, 404)


def _pk(world: World, label: str) -> Any:
    """The world's object for a label of PARAM_MODELS and the like."""
    if label == "text":
        return "x"
    label, _, condition = label.partition("?")
    model = apps.get_model(label)
    if not condition:
        return world.pk(model)
    field, _, value = condition.partition("=")
    return world.first(model, **{field: {"True": True, "False": False}.get(value, value)}).pk


def _segment(path: str, param: str) -> str:
    before = path.split("{" + param + "}", 1)[0].strip("/").split("/")
    return "/".join(before[-2:])


def api_path(op: ApiOperation, world: World) -> str:
    path = op.path
    for param in op.params:
        if param == "number":
            value: Any = 1
        else:
            label = SEGMENT_MODELS.get(_segment(op.path, param)) or PARAM_MODELS.get(param)
            if label is None:
                raise AssertionError(
                    f"{op.key}: what does {{{param}}} name? Add it to PARAM_MODELS or "
                    "SEGMENT_MODELS in tests/permissions/rules.py."
                )
            value = _pk(world, label)
        path = path.replace("{" + param + "}", str(value))
    return path


def _field_value(world: World, name: str, kind: str) -> Any:
    label = FIELD_MODELS.get(name.removesuffix("_id"))
    if label is None:
        return None
    if label == "customers.Account" and kind == "string":
        return world.account.external_id
    if kind != "integer":
        return None
    return _pk(world, label)


def api_body(op: ApiOperation, world: World) -> Any:
    if op.body is None:
        return None
    schemas = components()
    value_of = lambda name, kind: _field_value(world, name, kind)  # noqa: E731
    body = example(op.body, schemas, value_of)
    properties = schemas[op.body["$ref"].rsplit("/", 1)[1]]["properties"] if "$ref" in op.body else {}
    for name in op.fields:
        body[name] = example(properties[name], schemas, value_of, name)
    return body


@contextmanager
def _undone() -> Iterator[None]:
    """Whatever the call changes is rolled back before the next persona's call."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def call_api(op: ApiOperation, world: World, persona: str) -> HttpResponse:
    headers = {} if persona == "anonymous" else {"Authorization": f"Bearer {world.tokens[persona]}"}
    client = Client(raise_request_exception=False, headers=headers)
    with _undone():
        path = api_path(op, world)
        if op.multipart is not None:
            form = example(op.multipart, components(), lambda n, k: _field_value(world, n, k))
            for name, schema in op.multipart.get("properties", {}).items():
                if schema.get("format") == "binary":
                    form[name] = SimpleUploadedFile("note.txt", b"A note.", "text/plain")
            return client.post(path, form)  # type: ignore[return-value]
        body = api_body(op, world)
        data = json.dumps(body) if body is not None else ""
        return client.generic(  # type: ignore[return-value]
            op.method, path, data, content_type="application/json"
        )


def page_url(page: Page, world: World, persona: str) -> str:
    kwargs: dict[str, Any] = {}
    for name in page.kwargs:
        label = PAGE_RULES[page.name][1].get(name) or PAGE_KWARGS["*"].get(name)
        if label is None:
            raise AssertionError(
                f"Page {page.name} ({page.route}): what does <{name}> name? Add it to "
                "PAGE_KWARGS in tests/permissions/rules.py."
            )
        if label == "version":
            kwargs[name] = 1
        elif label == "token":
            kwargs[name] = world.link_token
        elif label == "import":
            kwargs[name] = "0" * 32
        elif label == "uid":
            kwargs[name] = "MQ"
        elif label == "own_token":
            user = world.users.get(persona, world.users["carol"])
            kwargs[name] = ApiToken.objects.filter(user=user).order_by("pk").first().pk  # type: ignore[union-attr]
        else:
            kwargs[name] = _pk(world, label)
    return reverse(page.name, kwargs=kwargs)


def call_page(page: Page, world: World, persona: str, method: str) -> HttpResponse:
    # A fresh client with the persona's session cookie: a call that ends the session
    # (logout) or sets cookies leaves the next call's persona as it was.
    client = Client(raise_request_exception=False)
    client.cookies.load({k: m.value for k, m in world.clients[persona].cookies.items()})
    with _undone():
        url = page_url(page, world, persona)
        if method == "GET":
            return client.get(url)  # type: ignore[return-value]
        return client.post(url, {})  # type: ignore[return-value]


def _to_login(response: HttpResponse) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/")


def judge(
    persona: str, rule: Rule, response: HttpResponse, *, api: bool, reading: bool = False,
    missing_ok: bool = False,
) -> str | None:
    """None when the answer fits the rule; otherwise what went wrong. A read may find
    nothing (404: the world has no score history, say); a write must find its object."""
    status = response.status_code
    body = response.content[:300].decode(errors="replace") or response.get("Location", "")
    if rule is Rule.SESSION:
        return None if _to_login(response) else f"{persona} got {status}, not the login page"
    if persona in ALLOWED[rule]:
        missing = () if reading or missing_ok else (404, 405)
        if status >= 500 or status in (401, 403, *missing) or _to_login(response):
            return f"{persona} is allowed ({rule.value}) but got {status}: {body}"
        return None
    if persona == "anonymous":
        if api and status != 401:
            return f"anonymous got {status}, not 401: {body}"
        if not api and not _to_login(response):
            return f"anonymous got {status}, not the login page: {body}"
        return None
    # A page only for POST answers a GET with 405 before asking who calls: nothing is shown.
    if status not in REFUSED and not (reading and status == 405):
        return f"{persona} must be refused ({rule.value}) but got {status}: {body}"
    return None
