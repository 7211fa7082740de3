"""Phases 3 to 5 in Chromium, on a customer of the demo data set.

Tomás Lindqvist, a demo CSM, takes Kestrel Freight from commitment into onboarding and on
through adoption: the plan with two milestones, booked time, two impacted groups with KSA
gaps, and a KPI with its baseline and three readings. Each is seen where the CSM would look
for it: the Gantt chart and the KPI chart drawn, the progress and the KPI status changing as
work is recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Page, expect

TODAY = dt.date.today()


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def _move(page: Page, phase: str, reason: str) -> None:
    """Change phase from the engagement page, overriding the gate with a reason."""
    page.get_by_role("link", name="Change phase").click()
    page.get_by_label("Move to").select_option(label=phase)
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("alert")).to_contain_text("Missing required outputs")
    page.get_by_label("Move on although required outputs are missing").check()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".phase-step.current")).to_contain_text(phase)


def test_a_csm_plans_onboarding_books_time_and_measures_adoption(
    logged_in_page: Any, demo: dict[str, Any]
) -> None:
    from cairn.engagements.models import Engagement

    engagement = Engagement.objects.get(account__name="Kestrel Freight")
    refused: list[str] = []
    page: Page = logged_in_page(demo["tomas"])
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    # Kestrel signed on paper at the depot; the scan follows, so the gate needs a reason.
    page.get_by_role("link", name="Kestrel Freight").first.click()
    page.get_by_role("link", name=engagement.initiative).first.click()
    expect(page.locator(".phase-step.current")).to_contain_text("Commitment")
    _move(page, "Onboarding", "Liam signed the proposal on paper at the depot; the scan follows.")

    # The current phase is open on the engagement page, with its tools: the onboarding plan,
    # started with its agreed terms.
    page.get_by_role("link", name="Onboarding plan").click()
    page.get_by_role("link", name="Start the plan").click()
    page.get_by_label("Scope").fill("Set-up, a pilot at the Brisbane depot, then the hand-over to adoption.")
    page.get_by_label("Start date").fill(_day(-10))
    page.get_by_label("Deadline").fill(_day(50))
    page.get_by_label("Service fees").fill("9800")
    page.get_by_label("Currency").fill("aud")
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator(".messages")).to_contain_text("Onboarding plan saved.")

    # A phase, an activity owned by the customer's COO, and two milestones.
    page.get_by_role("link", name="Add phase", exact=True).first.click()
    page.get_by_label("Name").fill("Set-up and pilot")
    page.get_by_label("Start date").fill(_day(-10))
    page.get_by_label("End date").fill(_day(30))
    page.get_by_role("button", name="Save phase").click()
    page.get_by_role("link", name="Add activity").click()
    page.get_by_label("Name").fill("Connect the depot feeds")
    page.get_by_label("Responsible").select_option(label="Aiko Sato")
    page.get_by_role("button", name="Save activity").click()
    for name, offset in (("Depot feeds live", 5), ("Pilot in weekly use", 30)):
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
    page.get_by_label("Status of Connect the depot feeds").select_option("done")
    expect(page.locator("#plan-progress")).to_contain_text("1 of 1 activities done (100 %)")
    expect(chart.locator("g.gantt-row.activity.done")).to_have_count(1)

    # Time booked on that activity, seen in the entries and the totals.
    page.get_by_role("navigation", name="Onboarding tools").get_by_role("link", name="Time").click()
    page.get_by_label("Hours").fill("2.5")
    page.get_by_label("Activity").select_option(label="Set-up and pilot: Connect the depot feeds")
    page.get_by_label("Note").fill("Feed mapping with the planners")
    page.get_by_role("button", name="Book time").click()
    expect(page.locator(".messages")).to_contain_text("2.5 h booked")
    expect(page.locator("table.time-entries")).to_contain_text("Connect the depot feeds")
    expect(page.locator(".time-totals")).to_contain_text("Tomás Lindqvist")
    expect(page.locator(".time-totals")).to_contain_text("2.5 h")

    # Onboarding done, on to adoption planning: two impacted groups with their KSA gaps.
    page.goto(engagement.get_absolute_url())
    _move(page, "Adoption planning", "Sign-off meeting booked for next week; planning starts now.")
    page.get_by_role("navigation", name="Tools for Adoption planning").get_by_role(
        "link", name="Impact"
    ).click()
    for name, knowledge, skills, attitude in (
        ("Network planners", "High", "Medium", "Low"), ("Depot supervisors", "Medium", "Low", "High"),
    ):
        page.locator("#add-impacted-group").click()
        page.locator("#id_name").fill(name)
        page.get_by_label("Knowledge gap").select_option(label=knowledge)
        page.get_by_label("Skills gap").select_option(label=skills)
        page.get_by_label("Attitude gap").select_option(label=attitude)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("main")).to_contain_text(name)
    expect(page.locator("main")).to_contain_text("Network planners")
    expect(page.locator("main")).to_contain_text("Depot supervisors")

    # In adoption implementation, a KPI with its baseline: not started until the first reading.
    page.goto(engagement.get_absolute_url())
    _move(page, "Adoption implementation", "The outline was approved in the steering meeting.")
    page.get_by_role("navigation", name="Tools for Adoption implementation").get_by_role(
        "link", name="Measurements"
    ).click()
    page.locator("#add-kpi").click()
    page.locator("#id_name").fill("Planners using the morning plan")
    page.get_by_label("Unit").fill("%")
    page.locator("#id_baseline_value").fill("10")
    page.get_by_label("Baseline date").fill(_day(-60))
    page.locator("#id_target_value").fill("70")
    page.get_by_label("Target date").fill(_day(60))
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Planners using the morning plan").first.click()
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
