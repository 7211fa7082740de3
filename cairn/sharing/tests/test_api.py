"""Customer links through the API: same permissions and validation as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cairn.sharing import actions
from cairn.sharing.models import SharedLink

pytestmark = pytest.mark.django_db

URL = "/api/v1/shared-links/"


def _payload(engagement: Any, plan: Any, maria: Any, **changes: Any) -> dict[str, Any]:
    return {"engagement": engagement.pk, "version": plan.current_version.pk,
            "purpose": "test-signoff", "contact": maria.pk, **changes}


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_the_owner_makes_a_link_and_gets_its_url_once(
    as_carol: Client, engagement: Any, plan: Any, maria: Any
) -> None:
    response = as_carol.post(URL, _payload(engagement, plan, maria, days=7), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "open" and body["recipient_name"] == "Maria Jensen"
    assert body["purpose_label"] == "Test sign-off" and body["version_number"] == 1
    token = body["url"].rsplit("/shared/", 1)[1].strip("/")
    assert actions.find_link(token) == SharedLink.objects.get()
    again = as_carol.get(f"{URL}{body['id']}").json()
    assert "url" not in again and token not in str(again)


@pytest.mark.parametrize("persona", ["as_dave", "as_rita"])
def test_outsiders_and_readers_cannot_make_or_revoke_links(
    persona: str, request: Any, engagement: Any, plan: Any, maria: Any, sent: Any
) -> None:
    client = request.getfixturevalue(persona)
    response = client.post(URL, _payload(engagement, plan, maria), content_type="application/json")
    assert response.status_code == 403
    assert client.post(f"{URL}{sent.link.pk}/revoke").status_code == 403
    assert SharedLink.objects.count() == 1 and SharedLink.objects.get().revoked_at is None


def test_bad_input_names_the_field_and_saves_nothing(
    as_carol: Client, engagement: Any, plan: Any, maria: Any
) -> None:
    cases = [({"contact": 999999}, "contact"), ({"version": 999999}, "version"),
             ({"purpose": "nope"}, "purpose"), ({"days": 400}, "days")]
    for change, field in cases:
        response = as_carol.post(URL, _payload(engagement, plan, maria, **change),
                                 content_type="application/json")
        assert field in _errors(response)
    assert not SharedLink.objects.exists()


def test_everyone_signed_in_lists_an_engagements_links_but_nobody_else(
    as_rita: Client, sent: Any, engagement: Any
) -> None:
    response = as_rita.get(URL, {"engagement": engagement.pk})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [sent.link.pk]
    assert Client().get(URL, {"engagement": engagement.pk}).status_code == 401
    assert as_rita.get(URL).status_code == 400  # the engagement is required


def test_the_list_runs_a_constant_number_of_queries(
    as_rita: Client, engagement: Any, plan: Any, maria: Any, carol: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def make(n: int) -> None:
        for _ in range(n):
            actions.create_link(engagement, plan.current_version, purpose="test-signoff",
                                contact=maria, by=carol)

    make(1)
    with django_assert_max_num_queries(6) as one:
        assert as_rita.get(URL, {"engagement": engagement.pk}).status_code == 200
    make(9)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(as_rita.get(URL, {"engagement": engagement.pk}).json()["items"]) == 10


def test_revoking_through_the_api(as_carol: Client, sent: Any) -> None:
    response = as_carol.post(f"{URL}{sent.link.pk}/revoke")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    again = as_carol.post(f"{URL}{sent.link.pk}/revoke")
    assert again.status_code == 400 and "already revoked" in again.json()["errors"][0]["message"]


def test_the_purposes_are_listed(as_rita: Client) -> None:
    keys = [p["key"] for p in as_rita.get(f"{URL}purposes").json()]
    assert "test-signoff" in keys


def test_finding_2_the_api_refuses_a_purpose_that_does_not_fit_the_document(
    as_carol: Client, engagement: Any, plan: Any, maria: Any, carol: Any
) -> None:
    from cairn.documents.actions import Details, create_written
    from cairn.documents.models import DocumentType

    notes = create_written(engagement, Details("Handover notes", DocumentType.HANDOVER_NOTES), "# Notes\n", by=carol)
    response = as_carol.post(URL, _payload(engagement, plan, maria, version=notes.current_version.pk),
                             content_type="application/json")
    assert _errors(response) == {"purpose": "Test sign-off: only a success plan can be sent for sign-off."}
    assert not SharedLink.objects.exists()
