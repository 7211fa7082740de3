"""A walk through every main page of the demo in Chromium, as a CS team sees it.

Each page fails on what the issue 13 walk found: a page that scrolls sideways at 1280 px, an
error in the browser console, or a raw Python value on screen (a dict or list repr, an
object repr, a float with more than four decimals, an enum's internal name, a bare
None/True/False in a cell). A second pass at 1024 px checks that the pages stay usable there.

The demo is loaded once for the module and the walk runs once, in one browser page; each
test then reports one page by name, so the report says which pages were walked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from django.urls import reverse

from cairn.engagements.tools import tools_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from cairn.engagements.models import Engagement

WIDE, NARROW = 1280, 1024

# The standard playbook's phases, in order; each phase's tools are walked on the flagship.
PHASE_KEYS = [
    "preparation", "commitment", "onboarding", "adoption-planning", "adoption-implementation",
    "value-realization", "engagement-evaluation",
]

RAW_VALUES = {
    "a dict repr": re.compile(r"\{'|\{\"\w+\":"),
    "a list repr": re.compile(r"\[\{|\['|\[\d+(, \d+)+\]"),
    "an object repr": re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>"),
    "a float with more than four decimals": re.compile(r"(?<![\w.])\d+\.\d{5,}(?![\w.])"),
    "an enum's internal name": re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"),
    "an enum member": re.compile(r"\b[A-Z][a-zA-Z]+\.[A-Z][A-Z0-9_]+\b"),
    "a snake_case name shown as a label": re.compile(r"\b[A-Z][a-z]+_[a-z]+(?:_[a-z]+)*\b"),
}

# What people read: the page without code samples (where an identifier is the point) and
# without scripts; form fields' option labels count.
VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('code, pre, kbd, samp, script, style, template, noscript, textarea, svg')
      .forEach(e => e.remove());
  document.body.appendChild(copy);
  copy.style.position = 'absolute';
  const text = copy.innerText;
  copy.remove();
  return text;
}"""

# Cells, facts and badges holding nothing but a Python constant.
BARE_CONSTANTS = """() => Array.from(document.querySelectorAll('td, th, dd, .badge, li'))
  .map(e => e.innerText.trim()).filter(t => ['None', 'True', 'False', 'nan', 'NaN'].includes(t))"""

# What a user could press to change something: post forms and htmx posts in the page.
CHANGE_CONTROLS = """() => Array.from(document.querySelectorAll(
    'main form[method=post], main form[method=POST], main [hx-post], main [hx-delete], main [hx-patch]'))
  .map(e => (e.getAttribute('action') || e.getAttribute('hx-post') || e.getAttribute('hx-delete')
             || e.getAttribute('hx-patch') || '?'))"""

OVERFLOW = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# The outermost elements that reach past the right edge, to name in a failure.
WIDE_ELEMENTS = """() => { const edge = document.documentElement.clientWidth + 1; const found = [];
  for (const e of document.querySelectorAll('main *')) {
    const box = e.getBoundingClientRect();
    if (box.right > edge && box.width > 0 && !(e.parentElement.getBoundingClientRect().right > edge))
      found.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(box.width)} px wide`);
  }
  return found.slice(0, 5); }"""
MAIN_OVERFLOW = """() => { const m = document.querySelector('main');
  return m ? [m.scrollWidth, m.clientWidth] : [0, 0]; }"""


@dataclass
class Visit:
    url: str
    status: int = 0
    overflow: int = 0
    errors: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    narrow_overflow: int = 0
    narrow_main_overflow: int = 0
    wide_elements: list[str] = field(default_factory=list)
    # Filled for the read-only user only: controls they could press but may not.
    change_controls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Demo:
    """What the page list needs from the loaded demo."""

    flagship: Engagement
    engagements: list[Engagement]
    choice_values: set[str]

    @property
    def account(self) -> Any:
        return self.flagship.account


def _flagship() -> Engagement:
    """The active engagement furthest along: the one with the most tools to show."""
    from cairn.engagements.models import Engagement

    return (
        Engagement.objects.filter(status="active")
        .select_related("account", "current_phase")
        .order_by("-current_phase__position", "pk")
        .first()
    )


def _renewal(**filters: str) -> str:
    from cairn.renewals.models import Renewal

    found = Renewal.objects.filter(**filters).order_by("renewal_date").first()
    assert found is not None, f"The demo has no renewal with {filters}."
    return found.get_absolute_url()


def _first_pk(label: str, **filters: str) -> int:
    from django.apps import apps

    found = apps.get_model(label).objects.filter(**filters).order_by("pk").first()
    assert found is not None, f"The demo has no {label} with {filters}."
    return found.pk


