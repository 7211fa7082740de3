"""Who may call the API at all, and the published OpenAPI document."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from cairn.api import api as cairn_api
from cairn.customers.models import Account
from cairn.people.models import User

pytestmark = pytest.mark.django_db

# Every endpoint a client can call, with one example id in the path.
ENDPOINTS = [
    "/api/v1/accounts/", "/api/v1/accounts/{account}", "/api/v1/contacts/",
    "/api/v1/subscriptions/", "/api/v1/products/", "/api/v1/engagements/",
    "/api/v1/engagements/{engagement}", "/api/v1/engagements/{engagement}/activities",
    "/api/v1/engagements/{engagement}/moves", "/api/v1/outcomes/", "/api/v1/tasks/",
    "/api/v1/documents/",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_no_token_means_401_with_a_json_explanation(path: str, engagement: Any) -> None:
    url = path.format(account=engagement.account_id, engagement=engagement.pk)
    response = Client().get(url)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_wrong_token_means_401(acme: Account) -> None:
    response = Client(headers={"Authorization": "Bearer cairn_not-a-real-key"}).get(
        "/api/v1/accounts/"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("persona", ["adam", "alice", "carol", "dave", "rita"])
def test_every_persona_reads_with_their_token(persona: str, api: Any, engagement: Any) -> None:
    for path in ENDPOINTS:
        url = path.format(account=engagement.account_id, engagement=engagement.pk)
        assert api(persona).get(url).status_code == 200, url


def test_a_logged_in_browser_uses_the_api_with_its_session(as_carol: Client, acme: Account) -> None:
    assert as_carol.get("/api/v1/accounts/").json()["count"] == 1


def test_a_session_write_needs_the_csrf_token(carol: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(carol)
    response = browser.post("/api/v1/accounts/", {"name": "Forged"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert not Account.objects.filter(name="Forged").exists()


def test_a_missing_object_is_a_404_in_json(api_carol: Client) -> None:
    response = api_carol.get("/api/v1/accounts/999999")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_openapi_document_is_json_listing_every_path(api_carol: Client) -> None:
    response = api_carol.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    expected = {
        "/api/v1/accounts/", "/api/v1/accounts/{account_id}", "/api/v1/contacts/",
        "/api/v1/contacts/{contact_id}", "/api/v1/subscriptions/",
        "/api/v1/subscriptions/{subscription_id}", "/api/v1/products/",
        "/api/v1/products/{product_id}", "/api/v1/engagements/",
        "/api/v1/engagements/{engagement_id}", "/api/v1/engagements/{engagement_id}/move",
        "/api/v1/engagements/{engagement_id}/moves",
        "/api/v1/engagements/{engagement_id}/activities", "/api/v1/activities/{activity_id}",
        "/api/v1/outcomes/", "/api/v1/outcomes/{outcome_id}", "/api/v1/tasks/",
        "/api/v1/tasks/{task_id}", "/api/v1/tasks/{task_id}/complete",
        "/api/v1/tasks/{task_id}/reopen", "/api/v1/documents/",
    }
    assert expected <= paths
    # Every URL the API answers is in the document, and nothing else.
    answered = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern))
        for p in cairn_api.urls[0]
        if str(p.pattern) not in ("", "openapi.json", "docs")
    }
    assert answered == paths
    move = document["paths"]["/api/v1/engagements/{engagement_id}/move"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(move["responses"])
    assert document["components"]["securitySchemes"]


def test_the_openapi_document_needs_a_login() -> None:
    assert Client().get("/api/v1/openapi.json").status_code == 401


def test_the_docs_page_works_for_a_logged_in_user_without_a_cdn(as_rita: Client) -> None:
    response = as_rita.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    # Every script and stylesheet is Cairn's own. (Not "cdn" anywhere in the page: the CSRF
    # token is random letters and once spelled it, failing CI by chance.)
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "https://" not in page and "//cdn" not in page.lower()
    assert as_rita.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_the_docs_page_sends_strangers_to_the_login() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302 and "/login/" in response["Location"]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


def _check(document: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> None:
    """A small JSON-schema check: types, required keys, no undeclared keys, recursively."""
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                _check(document, option, value, where)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: matches no option: {errors}")
    kind = schema.get("type")
    python = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
              "array": list, "object": dict, "null": type(None)}
    if kind:
        assert isinstance(value, python[kind]), f"{where}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if kind == "object":
        properties = schema.get("properties", {})
        assert set(schema.get("required", [])) <= set(value), f"{where}: missing keys"
        assert set(value) <= set(properties), f"{where}: undeclared {set(value) - set(properties)}"
        for key, item in value.items():
            _check(document, properties[key], item, f"{where}.{key}")
    if kind == "array":
        for index, item in enumerate(value):
            _check(document, schema["items"], item, f"{where}[{index}]")


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/v1/accounts/", "/api/v1/accounts/"),
        ("/api/v1/engagements/{id}", "/api/v1/engagements/{engagement_id}"),
        ("/api/v1/engagements/{id}/activities", "/api/v1/engagements/{engagement_id}/activities"),
        ("/api/v1/tasks/", "/api/v1/tasks/"),
    ],
)
def test_real_responses_match_the_published_schema(
    api_carol: Client, engagement: Any, carol: User, path: str, template: str
) -> None:
    from cairn.timeline.actions import create_task

    create_task(title="Call the sponsor", assignee=carol, account=engagement.account,
                created_by=carol, engagement=engagement)
    document = api_carol.get("/api/v1/openapi.json").json()
    response = api_carol.get(path.format(id=engagement.pk))
    assert response.status_code == 200
    schema = document["paths"][template]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    _check(document, schema, response.json(), path)


def test_no_two_api_schemas_share_a_name() -> None:
    """The OpenAPI document names each schema by its class: two classes of one name would
    publish one of them for both, and clients would read the wrong fields."""
    from ninja import Schema

    import cairn.urls  # noqa: F401 (imports every router and its schemas)

    modules: dict[str, set[str]] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("cairn"):
                modules.setdefault(sub.__name__, set()).add(sub.__module__)
            walk(sub)

    walk(Schema)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}
