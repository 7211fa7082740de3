"""Phases 1 and 2 in Chromium, on a customer of the demo data set.

Lena Brandt, a demo CSM, takes Orchard Lane Retail (in preparation since last week) through
preparation into commitment: she fills the dossier, builds the strategy chain and generates
the engagement strategy into the repository, moves on to commitment, places three of the
customer's people on the stakeholder matrix, generates the proposal and sends it. The
founder accepts it in a browser that has never signed in, and the timeline shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect


def test_a_csm_prepares_commits_and_the_customer_accepts_the_proposal(
    logged_in_page: Callable[[Any], Page], browser: Browser, live_server: Any,
    demo: dict[str, Any],
) -> None:
    from cairn.engagements.models import Engagement

    engagement = Engagement.objects.get(account__name="Orchard Lane Retail")
    refused: list[str] = []
    page = logged_in_page(demo["lena"])
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    # From the portfolio to the engagement, in preparation, and its dossier.
    page.get_by_role("link", name="Orchard Lane Retail").first.click()
    page.get_by_role("link", name=engagement.initiative).first.click()
    expect(page.locator(".phase-step.current")).to_contain_text("Preparation")
    base = f"/engagements/{engagement.pk}"

    # Phase 1: an assumed fact in the dossier becomes a question for the customer.
    page.goto(f"{base}/preparation/dossier/")
    page.get_by_label("Area").select_option(label="Customer business: who are they?")
    page.get_by_label("Source").select_option(label="Our company")
    page.get_by_label("Fact").fill("Stock is counted by hand in both warehouses every Sunday.")
    page.get_by_label("Confidence").select_option(label="Assumed")
    page.get_by_role("button", name="Add fact").click()
    # The demo's dossier has facts of its own: find this one by its text.
    fact = page.locator(".checklist li", has_text="Stock is counted by hand in both warehouses")
    expect(fact).to_be_visible()
    fact.get_by_role("link", name="Ask the customer").click()
    page.get_by_label("Question").fill("Who counts the stock on Sundays, and how long does it take?")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Who counts the stock on Sundays")

    # The strategy chain: a vision, a goal under it and a strategy serving the goal.
    chain = [
        ("Vision", "The neighbourhood shop that never runs out", {}),
        ("Goal", "Out-of-stock orders under 2 % by next season",
         {"Parent": "Vision: The neighbourhood shop that never runs out"}),
        ("Strategy", "Reorder from sales data, not from Sunday counts",
         {"Serves": "Goal: Out-of-stock orders under 2 % by next season"}),
    ]
    for kind, title, links in chain:
        page.goto(f"{base}/preparation/strategy/")
        page.get_by_role("link", name="Add an element").click()
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Title").fill(title)
        for label, option in links.items():
            page.get_by_label(label).select_option(label=option)
        page.get_by_role("button", name="Save").click()
        expect(page.locator("main")).to_contain_text(title)
    expect(page.locator(".ladder").first).to_contain_text("Out-of-stock orders under 2 % by next season")

    # The engagement strategy, generated into the repository and delivered as the output.
    page.get_by_role("navigation", name="Preparation tools").get_by_role(
        "link", name="Strategy document"
    ).click()
    page.get_by_role("button", name="Generate into the repository").click()
    expect(page.locator("main")).to_contain_text("(version 1)")
    page.goto(base + "/")
    page.get_by_label("Document for Engagement strategy and roadmap").select_option(
        label=f"Engagement strategy and roadmap: {engagement.initiative}"
    )
    expect(page.locator(".messages")).to_contain_text("Output updated.")
    page.get_by_label("Engagement strategy and roadmap", exact=True).check()
    expect(page.locator(".outputs li.done")).to_contain_text("Engagement strategy and roadmap")

    # On to commitment; the handover notes are still missing, so the gate needs a reason.
    page.get_by_role("link", name="Change phase").click()
    page.get_by_label("Move to").select_option(label="Commitment")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("alert")).to_contain_text("Engagement documentation")
    page.get_by_label("Move on although required outputs are missing").check()
    page.get_by_label("Reason").fill("Harriet wants to meet this week; the handover is on Friday.")
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".phase-step.current")).to_contain_text("Commitment")

    # Phase 2: three of the customer's people placed on the power and interest matrix.
    for name, power, interest in [("Harriet Lowe", "9", "8"), ("Tom Fielding", "4", "9"),
                                  ("Zara Ali", "7", "3")]:
        page.goto(f"{base}/stakeholders/new/")
        page.locator("#id_contact").select_option(label=name)
        page.get_by_label("Power").fill(power)
        page.get_by_label("Interest").fill(interest)
        page.get_by_role("button", name="Save stakeholder").click()
        expect(page.locator("main")).to_contain_text(name)
    matrix = page.locator("svg").first
    for name in ("Harriet Lowe", "Tom Fielding", "Zara Ali"):
        expect(matrix).to_contain_text(name.split()[0])

    # The proposal, generated from all of it, then sent to the founder.
    page.goto(f"{base}/proposal/")
    page.get_by_role("button", name="Generate the proposal").click()
    text = page.locator(".proposal-text")
    expect(text).to_contain_text("Best sellers run out")
    expect(text).to_contain_text("Harriet Lowe")
    expect(page.locator(".proposal-status")).to_have_text("Draft")
    page.get_by_label("Send to").select_option(label="Harriet Lowe")
    page.get_by_role("button", name="Create the link").click()
    url = page.locator("#shared-url").input_value()
    assert "/shared/" in url

    # The customer opens it in a fresh browser, without an account, and accepts.
    customer = browser.new_context(base_url=live_server.url)
    try:
        outside = customer.new_page()
        outside.goto(urlsplit(url).path)
        expect(outside.get_by_role("heading", level=1).first).to_have_text("Customer engagement proposal")
        expect(outside.locator(".topbar")).to_have_count(0)
        expect(outside.locator("main")).to_contain_text("Orchard Lane Retail")
        outside.get_by_label("Your full name").fill("Harriet Lowe")
        outside.get_by_role("button", name="Accept the proposal").click()
        expect(outside.locator("main")).to_contain_text("Thank you, Harriet Lowe")
        outside.goto(urlsplit(url).path)
        expect(outside.locator("main")).to_contain_text("This link has already been used")
    finally:
        customer.close()

    # Back at Cairn: the version is accepted, and the timeline says so.
    page.goto(f"{base}/proposal/")
    expect(page.locator(".proposal-status")).to_have_text("Accepted")
    expect(page.locator(".proposal-versions")).to_contain_text("Accepted by “Harriet Lowe”")
    page.goto(base + "/")
    expect(page.locator("#timeline")).to_contain_text(
        "Harriet Lowe accepted the customer engagement proposal"
    )
    assert refused == []
