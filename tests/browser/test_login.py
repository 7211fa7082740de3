"""Logging in through the form, as a person does."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from conftest import PASSWORD


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_leader_logs_in_and_lands_on_the_book(page: Page, alice: Any) -> None:
    log_in(page, "alice", PASSWORD)

    expect(page.get_by_role("heading", level=1, name="The book")).to_be_visible()
    expect(page.locator(".usermenu")).to_contain_text("Alice Leader")
    expect(page.locator(".usermenu")).to_contain_text("CS leader")


def test_a_wrong_password_shows_the_error_and_stays_on_the_login_page(
    page: Page, carol: Any
) -> None:
    log_in(page, "carol", "not the password")

    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert page.url.endswith("/login/")
    expect(page.locator(".usermenu")).to_have_count(0)


def test_a_logged_in_page_opens_as_the_persona(logged_in_page: Any, carol: Any) -> None:
    page = logged_in_page(carol)

    expect(page.locator(".usermenu")).to_contain_text("Carol Owner")
    expect(page.locator(".usermenu")).to_contain_text("CSM")
