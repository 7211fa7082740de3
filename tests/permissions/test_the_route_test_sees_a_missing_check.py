"""A test of test_every_route: take one permission check away and it must fail.

Issue 13, finding 6: the permission checks at three places in the preparation and
onboarding APIs were removed and all 269 tests of those apps stayed green. Here each check
is taken away in turn, as deleting its line would (permissions.require does nothing when
called from that one view), and the generated test's judgement of that route must then
report the persona who got through.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest

from cairn.people import permissions
from tests.permissions import calls
from tests.permissions.routes import api_operations, pages
from tests.permissions.rules import API_RULES, PAGE_RULES
from tests.permissions.world import World

pytestmark = pytest.mark.django_db

_require = permissions.require


@contextmanager
def check_removed(module: str, function: str) -> Iterator[None]:
    """permissions.require does nothing when `module.function` is on the stack: the check
    of that view (its own, or its helper's) is gone, and every other view keeps its own."""

    def require(allowed: bool, *args: str) -> None:
        for frame in inspect.stack(context=0)[1:]:
            if frame.function == function and frame.frame.f_globals.get("__name__") == module:
                return
        _require(allowed, *args)

    with mock.patch.object(permissions, "require", require):
        yield


# A check in each of the apps the finding names, and one page of each of two other apps.
API_MUTANTS = [
    ("PATCH /preparation/facts/{fact_id}", "cairn.preparation.api", "update_fact"),
    ("PATCH /preparation/engagements/{engagement_id}/org-chart/{contact_id}",
     "cairn.preparation.api", "place_contact"),
    # Milestones are deleted by the shared CRUD helper's view.
    ("DELETE /onboarding/milestones/{milestone_id}", "cairn.resources", "delete_item"),
    ("POST /usage/surveys", "cairn.usage.api", "_require_accounts"),
]
PAGE_MUTANTS = [
    ("preparation_fact_delete", "cairn.preparation.views", "fact_delete"),
    ("task_toggle", "cairn.timeline.views", "task_toggle"),
]


def _api_problems(key: str, world: World) -> list[str]:
    op = next(op for op in api_operations() if op.key == key)
    rule = API_RULES[key]
    answers = {persona: calls.call_api(op, world, persona) for persona in calls.PERSONAS}
    return [
        problem for persona, response in answers.items()
        if (problem := calls.judge(persona, rule, response, api=True))
    ]


def _page_problems(name: str, world: World) -> list[str]:
    page = next(page for page in pages() if page.name == name)
    rule = PAGE_RULES[name][0]
    answers = {persona: calls.call_page(page, world, persona, "POST") for persona in calls.PERSONAS}
    return [
        problem for persona, response in answers.items()
        if (problem := calls.judge(persona, rule, response, api=False))
    ]


@pytest.mark.parametrize(("key", "module", "function"), API_MUTANTS,
                         ids=[m[0] for m in API_MUTANTS])
def test_finding_6_removing_one_api_permission_check_fails_the_generated_test(
    world: World, key: str, module: str, function: str
) -> None:
    assert _api_problems(key, world) == []
    with check_removed(module, function):
        problems = _api_problems(key, world)
    assert any("dave must be refused" in problem for problem in problems), problems


@pytest.mark.parametrize(("name", "module", "function"), PAGE_MUTANTS,
                         ids=[m[0] for m in PAGE_MUTANTS])
def test_removing_one_page_permission_check_fails_the_generated_test(
    world: World, name: str, module: str, function: str
) -> None:
    assert _page_problems(name, world) == []
    with check_removed(module, function):
        problems = _page_problems(name, world)
    assert any("must be refused" in problem for problem in problems), problems


def test_a_rule_that_lets_everyone_in_is_caught_too(world: World) -> None:
    # Not one call site but the rule itself: a CSM may change every engagement.
    with mock.patch.object(permissions, "can_edit_engagement", lambda user, engagement: True):
        problems = _api_problems("POST /preparation/engagements/{engagement_id}/facts", world)
    assert any("dave must be refused" in problem for problem in problems), problems
    assert any("rita must be refused" in problem for problem in problems), problems
