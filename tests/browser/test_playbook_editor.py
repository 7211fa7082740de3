"""A CS leader tailors the default playbook in the browser: htmx row edits, a confirmation
before removing a phase with content, and publishing the draft as a new version."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Dialog, Page, expect


def test_a_leader_tailors_a_draft_and_publishes_it(logged_in_page: Any, alice: Any) -> None:
    from cairn.playbooks.actions import default_version

    standard = default_version().playbook
    page: Page = logged_in_page(alice)
    page.goto(f"/playbooks/{standard.pk}/")
    page.get_by_role("button", name="Start a new draft").click()
    expect(page.locator(".message.success")).to_contain_text("Draft version 2 started")

    # A row edit swaps the phases fragment in place: the page itself is not reloaded.
    page.evaluate("window.__same_page = true")
    first = page.locator("#phases li[id^=activity-]").first
    first.get_by_label("Activity name").fill("Book the handover in the first week")
    first.get_by_role("button", name="Rename").click()
    expect(page.locator("#phases .message.success")).to_have_text("Activity renamed.")
    assert page.evaluate("window.__same_page") is True

    # An empty name is refused beside the field, and the field gets the focus.
    preparation = page.locator("#phases article.phase-card").first
    preparation.get_by_role("button", name="Add activity").click()
    expect(preparation.get_by_role("alert")).to_have_text("Give the activity a name.")
    expect(preparation.get_by_label("New activity name for Preparation")).to_be_focused()

    # Removing a phase with content asks first; dismissing keeps it.
    commitment = page.locator("#phases article.phase-card").nth(1)
    page.once("dialog", lambda dialog: dialog.dismiss())
    commitment.get_by_role("button", name="Remove Commitment").click()
    expect(page.locator("#phases article.phase-card")).to_have_count(7)

    def accept(dialog: Dialog) -> None:
        assert "Commitment" in dialog.message
        dialog.accept()

    page.once("dialog", accept)
    commitment.get_by_role("button", name="Remove Commitment").click()
    expect(page.locator("#phases article.phase-card")).to_have_count(6)

    page.get_by_label("What changed").fill("Commitment folded into preparation")
    page.get_by_role("button", name="Publish version 2").click()

    expect(page.locator(".message.success")).to_contain_text("Version 2 published")
    expect(page.get_by_role("heading", level=2, name="Version 2 Published")).to_be_visible()
    expect(page.locator("#phases")).not_to_contain_text("Commitment")
    expect(page.locator("#phases")).to_contain_text("Book the handover in the first week")
