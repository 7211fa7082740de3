"""Every text and date Cairn takes is bounded, and a refusal names the field (issue 13).

The walks below go over every model, form and API operation, so a new field without a
bound fails here. The finding tests replay what was found: a 5 MB engagement challenge,
a NUL in an account name, years 9999 and 0001.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, get_args

import pydantic
import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cairn import fields
from cairn.api import api
from cairn.customers.models import Account
from cairn.engagements.models import Engagement
from cairn.people.models import User
from tests.api.conftest import bearer

FIVE_MB = "x" * (5 * 1024 * 1024)


def _text_fields() -> Iterator[tuple[str, models.Field[Any, Any]]]:
    for model in fields.cairn_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                yield f"{model._meta.label}.{field.name}", field


def _date_fields() -> Iterator[tuple[str, models.Field[Any, Any]]]:
    for model in fields.cairn_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField):
                yield f"{model._meta.label}.{field.name}", field


def _refuses(field: Any, value: Any) -> bool:
    try:
        field.run_validators(value)
    except ValidationError:
        return True
    return False


# --- models ---------------------------------------------------------------------------------


def test_it_bounds_the_length_of_every_text_field_of_every_model() -> None:
    unbounded = [name for name, field in _text_fields() if field.max_length is None]
    assert not unbounded, f"Give these a max_length (a kind of cairn.fields): {unbounded}"
    too_long = [
        name for name, field in _text_fields() if not _refuses(field, "x" * (field.max_length + 1))
    ]
    assert not too_long


def test_it_refuses_a_nul_in_every_text_field_of_every_model() -> None:
    accepted = [name for name, field in _text_fields() if not _refuses(field, "a\x00b")]
    assert not accepted


def test_it_keeps_every_date_field_of_every_model_between_1970_and_the_horizon() -> None:
    now = timezone.now()
    for name, field in _date_fields():
        is_moment = isinstance(field, models.DateTimeField)
        early = dt.datetime(1969, 12, 31, tzinfo=dt.UTC) if is_moment else dt.date(1969, 12, 31)
        late = dt.datetime(9999, 12, 31, tzinfo=dt.UTC) if is_moment else dt.date(9999, 12, 31)
        first = dt.datetime(1, 1, 1, tzinfo=dt.UTC) if is_moment else dt.date(1, 1, 1)
        today = now if is_moment else now.date()
        assert _refuses(field, early) and _refuses(field, late) and _refuses(field, first), name
        assert not _refuses(field, today), name


def test_the_date_horizon_follows_the_setting(settings: Any) -> None:
    settings.DATE_HORIZON_YEARS = 2
    today = timezone.localdate()
    assert fields.latest_day().year == today.year + 2
    validator = fields.SaneDateValidator()
    validator(today.replace(year=today.year + 1, day=1))
    with pytest.raises(ValidationError, match="Enter a date between 1970-01-01 and"):
        validator(today.replace(year=today.year + 3, day=1))


@pytest.mark.django_db
def test_it_refuses_to_store_a_nul_even_where_nothing_called_full_clean(carol: User) -> None:
    with pytest.raises(ValidationError) as refused:
        Account.objects.create(name="Acme\x00", owner=carol)
    assert "name" in refused.value.message_dict
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_it_refuses_to_store_year_9999_even_where_nothing_called_full_clean(
    engagement: Engagement,
) -> None:
    engagement.start_date = dt.date(9999, 12, 31)
    with pytest.raises(ValidationError) as refused:
        engagement.save()
    assert "start_date" in refused.value.message_dict


# --- forms ----------------------------------------------------------------------------------


def _form_classes() -> Iterator[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("cairn."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_field_of_every_form_has_a_maximum_length() -> None:
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert not unbounded


def test_every_date_field_of_every_form_keeps_to_the_sane_range() -> None:
    # A model form's date fields are checked by the model's own validators (full_clean).
    unchecked = []
    for form in _form_classes():
        model_fields: set[str] = set()
        if issubclass(form, forms.BaseModelForm):
            model_fields = {f.name for f in form._meta.model._meta.get_fields()}  # type: ignore[attr-defined]
        for name, field in form.base_fields.items():
            if not isinstance(field, forms.DateField | forms.DateTimeField) or name in model_fields:
                continue
            if not any(isinstance(v, fields.SaneDateValidator) for v in field.validators):
                unchecked.append(f"{form.__module__}.{form.__name__}.{name}")
    assert not unchecked


# --- API ------------------------------------------------------------------------------------


# A usage event's fields are loose on purpose: a bad row goes to the quarantine with its
# reason instead of refusing the batch (cairn/usage/api.py); the ingest checks them.
LOOSE = {"EventIn"}


def _input_models() -> Iterator[tuple[str, type[pydantic.BaseModel]]]:
    for _, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for model in operation.models:
                    yield f"{operation.methods} {path}", model


def _nested_models(annotation: Any) -> Iterator[type[pydantic.BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _nested_models(arg)


def _api_fields() -> Iterator[tuple[str, pydantic.fields.FieldInfo, dict[str, Any]]]:
    """Every field of every operation's parameters and body, with its JSON schema."""
    seen: set[type[pydantic.BaseModel]] = set()
    todo = list(_input_models())
    while todo:
        where, model = todo.pop()
        if model in seen or model.__name__ in LOOSE:
            continue
        seen.add(model)
        properties = model.model_json_schema(ref_template="{model}")["properties"]
        for name, info in model.model_fields.items():
            todo.extend((where, inner) for inner in _nested_models(info.annotation))
            yield f"{where} {model.__name__}.{name}", info, properties.get(info.alias or name, {})


