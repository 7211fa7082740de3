"""Locked out, and getting back in, as a person sees it in the browser."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.test_login import log_in


def test_a_locked_out_person_is_told_why_and_finds_the_password_reset(
    page: Page, carol: Any
) -> None:
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, "carol", f"guess {n}")

    expect(page.get_by_role("alert")).to_contain_text("Too many failed logins")
    expect(page.get_by_role("alert")).to_contain_text("ask an admin to lift the lockout")

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("carol@cairn.test")
    page.get_by_role("button", name="Send the link").click()

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["carol@cairn.test"]]
