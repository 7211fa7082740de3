"""A CSM takes a customer through onboarding into adoption, in Chromium.

The plan with two milestones, booked time, two impacted groups with KSA gaps, and a KPI
with its baseline and three readings: each seen where the CSM would look for it, the Gantt
chart and the KPI chart drawn, the progress and the KPI status changing as work is recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Page, expect

TODAY = dt.date.today()


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def test_a_csm_plans_onboarding_books_time_and_measures_adoption(
    logged_in_page: Any, carol: Any, engagement: Any, acme: Any
) -> None:
    from cairn.customers.models import Contact

    Contact.objects.create(account=acme, first_name="Olga", last_name="Berg", title="COO")
    refused: list[str] = []
    page: Page = logged_in_page(carol)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    # From the engagement page to the onboarding plan, started with its agreed terms.
    page.goto(engagement.get_absolute_url())
    page.locator("#phase-onboarding summary").click()
    page.get_by_role("link", name="Onboarding plan").click()
    page.get_by_role("link", name="Start the plan").click()
    page.get_by_label("Scope").fill("Set-up, a pilot with the Lyon plant, then the hand-over to adoption.")
    page.get_by_label("Start date").fill(_day(-10))
    page.get_by_label("Deadline").fill(_day(50))
    page.get_by_label("Service fees").fill("9800")
    page.get_by_label("Currency").fill("eur")
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator(".messages")).to_contain_text("Onboarding plan saved.")

    # A phase, an activity owned by the customer's COO, and two milestones.
    page.get_by_role("link", name="Add phase", exact=True).first.click()
    page.get_by_label("Name").fill("Set-up and pilot")
    page.get_by_label("Start date").fill(_day(-10))
    page.get_by_label("End date").fill(_day(30))
    page.get_by_role("button", name="Save phase").click()
    page.get_by_role("link", name="Add activity").click()
    page.get_by_label("Name").fill("Connect the meters")
    page.get_by_label("Responsible").select_option(label="Olga Berg")
    page.get_by_role("button", name="Save activity").click()
    for name, offset in (("Meters connected", 5), ("Pilot in weekly use", 30)):
        page.get_by_role("link", name="Add milestone").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Due date").fill(_day(offset))
        page.get_by_role("button", name="Save milestone").click()
        expect(page.locator("#milestones")).to_contain_text(name)

    # The Gantt chart: a phase bar, an activity bar, two milestone diamonds, today's line.
    chart = page.locator("#gantt svg.gantt")
    expect(chart).to_be_visible()
    expect(chart.locator("polygon")).to_have_count(2)
    expect(chart.locator("g.gantt-row.activity rect")).to_have_count(1)
    expect(chart.locator("g.today")).to_have_count(1)
    expect(page.locator("#plan-progress")).to_contain_text("0 of 1 activities done (0 %)")

    # Done from the plan itself: the select saves on change, progress and chart follow.
    page.get_by_label("Status of Connect the meters").select_option("done")
    expect(page.locator("#plan-progress")).to_contain_text("1 of 1 activities done (100 %)")
    expect(chart.locator("g.gantt-row.activity.done")).to_have_count(1)

    # Time booked on that activity, seen in the entries and the totals.
    page.get_by_role("navigation", name="Onboarding tools").get_by_role("link", name="Time").click()
    page.get_by_label("Hours").fill("2.5")
    page.get_by_label("Activity").select_option(label="Set-up and pilot: Connect the meters")
    page.get_by_label("Note").fill("Meter mapping with the plant")
    page.get_by_role("button", name="Book time").click()
    expect(page.locator(".messages")).to_contain_text("2.5 h booked")
    expect(page.locator("table.time-entries")).to_contain_text("Connect the meters")
    expect(page.locator(".time-totals")).to_contain_text("Carol Owner")
    expect(page.locator(".time-totals")).to_contain_text("2.5 h")

    # Two impacted groups with their KSA gaps.
    page.goto(f"/engagements/{engagement.pk}/adoption/impact/")
    for name, knowledge, skills, attitude in (
        ("Line operators", "High", "Medium", "Low"), ("Shift supervisors", "Medium", "Low", "High"),
    ):
        page.locator("#add-impacted-group").click()
        page.locator("#id_name").fill(name)
        page.get_by_label("Knowledge gap").select_option(label=knowledge)
        page.get_by_label("Skills gap").select_option(label=skills)
        page.get_by_label("Attitude gap").select_option(label=attitude)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("main")).to_contain_text(name)
    expect(page.locator("main")).to_contain_text("Line operators")
    expect(page.locator("main")).to_contain_text("Shift supervisors")

    # A KPI with its baseline: not started until the first reading.
    page.goto(f"/engagements/{engagement.pk}/adoption/measurements/")
    page.locator("#add-kpi").click()
    page.locator("#id_name").fill("Operators using the daily dashboard")
    page.get_by_label("Unit").fill("%")
    page.locator("#id_baseline_value").fill("10")
    page.get_by_label("Baseline date").fill(_day(-60))
    page.locator("#id_target_value").fill("70")
    page.get_by_label("Target date").fill(_day(60))
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Operators using the daily dashboard").first.click()
    status = page.locator(".kpi-status").first
    expect(status).to_have_attribute("data-status", "not_started")

    # Three readings; the status follows them and the chart draws them.
    for offset, value in ((-40, "12"), (-20, "30"), (0, "45")):
        form = page.locator("#record-reading-form")
        form.get_by_label("Reading date").fill(_day(offset))
        form.get_by_label("Value").fill(value)
        page.locator("#record-reading").click()
        expect(page.locator("#readings")).to_contain_text(f"{value} %")
    expect(status).to_have_attribute("data-status", "on_track")
    expect(page.locator(".kpi .chart svg")).to_be_visible()

    assert not refused, refused
