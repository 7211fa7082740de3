"""`cairn tokens create --user USERNAME --name NAME [--ingest]`, `cairn tokens list [--user
USERNAME]` and `cairn tokens revoke ID`: personal API tokens from a shell, with the rules of the
profile page (cairn.people.actions)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cairn.bounds import INT_MAX
from cairn.people import actions
from cairn.people.models import ApiToken, User

NAME_MAX = ApiToken._meta.get_field("name").max_length or 100
FLAGS = {"name": "--name", "ingest": "--ingest"}


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens (the key is shown once, at creation)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token for a user and print its key once.")
        create.add_argument("--user", required=True, help="Whose token it is (username): it acts as them.")
        create.add_argument("--name", required=True, help="Where it will be used, e.g. 'CRM sync'.")
        create.add_argument(
            "--ingest", action="store_true",
            help="Ingest scope: sends usage events, tickets and NPS answers for every account "
            "(only for admins and CS leaders).",
        )
        listing = sub.add_parser("list", help="List tokens (never their keys).")
        listing.add_argument("--user", help="Only this user's tokens (username).")
        revoke = sub.add_parser("revoke", help="Revoke a token: clients using it are refused.")
        revoke.add_argument("id", type=int, help="The token's id (see `cairn tokens list`).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options["user"], options["name"], options["ingest"])
        elif options["action"] == "list":
            self._list(options["user"])
        else:
            self._revoke(options["id"])

    def _user(self, username: str) -> User:
        user = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user is called {username!r}.")
        return user

    def _create(self, username: str, name: str, ingest: bool) -> None:
        user = self._user(username)
        if len(name.strip()) > NAME_MAX:
            raise CommandError(f"--name: at most {NAME_MAX} characters (it has {len(name.strip())}).")
        try:
            token, key = actions.issue_token(user, name, ingest=ingest)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            detail = f" ({user.username}'s role is {user.get_role_display()})" if field == "ingest" else ""
            raise CommandError(f"{FLAGS.get(field, field)}: {messages[0]}{detail}") from None
        scope = "with the ingest scope" if token.ingest else "without the ingest scope"
        self.stdout.write(
            f"Token {token.pk} \u201c{token.name}\u201d for {user.username} ({user}, "
            f"{user.get_role_display()}), {scope}:"
        )
        self.stdout.write(key)
        self.stdout.write(
            "Copy it now: Cairn keeps only its hash and cannot show it again. "
            "Send it as 'Authorization: Bearer <token>'."
        )

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at", "pk")
        if username is not None:
            tokens = tokens.filter(user=self._user(username))
        rows = list(tokens)
        if not rows:
            self.stdout.write("No tokens.")
            return
        for token in rows:
            scope = "ingest" if token.ingest else "-"
            self.stdout.write(
                f"{token.pk:>6}  {token.user.username:<20} {token.prefix}\u2026  {scope:<6}  "
                f"made {_when(token.created_at)}  last used {_when(token.last_used_at)}  {token.name}"
            )

    def _revoke(self, pk: int) -> None:
        # Past 64 bits the database refuses the number itself: no such token either way.
        found = ApiToken.objects.select_related("user").filter(pk=pk) if 1 <= pk <= INT_MAX else None
        token = found.first() if found is not None else None
        if token is None:
            raise CommandError(f"ID: no token has the id {pk} (`cairn tokens list` shows them).")
        actions.revoke_token(token)
        self.stdout.write(
            self.style.SUCCESS(
                f"Token {pk} \u201c{token.name}\u201d of {token.user.username} is revoked; "
                "clients using it are refused."
            )
        )
