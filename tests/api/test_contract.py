"""The API's contract on any input (issue 13, findings 3 and 5): who gets 401 and when CSRF
applies, JSON 404s for unknown paths, bounded integers, refused nulls and unreadable bodies,
each answer naming the field, and an OpenAPI document that declares all of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from ninja.responses import NinjaJSONEncoder

from cairn.api import COMMON_ANSWERS
from cairn.api import api as cairn_api
from cairn.bounds import INT_MAX
from cairn.customers.models import Account
from cairn.people.models import ApiToken, User

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


def _fields(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/accounts/"),
        ("patch", "/api/v1/accounts/{account}"),
        ("delete", "/api/v1/accounts/{account}"),
        ("put", "/api/v1/commitment/engagements/{engagement}/first-meeting"),
    ],
)
def test_an_anonymous_write_is_a_401_in_json_not_a_csrf_refusal(
    method: str, path: str, engagement: Any
) -> None:
    browser = Client(enforce_csrf_checks=True)
    url = path.format(account=engagement.account_id, engagement=engagement.pk)
    response = getattr(browser, method)(url, {"name": "Forged"}, content_type="application/json")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_logged_in_browser_still_needs_the_csrf_token_to_write(carol: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(carol)
    response = browser.post("/api/v1/accounts/", {"name": "Forged"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Account.objects.filter(name="Forged").exists()


def test_a_token_writes_without_a_csrf_token(alice: User) -> None:
    _, key = ApiToken.issue(alice, "script")
    script = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {key}"})
    response = script.post("/api/v1/accounts/", {"name": "Globex"}, content_type="application/json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here", "/api/v1/accounts/abc", "/api/v1/accounts/1/nothing", "/api/v2/accounts/",
     "/api/"],
)
def test_an_unknown_api_path_is_a_json_404(path: str, api_carol: Client) -> None:
    response = api_carol.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_a_write_to_an_unknown_api_path_is_a_json_404_too(method: str, api_carol: Client) -> None:
    script = Client(enforce_csrf_checks=True, headers=api_carol.headers)
    response = getattr(script, method)("/api/v1/accounts/-5", {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_body_that_is_not_json_is_a_400_with_the_documented_errors(api_carol: Client) -> None:
    response = api_carol.post("/api/v1/accounts/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert _fields(response) == {"body"}


def test_a_body_over_the_upload_limit_is_a_400_in_json(api_carol: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"name": "x" * (1024 * 1024 + 1)})
    response = api_carol.post("/api/v1/accounts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is larger than 1 MB."
    assert _fields(response) == {"body"}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/engagements/?account={HUGE}", "account"),
        (f"/api/v1/engagements/?owner={HUGE}", "owner"),
        (f"/api/v1/contacts/?account={HUGE}", "account"),
        (f"/api/v1/subscriptions/?account={HUGE}", "account"),
        (f"/api/v1/outcomes/?engagement={HUGE}", "engagement"),
        (f"/api/v1/documents/?engagement={HUGE}", "engagement"),
        (f"/api/v1/adoption/challenges?engagement={HUGE}", "engagement"),
        (f"/api/v1/accounts/{HUGE}", "account_id"),
        (f"/api/v1/engagements/{HUGE}/moves", "engagement_id"),
        (f"/api/v1/accounts/?page={HUGE}", "page"),
        (f"/api/v1/accounts/?page_size={HUGE}", "page_size"),
    ],
)
def test_a_huge_integer_in_a_filter_or_path_is_a_400_naming_it(
    path: str, field: str, api_alice: Client, acme: Account
) -> None:
    response = api_alice.get(path)
    assert response.status_code == 400, response.content
    assert _fields(response) == {field}


def test_a_huge_integer_in_a_body_is_a_400_naming_it(api_alice: Client, acme: Account) -> None:
    response = api_alice.patch(
        f"/api/v1/accounts/{acme.pk}", {"owner": int(HUGE)}, content_type="application/json"
    )
    assert response.status_code == 400
    assert _fields(response) == {"owner"}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/accounts/{account}", "name"),
        ("/api/v1/accounts/{account}", "external_id"),
        ("/api/v1/accounts/{account}", "segment"),
        ("/api/v1/engagements/{engagement}", "initiative"),
        ("/api/v1/engagements/{engagement}", "owner"),
        ("/api/v1/engagements/{engagement}", "start_date"),
    ],
)
def test_a_null_for_a_field_that_cannot_be_empty_is_a_400_naming_it(
    path: str, field: str, api_alice: Client, engagement: Any
) -> None:
    url = path.format(account=engagement.account_id, engagement=engagement.pk)
    before = api_alice.get(url).json()
    response = api_alice.patch(url, {field: None}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert _fields(response) == {field}
    assert api_alice.get(url).json() == before


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("contacts", "first_name"), ("contacts", "email"), ("outcomes", "name"),
        ("outcomes", "target"), ("tasks", "title"), ("tasks", "assignee"),
    ],
)
def test_a_null_in_other_patches_is_a_400_naming_the_field_too(
    kind: str, field: str, api_alice: Client, alice: User, engagement: Any
) -> None:
    created = {
        "contacts": {"account": engagement.account_id, "first_name": "Erin", "email": "e@acme.example"},
        "outcomes": {"engagement": engagement.pk, "name": "Energy", "target": "20"},
        "tasks": {"title": "Call Erin", "assignee": alice.pk, "engagement": engagement.pk},
    }[kind]
    response = api_alice.post(f"/api/v1/{kind}/", created, content_type="application/json")
    assert response.status_code == 201, response.content
    url = f"/api/v1/{kind}/{response.json()['id']}"
    response = api_alice.patch(url, {field: None}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert _fields(response) == {field}


def _document() -> dict[str, Any]:
    """The document as a client reads it: JSON, with string status codes."""
    document = cairn_api.get_openapi_schema(path_prefix="/api/v1/")
    return json.loads(json.dumps(document, cls=NinjaJSONEncoder))


def _integers(schema: Any, components: dict[str, Any], seen: frozenset[str] = frozenset()) -> list[Any]:
    """Every integer schema inside `schema`, following references."""
    if isinstance(schema, list):
        return [found for item in schema for found in _integers(item, components, seen)]
    if not isinstance(schema, dict):
        return []
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return [] if name in seen else _integers(components[name], components, seen | {name})
    found = [schema] if schema.get("type") == "integer" else []
    return found + [item for value in schema.values() for item in _integers(value, components, seen)]


def test_every_integer_a_client_sends_is_bounded_in_the_openapi_document() -> None:
    document = _document()
    components = document["components"]["schemas"]
    unbounded = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            sent = [parameter["schema"] for parameter in operation.get("parameters", [])]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                sent.append(content["schema"])
            for schema in _integers(sent, components):
                if schema.get("maximum", INT_MAX + 1) > INT_MAX or "minimum" not in schema:
                    unbounded.append(f"{method.upper()} {path}")
    assert unbounded == []


def test_every_operation_declares_the_answers_any_request_may_get() -> None:
    missing = [
        f"{method.upper()} {path}: {status}"
        for path, item in _document()["paths"].items()
        for method, operation in item.items()
        for status in COMMON_ANSWERS
        if str(status) not in operation["responses"]
    ]
    assert missing == []
    bad_request = _document()["components"]["schemas"]["BadRequest"]
    assert set(bad_request["required"]) == {"detail", "errors"}


def test_the_document_is_served_as_the_fuzz_test_reads_it(api_carol: Client) -> None:
    served = json.loads(api_carol.get("/api/v1/openapi.json").content)
    assert served["paths"].keys() == _document()["paths"].keys()
