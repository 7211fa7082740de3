"""Every route, called as anonymous, read-only Rita, Dave (a CSM who does not own the object),
Carol (its owner), Alice (a leader) and Adam (an admin), answers as the table of rules says.

The routes come from the API's OpenAPI document and the URL configuration, not from a list
kept by hand: a new route without a rule in tests/permissions/rules.py fails here.
"""

from __future__ import annotations

import pytest

from tests.permissions import calls
from tests.permissions.routes import ApiOperation, Page, api_operations, pages
from tests.permissions.rules import (
    ADMIN,
    API_RULES,
    MISSING_OK,
    OPEN,
    PAGE_RULES,
    PUBLIC,
    READ,
    SESSION,
    Rule,
)
from tests.permissions.world import World

pytestmark = pytest.mark.django_db

OPERATIONS = api_operations()
WRITES = [op for op in OPERATIONS if op.method != "GET"]
READS = [op for op in OPERATIONS if op.method == "GET"]


def rule_of(key: str, table: dict[str, Rule]) -> Rule:
    if key not in table:
        pytest.fail(f"{key} has no rule: add one to tests/permissions/rules.py.")
    return table[key]


def api_problems(op: ApiOperation, world: World) -> list[str]:
    rule = rule_of(op.key, API_RULES)
    problems = []
    for persona in calls.PERSONAS:
        response = calls.call_api(op, world, persona)
        problem = calls.judge(persona, rule, response, api=True)
        if problem:
            problems.append(problem)
    return problems


def test_every_api_operation_has_a_rule_and_every_rule_an_operation() -> None:
    keys = {op.key for op in OPERATIONS}
    assert sorted(keys - API_RULES.keys()) == [], "add rules for these"
    assert sorted(API_RULES.keys() - keys) == [], "these rules name no operation any more"


@pytest.mark.parametrize("op", WRITES, ids=[op.name for op in WRITES])
def test_every_api_write_answers_each_persona_by_its_rule(op: ApiOperation, world: World) -> None:
    problems = api_problems(op, world)
    assert not problems, f"{op.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("op", READS, ids=[op.name for op in READS])
def test_every_api_read_needs_a_login_and_is_open_to_everyone_logged_in(
    op: ApiOperation, world: World
) -> None:
    rule = rule_of(op.key, API_RULES)
    problems = []
    for persona in ("anonymous", "rita"):
        response = calls.call_api(op, world, persona)
        problem = calls.judge(persona, rule, response, api=True, reading=True)
        if problem:
            problems.append(problem)
    assert not problems, f"{op.name}:\n" + "\n".join(problems)


PAGES = pages()
PAGE_WRITES = [page for page in PAGES if PAGE_RULES.get(page.name, (READ,))[0] not in (READ, OPEN)]


def test_every_page_has_a_rule_and_every_rule_a_page() -> None:
    names = {page.name for page in PAGES}
    assert sorted(names - PAGE_RULES.keys()) == [], "add rules for these"
    assert sorted(PAGE_RULES.keys() - names) == [], "these rules name no page any more"


@pytest.mark.parametrize("page", PAGE_WRITES, ids=[page.name for page in PAGE_WRITES])
def test_every_page_that_writes_answers_each_persona_by_its_rule(page: Page, world: World) -> None:
    rule = PAGE_RULES[page.name][0]
    problems = []
    for persona in calls.PERSONAS:
        response = calls.call_page(page, world, persona, "POST")
        problem = calls.judge(
            persona, rule, response, api=False, missing_ok=page.name in MISSING_OK
        )
        if problem:
            problems.append(problem)
    assert not problems, f"{page.name} ({page.route}):\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_page_needs_a_login_and_reads_by_its_rule(page: Page, world: World) -> None:
    rule = rule_of(page.name, {name: rule for name, (rule, _) in PAGE_RULES.items()})
    readers = ("anonymous", "rita") if rule in (READ, PUBLIC, OPEN, ADMIN) else ("anonymous",)
    problems = []
    for persona in readers:
        response = calls.call_page(page, world, persona, "GET")
        read_rule = rule if rule in (PUBLIC, OPEN, ADMIN, SESSION) else READ
        problem = calls.judge(persona, read_rule, response, api=False, reading=True)
        if problem:
            problems.append(problem)
    assert not problems, f"{page.name} ({page.route}):\n" + "\n".join(problems)
