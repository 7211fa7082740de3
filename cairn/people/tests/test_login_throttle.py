"""Login throttling: guessing is stopped per user name and per address, the login page says
why and until when, and an admin (only an admin) lifts a lockout on the Users page or with
`cairn unlock`."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import TYPE_CHECKING

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from cairn.people.models import User
from conftest import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

LIMIT: int = settings.AXES_FAILURE_LIMIT
HOME = "198.51.100.7"


def log_in(username: str, password: str, address: str = HOME) -> tuple[Client, Response]:
    """A fresh browser at `address` posts the login form."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def status(username: str, password: str, address: str = HOME) -> int:
    return log_in(username, password, address)[1].status_code


def lock_out(username: str, address: str = HOME) -> None:
    for _ in range(LIMIT):
        status(username, "not the password", address)


def test_thirty_wrong_passwords_are_not_all_answered_normally(carol: User) -> None:
    answers = [status("carol", f"guess {n}") for n in range(30)]

    # The failures before the limit are told "do not match"; from the limit on, it is a lockout.
    assert answers[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert answers[LIMIT - 1 :] == [429] * (31 - LIMIT)


def test_the_lockout_page_says_when_to_try_again_and_how_to_get_back_in(carol: User) -> None:
    lock_out("carol")

    _, response = log_in("carol", "another guess")

    page = response.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response.status_code == 429
    assert "Too many failed logins for this user name or from this network" in page
    assert f"Try again in {minutes} minutes (counted from the last attempt)" in page
    assert "ask an admin to lift the lockout" in page
    assert f'href="{reverse("password_reset")}"' in page
    assert 'value="carol"' in page
    assert "do not match" not in page


def test_the_right_password_is_refused_during_a_lockout(carol: User) -> None:
    lock_out("carol")

    client, response = log_in("carol", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert client.get(reverse("portfolio")).status_code == 302  # still anonymous


def test_the_lockout_ends_by_itself_after_the_cool_off_time(carol: User) -> None:
    lock_out("carol")
    assert status("carol", PASSWORD) == 429

    cooled = settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - cooled
        )

    assert status("carol", PASSWORD) == 302


def test_a_user_name_is_locked_out_wherever_the_guesses_come_from(
    carol: User, dave: User
) -> None:
    for n in range(LIMIT):
        status("carol", "not the password", address=f"203.0.113.{n + 1}")

    assert status("carol", PASSWORD, address="192.0.2.50") == 429
    # Someone else at one of those addresses is not held up by carol's lockout.
    assert status("dave", PASSWORD, address="203.0.113.1") == 302


def test_an_address_trying_many_user_names_is_locked_out(carol: User) -> None:
    for n in range(LIMIT):
        status(f"someone{n}", "not the password")

    assert status("carol", PASSWORD) == 429
    # carol herself, from her own address, is not.
    assert status("carol", PASSWORD, address="192.0.2.50") == 302


def test_the_api_is_no_way_around_a_lockout(carol: User) -> None:
    lock_out("carol")
    basic = base64.b64encode(f"carol:{PASSWORD}".encode()).decode()

    # The API takes personal tokens only, never a user name and password.
    response = Client(REMOTE_ADDR=HOME).get(
        "/api/v1/accounts/", HTTP_AUTHORIZATION=f"Basic {basic}"
    )

    assert response.status_code == 401


def test_an_admin_sees_lockouts_on_the_users_page_and_lifts_one(
    as_adam: Client, carol: User
) -> None:
    lock_out("carol")

    page = as_adam.get(reverse("users")).content.decode()
    assert "Locked out of logging in" in page
    assert "User name <strong>carol</strong>" in page
    assert f"Network (IP) address <strong>{HOME}</strong>" in page

    response = as_adam.post(reverse("lockout_lift"), {"username": "carol"}, follow=True)

    assert "carol may try to log in again." in response.content.decode()
    # Her failures were the address's failures too: lifting her name frees both.
    assert status("carol", PASSWORD) == 302
    assert "Locked out of logging in" not in as_adam.get(reverse("users")).content.decode()


def test_an_admin_lifts_an_address_lockout(as_adam: Client, carol: User) -> None:
    for n in range(LIMIT):
        status(f"someone{n}", "not the password")

    as_adam.post(reverse("lockout_lift"), {"address": HOME})

    assert status("carol", PASSWORD) == 302


def test_lifting_needs_one_user_name_or_one_address(as_adam: Client, carol: User) -> None:
    lock_out("carol")

    response = as_adam.post(
        reverse("lockout_lift"), {"username": "carol", "address": HOME}, follow=True
    )

    assert "Choose one user name or one address" in response.content.decode()
    assert status("carol", PASSWORD) == 429


@pytest.mark.parametrize(("field", "name"), [("username", "car\x00ol"), ("username", "x" * 5_000),
                                            ("address", "abc"), ("address", "10.0.0.\x00")])
def test_a_name_no_lockout_can_have_is_refused_not_a_server_error(
    as_adam: Client, field: str, name: str
) -> None:
    response = as_adam.post(reverse("lockout_lift"), {field: name}, follow=True)

    assert response.status_code == 200
    assert "not a user name or an address Cairn can have locked out" in response.content.decode()


def test_lifting_a_name_that_is_not_locked_out_says_so(as_adam: Client, carol: User) -> None:
    response = as_adam.post(reverse("lockout_lift"), {"username": "carol"}, follow=True)

    assert "carol was not locked out: nothing to lift." in response.content.decode()


@pytest.mark.parametrize("persona", ["as_alice", "as_carol", "as_dave", "as_rita"])
def test_only_an_admin_lifts_a_lockout(
    persona: str, request: pytest.FixtureRequest, carol: User
) -> None:
    client: Client = request.getfixturevalue(persona)
    lock_out("carol")

    response = client.post(reverse("lockout_lift"), {"username": "carol"})

    assert response.status_code == 403
    assert status("carol", PASSWORD) == 429


def test_anonymous_cannot_lift_a_lockout(carol: User) -> None:
    lock_out("carol")

    response = Client().post(reverse("lockout_lift"), {"username": "carol"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert status("carol", PASSWORD) == 429


def unlock(*args: str) -> str:
    out = io.StringIO()
    call_command("unlock", *args, stdout=out)
    return out.getvalue()


def test_cairn_unlock_lists_the_lockouts_and_lifts_a_user_name(carol: User) -> None:
    assert unlock() == "No lockouts.\n"
    lock_out("carol")

    listing = unlock()
    assert f"user name carol: {LIMIT} failed logins, ends by itself" in listing
    assert f"address {HOME}: {LIMIT} failed logins" in listing

    assert unlock("carol") == "Lockout of user name carol lifted.\n"
    assert status("carol", PASSWORD) == 302


def test_cairn_unlock_lifts_an_address(carol: User) -> None:
    for n in range(LIMIT):
        status(f"someone{n}", "not the password")

    assert unlock("--address", HOME) == f"Lockout of address {HOME} lifted.\n"
    assert status("carol", PASSWORD) == 302


def test_cairn_unlock_says_when_there_was_no_lockout(carol: User) -> None:
    assert unlock("carol") == (
        "The user name carol was not locked out; its failed logins are forgotten.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--address", "the office"), "--address must be an IP address"),
        (("carol", "--address", HOME), "Give a user name or --address, not both."),
    ],
)
def test_cairn_unlock_refuses_bad_arguments_naming_them(
    args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        unlock(*args)
