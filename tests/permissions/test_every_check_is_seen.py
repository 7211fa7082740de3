"""Take away any one permission check in Cairn, and the generated route test fails.

Issue 13, finding 6: the checks at three places in the preparation and onboarding APIs were
removed and every test of those apps stayed green. Here the checks are found in the code
(tests/permissions/checks.py: every call of a cairn.people.access helper), not listed by hand.

First every write route (API operation and page) is called as each persona its rule refuses,
and each refusal is traced to the check that made it. Then each check in turn lets everyone
through (its fetch still runs; its refusal does not) and the calls it refused are made
again: the judgement of test_every_route must then report a persona who got through. A check
that no call ever meets is reported too: either the world lacks a case for it, or nothing
can reach it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterator
from unittest import mock

import pytest
from django.http import HttpResponse

from cairn.people import permissions
from tests.permissions import calls, checks
from tests.permissions.checks import Site
from tests.permissions.routes import ApiOperation, Page, api_operations, pages
from tests.permissions.rules import ALLOWED, API_RULES, MISSING_OK, OPEN, PAGE_RULES, READ, Rule
from tests.permissions.world import World

pytestmark = pytest.mark.django_db


@dataclasses.dataclass(frozen=True)
class Case:
    """One call that the rules say must be refused."""

    route: ApiOperation | Page
    persona: str
    rule: Rule

    @property
    def name(self) -> str:
        return f"{self.route.name} as {self.persona}"

    def call(self, world: World) -> HttpResponse:
        if isinstance(self.route, ApiOperation):
            return calls.call_api(self.route, world, self.persona)
        return calls.call_page(self.route, world, self.persona, "POST")

    def problem(self, world: World) -> str | None:
        api = isinstance(self.route, ApiOperation)
        missing_ok = not api and self.route.key in MISSING_OK
        return calls.judge(self.persona, self.rule, self.call(world), api=api, missing_ok=missing_ok)


def cases() -> Iterator[Case]:
    refused = [p for p in calls.PERSONAS if p != "anonymous"]
    for op in api_operations():
        if op.method != "GET":
            rule = API_RULES[op.key]
            yield from (Case(op, p, rule) for p in refused if p not in ALLOWED[rule])
    for page in pages():
        rule = PAGE_RULES[page.name][0]
        if rule not in (READ, OPEN):
            yield from (Case(page, p, rule) for p in refused if p not in ALLOWED[rule])


@pytest.fixture(scope="module")
def refusals(world: World, django_db_blocker) -> dict[Site | str, list[Case]]:  # type: ignore[no-untyped-def]
    """Each check site, with the calls it refused (as the rules say it must)."""
    found: dict[Site | str, list[Case]] = defaultdict(list)
    with django_db_blocker.unblock():
        for case in cases():
            met: list[Site | str] = []
            with checks.recorded(met.append):
                problem = case.problem(world)
            assert problem is None, f"{case.name}: {problem} (test_every_route says more)"
            # The first refusal answered the call; later ones (a form re-checking) did not.
            if met:
                found[met[0]].append(case)
    return found


def test_there_are_checks_to_find() -> None:
    # A sanity floor: the finder reads the code, and the code has checks in every app.
    apps = {site.path.split("/")[1] for site in checks.sites()}
    assert len(checks.sites()) > 100, checks.sites()
    assert {"preparation", "onboarding", "usage", "timeline", "customers"} <= apps, apps


def test_every_refusal_comes_from_a_check_site(refusals: dict[Site | str, list[Case]]) -> None:
    stray = {where: [c.name for c in made] for where, made in refusals.items() if isinstance(where, str)}
    assert stray == {}, "refused outside any cairn.people.access call"


@pytest.mark.parametrize("site", checks.sites(), ids=[site.name for site in checks.sites()])
def test_removing_this_check_fails_the_route_test(
    site: Site, refusals: dict[Site | str, list[Case]], world: World
) -> None:
    refused = refusals.get(site, [])
    assert refused, (
        f"No write route called as a refused persona meets the check at {site.name} "
        f"(access.{site.helper}): give the world a case for it, or remove it if nothing reaches it."
    )
    with checks.removed(site):
        problems = [p for case in refused if (p := case.problem(world))]
    assert problems, (
        f"Without the check at {site.name}, every call it refused was still answered as the "
        f"rules say ({', '.join(c.name for c in refused)}): the route test cannot see it."
    )


# Nothing but cairn.people.access refuses: a refusal written by hand elsewhere would be a
# check the finder cannot see.
HAND_WRITTEN = re.compile(
    r"permissions\.require\(|raise PermissionDenied|HttpResponseForbidden|"
    r"from cairn\.people\.access import"
)


def test_no_refusal_is_written_by_hand() -> None:
    found = [
        f"{path.relative_to(checks.ROOT)}:{number}: {line.strip()}"
        for path in checks.source_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HAND_WRITTEN.search(line)
    ]
    assert found == [], "refuse with a cairn.people.access helper, which fetches and checks at once"


def test_a_rule_that_lets_everyone_in_is_caught_too(world: World) -> None:
    # Not one site but the rule itself: a CSM may change every engagement.
    key = "POST /preparation/engagements/{engagement_id}/facts"
    op = next(op for op in api_operations() if op.key == key)
    with mock.patch.object(permissions, "can_edit_engagement", lambda user, engagement: True):
        problems = [
            p for persona in ("rita", "dave")
            if (p := Case(op, persona, API_RULES[key]).problem(world))
        ]
    assert any("dave must be refused" in p for p in problems), problems
    assert any("rita must be refused" in p for p in problems), problems
