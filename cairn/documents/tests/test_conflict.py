"""Two people edit the same document: the second save must not silently win."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cairn.documents import actions


def _edit(client, document, body: str, base: int):  # type: ignore[no-untyped-def]
    return client.post(reverse("document_edit", args=[document.pk]), {
        "title": document.title, "doc_type": document.doc_type, "phase": document.phase_id,
        "body": body, "base_version": base,
    })


@pytest.fixture
def alice_on_team(engagement, alice):  # type: ignore[no-untyped-def]
    return alice


def test_a_save_based_on_an_old_version_is_refused_and_the_text_is_kept(
    as_carol, as_alice, alice_on_team, written
):
    # Both opened version 1; Alice saves first.
    assert _edit(as_alice, written, "Alice's careful rewrite", base=1).status_code == 302
    response = _edit(as_carol, written, "Carol's own <b>draft</b> text", base=1)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Alice Leader saved version 2 while you were editing" in content
    # Carol's text is still in the editor, escaped, ready to merge and save again.
    assert "Carol&#x27;s own &lt;b&gt;draft&lt;/b&gt; text" in content
    # Alice's version is shown and linked.
    assert "s careful rewrite</p>" in content
    assert reverse("document_version", args=[written.pk, 2]) in content
    written.refresh_from_db()
    assert written.current_version.number == 2
    assert written.current_version.body == "Alice's careful rewrite"
    assert written.versions.count() == 2


def test_after_seeing_the_conflict_a_second_save_is_a_deliberate_new_version(
    as_carol, as_alice, alice_on_team, written
):
    _edit(as_alice, written, "Alice's text", base=1)
    conflict = _edit(as_carol, written, "Merged text", base=1)
    assert 'name="base_version" value="2"' in conflict.content.decode()
    assert _edit(as_carol, written, "Merged text", base=2).status_code == 302
    bodies = list(written.versions.order_by("number").values_list("body", flat=True))
    assert bodies[1:] == ["Alice's text", "Merged text"]


def test_the_action_locks_the_document_and_refuses_a_stale_base(written, carol, alice):
    details = actions.Details(title=written.title, doc_type=written.doc_type)
    actions.update_written(written, details, "first", base_version=1, by=alice)
    with pytest.raises(actions.EditConflict) as refused:
        actions.update_written(written, details, "second", base_version=1, by=carol)
    assert refused.value.current.number == 2
    assert written.versions.count() == 2


def test_an_edit_without_its_base_version_is_refused_rather_than_guessed(as_carol, written):
    response = as_carol.post(reverse("document_edit", args=[written.pk]), {
        "title": written.title, "doc_type": written.doc_type, "body": "no base",
    })
    assert response.status_code == 200
    assert b"lost track of the version you started from" in response.content
    assert b"no base" in response.content
    assert written.versions.count() == 1
