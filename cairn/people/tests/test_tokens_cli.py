"""`cairn tokens`: an operator makes, lists and revokes API tokens with the profile page's rules."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from cairn.people.models import ApiToken

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("tokens", *args, stdout=out)
    return out.getvalue()


def key_of(output: str) -> str:
    match = re.search(r"^(cairn_\S+)$", output, re.MULTILINE)
    assert match is not None, output
    return match.group(1)


def test_a_created_token_is_printed_once_and_authenticates_as_its_user(alice, acme) -> None:  # type: ignore[no-untyped-def]
    output = run("create", "--user", "alice", "--name", "CRM sync")
    assert "for alice (Alice Leader, CS leader), without the ingest scope:" in output
    key = key_of(output)
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.ingest) == (alice, "CRM sync", False)
    assert key not in token.key_hash  # only its hash is kept
    response = Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert [a["name"] for a in response.json()["items"]] == ["Acme Manufacturing"]
    # The key is never shown again: the list has its prefix only.
    listed = run("list")
    assert key not in listed and token.prefix in listed and "CRM sync" in listed


def test_a_leader_gets_an_ingest_token_and_a_csm_is_refused_as_on_the_profile_page(alice, carol) -> None:  # type: ignore[no-untyped-def]
    run("create", "--user", "alice", "--name", "Product events", "--ingest")
    assert ApiToken.objects.get(user=alice).ingest
    with pytest.raises(CommandError) as caught:
        run("create", "--user", "carol", "--name", "Events", "--ingest")
    assert str(caught.value) == "--ingest: Only admins and CS leaders make ingest tokens. (carol's role is CSM)"
    assert not ApiToken.objects.filter(user=carol).exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--user", "nobody", "--name", "x"), "--user: no active user is called 'nobody'."),
    (("--user", "rita", "--name", "   "), "--name: Name the token after where you will use it."),
    (("--user", "rita", "--name", "x" * 101), "--name: at most 100 characters (it has 101)."),
])
def test_bad_input_names_the_flag_and_saves_nothing(rita, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError) as caught:
        run("create", *args)
    assert str(caught.value) == message
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(rita) -> None:  # type: ignore[no-untyped-def]
    rita.is_active = False
    rita.save()
    with pytest.raises(CommandError, match=r"--user: no active user is called 'rita'\."):
        run("create", "--user", "rita", "--name", "Reports")


def test_list_filters_by_user_and_revoke_refuses_the_token_at_once(alice, rita) -> None:  # type: ignore[no-untyped-def]
    assert run("list") == "No tokens.\n"
    key = key_of(run("create", "--user", "rita", "--name", "Dashboard"))
    run("create", "--user", "alice", "--name", "Sync")
    assert "Dashboard" in run("list", "--user", "rita") and "Sync" not in run("list", "--user", "rita")
    token = ApiToken.objects.get(user=rita)
    assert f"Token {token.pk} \u201cDashboard\u201d of rita is revoked" in run("revoke", str(token.pk))
    assert Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert ApiToken.objects.count() == 1
    for missing in (str(token.pk), "99999999999999999999999"):
        with pytest.raises(CommandError, match="ID: no token has the id"):
            run("revoke", missing)
    with pytest.raises(CommandError, match="invalid int value"):
        run("revoke", "seven")
