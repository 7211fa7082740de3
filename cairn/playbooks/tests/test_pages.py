"""The playbooks list and the playbook page: what they show, and that they stay fast."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.engagements.models import Engagement
from cairn.playbooks import actions
from cairn.playbooks.models import Playbook, PlaybookVersion

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_shows_default_latest_draft_and_engagements_per_version(
    as_carol: Client, alice, engagement: Engagement, standard: Playbook  # type: ignore[no-untyped-def]
) -> None:
    draft = actions.start_draft(standard)
    copy = actions.copy_playbook(engagement.playbook_version, "Team playbook", alice)

    page = as_carol.get("/playbooks/").content.decode()

    assert f'href="/playbooks/{standard.pk}/"' in page
    assert f'href="/playbooks/{copy.pk}/"' in page
    assert page.count(">Default</span>") == 1
    assert "v1: 1 engagement<" in page
    assert f"?version={draft.number}\">Version {draft.number}</a> <span class=\"badge amber\">" in page
    assert "Not published yet" in page, "the copy has only a draft"
    assert "Copied from Cairn standard engagement v1" in page


def test_the_list_has_an_empty_state(as_rita: Client, db) -> None:  # type: ignore[no-untyped-def]
    Playbook.objects.all().delete()
    page = as_rita.get("/playbooks/").content.decode()
    assert "No playbooks yet" in page
    assert "<table" not in page


def test_the_playbook_page_lists_versions_with_their_engagements(
    as_rita: Client, alice, engagement: Engagement, standard: Playbook  # type: ignore[no-untyped-def]
) -> None:
    draft = actions.start_draft(standard)
    actions.publish(draft, alice, "Tighter commitment phase")

    page = as_rita.get(f"/playbooks/{standard.pk}/").content.decode()

    assert "Version 2" in page, "the latest published version is shown first"
    assert "Tighter commitment phase" in page
    assert "by Alice Leader" in page
    assert '<td class="num">1</td>' in page, "v1 has the engagement"
    assert '<td class="num">0</td>' in page


def test_an_unknown_version_is_not_found(as_rita: Client, standard: Playbook) -> None:
    assert as_rita.get(f"/playbooks/{standard.pk}/?version=99").status_code == 404
    assert as_rita.get("/playbooks/999999/").status_code == 404


def test_the_list_runs_the_same_queries_for_2_or_20_playbooks(
    as_alice: Client, alice, playbook_version: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            copy = actions.copy_playbook(
                playbook_version, f"Team {Playbook.objects.count()}", alice
            )
            actions.publish(copy.versions.get(), alice, "First")
            actions.start_draft(copy)

    add(1)
    few = _queries(as_alice, "/playbooks/")
    add(18)
    assert Playbook.objects.count() == 20
    assert _queries(as_alice, "/playbooks/") == few


@pytest.mark.parametrize("persona", ["as_alice", "as_rita"])
def test_the_playbook_page_runs_the_same_queries_as_phases_and_activities_grow(
    request: pytest.FixtureRequest, persona: str, alice, draft: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    client: Client = request.getfixturevalue(persona)
    url = f"/playbooks/{draft.playbook_id}/?version={draft.number}"
    few = _queries(client, url)

    for n in range(13):
        phase = actions.add_phase(draft, f"Extra {n}", by=alice, stage="ongoing")
        for m in range(10):
            actions.add_activity(phase, f"Step {m}", by=alice)
            actions.add_output(phase, f"Result {m}", required=m % 2 == 0, by=alice)

    assert draft.phases.count() == 20
    assert _queries(client, url) == few


def test_an_htmx_edit_runs_the_same_queries_as_the_draft_grows(
    as_alice: Client, alice, draft: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    phase = draft.phases.order_by("position").first()
    url = f"/playbooks/phases/{phase.pk}/activities/"

    def post() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = as_alice.post(url, {"name": "One more"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return len(captured)

    few = post()
    for n in range(13):
        extra = actions.add_phase(draft, f"Extra {n}", by=alice)
        for m in range(5):
            actions.add_activity(extra, f"Step {m}", by=alice)
    assert post() == few
