"""The trust page: everyone reads it; leaders and admins run backtests and apply or dismiss
suggested weights; CSMs and read-only users are refused on the server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Subscription
from cairn.health.actions import ensure_default_scorecard
from cairn.health.models import Measure, Scorecard
from cairn.health.trust.actions import run_report
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.synthetic import Book, make_book, make_scorecard

LEAD = 60
PAGE = "/health/trust/"


@pytest.fixture
def book(settings, tmp_path, db) -> Book:  # type: ignore[no-untyped-def]
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    return make_book(accounts=200, weeks=20, lead_days=LEAD)


@pytest.fixture
def card(book: Book) -> Scorecard:
    return make_scorecard(book, usage_weight=30, noise_weight=70)


@pytest.fixture
def suggestion(book: Book, card: Scorecard, alice) -> WeightSuggestion:  # type: ignore[no-untyped-def]
    return run_report(card, lead_days=LEAD, as_of=book.as_of, by=alice)


def weights(card: Scorecard) -> dict[str, float]:
    return dict(Measure.objects.filter(scorecard=card).values_list("name", "weight"))


@pytest.mark.parametrize("persona", ["as_adam", "as_alice", "as_carol", "as_dave", "as_rita"])
def test_everyone_may_read_the_backtest_and_its_charts(
    request: pytest.FixtureRequest, persona: str, suggestion: WeightSuggestion, book: Book
) -> None:
    client: Client = request.getfixturevalue(persona)
    response = client.get(f"{PAGE}?scorecard={suggestion.scorecard_id}")
    assert response.status_code == 200
    html = response.content.decode()
    report = suggestion.report
    assert "AUC" in html and f"{report['auc']:.2f}" in html
    # The pooled figures with their intervals, out of time, and the split in words.
    assert f"{report['auc']:.2f} ({report['auc_low']:.2f}–{report['auc_high']:.2f})" in html
    assert f"{report['lift']:.2f}× ({report['lift_low']:.2f}–{report['lift_high']:.2f})" in html
    assert '<span class="badge green">Out of time</span>' in html
    assert "Tested on 7 dates from 07 Apr 2025 to 19 May 2025; trained on 5 dates from 06 Jan 2025 to 03 Feb 2025" in html
    # One row per test date.
    dates = html.split('<table class="trust-dates">')[1].split("</table>")[0]
    assert dates.count("<tr><td>") == 7 and "19 May 2025" in dates
    # The suggestion's figures on the dates it was fitted on carry the in-sample warning.
    assert "In-sample: the suggested weights were fitted on these dates" in html
    assert 'aria-label="ROC curve of the backtest"' in html
    assert html.count('<rect class="bar') == 10
    assert "Usage change" in html
    can_act = persona in ("as_adam", "as_alice")
    assert ("Apply suggested weights" in html) is can_act
    assert ("Run backtest" in html) is can_act
    assert (f'action="{reverse("trust_run")}"' in html) is can_act


def test_a_leader_runs_a_backtest_from_the_page(as_alice: Client, alice, card: Scorecard) -> None:  # type: ignore[no-untyped-def]
    response = as_alice.post(reverse("trust_run"), {"scorecard": card.pk, "lead_days": LEAD}, follow=True)
    assert response.status_code == 200
    row = WeightSuggestion.objects.get()
    assert row.created_by == alice and row.lead_days == LEAD
    # As of today, long after the synthetic book: every grid date's outcome is known, and
    # the last third of the 20 dates is tested.
    assert row.as_of == timezone.localdate()
    assert row.report["split"]["test_dates"] == 7 and row.report["dates"] == 7
    assert row.status == SuggestionStatus.PENDING
    assert f"Backtest of {card.name} on 7 test dates: AUC" in response.content.decode()


def test_a_leader_backtests_as_of_a_past_day_on_dates_of_their_choice(
    as_alice: Client, book: Book, card: Scorecard
) -> None:
    as_of = book.dates[17] + dt.timedelta(days=LEAD)
    response = as_alice.post(reverse("trust_run"), {
        "scorecard": card.pk, "lead_days": LEAD, "as_of": as_of.isoformat(),
        "train_from": book.dates[0].isoformat(), "train_until": book.dates[5].isoformat(),
        "test_from": book.dates[15].isoformat(), "test_until": book.dates[17].isoformat(),
        "include_new": "on",
    })
    assert response.status_code == 302
    row = WeightSuggestion.objects.get()
    assert row.as_of == as_of and row.include_new
    assert (row.train_from, row.train_until) == (book.dates[0], book.dates[5])
    assert (row.test_from, row.test_until) == (book.dates[15], book.dates[17])
    assert [d["day"] for d in row.report["per_date"]] == [d.isoformat() for d in book.dates[15:18]]
    html = as_alice.get(f"{PAGE}?scorecard={card.pk}").content.decode()
    assert "Tested on 3 dates from 21 Apr 2025 to 05 May 2025; trained on 6 dates" in html
    assert "New accounts included." in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"train_until": 10, "test_from": 12}, "train_until",
         "With a 60-day lead, a training date&#x27;s churn window reaches into the test period"),
        ({"test_until": 19, "as_of": 19}, "test_until", "the test period must end by"),
        ({"test_from": 15, "test_until": 13}, "test_from", "The test period must start on or before its end"),
    ],
)
def test_a_split_that_cannot_be_used_is_refused_naming_the_field(
    as_alice: Client, book: Book, card: Scorecard, fields: dict[str, int], field: str, message: str
) -> None:
    data = {"scorecard": card.pk, "lead_days": LEAD}
    data.update({name: book.dates[i].isoformat() for name, i in fields.items()})
    response = as_alice.post(reverse("trust_run"), data)
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split(f'id="id_{field}_error">')[1].split("</p>")[0]
    assert message in error
    assert not WeightSuggestion.objects.exists()


def test_an_as_of_day_after_today_is_refused(as_alice: Client, card: Scorecard) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = as_alice.post(
        reverse("trust_run"), {"scorecard": card.pk, "lead_days": LEAD, "as_of": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "The as-of date cannot be after today" in response.content.decode()
    assert not WeightSuggestion.objects.exists()


def test_figures_on_dates_the_applied_weights_were_fitted_on_carry_a_warning(
    as_alice: Client, suggestion: WeightSuggestion, book: Book
) -> None:
    as_alice.post(reverse("trust_apply", args=[suggestion.pk]))
    run_report(
        suggestion.scorecard, lead_days=LEAD, as_of=book.as_of, by=None,
        test_from=book.dates[3], test_until=book.dates[12],
    )
    html = as_alice.get(f"{PAGE}?scorecard={suggestion.scorecard_id}").content.decode()
    assert '<span class="badge amber">In-sample</span>' in html
    assert "In-sample: the current weights were applied on" in html
    assert '<span class="badge green">Out of time</span>' not in html


def test_a_run_from_before_the_split_says_its_figures_may_be_in_sample(
    as_rita: Client, suggestion: WeightSuggestion
) -> None:
    legacy = {k: v for k, v in suggestion.report.items() if k not in ("split", "in_sample")}
    WeightSuggestion.objects.filter(pk=suggestion.pk).update(
        report=legacy, train_from=None, train_until=None, test_from=None, test_until=None
    )
    html = as_rita.get(f"{PAGE}?scorecard={suggestion.scorecard_id}").content.decode()
    assert "This run predates training and test dates" in html
    assert '<span class="badge amber">Every date</span>' in html


@pytest.mark.parametrize("persona", ["as_carol", "as_rita"])
def test_csms_and_read_only_users_cannot_run_a_backtest(
    request: pytest.FixtureRequest, persona: str, card: Scorecard
) -> None:
    client: Client = request.getfixturevalue(persona)
    response = client.post(reverse("trust_run"), {"scorecard": card.pk, "lead_days": LEAD})
    assert response.status_code == 403
    assert not WeightSuggestion.objects.exists()


@pytest.mark.parametrize(
    ("lead", "message"),
    [("0", "The lead window must be at least 1 day."), ("soon", "Enter the lead window as a whole number")],
)
def test_a_bad_lead_window_is_refused_naming_the_field(
    as_alice: Client, card: Scorecard, lead: str, message: str
) -> None:
    response = as_alice.post(reverse("trust_run"), {"scorecard": card.pk, "lead_days": lead})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Lead window (days)" in html and message in html
    assert 'id="id_lead_days_error"' in html
    assert not WeightSuggestion.objects.exists()


def test_an_unknown_scorecard_is_refused_naming_the_field(as_alice: Client, card: Scorecard) -> None:
    response = as_alice.post(reverse("trust_run"), {"scorecard": 9999, "lead_days": LEAD})
    assert response.status_code == 400
    assert "Choose one of the scorecards listed." in response.content.decode()
    assert not WeightSuggestion.objects.exists()


def test_a_leader_applies_the_suggested_weights_and_history_records_who(
    as_alice: Client, alice, suggestion: WeightSuggestion  # type: ignore[no-untyped-def]
) -> None:
    card = suggestion.scorecard
    suggested = {r["name"]: r["applied"] for r in suggestion.weights}
    assert suggested != weights(card)
    response = as_alice.post(reverse("trust_apply", args=[suggestion.pk]), follow=True)
    assert "Suggested weights applied to Synthetic health" in response.content.decode()
    assert weights(card) == suggested
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.APPLIED
    assert suggestion.applied_by == alice and suggestion.applied_at is not None
    usage = Measure.objects.get(scorecard=card, name="Usage change")
    assert usage.history.first().history_user == alice  # type: ignore[attr-defined]
    card.refresh_from_db()
    assert card.updated_by == alice


def test_an_admin_dismisses_a_suggestion_and_the_weights_stay(
    as_adam: Client, adam, suggestion: WeightSuggestion  # type: ignore[no-untyped-def]
) -> None:
    before = weights(suggestion.scorecard)
    as_adam.post(reverse("trust_dismiss", args=[suggestion.pk]))
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED and suggestion.dismissed_by == adam
    assert weights(suggestion.scorecard) == before


@pytest.mark.parametrize("persona", ["as_carol", "as_dave", "as_rita"])
@pytest.mark.parametrize("action", ["trust_apply", "trust_dismiss"])
def test_csms_and_read_only_users_cannot_apply_or_dismiss(
    request: pytest.FixtureRequest, persona: str, action: str, suggestion: WeightSuggestion
) -> None:
    client: Client = request.getfixturevalue(persona)
    before = weights(suggestion.scorecard)
    response = client.post(reverse(action, args=[suggestion.pk]))
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING and suggestion.applied_by is None
    assert weights(suggestion.scorecard) == before


def test_a_suggestion_is_decided_only_once(as_alice: Client, suggestion: WeightSuggestion) -> None:
    as_alice.post(reverse("trust_dismiss", args=[suggestion.pk]))
    before = weights(suggestion.scorecard)
    response = as_alice.post(reverse("trust_apply", args=[suggestion.pk]), follow=True)
    assert "This suggestion is already dismissed." in response.content.decode()
    assert weights(suggestion.scorecard) == before
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED and suggestion.applied_at is None


def test_a_suggestion_is_not_applied_once_the_scorecard_changed(
    as_alice: Client, suggestion: WeightSuggestion
) -> None:
    Measure.objects.filter(scorecard=suggestion.scorecard, name="Noise").update(weight=55)
    page = as_alice.get(f"{PAGE}?scorecard={suggestion.scorecard_id}").content.decode()
    assert "The scorecard changed since this backtest" in page
    before = weights(suggestion.scorecard)
    response = as_alice.post(reverse("trust_apply", args=[suggestion.pk]), follow=True)
    assert "changed since this backtest: run it again" in response.content.decode()
    assert weights(suggestion.scorecard) == before
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING


def test_a_backtest_without_churn_shows_not_enough_data(
    as_alice: Client, settings, tmp_path, db  # type: ignore[no-untyped-def]
) -> None:
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    book = make_book(accounts=60, weeks=8, lead_days=LEAD, churn=False)
    Subscription.objects.update(end_date=book.as_of + dt.timedelta(days=365))  # none lapsed
    card = make_scorecard(book)
    row = run_report(card, lead_days=LEAD, as_of=book.as_of, by=None)
    assert row.status == SuggestionStatus.REPORT_ONLY
    html = as_alice.get(PAGE).content.decode()
    assert "Not enough data" in html and "0 churn events within 60 days" in html
    assert "Apply suggested weights" not in html
    assert as_alice.post(reverse("trust_apply", args=[row.pk]), follow=True).status_code == 200
    row.refresh_from_db()
    assert row.status == SuggestionStatus.REPORT_ONLY


def test_a_card_without_history_says_what_it_lacks_and_what_to_do(as_alice: Client, book: Book) -> None:
    card = ensure_default_scorecard()
    response = as_alice.post(reverse("trust_run"), {"scorecard": card.pk, "lead_days": LEAD}, follow=True)
    html = response.content.decode()
    assert "None of Standard health&#x27;s measures has a history the backtest can replay" in html
    assert WeightSuggestion.objects.get().status == SuggestionStatus.REPORT_ONLY


def test_the_page_says_when_there_is_no_scorecard_or_no_backtest_yet(as_rita: Client, book: Book) -> None:
    assert "No scorecard yet" in as_rita.get(PAGE).content.decode()
    make_scorecard(book)
    html = as_rita.get(PAGE).content.decode()
    assert "No backtest yet" in html and "A CS leader runs it here" in html


def test_the_page_runs_the_same_queries_for_2_and_20_earlier_runs(
    as_alice: Client, suggestion: WeightSuggestion
) -> None:
    def copies(n: int) -> None:
        WeightSuggestion.objects.exclude(pk=suggestion.pk).delete()
        WeightSuggestion.objects.bulk_create(
            WeightSuggestion(
                scorecard=suggestion.scorecard, lead_days=LEAD, as_of=suggestion.as_of,
                report=suggestion.report, weights=suggestion.weights,
                status=SuggestionStatus.DISMISSED, dismissed_by=suggestion.created_by,
                dismissed_at=suggestion.created_at, created_by=suggestion.created_by,
            )
            for _ in range(n - 1)
        )

    counts = []
    for n in (2, 20):
        copies(n)
        with CaptureQueriesContext(connection) as queries:
            assert as_alice.get(f"{PAGE}?scorecard={suggestion.scorecard_id}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_scorecard_page_links_to_its_backtest(as_alice: Client, card: Scorecard) -> None:
    html = as_alice.get(reverse("scorecard_edit", args=[card.pk])).content.decode()
    assert f'href="{PAGE}?scorecard={card.pk}"' in html
