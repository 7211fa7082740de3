"""Accounts, contacts, subscriptions and products through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.customers.models import Account, Contact, Product, Subscription
from cairn.people.models import User

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type=JSON)


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type=JSON)


def errors_of(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.fixture
def product(db: Any) -> Product:
    return Product.objects.create(name="Energy Monitor", sku="EM-1")


@pytest.fixture
def globex(dave: User) -> Account:
    return Account.objects.create(name="Globex", segment="smb", owner=dave, industry="Retail")


# Accounts


@pytest.mark.parametrize("persona", ["adam", "alice", "carol", "dave"])
def test_anyone_who_writes_creates_an_account(persona: str, api: Any, carol: User) -> None:
    response = post(api(persona), "/api/v1/accounts/", {
        "name": "Initech", "segment": "mid_market", "owner": carol.pk, "employees": 250,
        "website": "https://initech.example",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Initech" and body["owner"]["username"] == "carol"
    account = Account.objects.get(name="Initech")
    assert account.history.first().history_user.username == persona  # type: ignore[union-attr]


def test_a_read_only_user_cannot_create_an_account(api_rita: Client) -> None:
    response = post(api_rita, "/api/v1/accounts/", {"name": "Initech"})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Account.objects.filter(name="Initech").exists()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({}, "name", "required"),
        ({"name": "Initech", "segment": "galactic"}, "segment", "strategic"),
        ({"name": "Initech", "employees": -3}, "employees", "greater than or equal"),
        ({"name": "Initech", "website": "not a url"}, "website", "valid URL"),
        ({"name": "x" * 201}, "name", "at most 200"),
        ({"name": "ACME manufacturing"}, "name", "already exists"),
        ({"name": "Initech", "owner": 99999}, "owner", "no user with id 99999"),
        ({"name": "Initech", "parent": 99999}, "parent", "no account with id 99999"),
        ({"name": "Initech", "employees": "many"}, "employees", "integer"),
    ],
)
def test_a_bad_account_is_refused_naming_the_field(
    api_carol: Client, acme: Account, data: dict[str, Any], field: str, words: str
) -> None:
    errors = errors_of(post(api_carol, "/api/v1/accounts/", data))
    assert field in errors, errors
    assert words.lower() in errors[field].lower()
    assert Account.objects.count() == 1


def test_the_owner_updates_their_account(api_carol: Client, acme: Account) -> None:
    response = patch(api_carol, f"/api/v1/accounts/{acme.pk}", {"region": "APAC"})
    assert response.status_code == 200
    assert response.json()["region"] == "APAC"
    acme.refresh_from_db()
    assert acme.region == "APAC" and acme.industry == "Manufacturing"


@pytest.mark.parametrize(("persona", "status"), [
    ("adam", 200), ("alice", 200), ("carol", 200), ("dave", 403), ("rita", 403),
])
def test_only_leaders_and_the_owner_change_an_account(
    persona: str, status: int, api: Any, acme: Account
) -> None:
    response = patch(api(persona), f"/api/v1/accounts/{acme.pk}", {"industry": "Energy"})
    assert response.status_code == status
    acme.refresh_from_db()
    assert (acme.industry == "Energy") == (status == 200)


def test_an_account_cannot_become_its_own_parent(api_carol: Client, acme: Account) -> None:
    errors = errors_of(patch(api_carol, f"/api/v1/accounts/{acme.pk}", {"parent": acme.pk}))
    assert "own parent" in errors["parent"]


@pytest.mark.parametrize(("persona", "status"), [
    ("alice", 204), ("adam", 204), ("carol", 403), ("dave", 403), ("rita", 403),
])
def test_only_leaders_delete_accounts(persona: str, status: int, api: Any, acme: Account) -> None:
    assert api(persona).delete(f"/api/v1/accounts/{acme.pk}").status_code == status
    assert Account.objects.filter(pk=acme.pk).exists() == (status != 204)


def test_a_missing_account_is_404_for_reads_and_writes(api_alice: Client) -> None:
    assert api_alice.get("/api/v1/accounts/424242").status_code == 404
    assert patch(api_alice, "/api/v1/accounts/424242", {"name": "X"}).status_code == 404
    assert api_alice.delete("/api/v1/accounts/424242").status_code == 404


def test_accounts_are_paginated_with_a_bounded_page_size(api_carol: Client, carol: User) -> None:
    Account.objects.bulk_create(Account(name=f"Customer {i:03}", owner=carol) for i in range(130))
    first = api_carol.get("/api/v1/accounts/").json()
    assert first["count"] == 130 and len(first["items"]) == 25
    page = api_carol.get("/api/v1/accounts/?page=2&page_size=50").json()
    assert page["items"][0]["name"] == "Customer 050"
    assert len(api_carol.get("/api/v1/accounts/?page_size=1000").json()["items"]) == 100
    errors = errors_of(api_carol.get("/api/v1/accounts/?page=0"))
    assert "page" in errors


def test_accounts_filter_by_text_segment_owner_phase_and_renewal(
    api_carol: Client, engagement: Any, globex: Account, carol: User, dave: User,
    product: Product,
) -> None:
    acme = engagement.account
    Subscription.objects.create(account=acme, product=product, arr=1000,
                                start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 3, 31))
    Subscription.objects.create(account=globex, product=product, arr=500,
                                start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))

    def names(query: str) -> list[str]:
        response = api_carol.get(f"/api/v1/accounts/?{query}")
        assert response.status_code == 200, response.content
        return [a["name"] for a in response.json()["items"]]

    assert names("q=glob") == ["Globex"]
    assert names("q=manufact") == ["Acme Manufacturing"]
    assert names("segment=smb") == ["Globex"]
    assert names(f"owner={carol.pk}") == ["Acme Manufacturing"]
    assert names(f"owner={dave.pk}") == ["Globex"]
    assert names("phase=preparation") == ["Acme Manufacturing"]
    assert names("phase=onboarding") == []
    assert names("renewal_before=2027-01-01") == ["Globex"]
    assert names("renewal_after=2027-01-01") == ["Acme Manufacturing"]
    both = api_carol.get("/api/v1/accounts/").json()["items"]
    assert {a["name"]: a["arr"] for a in both} == {"Acme Manufacturing": "1000.00", "Globex": "500.00"}
    assert "segment" in errors_of(api_carol.get("/api/v1/accounts/?segment=huge"))
    assert "renewal_before" in errors_of(api_carol.get("/api/v1/accounts/?renewal_before=soon"))


def test_the_accounts_list_runs_the_same_queries_for_10_and_1000_accounts(
    api_carol: Client, carol: User, product: Product
) -> None:
    def create(start: int, count: int) -> None:
        accounts = Account.objects.bulk_create(
            Account(name=f"Customer {i:05}", owner=carol, segment="smb")
            for i in range(start, start + count)
        )
        Subscription.objects.bulk_create(
            Subscription(account=a, product=product, arr=100, start_date=dt.date(2026, 1, 1),
                         end_date=dt.date(2027, 1, 1))
            for a in accounts
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api_carol.get("/api/v1/accounts/?page_size=100&segment=smb")
        assert response.status_code == 200
        return len(captured)

    create(0, 10)
    few = queries()
    create(10, 990)
    assert Account.objects.count() == 1000
    assert queries() == few


# Contacts


def test_the_owner_adds_a_contact_and_the_list_filters_by_account(
    api_carol: Client, acme: Account, globex: Account
) -> None:
    Contact.objects.create(account=globex, first_name="Hank")
    boss = post(api_carol, "/api/v1/contacts/", {
        "account": acme.pk, "first_name": "Ada", "last_name": "Boss", "email": "ada@acme.example",
    })
    assert boss.status_code == 201, boss.content
    report = post(api_carol, "/api/v1/contacts/", {
        "account": acme.pk, "first_name": "Bo", "reports_to": boss.json()["id"],
    })
    assert report.json()["reports_to_id"] == boss.json()["id"]
    listed = api_carol.get(f"/api/v1/contacts/?account={acme.pk}").json()
    assert listed["count"] == 2
    assert {c["first_name"] for c in listed["items"]} == {"Ada", "Bo"}


@pytest.mark.parametrize("persona", ["dave", "rita"])
def test_outsiders_cannot_add_or_change_contacts(persona: str, api: Any, acme: Account) -> None:
    contact = Contact.objects.create(account=acme, first_name="Ada")
    response = post(api(persona), "/api/v1/contacts/", {"account": acme.pk, "first_name": "Eve"})
    assert response.status_code == 403
    assert patch(api(persona), f"/api/v1/contacts/{contact.pk}", {"title": "CEO"}).status_code == 403
    assert api(persona).delete(f"/api/v1/contacts/{contact.pk}").status_code == 403
    assert list(Contact.objects.values_list("first_name", "title")) == [("Ada", "")]


def test_a_duplicate_contact_email_is_refused_naming_the_email(
    api_carol: Client, acme: Account
) -> None:
    Contact.objects.create(account=acme, first_name="Ada", email="ada@acme.example")
    errors = errors_of(post(api_carol, "/api/v1/contacts/", {
        "account": acme.pk, "first_name": "Other", "email": "ADA@acme.example",
    }))
    assert "already has a contact" in errors["email"]
    assert Contact.objects.count() == 1


def test_a_manager_at_another_customer_is_refused(
    api_carol: Client, acme: Account, globex: Account
) -> None:
    hank = Contact.objects.create(account=globex, first_name="Hank")
    errors = errors_of(post(api_carol, "/api/v1/contacts/", {
        "account": acme.pk, "first_name": "Ada", "reports_to": hank.pk,
    }))
    assert "same account" in errors["reports_to"]


def test_the_owner_edits_and_deletes_a_contact(api_carol: Client, acme: Account) -> None:
    contact = Contact.objects.create(account=acme, first_name="Ada")
    response = patch(api_carol, f"/api/v1/contacts/{contact.pk}", {"email": "bad"})
    assert "email" in errors_of(response)
    response = patch(api_carol, f"/api/v1/contacts/{contact.pk}", {"title": "COO"})
    assert response.json()["title"] == "COO"
    assert api_carol.delete(f"/api/v1/contacts/{contact.pk}").status_code == 204
    assert not Contact.objects.exists()


# Subscriptions and products


def test_the_owner_adds_a_subscription_that_shows_in_the_account(
    api_carol: Client, acme: Account, product: Product
) -> None:
    response = post(api_carol, "/api/v1/subscriptions/", {
        "account": acme.pk, "product": product.pk, "quantity": 400, "arr": "48000.00",
        "start_date": "2026-01-01", "end_date": "2026-12-31",
    })
    assert response.status_code == 201, response.content
    assert response.json()["product"]["name"] == "Energy Monitor"
    account = api_carol.get(f"/api/v1/accounts/{acme.pk}").json()
    assert account["arr"] == "48000.00" and account["next_renewal"] == "2026-12-31"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"end_date": "2025-12-31"}, "end_date", "must not be before"),
        ({"arr": "-5"}, "arr", "cannot be negative"),
        ({"status": "lapsed"}, "status", "active"),
        ({"product": 9999}, "product", "no product"),
        ({"start_date": "first of may"}, "start_date", "date"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(
    api_carol: Client, acme: Account, product: Product, change: dict[str, Any], field: str,
    words: str,
) -> None:
    data = {"account": acme.pk, "product": product.pk, "arr": "100", "start_date": "2026-01-01",
            "end_date": "2026-12-31", **change}
    errors = errors_of(post(api_carol, "/api/v1/subscriptions/", data))
    assert words.lower() in errors[field].lower(), errors
    assert not Subscription.objects.exists()


def test_subscriptions_are_changed_and_deleted_by_the_owner_only(
    api_carol: Client, api_dave: Client, acme: Account, product: Product
) -> None:
    sub = Subscription.objects.create(account=acme, product=product, arr=10,
                                      start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    assert patch(api_dave, f"/api/v1/subscriptions/{sub.pk}", {"quantity": 5}).status_code == 403
    response = patch(api_carol, f"/api/v1/subscriptions/{sub.pk}", {"status": "renewed"})
    assert response.json()["status"] == "renewed"
    assert api_dave.delete(f"/api/v1/subscriptions/{sub.pk}").status_code == 403
    assert api_carol.delete(f"/api/v1/subscriptions/{sub.pk}").status_code == 204
    assert not Subscription.objects.exists()


def test_subscriptions_filter_by_account_status_and_end(
    api_rita: Client, acme: Account, globex: Account, product: Product
) -> None:
    for account, end, status in [(acme, 3, "active"), (globex, 9, "churned")]:
        Subscription.objects.create(account=account, product=product, status=status,
                                    start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, end, 1))
    assert api_rita.get(f"/api/v1/subscriptions/?account={globex.pk}").json()["count"] == 1
    assert api_rita.get("/api/v1/subscriptions/?status=active").json()["count"] == 1
    assert api_rita.get("/api/v1/subscriptions/?ends_before=2026-06-01").json()["count"] == 1


def test_products_are_read_only_in_the_api(api_alice: Client, product: Product) -> None:
    assert api_alice.get("/api/v1/products/").json()["items"][0]["sku"] == "EM-1"
    assert api_alice.get(f"/api/v1/products/{product.pk}").json()["name"] == "Energy Monitor"
    assert post(api_alice, "/api/v1/products/", {"name": "New"}).status_code == 405


def test_a_constraint_the_database_enforces_alone_still_answers_400_and_saves_nothing(
    api_carol: Client, acme: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two requests can pass validation at once; then only the database's constraint
    # stops the second. Skipping full_clean() here plays that race.
    monkeypatch.setattr(Account, "full_clean", lambda self, *args, **kwargs: None)
    response = post(api_carol, "/api/v1/accounts/", {"name": "acme manufacturing"})
    assert response.status_code == 400
    assert response.json()["errors"]
    assert Account.objects.count() == 1
