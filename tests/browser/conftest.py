"""Browser tests: Chromium driven by Playwright against Django's live server.

Locally the tests skip when Chromium cannot start; with CI set they fail instead, so a
broken browser set-up can never pass CI silently.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that it is safe, which it is here (one thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CAIRN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
HERE = Path(__file__).parent


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _cannot_run(reason: str) -> None:
    message = f"Browser tests cannot run: {reason}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        _cannot_run(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CAIRN_CHROMIUM).")
    from playwright.sync_api import Error, sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Error as exc:
        playwright.stop()
        _cannot_run(f"Chromium at {CHROMIUM} did not start: {exc.message.splitlines()[0]}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(autouse=True)
def _live_database(transactional_db: None) -> None:
    """The live server answers from another thread, so data must be committed."""


@pytest.fixture(scope="session")
def _warm_urls() -> None:
    """Import every view before the first request: on a busy machine the live server's
    first answer would otherwise spend the browser's whole timeout importing."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


@pytest.fixture
def page(browser: Browser, live_server: Any, _warm_urls: None) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def logged_in_page(page: Page, live_server: Any) -> Callable[[Any], Page]:
    """`logged_in_page(carol)`: the page with a session for that persona, at the portfolio."""
    from django.conf import settings
    from django.test import Client

    def log_in(user: Any) -> Page:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        page.goto("/accounts/")
        return page

    return log_in


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The demo data set as `cairn demo` loads it, for walks on a demo customer.

    The product-usage events are left out: they take most of the load time and the walks
    that use this fixture visit no health page. Returns the demo team by username.
    """
    from cairn.operations import demo_data, demo_usage

    monkeypatch.setattr(demo_usage, "load", lambda *args, **kwargs: None)
    assert demo_data.load()
    return {user.username: user for user in demo_data.demo_users()}
