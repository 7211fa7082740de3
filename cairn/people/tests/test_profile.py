"""Everyone's own profile: name and e-mail, password, and personal API tokens."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cairn.customers.models import Account
from cairn.people import actions
from cairn.people.models import ApiToken, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PERSONAS = ["as_adam", "as_alice", "as_carol", "as_dave", "as_rita"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_their_own_profile(persona: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(persona)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert "API tokens" in response.content.decode()


def test_the_profile_needs_a_login() -> None:
    response = Client().get(reverse("profile"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_user_changes_their_name_and_email(as_rita: Client, rita: User) -> None:
    response = as_rita.post(
        reverse("profile"),
        {"first_name": "Rita", "last_name": "Reads", "email": "rita@example.test", "title": ""},
    )
    assert response.status_code == 302
    rita.refresh_from_db()
    assert (rita.last_name, rita.email) == ("Reads", "rita@example.test")


def test_a_bad_email_is_refused_naming_the_field(as_carol: Client, carol: User) -> None:
    response = as_carol.post(
        reverse("profile"), {"first_name": "Carol", "last_name": "X", "email": "nope", "title": ""}
    )
    assert response.status_code == 400
    assert "email" in response.context["profile_form"].errors
    assert 'id="id_email_error"' in response.content.decode()
    carol.refresh_from_db()
    assert carol.last_name == "Owner"


def test_a_user_changes_their_password_and_stays_logged_in(as_carol: Client, carol: User) -> None:
    response = as_carol.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a brand new passphrase 7",
         "new_password2": "a brand new passphrase 7"},
    )
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.check_password("a brand new passphrase 7")
    assert as_carol.get(reverse("profile")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"old_password": "wrong", "new_password1": "a brand new passphrase 7",
          "new_password2": "a brand new passphrase 7"}, "old_password"),
        ({"old_password": PASSWORD, "new_password1": "a brand new passphrase 7",
          "new_password2": "another passphrase 8"}, "new_password2"),
        ({"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
         "new_password2"),
    ],
)
def test_a_bad_password_change_is_refused_naming_the_field(
    as_carol: Client, carol: User, data: dict[str, str], field: str
) -> None:
    response = as_carol.post(reverse("password_change"), data)
    assert response.status_code == 400
    assert field in response.context["password_form"].errors
    carol.refresh_from_db()
    assert carol.check_password(PASSWORD)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_makes_a_token_whose_key_is_shown_once_and_works(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(persona)
    assert client.post(reverse("token_create"), {"name": "CRM sync"}).status_code == 302
    page = client.get(reverse("profile")).content.decode()
    key = page.split('id="new-token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert key.startswith("cairn_")
    token = ApiToken.objects.get(name="CRM sync")
    assert f"cairn_{token.prefix}" in page
    assert key not in client.get(reverse("profile")).content.decode()
    api = Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_name(as_carol: Client) -> None:
    response = as_carol.post(reverse("token_create"), {"name": "  "})
    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert 'id="id_name_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused(as_carol: Client, carol: User) -> None:
    token, key = ApiToken.issue(carol, "old script")
    assert as_carol.post(reverse("token_revoke", args=[token.pk])).status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    api = Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 401


def test_nobody_revokes_someone_elses_token(as_dave: Client, carol: User) -> None:
    token, _ = ApiToken.issue(carol, "carol's script")
    assert as_dave.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_token_list_shows_only_ones_own_tokens(
    as_dave: Client, carol: User, dave: User
) -> None:
    ApiToken.issue(carol, "carol's script")
    ApiToken.issue(dave, "dave's script")
    page = as_dave.get(reverse("profile")).content.decode()
    assert "dave&#x27;s script" in page and "carol&#x27;s script" not in page


def test_a_leader_makes_an_ingest_token_that_sends_usage_events(
    as_alice: Client, alice: User
) -> None:
    Account.objects.create(name="Acme", external_id="acme-1")
    assert "Ingest scope" in as_alice.get(reverse("profile")).content.decode()
    response = as_alice.post(reverse("token_create"), {"name": "Product feed", "ingest": "on"})
    assert response.status_code == 302
    page = as_alice.get(reverse("profile")).content.decode()
    key = page.split('id="new-token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert "Sends usage data: events, tickets and NPS answers for every account" in page
    event = {"account_external_id": "acme-1", "user_id": "u1", "event_type": "login",
             "timestamp": "2026-01-01T10:00:00Z"}
    sent = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        "/api/v1/usage/events", {"events": [event]}, content_type="application/json"
    )
    assert sent.status_code == 201, sent.content


def test_a_csm_cannot_make_an_ingest_token(as_carol: Client, carol: User) -> None:
    assert "Ingest scope" not in as_carol.get(reverse("profile")).content.decode()
    # A forged tick is ignored: the field is not on a CSM's form.
    as_carol.post(reverse("token_create"), {"name": "Sneaky", "ingest": "on"})
    assert ApiToken.objects.get(name="Sneaky").ingest is False
    with pytest.raises(ValidationError):
        actions.issue_token(carol, "Sneaky too", ingest=True)
