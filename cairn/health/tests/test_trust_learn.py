"""Scorecards learned from the data, on a book where one behaviour lowers churn and one raises
it (learnbook): the suggestion turns the harmful measure around and weighs it, places
thresholds from percentiles, and applying it writes all of it; a metric's distribution page;
a leader starts a scorecard from the usage metrics."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.health.forms import MeasureForm
from cairn.health.models import Measure, Scorecard
from cairn.health.tests.learnbook import LEAD, LearnBook, add_accounts, make_card, make_learn_book
from cairn.health.trust import suggest
from cairn.health.trust.actions import apply_suggestion
from cairn.health.trust.distribution import propose_scale, rounded, summarise
from cairn.health.trust.learn import learn_from_metrics
from cairn.health.trust.models import SuggestionStatus, WeightSuggestion
from cairn.health.trust.observe import card_and_accounts, observe
from cairn.health.trust.series import values_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(db) -> LearnBook:  # type: ignore[no-untyped-def]
    return make_learn_book()


@pytest.fixture
def card(book: LearnBook) -> Scorecard:
    return make_card(book)


def suggestion_of(card: Scorecard, book: LearnBook) -> suggest.Suggestion:
    spec, ids = card_and_accounts(card)
    obs = observe(spec, ids, lead_days=LEAD, as_of=book.as_of)
    return suggest.suggest(obs, lead_days=LEAD)


def retained_on_last_date(card: Scorecard, book: LearnBook, slug: str) -> np.ndarray:
    spec, ids = card_and_accounts(card)
    obs = observe(spec, ids, lead_days=LEAD, as_of=book.as_of)
    last = obs.dates[-1]
    kept = np.unique(obs.account_ids[(obs.days == last.toordinal()) & ~obs.churned])
    return values_at(slug, last, kept)


def test_the_suggestion_turns_a_behaviour_that_raises_churn_around_and_weighs_it(
    book: LearnBook, card: Scorecard
) -> None:
    s = suggestion_of(card, book)
    rows = {r.name: r for r in s.rows}
    errors, messages = rows["Errors"], rows["Messages"]
    assert s.fitted
    assert errors.flipped and suggest.HIGHER_CHURNED in errors.note
    # Lower is better now: the good value is below the bad one, against the metric's own way.
    assert errors.new_bad is not None and errors.new_good is not None
    assert errors.new_good < errors.new_bad and errors.new_reverse is True
    assert errors.suggested > 10 and errors.coefficient is not None and errors.coefficient < 0
    assert not messages.flipped and messages.suggested > 10
    assert messages.new_reverse is False
    assert rows["Sponsorship"].note == suggest.NO_HISTORY and rows["Sponsorship"].suggested == 20
    # The two fitted measures share the weight they have now.
    assert errors.suggested + messages.suggested == pytest.approx(80, abs=0.2)
    assert s.cv_auc_current is not None and s.cv_auc_suggested is not None
    assert s.cv_auc_suggested > s.cv_auc_current + 0.05


def test_thresholds_come_from_the_percentiles_of_retained_accounts(book: LearnBook, card: Scorecard) -> None:
    rows = {r.name: r for r in suggestion_of(card, book).rows}
    errors = retained_on_last_date(card, book, "errors")
    figures = summarise(errors)
    assert figures is not None
    # Turned around: good at the 10th percentile, bad at the 90th.
    assert rows["Errors"].new_good == rounded(figures.p10)
    assert rows["Errors"].new_bad == rounded(figures.p90)
    assert rows["Errors"].new_method == "thresholds"
    assert f"good = 10th percentile ({rows['Errors'].new_good:g})" in rows["Errors"].note
    # Messages are a heavy-tailed count: a log scale, and the note says why.
    messages = summarise(retained_on_last_date(card, book, "messages"))
    assert messages is not None and messages.tail
    assert rows["Messages"].new_method == "log"
    assert (rows["Messages"].new_bad, rows["Messages"].new_good) == (rounded(messages.p10), rounded(messages.p90))
    assert "Log scale: the values are heavy-tailed" in rows["Messages"].note
    assert "retained accounts on" in rows["Messages"].note


def test_a_rating_is_never_turned_around(book: LearnBook) -> None:
    fitted = suggest.fit(
        np.array([[100.0], [0.0]] * 40), np.array([True, False] * 40), np.array([1.0]),
        np.array([False]),
    )
    assert fitted is None  # more points, more churn, and not a metric: nothing to fit
    turned = suggest.fit(
        np.array([[100.0], [0.0]] * 40), np.array([True, False] * 40), np.array([1.0]),
        np.array([True]),
    )
    assert turned is not None and turned.flipped.tolist() == [True] and turned.weights[0] > 0


def test_too_few_values_place_no_thresholds() -> None:
    import datetime as dt

    day = dt.date(2025, 3, 3)
    assert "thresholds from percentiles need 10" in str(propose_scale(np.arange(5.0), day))
    assert "the same value" in str(propose_scale(np.zeros(40), day))
    scale = propose_scale(np.arange(1.0, 101.0), day)
    assert not isinstance(scale, str)
    assert (scale.method, scale.low, scale.high) == ("thresholds", 10.9, 90.1)


def test_applying_a_suggestion_writes_the_flip_thresholds_and_weights_with_history(
    as_alice: Client, alice, book: LearnBook, card: Scorecard  # type: ignore[no-untyped-def]
) -> None:
    s = suggestion_of(card, book)
    row = WeightSuggestion.objects.create(
        scorecard=card, lead_days=LEAD, as_of=book.as_of, weights=s.weights_json(),
        report={"suggestion": s.report_json()},
    )
    response = as_alice.post(reverse("trust_apply", args=[row.pk]), follow=True)
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == SuggestionStatus.APPLIED
    suggested = {r.name: r for r in s.rows}
    errors = Measure.objects.get(scorecard=card, name="Errors")
    assert (errors.bad_value, errors.good_value) == (suggested["Errors"].new_bad, suggested["Errors"].new_good)
    assert errors.good_value < errors.bad_value and errors.reverse_direction
    assert errors.weight == suggested["Errors"].applied
    assert errors.history.first().history_user == alice  # type: ignore[attr-defined]
    messages = Measure.objects.get(scorecard=card, name="Messages")
    assert messages.method == "log" and not messages.reverse_direction
    # The editor accepts what was applied (the turned measure says it is against its metric).
    for measure in (errors, messages):
        data = {f: getattr(measure, f) for f in MeasureForm.Meta.fields}
        data["metric"] = measure.metric_id
        form = MeasureForm(data={k: "" if v is None else v for k, v in data.items()}, instance=measure)
        assert form.is_valid(), form.errors


def test_a_suggestion_is_not_applied_once_a_measure_was_rescored(
    alice, book: LearnBook, card: Scorecard  # type: ignore[no-untyped-def]
) -> None:
    s = suggestion_of(card, book)
    row = WeightSuggestion.objects.create(
        scorecard=card, lead_days=LEAD, as_of=book.as_of, weights=s.weights_json(), report={},
    )
    Measure.objects.filter(scorecard=card, name="Errors").update(good_value=25)
    with pytest.raises(Exception, match="changed since this backtest"):
        apply_suggestion(row, by=alice)
    assert Measure.objects.get(scorecard=card, name="Errors").weight == 30


# The distribution page


def test_everyone_reads_a_metrics_distribution_of_churned_against_retained(
    as_rita: Client, book: LearnBook
) -> None:
    url = reverse("trust_metric", args=["errors"])
    response = as_rita.get(url, {"lead_days": LEAD})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Distribution of churned and retained accounts' in html
    assert "Churned within 60 days" in html and "Retained" in html
    assert html.count('<rect class="bar riskiest"') >= 12
    latest = max(d for d in book.dates)
    assert latest.strftime("%d %b %Y") in html
    # Messages are heavy-tailed: log-spaced bins, and the page says why.
    heavy = as_rita.get(reverse("trust_metric", args=["messages"]), {"lead_days": LEAD}).content.decode()
    assert "log-spaced bins" in heavy and "heavy-tailed" in heavy


def test_the_distribution_page_runs_the_same_queries_for_more_accounts(
    as_rita: Client, book: LearnBook
) -> None:
    day = book.dates[-1]
    url = reverse("trust_metric", args=["errors"])
    query = {"lead_days": LEAD, "day": day.isoformat()}
    counts = []
    for extra in (0, 150):
        if extra:
            add_accounts(book, extra, day)
        with CaptureQueriesContext(connection) as queries:
            response = as_rita.get(url, query)
        assert response.status_code == 200
        counts.append(len(queries))
        html = response.content.decode()
    assert counts[0] == counts[1]
    assert "Retained" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"lead_days": "0"}, "lead_days", "The lead window must be at least 1 day."),
        ({"lead_days": "soon"}, "lead_days", "Enter the lead window as a whole number"),
        ({"day": "1999-01-04"}, "day", "pick one of the dates listed"),
        ({"day": "monday"}, "day", "Enter a date like 2026-03-31."),
    ],
)
def test_a_bad_date_or_lead_is_refused_naming_the_field(
    as_rita: Client, book: LearnBook, query: dict[str, str], field: str, message: str
) -> None:
    response = as_rita.get(reverse("trust_metric", args=["errors"]), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and message in html


def test_an_unknown_metric_is_not_found(as_rita: Client, db) -> None:  # type: ignore[no-untyped-def]
    assert as_rita.get(reverse("trust_metric", args=["nothing-here"])).status_code == 404


def test_without_a_complete_date_the_page_says_what_is_missing(as_rita: Client, book: LearnBook) -> None:
    html = as_rita.get(reverse("trust_metric", args=["errors"]), {"lead_days": 730}).content.decode()
    assert "No date to compare yet" in html


def test_the_trust_page_the_metrics_page_and_the_editor_link_to_learning(
    as_alice: Client, book: LearnBook, card: Scorecard
) -> None:
    assert f'href="{reverse("trust_learn")}"' in as_alice.get(reverse("trust")).content.decode()
    assert f'href="{reverse("trust_metric", args=["errors"])}"' in as_alice.get(reverse("metrics")).content.decode()
    editor = as_alice.get(reverse("scorecard_edit", args=[card.pk])).content.decode()
    assert f'href="{reverse("trust_learn")}"' in editor


# Starting a scorecard from the usage metrics


def proposal_in(html: str) -> str:
    found = re.search(r'name="proposal" value="([^"]+)"', html)
    assert found, "no proposal on the page"
    return found.group(1)


def test_a_leader_learns_a_scorecard_from_the_usage_metrics_and_creates_it(
    as_alice: Client, alice, book: LearnBook, card: Scorecard  # type: ignore[no-untyped-def]
) -> None:
    page = as_alice.post(reverse("trust_learn"), {"lead_days": LEAD})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Out-of-time AUC, learned" in html and "Usage health (default)" in html
    assert suggest.HIGHER_CHURNED in html and "lower is better</span>" not in html
    assert "lower is better (learned)" in html
    assert "Log scale" in html and "Noise" in html
    response = as_alice.post(
        reverse("trust_learn_create"), {"name": "Learned usage", "proposal": proposal_in(html)}
    )
    created = Scorecard.objects.get(name="Learned usage")
    assert response.status_code == 302 and response["Location"] == reverse("scorecard_edit", args=[created.pk])
    assert not created.is_default and created.segments == [] and created.updated_by == alice
    measures = {m.name: m for m in created.measures.all()}
    errors = measures["Errors"]
    assert errors.reverse_direction and errors.good_value < errors.bad_value  # type: ignore[operator]
    assert measures["Messages"].method == "log" and not measures["Messages"].reverse_direction
    assert measures["Errors"].weight > measures.get("Noise", errors).weight / 2
    assert errors.history.first().history_user == alice  # type: ignore[attr-defined]
    assert "out-of-time AUC" in created.description


def test_the_learned_card_beats_chance_out_of_time_and_says_why_each_metric_counts(book: LearnBook) -> None:
    learned = learn_from_metrics(lead_days=LEAD, as_of=book.as_of)
    assert learned.fitted, learned.message
    assert learned.auc_learned is not None and learned.auc_learned > 0.7
    by_name = {m.name: m for m in learned.measures}
    assert by_name["Errors"].against_declared and not by_name["Errors"].higher_is_better
    assert "Thresholds from the" in by_name["Errors"].reason and "odds of churning" in by_name["Errors"].reason
    assert by_name["Messages"].method == "log"
    assert by_name["Errors"].weight > 10 and by_name["Messages"].weight > 10


@pytest.mark.parametrize("persona", ["as_carol", "as_dave", "as_rita"])
def test_only_leaders_learn_or_create_a_scorecard(
    request: pytest.FixtureRequest, persona: str, book: LearnBook
) -> None:
    client: Client = request.getfixturevalue(persona)
    assert client.post(reverse("trust_learn"), {"lead_days": LEAD}).status_code == 403
    assert client.post(reverse("trust_learn_create"), {"name": "X", "proposal": "y"}).status_code == 403
    assert not Scorecard.objects.filter(name="X").exists()
    page = client.get(reverse("trust_learn")).content.decode()
    assert "Learn a scorecard</button>" not in page and "Errors" in page


def test_a_changed_or_expired_proposal_and_a_taken_name_are_refused(
    as_alice: Client, book: LearnBook, card: Scorecard
) -> None:
    html = as_alice.post(reverse("trust_learn"), {"lead_days": LEAD}).content.decode()
    proposal = proposal_in(html)
    tampered = as_alice.post(reverse("trust_learn_create"), {"name": "Mine", "proposal": proposal[:-3] + "abc"})
    assert tampered.status_code == 400
    assert "This proposal expired or was changed" in tampered.content.decode()
    taken = as_alice.post(reverse("trust_learn_create"), {"name": "usage HEALTH", "proposal": proposal})
    assert taken.status_code == 400
    body = taken.content.decode()
    assert 'id="id_name_error"' in body and "A scorecard with this name already exists." in body
    # The reviewed proposal is shown again, to create under another name.
    assert proposal_in(body) == proposal
    assert Scorecard.objects.count() == 1


def test_a_bad_lead_window_learns_nothing_and_names_the_field(as_alice: Client, book: LearnBook) -> None:
    response = as_alice.post(reverse("trust_learn"), {"lead_days": "0"})
    assert response.status_code == 400
    assert 'id="id_lead_days_error"' in response.content.decode()


def test_without_enough_data_the_page_says_what_is_missing(as_alice: Client, db) -> None:  # type: ignore[no-untyped-def]
    html = as_alice.post(reverse("trust_learn"), {"lead_days": LEAD}).content.decode()
    assert "No active usage metric to learn from" in html
    make_learn_book(accounts=60, weeks=8, churn=False)
    html = as_alice.post(reverse("trust_learn"), {"lead_days": LEAD}).content.decode()
    assert "Not enough churn: 0 churn events within 60 days" in html
    assert 'name="proposal"' not in html
