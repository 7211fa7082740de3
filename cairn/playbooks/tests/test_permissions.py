"""Everyone reads playbooks; only leaders and admins change them, checked on the server."""

from __future__ import annotations

import pytest
from django.test import Client

from cairn.playbooks.models import Playbook, PlaybookVersion
from cairn.playbooks.tests.helpers import snapshot

pytestmark = pytest.mark.django_db

EDITOR_POSTS = [
    ("/playbooks/{playbook}/copy/", {"name": "Mine"}),
    ("/playbooks/{playbook}/draft/", {}),
    ("/playbooks/{playbook}/default/", {}),
    ("/playbooks/versions/{version}/publish/", {"notes": "Ship it"}),
    ("/playbooks/versions/{version}/discard/", {}),
    ("/playbooks/versions/{version}/phases/", {"name": "New", "stage": "initial"}),
    ("/playbooks/phases/{phase}/", {"name": "Renamed", "stage": "initial"}),
    ("/playbooks/phases/{phase}/remove/", {}),
    ("/playbooks/phases/{phase}/move/", {"direction": "down"}),
    ("/playbooks/phases/{phase}/activities/", {"name": "New"}),
    ("/playbooks/activities/{activity}/", {"name": "Renamed"}),
    ("/playbooks/activities/{activity}/remove/", {}),
    ("/playbooks/activities/{activity}/move/", {"direction": "down"}),
    ("/playbooks/phases/{phase}/outputs/", {"name": "New", "required": "on"}),
    ("/playbooks/outputs/{output}/", {"name": "Renamed"}),
    ("/playbooks/outputs/{output}/remove/", {}),
    ("/playbooks/outputs/{output}/move/", {"direction": "down"}),
]


def _url(path: str, draft: PlaybookVersion) -> str:
    phase = draft.phases.order_by("position").first()
    return path.format(
        playbook=draft.playbook_id, version=draft.pk, phase=phase.pk,
        activity=phase.activities.first().pk, output=phase.outputs.first().pk,
    )


@pytest.mark.parametrize(("path", "data"), EDITOR_POSTS)
@pytest.mark.parametrize("persona", ["as_carol", "as_dave", "as_rita"])
def test_csms_and_readers_get_403_on_every_editor_post(
    request: pytest.FixtureRequest, persona: str, draft: PlaybookVersion, path: str,
    data: dict[str, str],
) -> None:
    client: Client = request.getfixturevalue(persona)
    before = (snapshot(draft), list(Playbook.objects.values_list("pk", "name", "is_default")),
              list(PlaybookVersion.objects.values_list("pk", "status")))

    response = client.post(_url(path, draft), data)
    htmx_response = client.post(_url(path, draft), data, headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert htmx_response.status_code == 403
    assert "Only CS leaders can change playbooks." in response.content.decode()
    after = (snapshot(draft), list(Playbook.objects.values_list("pk", "name", "is_default")),
             list(PlaybookVersion.objects.values_list("pk", "status")))
    assert after == before


@pytest.mark.parametrize(("path", "data"), EDITOR_POSTS)
def test_an_admin_may_use_every_editor_post(
    as_adam: Client, draft: PlaybookVersion, path: str, data: dict[str, str]
) -> None:
    response = as_adam.post(_url(path, draft), data)
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.parametrize("persona", ["as_adam", "as_alice", "as_carol", "as_dave", "as_rita"])
def test_everyone_reads_the_playbook_pages(
    request: pytest.FixtureRequest, persona: str, standard: Playbook, draft: PlaybookVersion
) -> None:
    client: Client = request.getfixturevalue(persona)
    assert client.get("/playbooks/").status_code == 200
    assert client.get(f"/playbooks/{standard.pk}/").status_code == 200
    assert client.get(f"/playbooks/{standard.pk}/?version={draft.number}").status_code == 200


def test_reading_needs_a_login(standard: Playbook) -> None:
    response = Client().get(f"/playbooks/{standard.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_editor_urls_refuse_get(as_alice: Client, draft: PlaybookVersion) -> None:
    for path, _data in EDITOR_POSTS:
        assert as_alice.get(_url(path, draft)).status_code == 405
