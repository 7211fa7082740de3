"""The retention page, its CSV and the API, through the HTTP client: figures formatted, the
filters, bad filters answered with a message, the same queries for a small or a large book."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account, Product, Subscription
from cairn.people.models import ApiToken

pytestmark = pytest.mark.django_db


def _last_month() -> tuple[dt.date, dt.date]:
    start = timezone.localdate().replace(day=1) - relativedelta(months=1)
    return start, start + relativedelta(months=1) - dt.timedelta(days=1)


def _customer(name: str, owner, arr: str, *, segment: str = "enterprise",  # type: ignore[no-untyped-def]
              ends_in_last_month: bool = False) -> Account:
    """A customer since two years, paying `arr`; churned during last month if asked."""
    start, end = _last_month()
    account = Account.objects.create(name=name, owner=owner, segment=segment)
    Subscription.objects.create(
        account=account, product=Product.objects.get_or_create(name="Platform")[0], arr=Decimal(arr),
        start_date=start - dt.timedelta(days=700),
        end_date=start + dt.timedelta(days=9) if ends_in_last_month else end + dt.timedelta(days=400),
    )
    return account


@pytest.fixture
def book(carol, dave):  # type: ignore[no-untyped-def]
    _customer("Kept", carol, "30000.00")
    _customer("Lost", dave, "10000.00", segment="smb", ends_in_last_month=True)


def test_the_page_shows_the_figures_as_money_and_percentages(as_rita, book):  # type: ignore[no-untyped-def]
    response = as_rita.get(reverse("retention"))
    assert response.status_code == 200
    page = response.content.decode()
    label = _last_month()[0].strftime("%b %Y")
    assert f"GRR, {label}" in page and "75.0\u00a0%" in page  # 30,000 of 40,000 kept
    assert "40,000" in page and "−10,000" in page and "1 of 2" in page
    assert page.count("<svg") >= 2 and "GRR and NRR" in page
    assert "per segment" in page and "Enterprise" in page and "SMB" in page
    assert "per CSM" in page and "Carol Owner" in page and "Dave Outsider" in page
    assert "_arr" not in page and "None" not in page


def test_filters_by_quarter_segment_and_csm(as_rita, book, carol, dave):  # type: ignore[no-untyped-def]
    page = as_rita.get(reverse("retention"), {"grain": "quarter"}).content.decode()
    assert "Per quarter" in page and "Q" in page
    smb = as_rita.get(reverse("retention"), {"segment": "smb"}).content.decode()
    assert "0.0\u00a0%" in smb and "Carol Owner</td>" not in smb
    mine = as_rita.get(reverse("retention"), {"owner": carol.pk}).content.decode()
    assert "100.0\u00a0%" in mine and "Dave Outsider</td>" not in mine


@pytest.mark.parametrize(("params", "message"), [
    ({"grain": "xyz"}, "Choose month or quarter."),
    ({"segment": "galactic"}, "Unknown segment"),
    ({"owner": "abc"}, "The CSM is given by their number."),
    ({"owner": "999999"}, "No CSM with this number owns accounts"),
])
def test_bad_filters_get_a_message_not_a_500(as_rita, book, params, message):  # type: ignore[no-untyped-def]
    response = as_rita.get(reverse("retention"), params)
    assert response.status_code == 400 and message in response.content.decode()
    csv_response = as_rita.get(reverse("retention_csv"), params)
    assert csv_response.status_code == 400 and message in csv_response.content.decode()


def test_an_empty_book_shows_dashes_not_errors(as_rita):  # type: ignore[no-untyped-def]
    response = as_rita.get(reverse("retention"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "—" in page and "No cohort in these periods" in page


def test_the_csv_has_a_row_per_period_with_exact_figures(as_rita, book):  # type: ignore[no-untyped-def]
    response = as_rita.get(reverse("retention_csv"), {"grain": "month"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 12
    last = rows[-1]
    assert last["Period"] == _last_month()[0].strftime("%b %Y")
    assert (last["Starting ARR"], last["Churned ARR"], last["Ending ARR"]) == ("40000.00", "10000.00", "30000.00")
    assert (last["GRR"], last["NRR"], last["Logo churn"]) == ("0.7500", "0.7500", "0.5000")
    quarters = list(csv.DictReader(io.StringIO(
        as_rita.get(reverse("retention_csv"), {"grain": "quarter", "segment": "enterprise"}).content.decode())))
    assert len(quarters) == 8 and quarters[0]["Period"].startswith("Q")


def test_the_page_and_the_csv_run_the_same_queries_for_two_accounts_or_twenty(as_rita, carol, dave):  # type: ignore[no-untyped-def]
    def count(name: str, **params: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert as_rita.get(reverse(name), params).status_code == 200
        return len(ctx)

    _customer("First", carol, "1000.00")
    _customer("Second", dave, "1000.00", ends_in_last_month=True)
    small = count("retention"), count("retention_csv"), count("retention", grain="quarter", owner=str(carol.pk))
    for n in range(18):
        _customer(f"More {n}", carol if n % 2 else dave, "2000.00", segment="smb", ends_in_last_month=n % 3 == 0)
    assert (count("retention"), count("retention_csv"),
            count("retention", grain="quarter", owner=str(carol.pk))) == small


def _api(client, user):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user, 'test')[1]}"
    return client


def test_the_api_returns_the_periods_and_the_breakdown(client, rita, book, carol, dave):  # type: ignore[no-untyped-def]
    api = _api(client, rita)
    periods = api.get("/api/v1/retention/").json()
    assert len(periods) == 12
    last = periods[-1]
    assert last["start_arr"] == "40000.00" and last["churned_arr"] == "10000.00" and last["new_arr"] == "0.00"
    assert last["grr"] == "0.750000" and last["nrr"] == "0.750000" and last["logo_churn"] == "0.500000"
    assert last["cohort_logos"] == 2 and last["lost_logos"] == 1
    assert len(api.get("/api/v1/retention/", {"grain": "quarter", "periods": 3}).json()) == 3
    mine = api.get("/api/v1/retention/", {"owner": carol.pk, "periods": 1}).json()
    assert mine[0]["start_arr"] == "30000.00" and mine[0]["grr"] == "1.000000"
    split = api.get("/api/v1/retention/breakdown", {"grain": "month"}).json()
    assert split["period"]["start_arr"] == "40000.00"
    assert {g["label"]: g["period"]["grr"] for g in split["by_segment"]} == {"Enterprise": "1.000000", "SMB": "0.000000"}
    assert {g["key"] for g in split["by_owner"]} == {str(carol.pk), str(dave.pk)}


def test_the_api_empty_book_has_null_ratios(client, rita):  # type: ignore[no-untyped-def]
    api = _api(client, rita)
    periods = api.get("/api/v1/retention/", {"periods": 2}).json()
    assert [p["grr"] for p in periods] == [None, None] and periods[0]["logo_churn"] is None
    assert api.get("/api/v1/retention/breakdown").json() == {"period": {**periods[-1]}, "by_segment": [], "by_owner": []}


@pytest.mark.parametrize(("params", "field"), [
    ({"grain": "xyz"}, "grain"), ({"segment": "galactic"}, "segment"), ({"owner": "abc"}, "owner"),
    ({"periods": "0"}, "periods"), ({"periods": "61"}, "periods"),
])
def test_the_api_names_a_bad_filter(client, rita, params, field):  # type: ignore[no-untyped-def]
    response = _api(client, rita).get("/api/v1/retention/", params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    if "periods" not in params:
        assert _api(client, rita).get("/api/v1/retention/breakdown", params).status_code == 400


def test_the_api_runs_the_same_queries_for_any_book(client, rita, carol, dave):  # type: ignore[no-untyped-def]
    api = _api(client, rita)

    def count() -> tuple[int, int]:
        sizes = []
        for path in ("/api/v1/retention/", "/api/v1/retention/breakdown"):
            with CaptureQueriesContext(connection) as ctx:
                assert api.get(path).status_code == 200
            sizes.append(len(ctx))
        return sizes[0], sizes[1]

    _customer("First", carol, "1000.00")
    small = count()
    for n in range(15):
        _customer(f"More {n}", carol if n % 2 else dave, "2000.00", ends_in_last_month=n % 3 == 0)
    assert count() == small


def test_anonymous_visitors_are_sent_to_log_in(client):  # type: ignore[no-untyped-def]
    assert client.get(reverse("retention")).status_code == 302
    assert client.get("/api/v1/retention/").status_code == 401