def _choice_values() -> set[str]:
    """Every stored choice value that is a code rather than a word ("handover_notes")."""
    from django.apps import apps

    values: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            for value, _ in getattr(model_field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    values.add(value)
    return values


PageSpec = tuple[str, str, Callable[[Demo], str]]  # name, persona, URL

MAIN_PAGES: list[PageSpec] = [
    ("home, the book", "demo", lambda d: reverse("home") + "?view=book"),
    ("home, my book", "demo", lambda d: reverse("home") + "?view=mine"),
    ("portfolio", "demo", lambda d: reverse("portfolio")),
    ("my work", "demo", lambda d: reverse("my_work")),
    ("account", "demo", lambda d: d.account.get_absolute_url()),
    ("account history", "demo", lambda d: reverse("account_history", args=[d.account.pk])),
    ("account health", "demo", lambda d: reverse("account_health", args=[d.account.pk])),
    ("account metrics", "demo", lambda d: reverse("account_metrics", args=[d.account.pk])),
    ("account org chart", "demo", lambda d: reverse("org_chart", args=[d.account.pk])),
    ("engagement", "demo", lambda d: d.flagship.get_absolute_url()),
    ("engagement upload form", "demo", lambda d: reverse("document_upload", args=[d.flagship.pk])),
    ("document", "demo", lambda d: d.flagship.documents.first().get_absolute_url()),
    ("document versions", "demo",
     lambda d: reverse("document_versions", args=[d.flagship.documents.first().pk])),
    ("repository", "demo", lambda d: reverse("document_search")),
    ("playbooks", "demo", lambda d: reverse("playbooks")),
    ("playbook", "demo", lambda d: d.flagship.playbook_version.playbook.get_absolute_url()),
    ("metrics", "demo", lambda d: reverse("metrics")),
    ("usage", "demo", lambda d: reverse("usage")),
    ("usage batches", "demo", lambda d: reverse("usage_batches")),
    ("usage quarantine", "demo", lambda d: reverse("usage_quarantine")),
    ("health", "demo", lambda d: reverse("health")),
    ("trust", "demo", lambda d: reverse("trust")),
    ("time report", "demo", lambda d: reverse("time_report")),
    ("renewals", "demo", lambda d: reverse("renewals")),
    ("renewals in 180 days", "demo", lambda d: reverse("renewals") + "?days=180"),
    ("renewal, open", "demo", lambda d: _renewal(stage="in_progress")),
    ("renewal, churned", "demo", lambda d: _renewal(stage="churned")),
    ("churn reasons", "demo", lambda d: reverse("churn_reasons")),
    ("retention by month", "demo", lambda d: reverse("retention")),
    ("retention by quarter, one segment", "demo",
     lambda d: reverse("retention") + "?grain=quarter&segment=enterprise"),
    ("opportunities", "demo", lambda d: reverse("opportunities")),
    ("opportunity, won", "demo", lambda d: reverse("opportunity", args=[_first_pk("expansion.Opportunity", stage="won")])),
    ("opportunity hand-off", "demo",
     lambda d: reverse("opportunity_handoff", args=[_first_pk("expansion.Opportunity", stage="identified")])),
    ("hand-off policy", "demo", lambda d: reverse("handoff_policy")),
    ("advocacy", "demo", lambda d: reverse("advocacy")),
    ("business reviews", "demo", lambda d: reverse("reviews")),
    ("review programme", "demo", lambda d: reverse("review_program", args=[_first_pk("reviews.Program")])),
    ("review programme form", "demo",
     lambda d: reverse("review_program_edit", args=[_first_pk("reviews.Program")])),
    ("business review, held", "demo",
     lambda d: reverse("review", args=[_first_pk("reviews.Review", status="held")])),
    ("business review, draft", "demo",
     lambda d: reverse("review", args=[_first_pk("reviews.Review", status="draft")])),
    ("business review draft form", "demo",
     lambda d: reverse("review_edit", args=[_first_pk("reviews.Review", status="draft")])),
    ("business review minutes form", "demo",
     lambda d: reverse("review_meeting", args=[_first_pk("reviews.Review", status="draft")])),
    ("lessons", "demo", lambda d: reverse("lessons")),
    ("lesson", "demo", lambda d: reverse("lesson", args=[_first_pk("evaluation.Lesson")])),
    ("evaluation round", "demo",
     lambda d: reverse("evaluation_round", args=[_first_pk("engagements.Evaluation")])),
    ("my development plan", "demo", lambda d: reverse("development_plan")),
    ("development plans", "demo", lambda d: reverse("development_plans")),
    ("a CSM's development plan", "demo",
     lambda d: reverse("development_plan_detail", args=[_first_pk("evaluation.DevelopmentPlan")])),
    ("import", "demo", lambda d: reverse("import")),
    ("profile", "demo", lambda d: reverse("profile")),
    ("users (admin)", "ops", lambda d: reverse("users")),
    ("scheduled jobs (admin)", "ops", lambda d: reverse("jobs")),
    ("user and their history (admin)", "ops",
     lambda d: reverse("user_edit", args=[d.flagship.owner_id])),
    ("API docs", "demo", lambda d: "/api/v1/docs"),
    ("engagement, read-only", "reader", lambda d: d.flagship.get_absolute_url()),
    ("my work, read-only", "reader", lambda d: reverse("my_work")),
    ("someone's work, read-only", "reader",
     lambda d: reverse("my_work") + f"?user={d.flagship.owner_id}"),
    ("account, read-only", "reader", lambda d: d.account.get_absolute_url()),
    ("business review, read-only", "reader",
     lambda d: reverse("review", args=[_first_pk("reviews.Review", status="held")])),
    ("account health, read-only", "reader",
     lambda d: reverse("account_health", args=[d.account.pk])),
    ("readiness, read-only", "reader", lambda d: reverse("adoption_readiness", args=[d.flagship.pk])),
    ("onboarding plan, read-only", "reader", lambda d: reverse("onboarding_plan", args=[d.flagship.pk])),
]


def _tool_url(url_name: str) -> Callable[[Demo], str]:
    return lambda d: reverse(url_name, args=[d.flagship.pk])


TOOL_PAGES: list[PageSpec] = [
    (f"tool {key}: {tool.label}", "demo", _tool_url(tool.url_name))
    for key in PHASE_KEYS
    for tool in tools_for(key)
]
PAGES = MAIN_PAGES + TOOL_PAGES


def _open(browser: Browser, base_url: str, username: str) -> Page:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    context = browser.new_context(base_url=base_url, viewport={"width": WIDE, "height": 900})
    context.set_default_timeout(20_000)
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }])
    return context.new_page()


