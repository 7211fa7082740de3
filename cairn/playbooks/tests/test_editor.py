"""A leader tailors a draft through the editor: phases, activities, outputs, bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from cairn.playbooks import actions
from cairn.playbooks.models import Activity, Output, Phase, PlaybookVersion, Stage
from cairn.playbooks.tests.helpers import names, positions

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_a_leader_edits_a_phase_without_javascript(
    as_alice: Client, draft: PlaybookVersion, first_phase: Phase
) -> None:
    response = as_alice.post(
        f"/playbooks/phases/{first_phase.pk}/",
        {"name": "Research", "stage": "readiness", "purpose": "Know them first.", "periodic": "on"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?version={draft.number}#phase-{first_phase.pk}")
    first_phase.refresh_from_db()
    assert (first_phase.name, first_phase.stage, first_phase.purpose, first_phase.periodic) == (
        "Research", Stage.READINESS, "Know them first.", True,
    )
    assert first_phase.key == "preparation", "the key names the phase across versions"
    assert "Phase 1 saved." in as_alice.get(response["Location"]).content.decode()


def test_an_htmx_edit_answers_with_the_redrawn_phases(
    as_alice: Client, first_phase: Phase
) -> None:
    response = as_alice.post(
        f"/playbooks/activities/{first_phase.activities.first().pk}/",
        {"name": "Book the handover"}, headers=HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="phases"')
    assert "<html" not in body
    assert 'value="Book the handover"' in body
    assert "Activity renamed." in body


def test_adding_phases_derives_unique_keys_and_puts_them_last(
    as_alice: Client, alice, draft: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    url = f"/playbooks/versions/{draft.pk}/phases/"
    as_alice.post(url, {"name": "Renewal & expansion", "stage": "ongoing"})
    as_alice.post(url, {"name": "Renewal: expansion!", "stage": "ongoing"}, headers=HTMX)
    as_alice.post(url, {"name": "Préparation", "stage": "initial"})
    as_alice.post(url, {"name": "???", "stage": "initial"})

    added = list(draft.phases.filter(position__gt=7).order_by("position"))
    assert [p.key for p in added] == ["renewal-expansion", "renewal-expansion-2",
                                     "preparation-2", "phase"]
    assert [p.stage for p in added] == ["ongoing", "ongoing", "initial", "initial"]
    assert positions(draft.phases) == list(range(1, 12))


def test_removing_a_phase_takes_its_content_and_closes_the_gap(
    as_alice: Client, draft: PlaybookVersion
) -> None:
    second = draft.phases.get(position=2)
    response = as_alice.post(f"/playbooks/phases/{second.pk}/remove/")

    assert response.status_code == 302
    assert not Phase.objects.filter(pk=second.pk).exists()
    assert not Activity.objects.filter(phase_id=second.pk).exists()
    assert positions(draft.phases) == list(range(1, 7))
    assert "Commitment" not in names(draft.phases)


def test_removing_a_phase_with_content_asks_for_confirmation(
    as_alice: Client, alice, draft: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    empty = actions.add_phase(draft, "Empty one", by=alice)
    page = as_alice.get(f"/playbooks/{draft.playbook_id}/?version={draft.number}").content.decode()
    assert 'data-confirm="Remove the phase “Preparation” with its activities and outputs?"' in page
    assert "Remove the phase “Empty one”" not in page
    assert f'action="/playbooks/phases/{empty.pk}/remove/"' in page


def test_the_last_phase_cannot_be_removed(
    as_alice: Client, alice, draft: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    *others, last = list(draft.phases.order_by("position"))
    for phase in others:
        actions.remove_phase(phase, by=alice)

    response = as_alice.post(f"/playbooks/phases/{last.pk}/remove/")

    assert response.status_code == 400
    assert "A playbook keeps at least one phase." in response.content.decode()
    assert draft.phases.count() == 1


def test_moving_phases_keeps_positions_contiguous(
    as_alice: Client, draft: PlaybookVersion
) -> None:
    before = names(draft.phases)
    third = draft.phases.get(position=3)
    first = draft.phases.get(position=1)
    last = draft.phases.get(position=7)

    as_alice.post(f"/playbooks/phases/{third.pk}/move/", {"direction": "up"})
    as_alice.post(f"/playbooks/phases/{first.pk}/move/", {"direction": "up"}, headers=HTMX)
    as_alice.post(f"/playbooks/phases/{last.pk}/move/", {"direction": "down"})

    after = names(draft.phases)
    assert after == [before[0], before[2], before[1], *before[3:]]
    assert positions(draft.phases) == list(range(1, 8))


def test_a_leader_adds_renames_moves_and_removes_activities(
    as_alice: Client, first_phase: Phase
) -> None:
    count = first_phase.activities.count()
    as_alice.post(f"/playbooks/phases/{first_phase.pk}/activities/", {"name": "Call the AE"})
    added = first_phase.activities.get(name="Call the AE")
    assert added.position == count + 1

    as_alice.post(f"/playbooks/activities/{added.pk}/move/", {"direction": "up"}, headers=HTMX)
    as_alice.post(f"/playbooks/activities/{added.pk}/", {"name": "Call the account executive"})
    added.refresh_from_db()
    assert (added.position, added.name) == (count, "Call the account executive")

    first = first_phase.activities.get(position=1)
    response = as_alice.post(f"/playbooks/activities/{first.pk}/remove/", headers=HTMX)
    assert response.status_code == 200
    assert not Activity.objects.filter(pk=first.pk).exists()
    assert positions(first_phase.activities) == list(range(1, count + 1))


def test_a_leader_adds_outputs_and_marks_them_required(
    as_alice: Client, first_phase: Phase
) -> None:
    as_alice.post(f"/playbooks/phases/{first_phase.pk}/outputs/", {"name": "Account map",
                                                                    "required": "on"})
    as_alice.post(f"/playbooks/phases/{first_phase.pk}/outputs/", {"name": "Risk list"})
    account_map = first_phase.outputs.get(name="Account map")
    risk_list = first_phase.outputs.get(name="Risk list")
    assert account_map.required and not risk_list.required

    # Without the checkbox an HTML form sends nothing: the output is no longer required.
    as_alice.post(f"/playbooks/outputs/{account_map.pk}/", {"name": "Account map"})
    as_alice.post(f"/playbooks/outputs/{risk_list.pk}/", {"name": "Risks", "required": "on"},
                  headers=HTMX)
    account_map.refresh_from_db()
    risk_list.refresh_from_db()
    assert not account_map.required
    assert (risk_list.name, risk_list.required) == ("Risks", True)

    as_alice.post(f"/playbooks/outputs/{risk_list.pk}/move/", {"direction": "up"})
    as_alice.post(f"/playbooks/outputs/{account_map.pk}/remove/")
    assert not Output.objects.filter(pk=account_map.pk).exists()
    assert names(first_phase.outputs)[-1] == "Risks"
    assert positions(first_phase.outputs) == list(range(1, first_phase.outputs.count() + 1))


def test_required_outputs_are_marked_on_the_page(
    as_rita: Client, standard, playbook_version: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    page = as_rita.get(f"/playbooks/{standard.pk}/").content.decode()
    required = Output.objects.filter(phase__version=playbook_version, required=True).count()
    assert page.count('<span class="badge red"') == required
    assert "Signed customer engagement proposal" in page
    assert "A. Initial" in page and "B. User readiness" in page and "C. Ongoing" in page


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/playbooks/phases/{phase}/", {"name": " ", "stage": "initial"}, "Give the phase a name."),
        ("/playbooks/phases/{phase}/", {"name": "Ok", "stage": "later"},
         "Choose one of the three stages."),
        ("/playbooks/versions/{version}/phases/", {"name": "", "stage": "initial"},
         "Give the phase a name."),
        ("/playbooks/phases/{phase}/activities/", {"name": ""}, "Give the activity a name."),
        ("/playbooks/phases/{phase}/activities/", {"name": "x" * 201},
         "The activity name is too long"),
        ("/playbooks/activities/{activity}/", {"name": "   "}, "Give the activity a name."),
        ("/playbooks/phases/{phase}/outputs/", {"name": ""}, "Give the output a name."),
        ("/playbooks/outputs/{output}/", {"name": "", "required": "on"},
         "Give the output a name."),
        ("/playbooks/activities/{activity}/move/", {"direction": "sideways"},
         "A row moves up or down."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_names_the_field_and_saves_nothing(
    as_alice: Client, draft: PlaybookVersion, first_phase: Phase, path: str,
    data: dict[str, str], message: str, htmx: bool,
) -> None:
    activity = first_phase.activities.first()
    output = first_phase.outputs.first()
    url = path.format(phase=first_phase.pk, version=draft.pk, activity=activity.pk,
                      output=output.pk)
    before = (names(draft.phases), names(first_phase.activities), names(first_phase.outputs),
              list(first_phase.outputs.values_list("required", flat=True)))

    response = as_alice.post(url, data, headers=HTMX if htmx else {})

    assert response.status_code == (200 if htmx else 400)
    body = response.content.decode()
    assert message in body
    assert 'role="alert"' in body
    after = (names(draft.phases), names(first_phase.activities), names(first_phase.outputs),
             list(first_phase.outputs.values_list("required", flat=True)))
    assert after == before


def test_the_editor_appears_only_to_leaders_on_a_draft(
    as_alice: Client, as_rita: Client, as_carol: Client, standard, draft: PlaybookVersion  # type: ignore[no-untyped-def]
) -> None:
    draft_url = f"/playbooks/{standard.pk}/?version={draft.number}"
    published_url = f"/playbooks/{standard.pk}/?version=1"
    editor = as_alice.get(draft_url).content.decode()
    assert "Add activity" in editor
    assert "{#" not in editor and "#}" not in editor, "no template comment leaks into the page"
    assert "Add activity" not in as_alice.get(published_url).content.decode()
    for client in (as_rita, as_carol):
        page = client.get(draft_url).content.decode()
        assert "Add activity" not in page
        assert "Copy this playbook" not in page
        assert "a CS leader is preparing" in page