def _alternatives(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [*schema.get("anyOf", [schema]), schema.get("items", {})]


def _string_fields() -> Iterator[tuple[str, pydantic.fields.FieldInfo, dict[str, Any]]]:
    for where, info, schema in _api_fields():
        alternatives = _alternatives(schema)
        if any(a.get("type") in ("number", "integer") for a in alternatives):
            continue  # a decimal: a number or its text
        for alternative in alternatives:
            if alternative.get("type") == "string" and not (
                "enum" in alternative or "format" in alternative
            ):
                yield where, info, alternative


def _refused_by_api(info: pydantic.fields.FieldInfo, value: str) -> bool:
    # The field keeps the constraints of `x: Note = ""` apart from its annotation.
    typed = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    try:
        pydantic.TypeAdapter(typed).validate_python(value)
    except pydantic.ValidationError:
        return True
    return False


def test_every_text_the_api_takes_has_a_documented_maximum_length() -> None:
    unbounded = sorted({where for where, _, schema in _string_fields() if "maxLength" not in schema})
    assert not unbounded, f"Type these with a kind of cairn.validation (Name, Note...): {unbounded}"


def test_every_text_the_api_takes_refuses_a_nul() -> None:
    accepted = [where for where, info, _ in _string_fields() if not _refused_by_api(info, "a\x00b")]
    assert not accepted


def test_every_date_the_api_takes_keeps_between_1970_and_the_horizon() -> None:
    accepted = []
    for where, info, schema in _api_fields():
        formats = {a.get("format") for a in _alternatives(schema)}
        if "date" in formats:
            accepted += [where for day in ("9999-12-31", "0001-01-01") if not _refused_by_api(info, day)]
        if "date-time" in formats:
            accepted += [where for t in ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z")
                         if not _refused_by_api(info, t)]
    assert not accepted


# --- the findings ---------------------------------------------------------------------------


def _errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _engagement_form(engagement: Engagement, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "initiative": engagement.initiative, "challenge": "", "required_outcomes": "",
        "solution": "", "owner": engagement.owner_id, "start_date": "2026-10-01",
    }
    return data | changes


@pytest.mark.django_db
def test_a_5_mb_challenge_is_refused_on_the_engagement_page_naming_the_field(
    engagement: Engagement, as_carol: Client
) -> None:
    before = engagement.challenge
    url = reverse("engagement_edit", args=[engagement.pk])
    response = as_carol.post(url, _engagement_form(engagement, challenge=FIVE_MB))
    assert response.status_code == 200
    assert "at most 20000 characters" in str(response.context["form"].errors["challenge"])
    engagement.refresh_from_db()
    assert engagement.challenge == before


@pytest.mark.django_db
def test_a_5_mb_challenge_is_refused_by_the_api_naming_the_field(
    engagement: Engagement, carol: User
) -> None:
    before = engagement.challenge
    response = _patch(bearer(carol), f"/api/v1/engagements/{engagement.pk}", {"challenge": FIVE_MB})
    assert response.status_code == 400
    assert _errors(response) == {"challenge": "String should have at most 20000 characters"}
    engagement.refresh_from_db()
    assert engagement.challenge == before


def test_the_api_documents_the_challenge_s_maximum_length() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    challenge = schema["EngagementPatch"]["properties"]["challenge"]["anyOf"][0]
    assert challenge["maxLength"] == fields.NOTE


@pytest.mark.django_db
def test_a_nul_in_an_account_name_is_refused_on_the_account_page(
    as_carol: Client, carol: User
) -> None:
    response = as_carol.post(reverse("account_create"), {"name": "Acme\x00Corp", "owner": carol.pk})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_an_account_name_is_refused_by_the_api(carol: User, acme: Account) -> None:
    client = bearer(carol)
    created = _post(client, "/api/v1/accounts/", {"name": "Acme\u0000Corp"})
    assert created.status_code == 400
    assert _errors(created) == {"name": "Null characters are not allowed."}
    renamed = _patch(client, f"/api/v1/accounts/{acme.pk}", {"name": "Acme\u0000"})
    assert renamed.status_code == 400
    assert "name" in _errors(renamed)
    assert ["\x00" in name for name in Account.objects.values_list("name", flat=True)] == [False]


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_start_date_in_year_9999_or_0001_is_refused_on_the_engagement_page_naming_the_field(
    engagement: Engagement, as_carol: Client, day: str
) -> None:
    url = reverse("engagement_edit", args=[engagement.pk])
    response = as_carol.post(url, _engagement_form(engagement, start_date=day))
    assert response.status_code == 200
    assert "Enter a date between 1970-01-01" in str(response.context["form"].errors["start_date"])
    engagement.refresh_from_db()
    assert engagement.start_date.year not in (1, 9999)


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_start_date_in_year_9999_or_0001_is_refused_by_the_api_naming_the_field(
    engagement: Engagement, carol: User, day: str
) -> None:
    response = _patch(bearer(carol), f"/api/v1/engagements/{engagement.pk}", {"start_date": day})
    assert response.status_code == 400
    assert "start_date" in _errors(response)
    assert "Enter a date between 1970-01-01" in _errors(response)["start_date"]
    engagement.refresh_from_db()
    assert engagement.start_date.year not in (1, 9999)


@pytest.mark.django_db
def test_a_subscription_ending_in_year_9999_is_refused_by_the_api(
    acme: Account, carol: User
) -> None:
    from cairn.customers.models import Product

    product = Product.objects.create(name="Cairn Cloud")
    response = _post(bearer(carol), "/api/v1/subscriptions/", {
        "account": acme.pk, "product": product.pk, "arr": str(Decimal("1200.00")),
        "start_date": "2026-01-01", "end_date": "9999-12-31",
    })
    assert response.status_code == 400
    assert "end_date" in _errors(response)


@pytest.mark.django_db
@pytest.mark.parametrize("command", [
    ["metrics", "recompute", "--date", "9999-12-31"],
    ["health", "recompute", "--as-of", "9999-12-31"],
    ["trust", "report", "--as-of", "0001-01-01"],
])
def test_the_commands_refuse_a_day_out_of_range_naming_the_option(command: list[str]) -> None:
    option, day = command[-2:]
    with pytest.raises(CommandError, match=f"{option}.*'{day}': Enter a date between 1970-01-01 and"):
        call_command(*command)
