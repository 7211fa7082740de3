"""Health and usage in Chromium: a leader tunes a scorecard with its live preview, a CSM rates
an indicator and reads why the score moved, and the portfolio sorts by health."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from django.utils import timezone
from playwright.sync_api import Page, expect

from cairn.customers.models import Account
from cairn.health.actions import recompute_scores
from cairn.health.tests.helpers import metric, scorecard, set_value
from cairn.usage import actions as usage
from conftest import PASSWORD
from tests.browser.test_login import log_in


def _events(external_id: str, days: list[int]) -> None:
    """Logins through the same path the ingest API takes."""
    today = timezone.localdate()
    stamps = [(today - dt.timedelta(days=d)).isoformat() + "T09:30:00Z" for d in days]
    n = len(stamps)
    table = pa.table({
        "account_external_id": pa.array([external_id] * n, pa.string()),
        "user_id": pa.array([f"user-{i % 3}" for i in range(n)], pa.string()),
        "event_type": pa.array(["login"] * n, pa.string()),
        "timestamp": pa.array(stamps, pa.string()),
        "value": pa.array([None] * n, pa.string()),
        "properties": pa.array([None] * n, pa.string()),
        "event_id": pa.array([None] * n, pa.string()),
        "line": pa.array(range(n), pa.int64()),
    })
    usage.ingest_api_batch(table, key="", user=None)


def test_a_leader_tunes_the_scorecard_and_a_csm_sees_why_the_score_fell(
    page: Page, alice: Any, carol: Any, acme: Any
) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    acme.external_id = "acme-1"
    acme.save()
    globex = Account.objects.create(name="Globex Shipping", owner=carol, external_id="globex-1")
    scorecard()
    seats = metric()
    today = timezone.localdate()
    # A month ago both accounts used their seats well; today Acme uses a fifth of them.
    usage = ((acme, 0.75, 0.2), (globex, 0.6, 0.7))
    for account, before, _ in usage:
        set_value(account, seats, before, today - dt.timedelta(days=30))
    recompute_scores(today - dt.timedelta(days=30))
    for account, _, now in usage:
        set_value(account, seats, now, today)
    _events("acme-1", [1, 2, 3])

    # The leader recomputes, then raises the bar in the editor: the preview follows each
    # change before anything is saved.
    log_in(page, "alice", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Health").click()
    page.get_by_role("button", name="Recompute now").click()
    expect(page.locator(".messages")).to_contain_text("Scored 2 accounts")
    page.get_by_role("link", name="Default").first.click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Globex Shipping")
    globex_row = preview.locator("tr", has_text="Globex Shipping")
    expect(globex_row.locator("td").nth(2)).to_contain_text("83")
    page.get_by_label("Good value (100 points)").first.fill("0.7")
    page.get_by_label("Good value (100 points)").first.press("Tab")
    expect(globex_row.locator("td").nth(2)).to_contain_text("100")
    page.get_by_role("button", name="Save scorecard").click()
    expect(page.locator(".messages")).to_contain_text("Default")
    page.get_by_role("button", name="Recompute now").click()
    expect(page.locator(".messages")).to_contain_text("Scored 2 accounts")
    page.get_by_role("button", name="Log out").click()

    # The CSM rates sponsorship red; the account's page says what pulled the score down.
    log_in(page, "carol", PASSWORD)
    page.goto(f"/health/accounts/{acme.pk}/")
    page.get_by_label("Indicator").select_option(label="Sponsorship")
    page.get_by_label("Rating").select_option(label="Red")
    page.get_by_label("Comment").fill("Our sponsor left; nobody has taken over")
    page.get_by_label("Expires on").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator("main")).to_contain_text("Our sponsor left; nobody has taken over")
    pulled = page.locator("ol").first
    expect(pulled).to_contain_text("Seat utilization")
    expect(pulled).to_contain_text("Sponsorship")
    expect(page.locator("svg.health-chart circle")).to_have_count(2)
    expect(page.locator("table").first).to_contain_text("Seat utilization")

    # The portfolio, worst health first: Acme above Globex.
    page.goto("/accounts/")
    page.get_by_label("Sort").select_option(label="Health, lowest first")
    rows = page.locator("#portfolio-rows tbody tr")
    expect(rows.first).to_contain_text("Acme")
    expect(rows.nth(1)).to_contain_text("Globex Shipping")

    # Recent usage events, filtered to the account.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Usage").click()
    page.get_by_label("Account external id").fill("acme-1")
    page.get_by_label("Account external id").press("Enter")
    expect(page.locator("main tbody tr")).to_have_count(3)
    assert refused == []