def _raw_values(page: Page, choice_values: set[str]) -> list[str]:
    text = page.evaluate(VISIBLE_TEXT)
    found = []
    for what, pattern in RAW_VALUES.items():
        for match in pattern.finditer(text):
            context = text[max(0, match.start() - 30):match.end() + 30].replace("\n", " | ")
            found.append(f"{what}: {match.group(0)!r} in …{context}…")
    words = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text))
    found += [f"a stored choice value: {value!r}" for value in sorted(words & choice_values)]
    found += [f"a bare Python constant in a cell: {value!r}" for value in page.evaluate(BARE_CONSTANTS)]
    return found


def _visit(page: Page, url: str, choice_values: set[str], read_only: bool = False) -> Visit:
    visit = Visit(url)
    errors: list[str] = []
    on_console = lambda message: errors.append(message.text) if message.type == "error" else None  # noqa: E731
    on_error = lambda error: errors.append(str(error))  # noqa: E731
    page.on("console", on_console)
    page.on("pageerror", on_error)
    try:
        page.set_viewport_size({"width": WIDE, "height": 900})
        response = page.goto(url, wait_until="load")
        visit.status = response.status if response else 0
        scroll, client = page.evaluate(OVERFLOW)
        visit.overflow = scroll - client
        if visit.overflow > 1:
            visit.wide_elements += page.evaluate(WIDE_ELEMENTS)
        visit.raw = _raw_values(page, choice_values)
        if read_only:
            visit.change_controls = page.evaluate(CHANGE_CONTROLS)
        page.set_viewport_size({"width": NARROW, "height": 900})
        scroll, client = page.evaluate(OVERFLOW)
        visit.narrow_overflow = scroll - client
        scroll, client = page.evaluate(MAIN_OVERFLOW)
        visit.narrow_main_overflow = scroll - client
        if visit.narrow_overflow > 1 or visit.narrow_main_overflow > 1:
            visit.wide_elements += page.evaluate(WIDE_ELEMENTS)
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
    visit.errors = errors
    return visit


@dataclass
class Walk:
    pages: dict[str, Visit]
    engagements: dict[str, Visit]


@pytest.fixture
def _live_database() -> None:
    """The tests of this module only read what the walk found; the walk has the database.

    (Replaces the browser tests' fixture, which would empty the database after each test.)
    """


