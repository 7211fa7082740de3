"""Preparing an engagement in Chromium: the dossier, the org chart edited in place, the
strategy document generated into the repository."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, expect

from cairn.customers.models import Contact


def test_a_csm_prepares_an_engagement(
    logged_in_page: Callable[[Any], Page], carol: Any, engagement: Any
) -> None:
    boss = Contact.objects.create(account=engagement.account, first_name="Greta", last_name="Boss",
                                  title="Chief Executive", department="Executive")
    ivo = Contact.objects.create(account=engagement.account, first_name="Ivo", last_name="Plant",
                           title="Plant Manager", department="Operations", reports_to=boss)
    page = logged_in_page(carol)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    # The engagement page lists the tools of the preparation phase.
    page.goto(engagement.get_absolute_url())
    page.get_by_role("link", name="Dossier").first.click()
    expect(page.get_by_role("heading", level=1, name="Dossier")).to_be_visible()

    page.get_by_label("Area").select_option("stakeholders")
    page.get_by_label("Fact").fill("Greta signs off every budget over 50k")
    page.get_by_role("button", name="Add fact").click()
    expect(page.locator("#area-stakeholders")).to_contain_text("Greta signs off every budget")
    page.get_by_role("link", name="Ask the customer").click()
    page.get_by_label("Question").fill("Does Greta sign off the energy budget too?")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#questions")).to_contain_text("Does Greta sign off")

    # The org chart: Greta cannot report to her own report; Ivo changes department.
    page.get_by_role("link", name="Organization").first.click()
    expect(page.locator("svg.org-svg")).to_contain_text("Ivo Plant")
    page.get_by_text("Change reporting lines and departments").click()
    row = page.locator(f"#place-{boss.pk}")
    row.get_by_label("reports to").select_option(label="Ivo Plant, Plant Manager")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#org-chart")).to_contain_text("reporting loop")
    row = page.locator(f"#place-{ivo.pk}")
    row.get_by_label("Department of Ivo Plant").fill("Production")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#org-chart .message.success")).to_contain_text("Ivo Plant placed")
    expect(page.locator("svg.org-svg")).to_contain_text("Production")

    # The strategy document, generated into the repository.
    page.goto(reverse("preparation_document", args=[engagement.pk]))
    page.get_by_role("button", name="Generate into the repository").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Engagement strategy and roadmap")
    expect(page.locator(".markdown")).to_contain_text("Greta signs off every budget over 50k")
    assert refused == []
