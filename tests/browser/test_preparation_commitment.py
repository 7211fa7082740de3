"""Phases 1 and 2 in Chromium: a CSM prepares, commits, and the customer accepts the proposal
through a secure link in a browser that has never signed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect


def test_a_csm_prepares_commits_and_the_customer_accepts_the_proposal(
    logged_in_page: Callable[[Any], Page], browser: Browser, live_server: Any, carol: Any,
    engagement: Any, acme: Any,
) -> None:
    from cairn.customers.models import Contact

    for first, last, title in [("Maria", "Jensen", "Chief Operating Officer"),
                               ("Ole", "Berg", "Chief Financial Officer"),
                               ("Tove", "Lie", "Plant Manager")]:
        Contact.objects.create(account=acme, first_name=first, last_name=last, title=title,
                               email=f"{first.lower()}@acme.example")
    refused: list[str] = []
    page = logged_in_page(carol)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    base = f"/engagements/{engagement.pk}"

    # Phase 1: the dossier gets a fact, the strategy chain a vision, a goal and a strategy.
    page.goto(f"{base}/preparation/dossier/")
    page.get_by_label("Area").select_option(label="Customer business: who are they?")
    page.get_by_label("Source").select_option(label="The customer")
    page.get_by_label("Fact").fill("Three plants run their own energy contracts.")
    page.get_by_role("button", name="Add fact").click()
    expect(page.locator(".checklist")).to_contain_text("Three plants run their own energy contracts.")

    chain = [
        ("Vision", "The lowest-energy manufacturer in the Nordics", {}),
        ("Goal", "Energy cost down 20 % by 2027",
         {"Parent": "Vision: The lowest-energy manufacturer in the Nordics"}),
        ("Strategy", "Measure every line, then fix the worst first",
         {"Serves": "Goal: Energy cost down 20 % by 2027"}),
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
    expect(page.locator(".ladder").first).to_contain_text("Energy cost down 20 % by 2027")

    # Phase 2: three stakeholders placed on the power and interest matrix.
    for name, power, interest in [("Maria Jensen", "9", "8"), ("Ole Berg", "8", "3"),
                                  ("Tove Lie", "3", "9")]:
        page.goto(f"{base}/stakeholders/new/")
        page.locator("#id_contact").select_option(label=name)
        page.get_by_label("Power").fill(power)
        page.get_by_label("Interest").fill(interest)
        page.get_by_role("button", name="Save stakeholder").click()
        expect(page.locator("main")).to_contain_text(name)
    matrix = page.locator("svg").first
    for name in ("Maria Jensen", "Ole Berg", "Tove Lie"):
        expect(matrix).to_contain_text(name.split()[0])

    # The proposal, generated from all of it, then sent to the COO.
    page.goto(base + "/")
    page.goto(f"{base}/proposal/")
    page.get_by_role("button", name="Generate the proposal").click()
    text = page.locator(".proposal-text")
    expect(text).to_contain_text("Energy costs doubled")
    expect(text).to_contain_text("Maria Jensen")
    expect(page.locator(".proposal-status")).to_have_text("Draft")
    page.get_by_label("Send to").select_option(label="Maria Jensen")
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
        outside.get_by_label("Your full name").fill("Maria Jensen")
        outside.get_by_role("button", name="Accept the proposal").click()
        expect(outside.locator("main")).to_contain_text("Thank you, Maria Jensen")
        outside.goto(urlsplit(url).path)
        expect(outside.locator("main")).to_contain_text("This link has already been used")
    finally:
        customer.close()

    # Back at Cairn: the version is accepted, and the timeline says so.
    page.goto(f"{base}/proposal/")
    expect(page.locator(".proposal-status")).to_have_text("Accepted")
    expect(page.locator(".proposal-versions")).to_contain_text("Accepted by “Maria Jensen”")
    page.goto(base + "/")
    expect(page.locator("main")).to_contain_text(
        "Maria Jensen accepted the customer engagement proposal"
    )
    assert refused == []
