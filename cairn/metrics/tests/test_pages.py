"""The metric editor, the per-account metric page and its include, and the metrics API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.customers.models import Account
from cairn.metrics import actions
from cairn.metrics.models import MetricDefinition, MetricValue
from cairn.metrics.queries import account_metrics
from cairn.metrics.tests.conftest import UTC, write_events

pytestmark = pytest.mark.django_db
GOOD = {"name": "Logins", "slug": "logins", "kind": "count", "event_type": "login",
        "window_days": "28", "of": "count", "higher_is_better": "on", "active": "on"}


def _make(n: int, prefix: str = "m") -> None:
    for i in range(n):
        MetricDefinition.objects.create(slug=f"{prefix}{i}", name=f"Metric {i}", kind="count",
                                        event_type="login")


def test_everyone_reads_the_metric_list(as_rita: Client) -> None:
    _make(2)
    page = as_rita.get("/metrics/")
    assert page.status_code == 200
    assert b"Metric 1" in page.content
    assert b"New metric" not in page.content


def test_the_metric_list_runs_the_same_queries_for_2_or_20_metrics(as_alice: Client) -> None:
    _make(2)
    with CaptureQueriesContext(connection) as few:
        assert as_alice.get("/metrics/").status_code == 200
    _make(18, prefix="more")
    with CaptureQueriesContext(connection) as many:
        assert as_alice.get("/metrics/").status_code == 200
    assert len(few) == len(many)


def test_a_leader_defines_a_metric_in_the_editor(as_alice: Client) -> None:
    response = as_alice.post("/metrics/new/", GOOD)
    assert response.status_code == 302
    definition = MetricDefinition.objects.get(slug="logins")
    assert (definition.kind, definition.event_type, definition.window_days) == ("count", "login", 28)
    assert "Metric Logins created" in as_alice.get("/metrics/").content.decode()


def test_a_leader_defines_tenure_and_per_user_metrics_in_the_editor(as_alice: Client) -> None:
    tenure = {**GOOD, "name": "Tenure", "slug": "tenure", "kind": "tenure", "event_type": "login"}
    assert as_alice.post("/metrics/new/", tenure).status_code == 302
    per_user = {**GOOD, "name": "Uploads per person", "slug": "uploads-per-person", "kind": "per_user",
                "event_type": "file_upload", "of": "sum"}
    assert as_alice.post("/metrics/new/", per_user).status_code == 302
    saved = {d.slug: d for d in MetricDefinition.objects.all()}
    # Tenure reads no event: what the form sent is not kept.
    assert (saved["tenure"].event_type, saved["tenure"].params) == ("", {})
    assert saved["uploads-per-person"].params == {"of": "sum"}
    html = as_alice.get("/metrics/").content.decode()
    assert "paying subscriptions" in html and "Count or sum per active user" in html
    missing = {**per_user, "slug": "no-type", "event_type": ""}
    response = as_alice.post("/metrics/new/", missing)
    assert "A per_user metric needs the event type it reads." in response.content.decode()


def test_an_admin_edits_a_metric(as_adam: Client) -> None:
    _make(1)
    definition = MetricDefinition.objects.get()
    response = as_adam.post(f"/metrics/{definition.pk}/", {**GOOD, "slug": "m0", "window_days": "7"})
    assert response.status_code == 302
    definition.refresh_from_db()
    assert definition.window_days == 7


@pytest.mark.parametrize("client_name", ["as_carol", "as_dave", "as_rita"])
def test_csms_and_readers_cannot_define_edit_or_delete_metrics(client_name: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(client_name)
    _make(1)
    definition = MetricDefinition.objects.get()
    assert client.get("/metrics/new/").status_code == 403
    assert client.post("/metrics/new/", GOOD).status_code == 403
    assert client.post(f"/metrics/{definition.pk}/", {**GOOD, "slug": "m0"}).status_code == 403
    assert client.post(f"/metrics/{definition.pk}/delete/").status_code == 403
    assert MetricDefinition.objects.get().name == "Metric 0"


def test_a_ratio_without_a_denominator_is_refused_naming_the_field(as_alice: Client) -> None:
    _make(1)
    response = as_alice.post("/metrics/new/", {**GOOD, "slug": "r", "kind": "ratio", "numerator": "m0"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["denominator"] == ["Name the denominator metric (its slug)."]
    assert not MetricDefinition.objects.filter(slug="r").exists()


def test_a_window_out_of_range_and_a_taken_slug_are_refused(as_alice: Client) -> None:
    _make(1)
    response = as_alice.post("/metrics/new/", {**GOOD, "window_days": "0"})
    assert "The window must be between 1 and 3650 days." in response.context["form"].errors["window_days"]
    response = as_alice.post("/metrics/new/", {**GOOD, "slug": "m0"})
    assert response.context["form"].errors["slug"] == ["Another metric already has the slug 'm0'."]
    assert MetricDefinition.objects.count() == 1


def test_a_metric_used_by_a_ratio_cannot_be_deleted(as_alice: Client, alice) -> None:  # type: ignore[no-untyped-def]
    _make(2)
    actions.save_definition(None, {"slug": "r", "name": "R", "kind": "ratio", "numerator": "m0",
                                   "denominator": "m1"}, by=alice)
    m0 = MetricDefinition.objects.get(slug="m0")
    response = as_alice.post(f"/metrics/{m0.pk}/delete/", follow=True)
    assert "m0 is used by r" in response.content.decode()
    assert MetricDefinition.objects.filter(slug="m0").exists()
    r = MetricDefinition.objects.get(slug="r")
    assert as_alice.post(f"/metrics/{r.pk}/delete/").status_code == 302
    assert not MetricDefinition.objects.filter(slug="r").exists()


def _computed(acme: Account, settings) -> None:  # type: ignore[no-untyped-def]
    files = write_events(settings.ANALYTICS_DIR, [
        (acme.pk, "u1", "login", dt.datetime(2026, 2, 10, tzinfo=UTC), None),
        (acme.pk, "u1", "login", dt.datetime(2026, 2, 27, tzinfo=UTC), None),
        (acme.pk, "u2", "login", dt.datetime(2026, 3, 1, tzinfo=UTC), None),
    ])
    actions.load_standard()
    actions.recompute(date=dt.date(2026, 3, 1), weeks=4, files=files)


def test_the_account_metric_page_draws_each_series_as_svg(as_rita: Client, acme: Account, settings) -> None:  # type: ignore[no-untyped-def]
    _computed(acme, settings)
    page = as_rita.get(f"/metrics/accounts/{acme.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    # 32 metrics; seat utilization and tenure have no value without a subscription, so no
    # chart but a note.
    assert html.count("<svg class=\"metric-chart\"") == 30
    assert "No series yet." in html
    # Logins over 28 days at 02-08, 02-15, 02-22, 03-01: 0, 1, 1, 3.
    logins = next(r for r in page.context["rows"] if r.definition.slug == "logins-28d")
    assert [v for _, v in logins.series] == [0.0, 1.0, 1.0, 3.0]
    assert "01 Mar 2026: 3" in html
    assert "http" not in html.split("<main", 1)[1].split("</main>")[0].replace("https://acme.example", "")


def test_the_account_include_shows_the_latest_values(acme: Account, settings) -> None:  # type: ignore[no-untyped-def]
    _computed(acme, settings)
    with CaptureQueriesContext(connection) as queries:
        metrics = account_metrics(acme)
    assert len(queries) == 2
    html = render_to_string("metrics/_account_metrics.html", {"metrics": metrics, "account": acme})
    assert "Logins, last 28 days" in html
    assert f"/metrics/accounts/{acme.pk}/" in html


def test_the_api_lists_and_reads_definitions_for_everyone(as_rita: Client) -> None:
    _make(2)
    listing = as_rita.get("/api/v1/metrics/definitions").json()
    assert listing["count"] == 2
    one = as_rita.get(f"/api/v1/metrics/definitions/{listing['items'][0]['id']}").json()
    assert one["kind"] == "count"


def test_a_leader_creates_updates_and_deletes_a_definition_through_the_api(as_alice: Client) -> None:
    payload = {"slug": "logins", "name": "Logins", "kind": "count", "event_type": "login"}
    created = as_alice.post("/api/v1/metrics/definitions", payload, content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    updated = as_alice.put(f"/api/v1/metrics/definitions/{pk}", {**payload, "window_days": 14},
                           content_type="application/json")
    assert updated.json()["window_days"] == 14
    assert as_alice.delete(f"/api/v1/metrics/definitions/{pk}").status_code == 204
    assert not MetricDefinition.objects.exists()


def test_the_api_refuses_a_bad_definition_naming_the_field(as_alice: Client) -> None:
    payload = {"slug": "t", "name": "Total", "kind": "total", "metrics": ["only-one"]}
    response = as_alice.post("/api/v1/metrics/definitions", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "metrics"
    assert not MetricDefinition.objects.exists()


def test_a_csm_cannot_define_metrics_through_the_api(as_carol: Client) -> None:
    payload = {"slug": "logins", "name": "Logins", "kind": "count", "event_type": "login"}
    response = as_carol.post("/api/v1/metrics/definitions", payload, content_type="application/json")
    assert response.status_code == 403
    assert not MetricDefinition.objects.exists()


def test_the_api_gives_an_accounts_series(as_dave: Client, acme: Account, settings) -> None:  # type: ignore[no-untyped-def]
    _computed(acme, settings)
    body = as_dave.get(f"/api/v1/metrics/accounts/{acme.pk}/series").json()
    logins = next(m for m in body if m["metric"] == "logins-28d")
    assert logins["latest"] == 3.0
    assert logins["series"][-1] == {"observed_on": "2026-03-01", "value": 3.0}
    assert MetricValue.objects.filter(account=acme).count() == 32
