"""Health pages through the HTTP client: the overview, the editor and its preview, an account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health.actions import recompute_scores
from cairn.health.models import ManualRating, Measure, Scorecard
from cairn.health.tests.helpers import metric, scorecard, set_value

pytestmark = pytest.mark.django_db


def editor_data(card: Scorecard | None = None, **overrides: str) -> dict[str, str]:
    """The editor's POST: the card's fields and one seat-utilization measure."""
    data = {
        "name": "Enterprise health", "description": "", "segments": "enterprise",
        "green_from": "70", "red_below": "40", "max_age_days": "45", "alert_drop_points": "15",
        "alert_period_days": "30",
        "measures-TOTAL_FORMS": "1", "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0", "measures-MAX_NUM_FORMS": "1000",
        "measures-0-name": "Seats", "measures-0-indicator": "product_utilization",
        "measures-0-weight": "3", "measures-0-source": "metric",
        "measures-0-metric": str(metric().pk), "measures-0-method": "thresholds",
        "measures-0-bad_value": "0.2", "measures-0-good_value": "0.8",
        "measures-0-window_days": "90", "measures-0-bands_text": "",
    }
    data.update(overrides)
    return data


def test_a_leader_creates_a_scorecard_in_the_editor(as_alice, alice):
    response = as_alice.post(reverse("scorecard_new"), editor_data())

    assert response.status_code == 302
    card = Scorecard.objects.get(name="Enterprise health")
    assert card.segments == ["enterprise"] and card.updated_by == alice
    measure = card.measures.get()
    assert (measure.weight, measure.bad_value, measure.good_value) == (3, 0.2, 0.8)


def test_bad_input_names_the_field_and_saves_nothing(as_alice):
    response = as_alice.post(
        reverse("scorecard_new"),
        editor_data(**{"measures-0-good_value": "0.1", "measures-0-weight": "0"}),
    )

    assert response.status_code == 200
    assert not Scorecard.objects.exists()
    body = response.content.decode()
    assert 'id="id_measures-0-good_value_error"' in body
    assert "the good value must be above the bad one" in body
    assert 'id="id_measures-0-weight_error"' in body


def test_bands_that_do_not_parse_are_refused_on_their_line(as_alice):
    response = as_alice.post(
        reverse("scorecard_new"),
        editor_data(**{"measures-0-method": "bands", "measures-0-bands_text": "0..10 = 20\nten = 5"}),
    )

    assert "Line 2: write a band as" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_two_scorecards_cannot_claim_the_same_segment(as_alice):
    scorecard("Enterprise", default=False, segments=["enterprise"])

    response = as_alice.post(reverse("scorecard_new"), editor_data())

    assert "Segment enterprise already has a scorecard: Enterprise." in response.content.decode()
    assert Scorecard.objects.count() == 1


@pytest.mark.parametrize("persona", ["as_carol", "as_dave", "as_rita"])
def test_only_leaders_edit_scorecards(persona, request):
    client = request.getfixturevalue(persona)
    card = scorecard()

    assert client.get(reverse("scorecard_new")).status_code == 403
    assert client.post(reverse("scorecard_edit", args=[card.pk]), editor_data()).status_code == 403
    assert client.post(reverse("scorecard_preview", args=[card.pk]), editor_data()).status_code == 403
    assert client.post(reverse("scorecard_delete", args=[card.pk])).status_code == 403
    assert client.post(reverse("health_recompute")).status_code == 403
    assert Scorecard.objects.get().name == "Default"


def test_the_preview_scores_real_accounts_without_saving(as_alice, acme, carol):
    card = scorecard("Enterprise", default=False, segments=["enterprise"])
    set_value(acme, metric(), 0.5, timezone.localdate())
    recompute_scores()

    # The leader raises the bar: 0.5 used to score 50, with good at 0.5 it scores 100.
    data = editor_data(**{
        "name": "Enterprise", "measures-INITIAL_FORMS": "2", "measures-TOTAL_FORMS": "2",
        "measures-0-id": str(card.measures.get(name="Seat utilization").pk),
        "measures-0-good_value": "0.5",
        "measures-1-id": str(card.measures.get(name="Sponsorship").pk),
        "measures-1-name": "Sponsorship", "measures-1-indicator": "sponsorship",
        "measures-1-weight": "40", "measures-1-source": "manual", "measures-1-method": "thresholds",
        "measures-1-window_days": "90",
    })
    response = as_alice.post(reverse("scorecard_preview", args=[card.pk]), data, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200 and "Acme Manufacturing" in body
    assert 'title="Amber">50<' in body and 'title="Green">100<' in body
    assert Measure.objects.get(name="Seat utilization").good_value == 0.8


def test_the_overview_lists_scorecards_and_counts_lights(as_rita, acme):
    scorecard()
    set_value(acme, metric(), 0.1, timezone.localdate())
    recompute_scores()

    body = as_rita.get(reverse("health")).content.decode()

    assert "Default" in body and "New scorecard" not in body
    assert '<span class="badge red">Red</span> <strong>1</strong>' in body


def test_the_overview_runs_the_same_queries_for_2_and_20_accounts(as_alice, carol):
    scorecard()
    seats = metric()

    def count(n: int, start: int) -> int:
        for i in range(start, start + n):
            account = Account.objects.create(name=f"Customer {i}", owner=carol)
            set_value(account, seats, 0.1 + i / 40, timezone.localdate() - dt.timedelta(days=1))
        recompute_scores(timezone.localdate() - dt.timedelta(days=1))
        for account in Account.objects.all():
            set_value(account, seats, 0.05, timezone.localdate())
        recompute_scores()
        with CaptureQueriesContext(connection) as ctx:
            assert as_alice.get(reverse("health")).status_code == 200
        return len(ctx.captured_queries)

    assert count(2, 0) == count(18, 2)


def test_the_account_health_page_explains_the_score(as_rita, acme):
    scorecard()
    set_value(acme, metric(), 0.5, timezone.localdate())
    recompute_scores()

    body = as_rita.get(reverse("account_health", args=[acme.pk])).content.decode()

    assert "How the score is made" in body and "Seat utilization" in body
    assert "<svg" in body and "Rate an indicator" not in body


def test_a_utilization_measure_reads_as_a_percentage_on_the_account_health_page(as_rita, acme):
    # The walk of the demo found "0.25" for a seat utilization of 25 %.
    scorecard()
    set_value(acme, metric(), 0.25, timezone.localdate())
    recompute_scores()

    body = as_rita.get(reverse("account_health", args=[acme.pk])).content.decode()

    assert '<td class="num">25\u00a0%</td>' in body and ">0.25<" not in body


def test_the_owner_rates_an_indicator_and_the_score_follows(as_carol, acme):
    scorecard()
    set_value(acme, metric(), 0.2, timezone.localdate())
    expires = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    response = as_carol.post(
        reverse("account_health", args=[acme.pk]),
        {"indicator": "sponsorship", "rating": "green", "comment": "CFO champions us",
         "expires_on": expires},
    )

    assert response.status_code == 302
    page = as_carol.get(response.url).content.decode()
    assert "CFO champions us" in page and 'title="Amber">40<' in page


def test_a_rating_needs_a_comment_and_a_future_expiry(as_carol, acme):
    response = as_carol.post(
        reverse("account_health", args=[acme.pk]),
        {"indicator": "sponsorship", "rating": "3", "comment": "", "expires_on": "2020-01-01"},
    )

    body = response.content.decode()
    assert 'id="id_comment_error"' in body and 'id="id_expires_on_error"' in body
    assert not ManualRating.objects.exists()


@pytest.mark.parametrize("persona,allowed", [
    ("as_alice", True), ("as_carol", True), ("as_dave", False), ("as_rita", False),
])
def test_who_may_rate_an_account(acme, persona, allowed, request):
    client = request.getfixturevalue(persona)
    expires = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    response = client.post(
        reverse("account_health", args=[acme.pk]),
        {"indicator": "advocacy", "rating": "4", "comment": "Spoke at our event", "expires_on": expires},
    )

    assert response.status_code == (302 if allowed else 403)
    assert ManualRating.objects.exists() == allowed


def test_the_account_page_shows_the_health_panel(as_carol, acme):
    scorecard()
    set_value(acme, metric(), 0.3, timezone.localdate())
    recompute_scores()

    body = as_carol.get(acme.get_absolute_url()).content.decode()

    assert 'class="card account-health"' in body
    assert "Pulled down by Seat utilization" in body
