"""Recomputing scores: missing data, manual ratings, history, the latest score and the CLI."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cairn.customers.models import Account
from cairn.health.actions import rate_account, recompute_scores
from cairn.health.history import account_history, stored
from cairn.health.models import AccountHealth, ManualRating, ScoreDate
from cairn.health.queries import score_lines
from cairn.health.tests.helpers import metric, scorecard, set_value

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)


def test_a_measure_without_data_shares_its_weight_instead_of_scoring_zero(acme):
    scorecard()
    set_value(acme, metric(), 0.8, TODAY)

    recompute_scores(TODAY)

    score = stored(acme.pk, TODAY)
    assert score.score == 100 and score.light == "green"
    seats, sponsor = score_lines(score)
    assert seats["effective_weight"] == 1 and seats["contribution"] == 100
    assert sponsor["points"] is None and sponsor["effective_weight"] == 0


def test_an_account_without_any_data_has_no_score_rather_than_zero(acme):
    scorecard()

    result = recompute_scores(TODAY)

    score = stored(acme.pk)
    assert score.score is None and score.light == ""
    assert result.without_data == 1
    assert AccountHealth.objects.get(account=acme).score is None


def test_stale_metric_values_are_missing(acme):
    card = scorecard()
    card.max_age_days = 10
    card.save()
    set_value(acme, metric(), 0.8, TODAY - dt.timedelta(days=11))

    recompute_scores(TODAY)

    assert stored(acme.pk).score is None


def test_a_segment_scorecard_scores_its_segment_and_the_default_the_rest(acme, carol):
    scorecard("Default", seats_weight=1, sponsor_weight=1)
    scorecard("Enterprise", default=False, segments=["enterprise"])
    small = Account.objects.create(name="Small Co", segment="smb", owner=carol)

    recompute_scores(TODAY)

    assert stored(acme.pk).scorecard.name == "Enterprise"
    assert stored(small.pk).scorecard.name == "Default"


def test_a_manual_rating_survives_every_recompute_and_keeps_its_history(acme, carol):
    scorecard()
    set_value(acme, metric(), 0.2, timezone.localdate())
    first = rate_account(
        acme, indicator="sponsorship", rating="3", comment="Sponsor is busy",
        expires_on=timezone.localdate() + dt.timedelta(days=30), by=carol,
    )
    rate_account(
        acme, indicator="sponsorship", rating="5", comment="New VP loves us",
        expires_on=timezone.localdate() + dt.timedelta(days=30), by=carol,
    )

    for _ in range(3):
        recompute_scores()

    assert ManualRating.objects.filter(account=acme).count() == 2
    first.refresh_from_db()
    assert (first.rating, first.comment) == ("3", "Sponsor is busy")
    score = stored(acme.pk, timezone.localdate())
    # Seats 0 points (weight 60), sponsorship 100 points (weight 40).
    assert score.score == 40
    sponsor = score_lines(score)[1]
    assert (sponsor["value"], sponsor["points"]) == ("5", 100)


def test_an_expired_rating_counts_as_missing_through_a_recompute(acme, carol):
    scorecard()
    set_value(acme, metric(), 0.5, TODAY)
    ManualRating.objects.create(
        account=acme, indicator="sponsorship", rating="1", comment="Sponsor left",
        rated_on=TODAY - dt.timedelta(days=40), expires_on=TODAY - dt.timedelta(days=10),
        rated_by=carol,
    )

    recompute_scores(TODAY)

    score = stored(acme.pk)
    assert score.score == 50
    sponsor = score_lines(score)[1]
    assert sponsor["points"] is None and "expired" in sponsor["note"]
    assert ManualRating.objects.filter(account=acme).count() == 1


def test_history_keeps_one_row_per_day_and_the_latest_tracks_change(acme):
    scorecard()
    seats = metric()
    for days_ago, value in ((31, 0.8), (1, 0.8), (0, 0.5)):
        set_value(acme, seats, value, TODAY - dt.timedelta(days=days_ago))
        recompute_scores(TODAY - dt.timedelta(days=days_ago))
    recompute_scores(TODAY)

    assert len(account_history(acme.pk)) == 3
    latest = AccountHealth.objects.get(account=acme)
    assert (latest.score, latest.previous_score, latest.change, latest.change_30d) == (
        50, 100, -50, -50
    )


def test_backfilling_an_older_day_leaves_the_latest_score_alone(acme):
    scorecard()
    set_value(acme, metric(), 0.8, TODAY)
    recompute_scores(TODAY)

    recompute_scores(TODAY - dt.timedelta(days=5))

    assert AccountHealth.objects.get(account=acme).scored_on == TODAY


def test_the_cli_recomputes_and_reports(acme):
    scorecard()
    set_value(acme, metric(), 0.8, TODAY)
    out = StringIO()

    call_command("health", "recompute", "--as-of", "2026-03-31", stdout=out)

    assert "Scored 1 accounts on 2026-03-31" in out.getvalue()
    assert stored(acme.pk, TODAY) is not None


def test_the_cli_says_what_to_do_without_a_scorecard(acme):
    with pytest.raises(CommandError, match="default-scorecard"):
        call_command("health", "recompute", stdout=StringIO())


def test_the_cli_installs_the_default_scorecard_once(db):
    out = StringIO()
    call_command("health", "default-scorecard", stdout=out)
    call_command("health", "default-scorecard", stdout=out)

    assert out.getvalue().count("Default scorecard: Standard health") == 2
    from cairn.health.models import Scorecard

    card = Scorecard.objects.get()
    assert card.is_default
    assert {m.indicator for m in card.measures.all()} == {
        "sponsorship", "advocacy", "sentiment", "support_utilization", "company_health", "nps",
        "product_utilization",
    }


def _survey_and_ticket_card() -> None:
    from cairn.health.models import Measure, Scorecard

    card = Scorecard.objects.create(name="Voice", is_default=True)
    Measure.objects.create(
        scorecard=card, name="NPS", indicator="nps", weight=1, source="survey",
        bad_value=-50, good_value=50, window_days=90,
    )
    Measure.objects.create(
        scorecard=card, name="Open P1 tickets", indicator="support_utilization", weight=1,
        source="tickets", bad_value=4, good_value=0, window_days=30, position=1,
    )


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_nps_over_the_window_and_open_high_priority_tickets_are_scored(acme):
    from cairn.usage.models import SupportTicket, SurveyResponse

    _survey_and_ticket_card()
    for n, (score, days_ago) in enumerate([(10, 5), (9, 10), (3, 20), (8, 30), (0, 200)]):
        SurveyResponse.objects.create(
            external_id=f"s{n}", account=acme, score=score, answered_at=_at(TODAY - dt.timedelta(days=days_ago))
        )
    tickets = [  # (priority, opened days ago, closed days ago or None)
        ("urgent", 3, None), ("high", 10, None), ("high", 12, 1), ("normal", 2, None), ("high", 60, None),
    ]
    for n, (priority, opened, closed) in enumerate(tickets):
        SupportTicket.objects.create(
            external_id=f"t{n}", account=acme, priority=priority,
            opened_at=_at(TODAY - dt.timedelta(days=opened)),
            closed_at=_at(TODAY - dt.timedelta(days=closed)) if closed is not None else None,
        )

    recompute_scores(TODAY)

    nps_line, tickets_line = score_lines(stored(acme.pk))
    # Within 90 days: 2 promoters, 1 detractor, 1 passive -> NPS 25 -> 75 points.
    assert (nps_line["value"], nps_line["points"]) == (25.0, 75.0)
    # Urgent and high opened within 30 days and still open: 2 of 4 -> 50 points.
    assert (tickets_line["value"], tickets_line["points"]) == (2.0, 50.0)


def test_an_account_without_surveys_or_tickets_has_no_data_not_a_perfect_score(acme):
    _survey_and_ticket_card()

    recompute_scores(TODAY)

    assert stored(acme.pk).score is None


def test_a_same_day_rerun_replaces_the_days_scores(
    acme, carol, settings, django_capture_on_commit_callbacks
):
    scorecard()
    seats = metric()
    steady = Account.objects.create(name="Steady Co", segment="smb", owner=carol)
    set_value(acme, seats, 0.8, TODAY)
    set_value(steady, seats, 0.8, TODAY)
    recompute_scores(TODAY)

    set_value(acme, seats, 0.5, TODAY)
    recompute_scores(TODAY)

    acme_score = stored(acme.pk, TODAY)
    assert acme_score.score == 50
    assert score_lines(acme_score)[0]["value"] == 0.5
    assert stored(steady.pk, TODAY).score == 100
    assert account_history(acme.pk) == [(TODAY, 50, "amber")]
    # One file for the day: the earlier run's is gone once the rerun commits (or, had that
    # not happened, when the next run of the day starts).
    with django_capture_on_commit_callbacks(execute=True):
        recompute_scores(TODAY)
    assert len(list((settings.ANALYTICS_DIR / "scores" / f"scored_on={TODAY}").iterdir())) == 1
    latest = AccountHealth.objects.get(account=acme)
    # The earlier run of the same day is not a previous score.
    assert (latest.score, latest.previous_score, latest.change) == (50, None, None)
    assert AccountHealth.objects.get(account=steady).score == 100


@pytest.mark.parametrize("count", [2, 20])
def test_a_recompute_takes_the_same_queries_for_2_or_20_accounts(count, carol):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scorecard()
    scorecard("Enterprise", default=False, segments=["enterprise"])
    seats = metric()
    for i in range(count):
        account = Account.objects.create(
            name=f"Account {i}", owner=carol, segment="enterprise" if i % 2 else "smb"
        )
        set_value(account, seats, 0.1 * (i % 10), TODAY)
        ManualRating.objects.create(
            account=account, indicator="sponsorship", rating="4", comment="Fine",
            rated_on=TODAY, expires_on=TODAY + dt.timedelta(days=30),
        )
    recompute_scores(TODAY - dt.timedelta(days=1))

    with CaptureQueriesContext(connection) as queries:
        result = recompute_scores(TODAY)

    assert result.scored == count
    assert ScoreDate.objects.get(scored_on=TODAY).accounts == count
    assert len(queries) == RECOMPUTE_QUERIES


# Scorecards, accounts, metric values (fresh and old), ratings, snapshots, the date's row
# (made, locked, pointed at the new file), whether a latest row is of today or later, the
# latest rows and their upsert, the date of a month ago, open alerts, and the transaction.
RECOMPUTE_QUERIES = 19
