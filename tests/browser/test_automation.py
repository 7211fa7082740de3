"""Automation in Chromium: the demo's leader builds a rule without code, previews it on the
book's last 30 days, switches it on to act on what the preview listed, recomputes health, and
finds exactly the tasks the preview promised."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from cairn.automation.models import Rule
from cairn.customers.models import Account, Segment
from cairn.people.models import User
from cairn.timeline.models import Task

RECOMPUTE_MS = 120_000  # scoring the whole demo book, then evaluating the rules
# While htmx swaps a part in, its new controls do not listen yet: a person is never that fast.
SETTLED = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


def _choose(page: Page, selector: str, label: str) -> None:
    """Choose an option of a select that brings its part of the form again (htmx)."""
    page.wait_for_function(SETTLED)
    page.locator(selector).select_option(label=label)
    page.wait_for_function(SETTLED)


def _segment_that_turned_red() -> tuple[str, str]:
    """The segment with the most red turns of owned accounts in the demo's last 30 days (value,
    label). The self-serve pool has no owner: a task there goes to the rule's owner instead."""
    from cairn.automation import triggers
    from cairn.automation.definition import Trigger, TriggerKind

    today = timezone.localdate()
    hits = triggers.find(Trigger(kind=TriggerKind.LIGHT_CHANGED, light="red"), today - dt.timedelta(days=30), today)
    segments = dict(
        Account.objects.filter(pk__in={h.account_id for h in hits}, owner__isnull=False)
        .values_list("pk", "segment")
    )
    counted = Counter(segments[h.account_id] for h in hits if segments.get(h.account_id))
    assert counted, "The demo's score history has no account turning red in the last 30 days."
    value = counted.most_common(1)[0][0]
    return value, str(Segment(value).label)


def test_a_leader_builds_previews_and_switches_on_a_rule_which_then_does_what_the_preview_listed(
    logged_in_page: Any,
) -> None:
    from cairn.operations import demo_data
    from cairn.operations.demo_content import DEMO_USERNAME

    assert demo_data.load()
    segment, label = _segment_that_turned_red()
    name = f"Red {label} accounts"
    page: Page = logged_in_page(User.objects.get(username=DEMO_USERNAME))
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    # The builder: each choice brings its own settings (htmx), nothing is typed as code.
    page.goto("/automation/")
    page.get_by_role("link", name="New rule").click()
    page.locator("#id_name").fill(name)
    page.locator("#id_description").fill("A red account in this segment gets a call within two days.")
    _choose(page, "#id_trigger-kind", label="Health score falls")
    expect(page.locator("#id_trigger-points")).to_be_visible()
    _choose(page, "#id_trigger-kind", label="Health light changes")
    expect(page.locator("#id_trigger-points")).to_have_count(0)
    page.get_by_label("Turns").select_option(label="Red")
    _choose(page, "#id_conditions-0-field", label="Segment")
    page.locator("#id_conditions-0-values").select_option(label=label)
    _choose(page, "#id_actions-0-kind", label="Create a task")
    page.locator("#id_actions-0-title").fill("Call {{ account }}")
    page.locator("#id_actions-0-due_days").fill("2")
    page.get_by_role("button", name="Add an action").click()
    _choose(page, "#id_actions-1-kind", label="Send an e-mail")
    page.locator("#id_actions-1-to").select_option(label="Every CS leader")
    page.locator("#id_actions-1-template").select_option(value="rule_email")
    page.get_by_role("button", name="Save the rule").first.click()
    expect(page.locator(".messages")).to_contain_text(f"Rule “{name}” saved (version 1)")
    expect(page.locator("main")).to_contain_text(
        f"When the health light turns red, for accounts in segment {label}: create a task “Call "
        "{{ account }}” for the account's owner due in 2 days; e-mail every CS leader"
    )

    # The preview: where it would have fired over the last 30 days, and why.
    page.get_by_role("link", name="Preview", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Preview of {name}")
    rows = page.locator("main table tbody tr")
    listed = []
    for n in range(rows.count()):
        cells = rows.nth(n).locator("td")
        assert "Health turned red" in cells.nth(2).inner_text()
        if cells.nth(4).inner_text().strip() == "Fires":
            listed.append(cells.nth(1).inner_text().strip())
    assert listed, f"The preview of segment {segment} lists no account."

    # On, acting on what the preview listed; the health recompute evaluates the rules.
    page.get_by_label("Act on the situations of the last 30 days the preview lists").check()
    page.get_by_role("button", name="Switch on").click()
    expect(page.locator(".messages")).to_contain_text("is on")
    page.goto("/health/")
    page.get_by_role("button", name="Recompute now").click()
    expect(page.locator(".messages")).to_contain_text("Scored", timeout=RECOMPUTE_MS)

    rule = Rule.objects.get(name=name)
    made = [o["id"] for f in rule.firings.filter(status="fired") for o in f.outcomes if o["kind"] == "task"]
    tasks = list(Task.objects.filter(pk__in=made).select_related("account"))
    today = timezone.localdate()
    assert sorted((t.account.name, t.title) for t in tasks) == sorted((a, f"Call {a}") for a in listed)
    assert {t.due_date for t in tasks} == {today + dt.timedelta(days=2)}
    assert all(t.assignee_id == t.account.owner_id for t in tasks)

    # The log says so, with what each firing did.
    page.goto(f"/automation/rules/{rule.pk}/")
    log = page.locator("main table").first
    for account in set(listed):
        expect(log).to_contain_text(f"Call {account}")
    assert refused == []
