"""The home pages through the HTTP client: who lands where, the book's figures and where each
links, the time spent in each phase, the health mix from the score history, and constant
query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cairn.customers.models import Account, Product, Subscription
from cairn.engagements.models import PhaseMove
from cairn.health import history
from cairn.health.models import AccountHealth
from cairn.home import queries
from cairn.playbooks.models import Phase
from cairn.renewals import actions as renewal_actions
from cairn.renewals.models import Renewal
from cairn.timeline.actions import create_task
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _customer(owner, name: str, arr: str, *, renews_in: int = 40, light: str = "") -> Account:  # type: ignore[no-untyped-def]
    product = Product.objects.get_or_create(name="Analytics")[0]
    today = timezone.localdate()
    account = Account.objects.create(name=name, owner=owner)
    Subscription.objects.create(
        account=account, product=product, arr=Decimal(arr),
        start_date=today - dt.timedelta(days=300), end_date=today + dt.timedelta(days=renews_in),
    )
    if light:
        AccountHealth.objects.create(
            account=account, scored_on=today, score={"red": 30, "amber": 55, "green": 80}[light],
            light=light,
        )
    return account


def _figure(html: str, name: str) -> str:
    """The text of the headline figure marked data-figure=name."""
    found = re.search(rf'data-figure="{name}">(.*?)</a>', html, re.S)
    assert found, f"no figure {name}"
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", found.group(1))).strip()


def test_a_leader_lands_on_the_book_and_a_csm_on_their_own(client, alice, carol, rita) -> None:  # type: ignore[no-untyped-def]
    for user, heading in ((alice, "The book"), (carol, "My book"), (rita, "The book")):
        client.logout()
        landed = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
        assert landed.redirect_chain[-1][0] == reverse("home")
        assert f"<h1>{heading}</h1>" in landed.content.decode()
    # Either may look at the other; a view nobody knows falls back to their own.
    assert "<h1>The book</h1>" in client.get(reverse("home"), {"view": "book"}).content.decode()
    assert "<h1>The book</h1>" in client.get(reverse("home"), {"view": "<script>"}).content.decode()


def test_the_book_shows_arr_arr_at_risk_and_links_each_figure(as_alice, carol, dave) -> None:  # type: ignore[no-untyped-def]
    _customer(carol, "Acme", "12000", light="red")
    _customer(carol, "Bolt", "8000", light="green")
    _customer(dave, "Crane", "5000", renews_in=200, light="amber")  # outside 90 days
    renewal_actions.open_renewals(timezone.localdate())
    page = as_alice.get(reverse("home")).content.decode()
    assert "25,000 ARR" in page
    assert _figure(page, "arr-at-risk").startswith("ARR at risk 12,000 1 renewal")
    assert f'{reverse("renewals")}?days=90&amp;risk=1' in page
    # The team table: each person's accounts link to their part of the portfolio.
    assert f'{reverse("portfolio")}?owner={carol.pk}">2</a>' in page
    assert f'{reverse("portfolio")}?owner={dave.pk}">1</a>' in page
    assert f'{reverse("portfolio")}?light=red&amp;owner={carol.pk}' in page


def test_flagging_a_renewal_at_risk_moves_the_leaders_arr_at_risk(as_alice, as_carol, carol) -> None:  # type: ignore[no-untyped-def]
    _customer(carol, "Bolt", "8000", light="green")
    renewal_actions.open_renewals(timezone.localdate())
    renewal = Renewal.objects.get()
    assert _figure(as_alice.get(reverse("home")).content.decode(), "arr-at-risk").startswith("ARR at risk 0")
    form = {"work-owner": carol.pk, "work-stage": "in_progress", "work-flagged_at_risk": "on", "work-notes": ""}
    assert as_carol.post(reverse("renewal", args=[renewal.pk]), form).status_code == 302
    renewal.refresh_from_db()
    assert renewal.flagged_at_risk
    assert _figure(as_alice.get(reverse("home")).content.decode(), "arr-at-risk").startswith(
        "ARR at risk 8,000 1 renewal"
    )
    # The figure's link lists exactly that renewal.
    listed = as_alice.get(reverse("renewals"), {"days": 90, "risk": 1}).content.decode()
    assert "Bolt" in listed


def test_a_csm_sees_their_own_book_renewals_and_overdue_work(as_carol, carol, dave) -> None:  # type: ignore[no-untyped-def]
    mine = _customer(carol, "Acme", "12000", light="amber")
    _customer(dave, "Crane", "5000")
    renewal_actions.open_renewals(timezone.localdate())
    create_task(account=mine, title="Call the sponsor", assignee=carol, created_by=carol,
                due_date=timezone.localdate() - dt.timedelta(days=3))
    page = as_carol.get(reverse("home")).content.decode()
    assert "<h1>My book</h1>" in page
    assert "12,000 ARR" in page and "Crane" not in page
    assert "Call the sponsor" in page
    assert "1 task and 0 checklist activities past due." in page
    assert _figure(page, "arr-at-risk").startswith("ARR at risk 12,000")


def test_a_leader_reads_a_csms_overdue_work_without_their_buttons(as_alice, carol) -> None:  # type: ignore[no-untyped-def]
    account = _customer(carol, "Acme", "12000")
    create_task(account=account, title="Send the QBR deck", assignee=carol, created_by=carol,
                due_date=timezone.localdate() - dt.timedelta(days=1))
    page = as_alice.get(reverse("my_work"), {"user": carol.pk}).content.decode()
    assert f"Work of {carol}" in page and "Send the QBR deck" in page
    assert "Mark done" not in page
    # A person who does not exist, or nonsense, shows one's own work.
    for wanted in ("999999", "abc", "9" * 40):
        assert "<h1>My work</h1>" in as_alice.get(reverse("my_work"), {"user": wanted}).content.decode()


def test_time_in_each_phase_counts_finished_stays_and_running_ones(engagement, carol) -> None:  # type: ignore[no-untyped-def]
    phases = list(Phase.objects.filter(version=engagement.playbook_version).order_by("position"))
    PhaseMove.objects.filter(engagement=engagement).delete()
    start = timezone.now() - dt.timedelta(days=30)
    PhaseMove.objects.create(engagement=engagement, to_phase=phases[0], moved_at=start)
    PhaseMove.objects.create(engagement=engagement, from_phase=phases[0], to_phase=phases[1],
                             moved_at=start + dt.timedelta(days=10))
    engagement.current_phase = phases[1]
    engagement.save()
    rows = {row.key: row for row in queries.phases(start + dt.timedelta(days=30))}
    first, second = rows[phases[0].key], rows[phases[1].key]
    assert (first.finished, round(first.days_spent or 0, 3), first.running) == (1, 10.0, 0)
    assert (second.running, round(second.days_so_far or 0, 3), second.finished) == (1, 20.0, 0)


def _scores(day: dt.date, lights: list[str]) -> None:
    ids = np.arange(1, len(lights) + 1, dtype=np.int64)
    table = pa.table({
        "account_id": pa.array(ids), "scorecard_id": pa.array([None] * len(ids), pa.int64()),
        "snapshot_id": pa.array([None] * len(ids), pa.int64()),
        "score": pa.array([None if not light else 50.0 for light in lights], pa.float64()),
        "light": pa.array(lights), "explanation": pa.array(["{}"] * len(ids)),
    }, schema=history.SCHEMA)
    history.record(day, table, None)


def test_the_health_mix_takes_each_weeks_last_scoring_date(settings) -> None:  # type: ignore[no-untyped-def]
    today = dt.date(2026, 12, 7)  # a Monday
    _scores(today - dt.timedelta(days=10), ["red", "red", "green"])  # Friday, two weeks ago
    _scores(today - dt.timedelta(days=4), ["red", "green", "green"])  # Thursday, last week
    _scores(today - dt.timedelta(days=3), ["amber", "green", ""])  # Friday, last week: kept
    weeks = queries.health_mix(today)
    assert [(w.day, w.mix) for w in weeks] == [
        (today - dt.timedelta(days=10), queries.Mix(green=1, red=2)),
        (today - dt.timedelta(days=3), queries.Mix(green=1, amber=1, none=1)),
    ]
    # Read again, the counts come from the cache: no file is scanned.
    with CaptureQueriesContext(connection) as queries_run:
        again = queries.health_mix(today)
    assert again == weeks and len(queries_run) == 1


def _count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    cache.clear()  # the book's snapshot is taken afresh each time
    with CaptureQueriesContext(connection) as run:
        assert client.get(url).status_code == 200
    return len(run)


@pytest.mark.parametrize("view", ["book", "mine"])
def test_the_home_pages_read_a_constant_number_of_queries(client, carol, dave, engagement, view) -> None:  # type: ignore[no-untyped-def]
    client.force_login(carol)
    url = f"{reverse('home')}?view={view}"
    for i in range(3):
        _customer(carol if i % 2 else dave, f"First {i}", "1000", light="red")
    renewal_actions.open_renewals(timezone.localdate())
    before = _count_queries(client, url)
    for i in range(12):
        account = _customer(carol if i % 2 else dave, f"Second {i}", "1000", light="amber")
        create_task(account=account, title=f"Task {i}", assignee=carol if i % 2 else dave, created_by=carol,
                    due_date=timezone.localdate() - dt.timedelta(days=2))
    renewal_actions.open_renewals(timezone.localdate())
    assert _count_queries(client, url) == before


@pytest.mark.parametrize("renews_in", [-5, 20])
def test_a_renewed_customer_counts_once_in_the_book(as_alice, carol, renews_in) -> None:  # type: ignore[no-untyped-def]
    """The term a renewal replaced stops counting at its end; its successor counts from its
    start: an expansion recorded late (after the end) or early (before it) never counts twice."""
    account = _customer(carol, "Acme", "10000", renews_in=renews_in)
    renewal_actions.open_renewals(timezone.localdate())
    renewal_actions.record_outcome(
        Renewal.objects.get(), renewal_actions.Outcome(stage="expanded", final_amount=Decimal("15000")),
        by=carol,
    )
    expected = "15,000" if renews_in < 0 else "10,000"
    assert queries.book(timezone.localdate()).arr == Decimal(expected.replace(",", ""))
    portfolio = as_alice.get(reverse("portfolio")).content.decode()
    assert account.name in portfolio and expected in portfolio


def test_the_books_snapshot_is_read_again_only_when_it_is_old(as_alice, carol) -> None:  # type: ignore[no-untyped-def]
    """Accounts and ARR come from a snapshot taken at most every few minutes; what people
    act on, ARR at risk, is live."""
    _customer(carol, "Acme", "12000")
    renewal_actions.open_renewals(timezone.localdate())
    first = as_alice.get(reverse("home")).content.decode()
    assert "12,000 ARR" in first and "Renewals, ARR at risk and overdue work are live." in first
    _customer(carol, "Bolt", "8000", light="red")
    renewal_actions.open_renewals(timezone.localdate())
    with CaptureQueriesContext(connection) as cached:
        second = as_alice.get(reverse("home")).content.decode()
    assert "12,000 ARR" in second  # the snapshot
    assert _figure(second, "arr-at-risk").startswith("ARR at risk 8,000")  # live
    taken = queries.snapshot(timezone.localdate(), fresh=True)
    assert taken.holdings.arr == Decimal("20000")
    assert "20,000 ARR" in as_alice.get(reverse("home")).content.decode()
    cache.clear()
    with CaptureQueriesContext(connection) as afresh:
        as_alice.get(reverse("home"))
    assert len(afresh) == len(cached) + 7
