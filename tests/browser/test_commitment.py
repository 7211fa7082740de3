"""Phase 2 in Chromium: place a stakeholder and fill a RACI cell, each without a page load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect


def test_a_csm_places_a_stakeholder_and_fills_the_raci_with_htmx(
    logged_in_page: Callable[[Any], Page], carol: Any, engagement: Any
) -> None:
    from cairn.customers.models import Contact

    Contact.objects.create(account=engagement.account, first_name="Olga", last_name="Berg")
    page = logged_in_page(carol)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"/engagements/{engagement.pk}/stakeholders/")
    page.get_by_role("link", name="Add a stakeholder").first.click()
    page.locator("#id_contact").select_option(label="Olga Berg")
    page.locator("#id_power").fill("3")
    page.locator("#id_interest").fill("3")
    page.get_by_role("button", name="Save stakeholder").click()
    expect(page.locator("#stakeholder-list")).to_contain_text("Monitor")

    # Moving her is one htmx request: the matrix is redrawn in place.
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Power of Olga Berg").fill("9")
    page.get_by_label("Interest of Olga Berg").fill("8")
    page.get_by_label("Attitude of Olga Berg").select_option("champion")
    page.get_by_role("button", name="Place").click()
    expect(page.locator("#stakeholder-list")).to_contain_text("Manage closely")
    expect(page.locator("svg.stakeholder-matrix .dot title")).to_contain_text("power 9, interest 8")
    assert page.evaluate("window.notReloaded") is True

    # A RACI row: choosing a letter saves the cell and refreshes the row's warnings.
    page.get_by_role("link", name="RACI").first.click()
    page.get_by_placeholder("e.g. Sign off the onboarding plan").fill("Approve the rollout plan")
    page.get_by_role("button", name="Add activity").click()
    row = page.locator("tr", has_text="Approve the rollout plan")
    expect(row).to_contain_text("No one is accountable.")
    # Adding the activity loaded a new page: its scripts (htmx) must have run before a
    # choice is made, or the choice falls back to an ordinary form post and a reload.
    page.wait_for_load_state("load")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Olga Berg for Approve the rollout plan").select_option("A")
    expect(row).not_to_contain_text("No one is accountable.")
    expect(row).to_contain_text("No one is responsible.")
    page.get_by_label("Carol Owner for Approve the rollout plan").select_option("R")
    expect(page.locator("#raci-summary")).to_contain_text("Every activity has one Accountable")
    assert page.evaluate("window.notReloaded") is True
    assert refused == []
