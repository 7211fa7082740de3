"""Value realization and the leader's book in Chromium, on the demo (issue 14): a CSM flags a
renewal at risk and the leader's ARR at risk grows by its ARR; a KPI reading moves a value item and
the customer confirms the value statement through a link, in a browser of their own."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from cairn.renewals.models import OPEN_STAGES, Renewal
from cairn.renewals.queries import at_risk


def _money(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text) or 0)


def test_a_renewal_flagged_at_risk_moves_the_leaders_arr_at_risk(
    logged_in_page: Any, demo: dict[str, Any]
) -> None:
    today = timezone.localdate()
    # An open renewal inside 90 days that nothing counts at risk yet.
    candidates = [
        r for r in Renewal.objects.filter(stage__in=OPEN_STAGES).select_related("account", "account__health")
        if (r.renewal_date - today).days <= 90 and not at_risk(r)
    ]
    assert candidates, "The demo has no open renewal inside 90 days that is not at risk."
    renewal = candidates[0]

    page = logged_in_page(demo["demo"])
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="The book")).to_be_visible()
    figure = page.locator('[data-figure="arr-at-risk"] strong')
    before = _money(figure.inner_text())

    # The renewal's owner's view: tick "At risk" and save.
    page.goto(renewal.get_absolute_url())
    page.get_by_label("At risk").check()
    page.get_by_role("button", name="Save").first.click()
    expect(page.locator(".messages")).to_contain_text("Renewal saved.")
    expect(page.locator("main")).to_contain_text("flagged by its owner")

    # Home again: the ARR at risk grew by the renewal's ARR, and its link lists it.
    page.goto("/")
    assert _money(figure.inner_text()) == before + int(renewal.arr)
    page.locator('[data-figure="arr-at-risk"]').click()
    expect(page.locator("table")).to_contain_text(renewal.account.name)
    expect(page.get_by_label("Only at risk")).to_be_checked()


def test_a_kpi_reading_moves_a_value_item_and_the_customer_confirms_it(
    logged_in_page: Any, demo: dict[str, Any], browser: Any, live_server: Any
) -> None:
    from urllib.parse import urlsplit

    from django.urls import reverse

    from cairn.value.models import ValueItem

    item = ValueItem.objects.select_related("engagement__account").get(
        statement="Bunkering planned from forecast consumption saves 2 % of bunker spend"
    )
    engagement = item.engagement
    kpi = item.kpis.get()
    contact = engagement.account.contacts.order_by("pk").first()
    plan = reverse("value_plan", args=[engagement.pk])
    card = f"#item-{item.pk}"

    page = logged_in_page(demo["demo"])
    page.goto(plan)
    expect(page.locator(card)).to_contain_text("Disputed")
    before = page.locator(f"{card} dd .num").first.inner_text()
    assert before != "100 %"

    # A reading that meets the target: the item is achieved.
    page.goto(reverse("adoption_reading_new", args=[engagement.pk, kpi.pk]))
    page.get_by_label("Reading date").fill(timezone.localdate().isoformat())
    page.locator("#id_value").fill(str(kpi.target_value))
    page.get_by_role("button", name="Save reading").click()
    expect(page.locator(".messages")).to_contain_text("Reading saved.")
    page.goto(plan)
    expect(page.locator(f"{card} dd .num").first).to_have_text("100 %")

    # Sent to a customer contact, who confirms it in a fresh browser with no account.
    page.locator(card).get_by_role("link", name="Send for confirmation").click()
    page.get_by_label("Send to").select_option(label=str(contact))
    page.get_by_role("button", name="Make the link").click()
    url = page.locator("#shared-url").input_value()
    customer = browser.new_context(base_url=live_server.url)
    try:
        outside = customer.new_page()
        outside.goto(urlsplit(url).path)
        expect(outside.locator("main")).to_contain_text(item.statement)
        outside.get_by_label("Your full name").fill(str(contact))
        outside.get_by_role("button", name="Confirm").click()
        expect(outside.locator("main")).to_contain_text("Thank you")
    finally:
        customer.close()

    page.goto(plan)
    expect(page.locator(card)).to_contain_text("Confirmed")
    expect(page.locator(card)).not_to_contain_text("Disputed")
    expect(page.locator(card)).to_contain_text(str(contact))


def test_a_business_review_is_prepared_edited_and_downloaded_as_deck_and_pdf(
    logged_in_page: Any, demo: dict[str, Any]
) -> None:
    import io
    from pathlib import Path

    from pptx import Presentation

    from cairn.reviews.models import Kind, Program
    from cairn.testing_pdf import assert_not_blank, first_page_image

    program = Program.objects.select_related("account").get(
        account__name="Halvorsen Maritime", kind=Kind.QBR
    )
    said = "We cut bunker spend on the North Sea run, and the masters now plan with us."

    page = logged_in_page(demo["demo"])
    page.goto(program.account.get_absolute_url())
    page.locator("main").get_by_role("link", name=re.compile("Quarterly business review")).first.click()
    page.get_by_role("link", name="Prepare the next review").click()
    page.get_by_role("button", name="Prepare the draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft prepared")
    # The draft is written from Halvorsen's figures: its promised value and its renewal.
    expect(page.locator("main")).to_contain_text("Fuel per nautical mile down 8 % within a year")
    expect(page.locator("main")).to_contain_text("Renew on")

    page.get_by_role("link", name="Edit the draft").click()
    page.get_by_label("Summary").fill(said)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft saved.")

    page.get_by_role("button", name="Build deck and PDF").click()
    expect(page.locator(".messages")).to_contain_text("The slide deck and the PDF were built")

    with page.expect_download() as deck_download:
        page.get_by_role("link", name="Slide deck (PPTX)").click()
    deck = Presentation(io.BytesIO(Path(deck_download.value.path()).read_bytes()))
    text = " ".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
    )
    assert said in text
    assert "Halvorsen Maritime" in text
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]  # PICTURE
    assert pictures, "The deck has no chart image."

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF", exact=True).click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert_not_blank(first_page_image(pdf))
