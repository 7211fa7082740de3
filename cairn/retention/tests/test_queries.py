"""Retention figures against cohorts worked out by hand, to the cent (the worked example of
docs/retention.md is the first one). They run on whichever database the suite runs on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cairn.customers.models import Account, Product, Subscription, SubscriptionStatus
from cairn.renewals import actions
from cairn.renewals.models import ChurnReason, Renewal, Stage
from cairn.retention import queries

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = dt.date(2026, 4, 15)  # the last complete month is March 2026, quarter Q1 2026


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _product() -> Product:
    return Product.objects.get_or_create(name="Platform")[0]


def _account(name: str, *, segment: str = "", owner=None) -> Account:  # type: ignore[no-untyped-def]
    return Account.objects.create(name=name, segment=segment, owner=owner)


def _sub(account: Account, arr: str, start: str, end: str, status: str = SubscriptionStatus.ACTIVE) -> Subscription:
    return Subscription.objects.create(
        account=account, product=_product(), arr=D(arr), start_date=day(start), end_date=day(end),
        status=status,
    )


def _outcome(account: Account, subscriptions: list[Subscription], stage: str, final: str | None,
             by) -> None:  # type: ignore[no-untyped-def]
    """Record a renewal outcome through the renewals action, as a CSM does."""
    renewal = Renewal.objects.create(
        account=account, renewal_date=subscriptions[0].end_date,
        arr=sum((s.arr for s in subscriptions), D(0)),
    )
    renewal.subscriptions.add(*subscriptions)
    reason = ChurnReason.objects.get_or_create(name="Budget cut")[0]
    actions.record_outcome(renewal, actions.Outcome(
        stage, final_amount=None if final is None else D(final),
        reason=reason if stage in (Stage.DOWNGRADED, Stage.CHURNED) else None,
        closed_on=subscriptions[0].end_date,
    ), by=by)


@pytest.fixture
def book(carol, dave, alice):  # type: ignore[no-untyped-def]
    """The worked example of docs/retention.md: March 2026, seven accounts and a trial."""
    # A: a plain renewal at the same ARR; the new term starts the day after the old one ends.
    a = _account("A Renewal", segment="enterprise", owner=carol)
    _outcome(a, [_sub(a, "10000.00", "2025-04-01", "2026-03-31")], Stage.RENEWED, None, carol)
    # B: an add-on bought mid-March: expansion.
    b = _account("B Upgrade", segment="enterprise", owner=carol)
    _sub(b, "20000.00", "2025-06-01", "2026-05-31")
    _sub(b, "5000.50", "2026-03-15", "2026-05-31")
    # C: renewed on 20 March at less: contraction.
    c = _account("C Downgrade", segment="enterprise", owner=carol)
    _outcome(c, [_sub(c, "8000.00", "2025-03-21", "2026-03-20")], Stage.DOWNGRADED, "6500.25", carol)
    # D: its term ended on 9 March and was not renewed: churn.
    d = _account("D Churn", segment="smb", owner=dave)
    _outcome(d, [_sub(d, "12345.67", "2025-03-10", "2026-03-09")], Stage.CHURNED, None, dave)
    # E: a new customer from 10 March: outside the cohort.
    e = _account("E New", segment="smb", owner=dave)
    _sub(e, "7000.00", "2026-03-10", "2027-03-09")
    # F: a three-year contract at 30,000 a year, in force the whole time.
    f = _account("F Multi-year", segment="strategic", owner=alice)
    _sub(f, "30000.00", "2024-01-01", "2026-12-31")
    # G: upgraded on 5 March to 12,000, then downgraded on 25 March to 9,000.
    g = _account("G Up and down", segment="strategic", owner=alice)
    _sub(g, "10000.00", "2025-09-01", "2026-03-04", SubscriptionStatus.RENEWED)
    _sub(g, "12000.00", "2026-03-05", "2026-03-24", SubscriptionStatus.RENEWED)
    _sub(g, "9000.00", "2026-03-25", "2026-08-31")
    # H: a trial is not revenue.
    h = _account("H Trial", segment="smb", owner=dave)
    _sub(h, "50000.00", "2026-02-01", "2026-04-30", SubscriptionStatus.TRIAL)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g, "H": h}


def _march(**filters) -> queries.Period:  # type: ignore[no-untyped-def]
    periods = queries.figures("month", 1, today=TODAY, **filters)
    assert [(p.label, p.start, p.end) for p in periods] == [("Mar 2026", day("2026-03-01"), day("2026-03-31"))]
    return periods[0]


def test_the_worked_example_to_the_cent(book):  # type: ignore[no-untyped-def]
    p = _march()
    # Cohort on 1 March: A 10,000 + B 20,000 + C 8,000 + D 12,345.67 + F 30,000 + G 10,000.
    assert p.cohort_logos == 6
    assert p.start_arr == D("90345.67")
    assert p.expansion == D("5000.50")  # B
    assert p.contraction == D("2499.75")  # C 1,499.75 + G 1,000 (10,000 -> 9,000 net)
    assert p.churned_arr == D("12345.67")  # D
    assert p.end_arr == D("80500.75")  # 10,000 + 25,000.50 + 6,500.25 + 0 + 30,000 + 9,000
    assert p.new_arr == D("7000.00") and p.new_logos == 1  # E, outside the cohort
    assert (p.lost_logos, p.expanded_logos, p.contracted_logos) == (1, 1, 2)
    assert p.grr == D("75500.25") / D("90345.67")
    assert p.nrr == D("80500.75") / D("90345.67")
    assert round(p.grr, 4) == D("0.8357") and round(p.nrr, 4) == D("0.8910")
    assert p.logo_churn == D(1) / D(6)
    assert p.closing_arr == D("87500.75")


def test_the_month_before_nothing_moved(book):  # type: ignore[no-untyped-def]
    feb, mar = queries.figures("month", 2, today=TODAY)
    assert feb.label == "Feb 2026" and feb.start_arr == feb.end_arr == D("90345.67")
    assert (feb.expansion, feb.contraction, feb.churned_arr, feb.new_arr) == (0, 0, 0, 0)
    assert feb.grr == feb.nrr == 1 and feb.logo_churn == 0
    # The book as February closes is the cohort March starts with.
    assert feb.closing_arr == mar.start_arr


def test_a_plain_renewal_keeps_its_arr_without_a_gap(carol):  # type: ignore[no-untyped-def]
    a = _account("Renewer", owner=carol)
    _outcome(a, [_sub(a, "10000.00", "2025-04-01", "2026-03-31")], Stage.RENEWED, None, carol)
    p = _march()
    assert (p.start_arr, p.end_arr, p.grr, p.nrr, p.lost_logos) == (D("10000.00"), D("10000.00"), 1, 1, 0)


def test_an_expanded_renewal_is_expansion(carol):  # type: ignore[no-untyped-def]
    a = _account("Grower", owner=carol)
    _outcome(a, [_sub(a, "10000.00", "2025-03-16", "2026-03-15")], Stage.EXPANDED, "12500.00", carol)
    p = _march()
    assert (p.expansion, p.contraction, p.end_arr) == (D("2500.00"), 0, D("12500.00"))
    assert p.grr == 1 and p.nrr == D("1.25")


def test_a_churn_at_the_last_day_of_the_period_counts_in_that_period(carol):  # type: ignore[no-untyped-def]
    a = _account("Leaver", owner=carol)
    _outcome(a, [_sub(a, "4000.00", "2025-04-01", "2026-03-31")], Stage.CHURNED, None, carol)
    feb, mar = queries.figures("month", 2, today=TODAY)
    assert feb.churned_arr == 0 and mar.churned_arr == D("4000.00") and mar.lost_logos == 1
    assert mar.grr == mar.nrr == 0 and mar.logo_churn == 1


def test_a_multi_year_contract_counts_its_annual_arr_every_period(alice):  # type: ignore[no-untyped-def]
    f = _account("Three years", owner=alice)
    _sub(f, "30000.00", "2024-01-01", "2026-12-31")
    periods = queries.figures("month", 12, today=TODAY)
    assert periods[0].label == "Apr 2025" and periods[-1].label == "Mar 2026"
    assert all(p.start_arr == p.end_arr == D("30000.00") and p.nrr == 1 for p in periods)
    (year,) = queries.figures("quarter", 1, today=dt.date(2025, 1, 1))
    assert year.label == "Q4 2024" and year.start_arr == D("30000.00")


def test_a_new_logo_is_outside_the_cohort_until_the_next_period(carol):  # type: ignore[no-untyped-def]
    e = _account("Newcomer", owner=carol)
    _sub(e, "7000.00", "2026-02-10", "2027-02-09")
    feb, mar = queries.figures("month", 2, today=TODAY)
    assert (feb.cohort_logos, feb.start_arr, feb.new_arr, feb.new_logos, feb.grr) == (0, 0, D("7000.00"), 1, None)
    assert (mar.cohort_logos, mar.start_arr, mar.new_arr, mar.nrr) == (1, D("7000.00"), 0, 1)


def test_a_quarter_compares_its_first_day_with_its_close_only(carol):  # type: ignore[no-untyped-def]
    # Expands in January, back down in March: two moves by month, none by quarter.
    j = _account("Seasonal", owner=carol)
    _sub(j, "4000.00", "2025-01-01", "2026-12-31")
    _sub(j, "1000.00", "2026-01-10", "2026-03-15")
    # Churns in January: churn in January and in Q1.
    i = _account("January leaver", owner=carol)
    _sub(i, "1000.00", "2025-02-01", "2026-01-31", SubscriptionStatus.CHURNED)
    jan, feb, mar = queries.figures("month", 3, today=TODAY)
    assert (jan.expansion, jan.churned_arr, jan.start_arr) == (D("1000.00"), D("1000.00"), D("5000.00"))
    assert (feb.cohort_logos, feb.start_arr, feb.end_arr) == (1, D("5000.00"), D("5000.00"))
    assert (mar.contraction, mar.end_arr) == (D("1000.00"), D("4000.00"))
    (q1,) = queries.figures("quarter", 1, today=TODAY)
    assert (q1.label, q1.start, q1.end) == ("Q1 2026", day("2026-01-01"), day("2026-03-31"))
    assert (q1.start_arr, q1.expansion, q1.contraction, q1.churned_arr, q1.end_arr) == (
        D("5000.00"), 0, 0, D("1000.00"), D("4000.00"))
    assert q1.grr == q1.nrr == D("0.8") and q1.logo_churn == D("0.5")


def test_the_worked_example_by_quarter(book):  # type: ignore[no-untyped-def]
    q4, q1 = queries.figures("quarter", 2, today=TODAY)
    assert q4.label == "Q4 2025" and q4.start == day("2025-10-01") and q4.end == day("2025-12-31")
    assert q1.start_arr == D("90345.67") and q1.end_arr == D("80500.75") and q1.new_arr == D("7000.00")


def test_segment_and_csm_filters(book, carol, dave, alice):  # type: ignore[no-untyped-def]
    enterprise = _march(segment="enterprise")  # A, B, C
    assert (enterprise.cohort_logos, enterprise.start_arr, enterprise.expansion, enterprise.contraction,
            enterprise.churned_arr, enterprise.new_arr) == (3, D("38000.00"), D("5000.50"), D("1499.75"), 0, 0)
    assert enterprise.nrr == D("41500.75") / D("38000.00")
    mine = _march(owner=dave)  # D churned, E new, H a trial
    assert (mine.cohort_logos, mine.start_arr, mine.churned_arr, mine.new_arr, mine.grr, mine.logo_churn) == (
        1, D("12345.67"), D("12345.67"), D("7000.00"), 0, 1)
    both = _march(segment="strategic", owner=alice)  # F and G
    assert (both.start_arr, both.contraction, both.end_arr) == (D("40000.00"), D("1000.00"), D("39000.00"))
    assert _march(segment="strategic", owner=carol).cohort_logos == 0
    assert _march(segment="tech_touch").grr is None


def test_the_breakdown_splits_the_latest_period_by_segment_and_csm(book, carol, dave, alice):  # type: ignore[no-untyped-def]
    split = queries.breakdown("month", today=TODAY)
    assert split.period is not None and split.period.start_arr == D("90345.67")
    segments = {g.label: g.period for g in split.by_segment}
    assert list(segments) == ["Strategic", "Enterprise", "SMB"]  # largest starting ARR first
    assert segments["SMB"].churned_arr == D("12345.67") and segments["SMB"].new_arr == D("7000.00")
    owners = {g.key: (g.label, g.period.start_arr) for g in split.by_owner}
    assert owners == {str(alice.pk): ("Alice Leader", D("40000.00")),
                      str(carol.pk): ("Carol Owner", D("38000.00")),
                      str(dave.pk): ("Dave Outsider", D("12345.67"))}


def test_an_empty_book_divides_by_nothing(db):  # type: ignore[no-untyped-def]
    for grain in queries.GRAINS:
        periods = queries.figures(grain, 4, today=TODAY)
        assert len(periods) == 4
        assert all(p.grr is None and p.nrr is None and p.logo_churn is None and p.start_arr == 0
                   for p in periods)
    split = queries.breakdown(today=TODAY)
    assert split.by_segment == [] and split.by_owner == []


def test_periods_end_with_the_last_complete_one(db):  # type: ignore[no-untyped-def]
    assert queries.spans("month", 1, dt.date(2026, 3, 1))[0][1:] == (day("2026-02-01"), day("2026-02-28"))
    assert queries.spans("month", 1, dt.date(2026, 3, 31))[0][0] == "Feb 2026"
    assert queries.spans("quarter", 1, dt.date(2026, 4, 1))[0] == ("Q1 2026", day("2026-01-01"), day("2026-03-31"))
    assert queries.spans("quarter", 1, dt.date(2026, 3, 31))[0][0] == "Q4 2025"
    with pytest.raises(ValidationError):
        queries.spans("year", 1, TODAY)
    with pytest.raises(ValidationError):
        queries.spans("month", 0, TODAY)


def test_bad_filters_are_named(db):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        queries.parse_filters({"grain": "xyz", "segment": "galactic", "owner": "abc"})
    assert set(caught.value.message_dict) == {"grain", "segment", "owner"}
    assert queries.parse_filters({"grain": "quarter", "segment": "smb", "owner": "7"}) == queries.Filters(
        "quarter", "smb", 7)
    assert queries.parse_filters({}) == queries.Filters()


def test_one_query_whatever_the_size_of_the_book(django_assert_num_queries, carol):  # type: ignore[no-untyped-def]
    for n in range(5):
        a = _account(f"Customer {n}", owner=carol)
        _sub(a, "1000.00", "2025-01-01", "2026-12-31")
    with django_assert_num_queries(1):
        queries.figures("month", 12, today=TODAY)
    with django_assert_num_queries(2):
        queries.breakdown("quarter", today=TODAY)
