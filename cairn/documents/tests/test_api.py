"""The documents API: same rules as the web pages, typed answers, 409 on a stale edit."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cairn.documents import actions
from cairn.documents.models import Document
from cairn.people.models import ApiToken

URL = "/api/v1/documents/"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    _token, key = ApiToken.issue(user, "tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def api_carol(carol) -> Client:  # type: ignore[no-untyped-def]
    return _client(carol)


@pytest.fixture
def api_dave(dave) -> Client:  # type: ignore[no-untyped-def]
    return _client(dave)


@pytest.fixture
def api_rita(rita) -> Client:  # type: ignore[no-untyped-def]
    return _client(rita)


def _post(client: Client, url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(data), content_type="application/json")


def _put(client: Client, url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.put(url, json.dumps(data), content_type="application/json")


def test_a_request_without_a_token_is_refused(client, written):
    assert client.get(URL).status_code == 401


def test_the_list_is_paginated_and_filtered(api_rita, written, engagement, carol):
    actions.create_written(engagement, actions.Details(title="Roadmap", doc_type="roadmap"),
                           "Quarterly milestones", by=carol)
    everything = api_rita.get(URL).json()
    assert everything["count"] == 2
    assert {d["title"] for d in everything["items"]} == {"Handover from sales", "Roadmap"}
    by_type = api_rita.get(URL, {"type": "roadmap"}).json()
    assert [d["title"] for d in by_type["items"]] == ["Roadmap"]
    by_words = api_rita.get(URL, {"q": "sponsor maria", "engagement": engagement.pk}).json()
    assert [d["title"] for d in by_words["items"]] == ["Handover from sales"]
    item = by_words["items"][0]
    assert item["type"] == "handover_notes"
    assert item["current_version"] == 1
    assert item["created_by"] == "carol"
    page = api_rita.get(URL, {"page_size": 1, "page": 2}).json()
    assert len(page["items"]) == 1 and page["count"] == 2


def test_an_unknown_type_filter_names_the_field(api_rita, db):
    response = api_rita.get(URL, {"type": "poem"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "type"


def test_a_document_comes_with_its_current_text(api_rita, written):
    response = api_rita.get(f"{URL}{written.pk}")
    assert response.status_code == 200
    assert response.json()["body"].startswith("# Handover")
    assert api_rita.get(f"{URL}999999").status_code == 404


def test_a_csm_writes_a_document_through_the_api(api_carol, engagement, first_phase):
    response = _post(api_carol, URL, {
        "engagement": engagement.pk, "title": "Adoption plan", "type": "adoption_plan",
        "phase": first_phase.pk, "body": "Train the *warehouse*.",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["current_version"] == 1 and body["phase"] == first_phase.pk
    assert Document.objects.get(pk=body["id"]).engagement == engagement


def test_bad_input_names_the_field_and_saves_nothing(api_carol, engagement):
    missing = _post(api_carol, URL, {"engagement": engagement.pk, "title": ""})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "title"
    phase = _post(api_carol, URL, {"engagement": engagement.pk, "title": "X", "phase": 999999})
    assert phase.status_code == 400
    assert phase.json()["errors"][0]["field"] == "phase"
    nowhere = _post(api_carol, URL, {"engagement": 999999, "title": "X"})
    assert nowhere.status_code == 400
    assert nowhere.json()["errors"][0]["field"] == "engagement"
    assert not Document.objects.exists()


def test_outsiders_and_readers_cannot_write_through_the_api(api_dave, api_rita, engagement,
                                                           written):
    for client in (api_dave, api_rita):
        created = _post(client, URL, {"engagement": engagement.pk, "title": "X"})
        assert created.status_code == 403
        updated = _put(client, f"{URL}{written.pk}", {"base_version": 1, "body": "x"})
        assert updated.status_code == 403
    assert Document.objects.count() == 1
    assert written.versions.count() == 1


def test_an_update_makes_a_new_version_and_a_stale_one_gets_409(api_carol, written, alice):
    first = _put(api_carol, f"{URL}{written.pk}", {"base_version": 1, "body": "Version two"})
    assert first.status_code == 200, first.content
    assert first.json()["current_version"] == 2
    assert first.json()["title"] == "Handover from sales"
    stale = _put(api_carol, f"{URL}{written.pk}", {"base_version": 1, "body": "Lost?"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "saved version 2 while you were editing" in stale.json()["detail"]
    written.refresh_from_db()
    assert written.current_version.body == "Version two"


def test_the_versions_list_is_newest_first(api_rita, api_carol, written):
    _put(api_carol, f"{URL}{written.pk}", {"base_version": 1, "body": "v2", "comment": "typo"})
    versions = api_rita.get(f"{URL}{written.pk}/versions").json()
    assert [(v["number"], v["comment"]) for v in versions] == [(2, "typo"), (1, "")]
    assert versions[0]["created_by"] == "carol"


def test_the_api_list_runs_a_constant_number_of_queries(api_rita, engagement, carol):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_rita.get(URL, {"page_size": 100}).status_code == 200
        return len(queries)

    for i in range(2):
        actions.create_written(engagement, actions.Details(title=f"D{i}"), "x", by=carol)
    few = count()
    for i in range(2, 20):
        actions.create_written(engagement, actions.Details(title=f"D{i}"), "x", by=carol)
    assert count() == few


def test_the_documents_endpoints_are_in_the_openapi_document(api_rita, db):
    schema = api_rita.get("/api/v1/openapi.json").json()
    assert "/api/v1/documents/" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/documents/{pk}"]["put"]["responses"]


def test_a_file_is_uploaded_replaced_restored_and_deleted_through_the_api(
    api_carol: Client, engagement
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = api_carol.post(f"{URL}upload", {
        "engagement": engagement.pk, "type": "report",
        "file": SimpleUploadedFile("../../steering notes.txt", b"first cut"),
    })
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["filename"] == "steering notes.txt" and body["title"] == "steering notes.txt"
    pk = body["id"]

    stale = api_carol.post(f"{URL}{pk}/file", {
        "base_version": 0, "file": SimpleUploadedFile("notes.txt", b"x"),
    })
    assert stale.status_code == 409
    replaced = api_carol.post(f"{URL}{pk}/file", {
        "base_version": 1, "file": SimpleUploadedFile("notes-v2.txt", b"second cut"),
    })
    assert replaced.json()["current_version"] == 2

    restored = api_carol.post(f"{URL}{pk}/versions/1/restore")
    assert restored.json()["current_version"] == 3
    assert restored.json()["filename"] == "steering notes.txt"

    assert api_carol.delete(f"{URL}{pk}").status_code == 204
    assert not Document.objects.filter(pk=pk).exists()


def test_outsiders_cannot_upload_restore_or_delete(api_dave: Client, api_rita: Client, written) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    for client in (api_dave, api_rita):
        upload = client.post(f"{URL}upload", {
            "engagement": written.engagement_id, "file": SimpleUploadedFile("a.txt", b"a"),
        })
        assert upload.status_code == 403
        assert client.post(f"{URL}{written.pk}/versions/1/restore").status_code == 403
        assert client.delete(f"{URL}{written.pk}").status_code == 403
    assert Document.objects.count() == 1


def test_an_upload_without_a_file_names_the_field(api_carol: Client, engagement) -> None:
    response = api_carol.post(f"{URL}upload", {"engagement": engagement.pk})
    assert response.status_code == 400
    assert any(e["field"] == "file" for e in response.json()["errors"])


def test_an_upload_with_a_bad_engagement_names_the_field(api_carol: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_carol.post(f"{URL}upload", {
        "engagement": "abc", "file": SimpleUploadedFile("a.txt", b"a"),
    })
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["engagement"]
