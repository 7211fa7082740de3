"""The churn definition (cairn.customers.churn) on small books with dates, its page and its API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cairn.customers.actions import save_policy
from cairn.customers.churn import ChurnBook, ChurnEvent, downgrades, policy
from cairn.customers.models import Account, ChurnPolicy, Product, Subscription

pytestmark = pytest.mark.django_db

D = dt.date(2025, 3, 31)  # the end date most stories turn on
DAY = dt.timedelta(days=1)


def o(day: dt.date) -> int:
    return day.toordinal()


def customer(name: str, *terms: tuple[dt.date, dt.date, str], arr: int = 1000,
             seats: int = 10, product: str = "Monitor") -> Account:
    account = Account.objects.create(name=name)
    made, _ = Product.objects.get_or_create(name=product)
    for start, end, status in terms:
        Subscription.objects.create(
            account=account, product=made, start_date=start, end_date=end, status=status,
            arr=Decimal(arr), quantity=seats,
        )
    return account


def book(*accounts: Account, as_of: dt.date, grace: int | None = 30) -> ChurnBook:
    return ChurnBook(np.array(sorted(a.pk for a in accounts), dtype=np.int64), as_of=as_of,
                     grace_days=grace)


def one(book: ChurnBook, day: dt.date, lead: int) -> tuple[bool, bool, int]:
    observed, churned, churn_day = book.on(o(day), lead)
    assert len(observed) == 1
    return bool(observed[0]), bool(churned[0]), int(churn_day[0])


YEAR_BEFORE = D - dt.timedelta(days=364)


# --- the rules --------------------------------------------------------------------------------


def test_a_subscription_marked_churned_churns_the_account_on_its_end_date() -> None:
    gone = customer("Gone", (YEAR_BEFORE, D, "churned"))
    churn = book(gone, as_of=D + 90 * DAY)
    assert churn.events() == [ChurnEvent(gone.pk, D, "marked")]
    assert one(churn, D - 10 * DAY, 30) == (True, True, o(D))
    assert one(churn, D - 40 * DAY, 30) == (True, False, 0)
    # On its end date and after, it is no longer a customer.
    assert one(churn, D, 30) == (False, False, 0)


def test_a_paying_subscription_not_renewed_lapses_once_the_grace_period_passed() -> None:
    ended = customer("Ended", (YEAR_BEFORE, D, "active"))
    decided = book(ended, as_of=D + 31 * DAY)
    assert decided.events() == [ChurnEvent(ended.pk, D, "lapsed")]
    assert one(decided, D - 10 * DAY, 30) == (True, True, o(D))
    assert one(decided, D + 5 * DAY, 30) == (False, False, 0)


@pytest.mark.parametrize("status", ["renewed", "expired"])
def test_renewed_and_expired_subscriptions_lapse_too_when_nothing_follows(status: str) -> None:
    ended = customer("Ended", (YEAR_BEFORE, D, status))
    assert book(ended, as_of=D + 60 * DAY).events() == [ChurnEvent(ended.pk, D, "lapsed")]


def test_within_the_grace_period_an_ended_subscription_is_undecided_and_not_observed() -> None:
    ended = customer("Ended", (YEAR_BEFORE, D, "active"))
    waiting = book(ended, as_of=D + 30 * DAY)
    assert waiting.events() == []
    assert waiting.undecided().tolist() == [ended.pk]
    # Its label in any window reaching the end is unknown; before it, it is a plain customer.
    assert one(waiting, D - 10 * DAY, 30) == (False, False, 0)
    assert one(waiting, D - 40 * DAY, 30) == (True, False, 0)
    # Still a customer to score today.
    assert waiting.customers_on(o(D + 30 * DAY)).tolist() == [True]


def test_a_renewal_starting_within_the_grace_period_is_no_churn() -> None:
    late = customer("Late", (YEAR_BEFORE, D, "renewed"), (D + 20 * DAY, D + 385 * DAY, "active"))
    carried = book(late, as_of=D + 90 * DAY)
    assert carried.events() == []
    assert carried.undecided().tolist() == []
    assert one(carried, D - 10 * DAY, 30) == (True, False, 0)
    # With a shorter grace period the same gap is churn, and the account a customer again.
    strict = book(late, as_of=D + 90 * DAY, grace=10)
    assert strict.events() == [ChurnEvent(late.pk, D, "lapsed")]
    assert one(strict, D + 10 * DAY, 30) == (False, False, 0)
    assert one(strict, D + 25 * DAY, 30) == (True, False, 0)


def test_the_grace_period_counts_the_days_without_a_paying_subscription() -> None:
    # 30 days without one (1 to 30 April), the renewal on 1 May: still a renewal.
    just = customer("Just", (YEAR_BEFORE, D, "active"), (D + 31 * DAY, D + 400 * DAY, "active"))
    # 31 days without: churn.
    late = customer("Late", (YEAR_BEFORE, D, "active"), (D + 32 * DAY, D + 400 * DAY, "active"))
    events = book(just, late, as_of=D + 90 * DAY).events()
    assert events == [ChurnEvent(late.pk, D, "lapsed")]
    # No grace: the next one must be in force the day after the end.
    next_day = customer("Next", (YEAR_BEFORE, D, "active"), (D + DAY, D + 400 * DAY, "active"))
    assert book(next_day, as_of=D + 90 * DAY, grace=0).events() == []


def test_a_renewal_that_starts_after_as_of_carries_nothing_on_yet() -> None:
    late = customer("Late", (YEAR_BEFORE, D, "active"), (D + 20 * DAY, D + 385 * DAY, "active"))
    assert book(late, as_of=D + 10 * DAY).undecided().tolist() == [late.pk]
    assert book(late, as_of=D + 20 * DAY).undecided().tolist() == []


def test_a_trial_ending_unconverted_is_no_churn_and_no_customer() -> None:
    tried = customer("Tried", (D - 30 * DAY, D, "trial"))
    trial = book(tried, as_of=D + 90 * DAY)
    assert trial.events() == [] and trial.undecided().tolist() == []
    assert trial.first_paid().tolist() == [0]
    assert one(trial, D - 10 * DAY, 30) == (False, False, 0)


def test_a_trial_is_no_renewal_of_a_paying_subscription() -> None:
    account = customer("Back to trial", (YEAR_BEFORE, D, "active"), (D + DAY, D + 60 * DAY, "trial"))
    assert book(account, as_of=D + 90 * DAY).events() == [ChurnEvent(account.pk, D, "lapsed")]


def test_first_paid_is_the_first_paying_start_after_any_trial() -> None:
    converted = customer("Converted", (D - 30 * DAY, D, "trial"), (D + DAY, D + 365 * DAY, "active"))
    none = customer("Nothing")
    assert book(converted, none, as_of=D).first_paid().tolist() == [o(D + DAY), 0]


def test_after_a_churn_other_running_subscriptions_are_no_second_churn() -> None:
    account = customer("Partly", (YEAR_BEFORE, D, "churned"), (YEAR_BEFORE, D + 100 * DAY, "active"))
    churn = book(account, as_of=D + 200 * DAY)
    assert churn.events() == [ChurnEvent(account.pk, D, "marked")]
    assert one(churn, D + 50 * DAY, 60) == (False, False, 0)


def test_a_won_back_account_is_a_customer_again_and_can_churn_again() -> None:
    back = customer("Back", (YEAR_BEFORE, D, "churned"), (D + 100 * DAY, D + 200 * DAY, "expired"))
    churn = book(back, as_of=D + 300 * DAY)
    assert churn.events() == [
        ChurnEvent(back.pk, D, "marked"), ChurnEvent(back.pk, D + 200 * DAY, "lapsed"),
    ]
    assert one(churn, D + 50 * DAY, 30) == (False, False, 0)
    assert one(churn, D + 180 * DAY, 30) == (True, True, o(D + 200 * DAY))


def test_a_marked_churn_and_a_lapse_on_the_same_day_are_one_churn() -> None:
    both = customer("Both", (YEAR_BEFORE, D, "churned"))
    Subscription.objects.create(
        account=both, product=Product.objects.get(name="Monitor"), start_date=YEAR_BEFORE,
        end_date=D, status="active",
    )
    assert book(both, as_of=D + 90 * DAY).events() == [ChurnEvent(both.pk, D, "marked")]


def test_a_downgrade_is_reported_apart_and_is_no_churn() -> None:
    smaller = customer("Smaller", (YEAR_BEFORE, D, "renewed"), arr=1200, seats=12)
    Subscription.objects.create(
        account=smaller, product=Product.objects.get(name="Monitor"), start_date=D + DAY,
        end_date=D + 365 * DAY, arr=Decimal(900), quantity=12,
    )
    same = customer("Same", (YEAR_BEFORE, D, "renewed"), (D + DAY, D + 365 * DAY, "active"))
    assert book(smaller, same, as_of=D + 90 * DAY).events() == []
    found = downgrades(D - 30 * DAY, D + 30 * DAY, grace_days=30)
    assert [(d.account_id, d.day, d.arr_before, d.arr_after, d.seats_before, d.seats_after)
            for d in found] == [(smaller.pk, D + DAY, Decimal(1200), Decimal(900), 12, 12)]
    assert found[0].account_name == "Smaller" and found[0].product == "Monitor"


def test_fewer_seats_is_a_downgrade_and_a_gap_past_the_grace_period_is_not() -> None:
    seats = customer("Seats", (YEAR_BEFORE, D, "renewed"), seats=20)
    Subscription.objects.create(
        account=seats, product=Product.objects.get(name="Monitor"), start_date=D + 10 * DAY,
        end_date=D + 365 * DAY, arr=Decimal(1000), quantity=15,
    )
    assert [d.account_id for d in downgrades(D, D + 60 * DAY, grace_days=30)] == [seats.pk]
    assert downgrades(D, D + 60 * DAY, grace_days=5) == []
    assert downgrades(D + 11 * DAY, D + 60 * DAY, grace_days=30) == []


def test_accounts_outside_the_book_are_ignored_and_the_book_reads_one_query() -> None:
    mine = customer("Mine", (YEAR_BEFORE, D, "churned"))
    customer("Other", (YEAR_BEFORE, D, "churned"))
    with CaptureQueriesContext(connection) as queries:
        churn = book(mine, as_of=D + 90 * DAY)
    assert len(queries) == 1
    assert [e.account_id for e in churn.events()] == [mine.pk]


def _by_the_rules(terms: list[tuple[int, int, bool]], as_of: int, grace: int) -> list[tuple[int, str]]:
    """The rules read plainly for one account's paying terms (start, end, marked): its ends,
    each "marked", "lapsed" or "undecided", after the same-day and no-restart ones drop."""
    ends = []
    for i, (_, end, marked) in enumerate(terms):
        if marked:
            ends.append((end, "marked" if end <= as_of else "undecided"))
            continue
        carried = any(
            j != i and other_start <= min(end + 1 + grace, as_of) and other_end >= end + 1
            for j, (other_start, other_end, _) in enumerate(terms)
        )
        if not carried:
            ends.append((end, "lapsed" if end + 1 + grace <= as_of else "undecided"))
    kept: list[tuple[int, str]] = []
    previous = 0
    for end, how in sorted(ends, key=lambda e: (e[0], ["marked", "lapsed", "undecided"].index(e[1]))):
        if kept and kept[-1][0] == end:
            continue
        if any(previous < start <= end for start, _, _ in terms):
            kept.append((end, how))
        previous = end
    return kept


def _label(terms: list[tuple[int, int, bool]], ends: list[tuple[int, str]], day: int,
           lead: int) -> tuple[bool, bool, int]:
    latest_start = max((start for start, _, _ in terms if start <= day), default=0)
    churns = [end for end, how in ends if how != "undecided"]
    last_churn = max((end for end in churns if end <= day), default=0)
    observed = latest_start > 0 and last_churn < latest_start
    coming = min((end for end in churns if end > day), default=0)
    churned = observed and 0 < coming <= day + lead
    waiting = min((end for end, how in ends if how == "undecided"), default=0)
    if 0 < waiting <= day + lead and not churned:
        observed = False
    return observed, churned, coming if churned else 0


def test_a_random_book_is_labelled_as_the_rules_read_plainly_say() -> None:
    rng = np.random.default_rng(7)
    product = Product.objects.create(name="Bulk")
    accounts = Account.objects.bulk_create(Account(name=f"A{i:03}") for i in range(150))
    subs = []
    for account in accounts:
        for _ in range(int(rng.integers(0, 5))):
            start = D - dt.timedelta(days=int(rng.integers(0, 700)))
            end = start + dt.timedelta(days=int(rng.integers(0, 300)))
            status = str(rng.choice(["active", "renewed", "churned", "expired", "trial"]))
            subs.append(Subscription(account=account, product=product, start_date=start,
                                     end_date=end, status=status))
    Subscription.objects.bulk_create(subs)
    terms: dict[int, list[tuple[int, int, bool]]] = {a.pk: [] for a in accounts}
    for sub in subs:
        if sub.status != "trial":
            terms[sub.account_id].append((o(sub.start_date), o(sub.end_date), sub.status == "churned"))
    ids = np.array(sorted(terms), dtype=np.int64)
    for as_of, grace in ((D, 30), (D - 200 * DAY, 0), (D - 50 * DAY, 90)):
        churn = ChurnBook(ids, as_of=as_of, grace_days=grace)
        ends = {pk: _by_the_rules(terms[pk], o(as_of), grace) for pk in terms}
        for day, lead in ((o(as_of) - 400, 60), (o(as_of) - 120, 90), (o(as_of) - 30, 30)):
            observed, churned, churn_day = churn.on(day, lead)
            for i, pk in enumerate(ids.tolist()):
                expected = _label(terms[pk], ends[pk], day, lead)
                assert (observed[i], churned[i], churn_day[i]) == expected, (pk, terms[pk])
        assert [(e.account_id, o(e.day), e.how) for e in churn.events()] == [
            (pk, end, how) for pk in ids.tolist() for end, how in ends[pk] if how != "undecided"
        ]


# --- the policy -------------------------------------------------------------------------------


def test_the_policy_defaults_to_30_days_and_a_saved_one_is_used(alice) -> None:  # type: ignore[no-untyped-def]
    assert policy().grace_days == 30 and policy().pk == 1
    late = customer("Late", (YEAR_BEFORE, D, "active"), (D + 20 * DAY, D + 385 * DAY, "active"))
    assert book(late, as_of=D + 90 * DAY, grace=None).events() == []
    save_policy(10, by=alice)
    assert policy().grace_days == 10
    assert book(late, as_of=D + 90 * DAY, grace=None).events() == [ChurnEvent(late.pk, D, "lapsed")]
    record = ChurnPolicy.history.get()  # type: ignore[attr-defined]
    assert record.grace_days == 10 and record.history_user == alice


@pytest.mark.parametrize("bad", [-1, 366])
def test_the_policy_refuses_a_grace_period_out_of_bounds(alice, bad: int) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        save_policy(bad, by=alice)
    assert "grace_days" in refused.value.message_dict
    assert not ChurnPolicy.objects.exists()


# --- the page ---------------------------------------------------------------------------------

URL = "/churn/"


def test_everyone_reads_the_definition_without_the_form(as_rita: Client) -> None:
    response = as_rita.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "What counts as churn" in page
    assert "30 days" in page
    for status in ("Active", "Trial", "Renewed", "Churned", "Expired"):
        assert f"<td>{status}</td>" in page
    assert 'name="grace_days"' not in page
    assert reverse("churn_definition") == URL


def test_a_leader_sets_the_grace_period_and_the_history_names_them(as_alice: Client, alice) -> None:  # type: ignore[no-untyped-def]
    assert 'name="grace_days"' in as_alice.get(URL).content.decode()
    response = as_alice.post(URL, {"grace_days": "45"})
    assert response.status_code == 302 and response.url == URL
    assert ChurnPolicy.current().grace_days == 45
    page = as_alice.get(URL).content.decode()
    assert "45 days" in page and "by Alice" in page


@pytest.mark.parametrize("bad", ["-1", "400", "abc", ""])
def test_a_bad_grace_period_shows_the_field_error_and_saves_nothing(
    as_alice: Client, bad: str
) -> None:
    response = as_alice.post(URL, {"grace_days": bad})
    assert response.status_code == 400
    assert response.context["form"].errors["grace_days"] == [
        "Enter a whole number of days from 0 to 365."
    ]
    assert 'id="id_grace_days_error"' in response.content.decode()
    assert not ChurnPolicy.objects.exists()


def test_a_csm_may_not_set_the_grace_period(as_dave: Client) -> None:
    assert as_dave.post(URL, {"grace_days": "10"}).status_code == 403
    assert not ChurnPolicy.objects.exists()


def test_the_page_lists_the_downgrades_of_the_last_12_months(as_rita: Client) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    smaller = customer("Smaller Co", (today - 400 * DAY, today - 40 * DAY, "renewed"), arr=5000)
    Subscription.objects.create(
        account=smaller, product=Product.objects.get(name="Monitor"),
        start_date=today - 39 * DAY, end_date=today + 300 * DAY, arr=Decimal(4000), quantity=10,
    )
    page = as_rita.get(URL).content.decode()
    assert "Smaller Co" in page and "5,000 → 4,000" in page


def test_the_page_counts_the_churns_of_the_year_and_the_undecided(as_rita: Client) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    customer("Marked", (today - 400 * DAY, today - 10 * DAY, "churned"))
    customer("Lapsed", (today - 400 * DAY, today - 60 * DAY, "active"))
    customer("Waiting", (today - 400 * DAY, today - 5 * DAY, "expired"))
    customer("Long gone", (today - 900 * DAY, today - 500 * DAY, "churned"))
    customer("Staying", (today - 400 * DAY, today + 100 * DAY, "active"))
    figures = as_rita.get(URL).context["figures"]
    assert (figures.marked, figures.lapsed, figures.undecided) == (1, 1, 1)
    ids = np.array(sorted(Account.objects.values_list("pk", flat=True)), dtype=np.int64)
    counts = ChurnBook(ids, as_of=today, grace_days=30).counts(today - 600 * DAY, today)
    assert counts == {"marked": 2, "lapsed": 1}


def test_the_page_reads_a_fixed_number_of_queries(as_rita: Client, alice) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    today = timezone.localdate()

    def downgraded(n: int, start: int) -> None:
        for i in range(start, start + n):
            account = customer(f"Down {i}", (today - 400 * DAY, today - 40 * DAY, "renewed"),
                               arr=2000, product=f"P{i}")
            Subscription.objects.create(
                account=account, product=Product.objects.get(name=f"P{i}"),
                start_date=today - 39 * DAY, end_date=today + 300 * DAY, arr=Decimal(1000),
            )

    save_policy(30, by=alice)
    downgraded(2, 0)
    with CaptureQueriesContext(connection) as few:
        assert as_rita.get(URL).status_code == 200
    downgraded(10, 2)
    save_policy(20, by=alice)
    with CaptureQueriesContext(connection) as many:
        assert as_rita.get(URL).status_code == 200
    assert len(many) == len(few)


# --- the API ----------------------------------------------------------------------------------

API = "/api/v1/customers/churn-policy"


def test_the_api_reads_the_policy_and_a_leader_sets_it(as_rita: Client, as_alice: Client) -> None:
    read = as_rita.get(API)
    assert read.status_code == 200
    assert read.json() == {"grace_days": 30, "updated_by": None, "updated_at": None}
    put = as_alice.put(API, {"grace_days": 14}, content_type="application/json")
    assert put.status_code == 200 and put.json()["grace_days"] == 14
    assert put.json()["updated_by"] is not None
    assert ChurnPolicy.current().grace_days == 14


@pytest.mark.parametrize("bad", [-1, 400, "abc"])
def test_the_api_refuses_a_bad_grace_period_naming_the_field(as_alice: Client, bad: object) -> None:
    response = as_alice.put(API, {"grace_days": bad}, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["grace_days"]
    assert not ChurnPolicy.objects.exists()


def test_the_api_lets_only_leaders_set_the_policy(as_dave: Client) -> None:
    response = as_dave.put(API, {"grace_days": 14}, content_type="application/json")
    assert response.status_code == 403
    assert not ChurnPolicy.objects.exists()