@pytest.fixture(scope="module")
def walk(
    request: pytest.FixtureRequest, browser: Browser, django_db_setup: None,
    django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Walk]:
    """Load the demo, walk every page once, and empty the database after the module (the
    live server reads from another thread, so the demo is committed, not rolled back).

    The live server is asked for here rather than as an argument: a test that names it,
    even through a fixture, gets a database emptied after it, which would cost each of the
    reporting tests a flush."""
    live_server = request.getfixturevalue("live_server")
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.urls import get_resolver

    from cairn.engagements.models import Engagement

    get_resolver().url_patterns  # noqa: B018  (import every view before the first request)
    analytics = tmp_path_factory.mktemp("walk") / "analytics"
    with django_db_blocker.unblock(), override_settings(ANALYTICS_DIR=analytics):
        try:
            call_command("demo", "--no-serve", stdout=io.StringIO())
            flagship = _flagship()
            demo = Demo(
                flagship=flagship,
                engagements=list(Engagement.objects.select_related("account").order_by("pk")),
                choice_values=_choice_values(),
            )
            pages: dict[str, Page] = {}
            visits: dict[str, Visit] = {}
            for name, persona, url in PAGES:
                if persona not in pages:
                    pages[persona] = _open(browser, live_server.url, persona)
                visits[name] = _visit(
                    pages[persona], url(demo), demo.choice_values, read_only=persona == "reader"
                )
            engagements = {
                f"{e.account.name}: {e.initiative}": _visit(
                    pages["demo"], e.get_absolute_url(), demo.choice_values
                )
                for e in demo.engagements
            }
            for page in pages.values():
                page.context.close()
            yield Walk(visits, engagements)
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _problems(visit: Visit) -> list[str]:
    problems = []
    if visit.status != 200:
        problems.append(f"answered {visit.status}")
    if visit.overflow > 1:
        problems.append(f"scrolls sideways by {visit.overflow} px at {WIDE} px")
    if visit.narrow_main_overflow > 1:
        problems.append(f"its main column overflows by {visit.narrow_main_overflow} px at {NARROW} px")
    if visit.narrow_overflow > 1:
        problems.append(f"scrolls sideways by {visit.narrow_overflow} px at {NARROW} px")
    problems += [f"too wide: {e}" for e in visit.wide_elements]
    problems += [f"a read-only user is offered a change: {a}" for a in visit.change_controls]
    problems += [f"console error: {e}" for e in visit.errors]
    problems += [f"raw value on screen: {r}" for r in visit.raw]
    return problems


@pytest.mark.parametrize("name", [name for name, _, _ in PAGES])
def test_the_page_reads_well_at_1280_and_1024_px(walk: Walk, name: str) -> None:
    visit = walk.pages[name]
    problems = _problems(visit)
    assert not problems, f"{name} ({visit.url}):\n  " + "\n  ".join(problems)


def test_every_engagement_page_of_the_demo_reads_well(walk: Walk) -> None:
    assert walk.engagements, "the demo has engagements to walk"
    problems = {
        f"{name} ({visit.url})": found
        for name, visit in walk.engagements.items()
        if (found := _problems(visit))
    }
    assert not problems, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())


def test_the_walk_sees_overflow_console_errors_and_raw_values(browser: Browser) -> None:
    """The walk's checks, on a page made of what the issue 13 walk found."""
    html = """<main><div style="width: 1400px">Wide</div><table><tr>
      <td>0.13921113689095127</td><td>Company_health</td><td>REPORT_RUN</td>
      <td>[{'engagement': 1, 'user': 5}]</td><td>None</td><td>Status.ACTIVE</td>
      <td>handover_notes</td></tr></table><code>CAIRN_DATA_DIR</code>
      <form method="post" action="/tasks/1/toggle/"><button>Done</button></form>
      <script>console.error("broken")</script></main>"""
    page = browser.new_page()
    try:
        visit = _visit(page, "data:text/html," + quote(html), {"handover_notes"}, read_only=True)
    finally:
        page.close()
    found = "\n".join(visit.raw)
    for what in ("a float with more than four decimals", "a snake_case name shown as a label",
                 "an enum's internal name", "a dict repr", "a list repr", "an enum member",
                 "a stored choice value", "a bare Python constant in a cell"):
        assert what in found
    assert "CAIRN_DATA_DIR" not in found, "code samples are not raw values"
    assert visit.errors == ["broken"]
    assert visit.change_controls == ["/tasks/1/toggle/"]
    assert visit.overflow > 1 and visit.narrow_overflow > 1 and visit.narrow_main_overflow > 1
