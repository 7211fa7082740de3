"""A CSM's first day with a new customer, end to end in Chromium."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from tests.browser.test_login import log_in


def test_a_csm_runs_a_new_engagement_from_account_to_timeline(page: Page, carol: Any) -> None:
    # Every script and style Cairn needs is its own: the page's security policy refuses
    # nothing along the way.
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, "carol", PASSWORD)

    # An account, created through the form.
    page.get_by_role("link", name="New account").first.click()
    page.get_by_label("Name").fill("Initech Energy")
    page.get_by_label("Industry").fill("Utilities")
    page.get_by_role("button", name="Save account").click()
    expect(page.get_by_role("heading", level=1, name="Initech Energy")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Account Initech Energy created.")

    # An engagement on it, following the default playbook.
    page.get_by_role("link", name="Start engagement").click()
    page.get_by_label("Initiative").fill("Grid monitoring roll-out")
    page.get_by_label("Challenge").fill("Outages are found by customers first")
    page.get_by_role("button", name="Start engagement").click()
    expect(page.get_by_role("heading", level=1, name="Grid monitoring roll-out")).to_be_visible()
    expect(page.locator(".phase-step.current")).to_contain_text("Preparation")

    # Two checklist activities ticked with htmx, without a page load.
    for name in ("Research the CRM and sales records", "Research the customer on the internet"):
        page.get_by_role("button", name=f"Mark done: {name}").click()
        expect(page.get_by_role("button", name=f"Reopen: {name}")).to_be_visible()
    expect(page.locator(".phase-step.current")).to_contain_text("2/10 activities")

    # A written document in the repository.
    page.get_by_role("link", name="Write").click()
    page.get_by_label("Title").fill("Handover from sales")
    page.get_by_label("Text").fill("# Handover\n\nThe sponsor is the **COO**; substations first.")
    expect(page.locator("#preview strong")).to_have_text("COO")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name="Handover from sales")).to_be_visible()

    # Found by search across the repository.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Repository").click()
    page.get_by_placeholder("Words in titles, file names, texts").fill("substations sponsor")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("Handover from sales")

    # The gate: commitment needs the preparation outputs, so an override with a reason.
    page.get_by_role("link", name="Handover from sales").first.click()
    page.get_by_role("link", name="Grid monitoring roll-out").first.click()
    page.get_by_role("link", name="Change phase").click()
    page.get_by_label("Move to").select_option(label="Commitment")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("alert")).to_contain_text("Missing required outputs")
    page.get_by_label("Move on although required outputs are missing").check()
    page.get_by_label("Reason").fill("Sponsor asked to meet this week")
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".messages")).to_contain_text("Moved to Commitment.")
    expect(page.locator(".phase-step.current")).to_contain_text("Commitment")

    # The move is on the engagement's timeline, with the override and the reason.
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Moved to Commitment from Preparation (gate overridden)")
    expect(timeline).to_contain_text("Sponsor asked to meet this week")
    expect(timeline).to_contain_text("Handover from sales")
    assert refused == []
