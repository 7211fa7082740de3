"""Admin of users: who may see it, creating, editing, deactivating, and the last admin."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from cairn.people.models import Role, User

pytestmark = pytest.mark.django_db

NEW = {
    "username": "nina", "first_name": "Nina", "last_name": "New", "email": "nina@cairn.test",
    "title": "CSM", "role": "csm",
}


@pytest.mark.parametrize("persona", ["as_alice", "as_carol", "as_dave", "as_rita"])
def test_only_admins_see_or_change_users(
    persona: str, request: pytest.FixtureRequest, adam: User
) -> None:
    client: Client = request.getfixturevalue(persona)
    assert client.get(reverse("users")).status_code == 403
    assert client.get(reverse("user_create")).status_code == 403
    assert client.post(reverse("user_create"), NEW).status_code == 403
    demote = {**NEW, "role": "readonly"}
    assert client.post(reverse("user_edit", args=[adam.pk]), demote).status_code == 403
    assert client.post(reverse("user_deactivate", args=[adam.pk])).status_code == 403
    assert not User.objects.filter(username="nina").exists()
    adam.refresh_from_db()
    assert adam.is_active and adam.role == Role.ADMIN


def test_the_users_page_lists_role_status_and_last_login(
    as_adam: Client, carol: User, rita: User
) -> None:
    rita.is_active = False
    rita.save()
    page = as_adam.get(reverse("users")).content.decode()
    assert "Carol Owner" in page and "CSM" in page
    assert "Deactivated" in page and "Never" in page
    assert "Read-only" in page


def test_the_users_page_runs_the_same_queries_for_few_and_many_users(
    as_adam: Client, django_user_model  # type: ignore[no-untyped-def]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    django_user_model.objects.bulk_create(
        User(username=f"u{i}", role="csm", email=f"u{i}@cairn.test") for i in range(2)
    )
    with CaptureQueriesContext(connection) as few:
        as_adam.get(reverse("users"))
    django_user_model.objects.bulk_create(
        User(username=f"v{i}", role="csm", email=f"v{i}@cairn.test") for i in range(20)
    )
    with CaptureQueriesContext(connection) as many:
        as_adam.get(reverse("users"))
    assert len(few) == len(many)


def test_an_admin_creates_a_user_with_a_generated_password_shown_once(as_adam: Client) -> None:
    response = as_adam.post(reverse("user_create"), NEW)
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert nina.role == Role.CSM and nina.is_active
    page = as_adam.get(reverse("users")).content.decode()
    assert "Initial password for nina" in page
    start = page.index('id="new-password"')
    password = page[start:].split('value="', 1)[1].split('"', 1)[0]
    assert nina.check_password(password)
    # The login throttle (django-axes) needs the request it counts attempts for.
    assert Client().login(request=HttpRequest(), username="nina", password=password)
    assert "Initial password" not in as_adam.get(reverse("users")).content.decode()


def test_an_admin_creates_a_user_with_a_chosen_password(as_adam: Client) -> None:
    as_adam.post(reverse("user_create"), {**NEW, "password": "a long enough passphrase 42"})
    assert User.objects.get(username="nina").check_password("a long enough passphrase 42")
    assert "Initial password" not in as_adam.get(reverse("users")).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"username": "carol"}, "username", "already exists"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": ""}, "email", "required"),
        ({"role": "overlord"}, "role", "not one of the available choices"),
        ({"password": "short"}, "password", "too short"),
    ],
)
def test_a_bad_new_user_is_refused_naming_the_field(
    as_adam: Client, carol: User, change: dict[str, str], field: str, message: str
) -> None:
    response = as_adam.post(reverse("user_create"), {**NEW, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.filter(email="nina@cairn.test").exists()


def test_an_admin_changes_a_users_role_name_and_email(as_adam: Client, carol: User) -> None:
    response = as_adam.post(
        reverse("user_edit", args=[carol.pk]),
        {"first_name": "Caroline", "last_name": "Owner", "email": "caroline@cairn.test",
         "title": "Senior CSM", "role": "leader", "is_active": "on"},
    )
    assert response.status_code == 302
    carol.refresh_from_db()
    changed = (carol.first_name, carol.email, carol.role)
    assert changed == ("Caroline", "caroline@cairn.test", "leader")


def test_deactivating_keeps_the_user_but_stops_their_login_and_tokens(
    as_adam: Client, carol: User
) -> None:
    from cairn.people.models import ApiToken

    _, key = ApiToken.issue(carol, "script")
    assert as_adam.post(reverse("user_deactivate", args=[carol.pk])).status_code == 302
    carol.refresh_from_db()
    assert not carol.is_active
    assert not Client().login(
        request=HttpRequest(), username="carol", password="correct horse battery staple"
    )
    assert Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    as_adam.post(reverse("user_reactivate", args=[carol.pk]))
    carol.refresh_from_db()
    assert carol.is_active


def test_the_last_admin_cannot_demote_themselves(as_adam: Client, adam: User) -> None:
    response = as_adam.post(
        reverse("user_edit", args=[adam.pk]),
        {"first_name": "Adam", "last_name": "Admin", "email": "adam@cairn.test", "role": "csm",
         "is_active": "on"},
    )
    assert response.status_code == 200
    assert "last active admin" in " ".join(response.context["form"].errors["role"])
    adam.refresh_from_db()
    assert adam.role == Role.ADMIN


def test_the_last_admin_cannot_deactivate_themselves(as_adam: Client, adam: User) -> None:
    response = as_adam.post(reverse("user_deactivate", args=[adam.pk]), follow=True)
    assert "last active admin" in response.content.decode()
    adam.refresh_from_db()
    assert adam.is_active


def test_an_admin_may_step_down_once_another_admin_exists(
    as_adam: Client, adam: User, alice: User
) -> None:
    alice.role = Role.ADMIN
    alice.save()
    as_adam.post(
        reverse("user_edit", args=[adam.pk]),
        {"first_name": "Adam", "last_name": "Admin", "email": "adam@cairn.test", "role": "leader",
         "is_active": "on"},
    )
    adam.refresh_from_db()
    assert adam.role == Role.LEADER


def test_a_role_change_is_kept_with_who_made_it(as_adam: Client, carol: User) -> None:
    as_adam.post(reverse("user_edit", args=[carol.pk]), {
        "first_name": "Carol", "last_name": "Owner", "email": "carol@cairn.test", "title": "",
        "role": "leader", "is_active": "on",
    })
    page = as_adam.get(reverse("user_edit", args=[carol.pk])).content.decode()
    assert "History" in page
    assert "<strong>Role</strong> changed from CSM to CS leader" in page
    assert "by Adam Admin" in page
