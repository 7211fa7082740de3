"""`cairn unlock`: list login lockouts, or lift one (a user name, or an address)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cairn.people import throttle


class Command(BaseCommand):
    help = (
        "Lift the login lockout of a user name (cairn unlock carol) or of an address "
        "(cairn unlock --address 203.0.113.7). Without either, list the lockouts in force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="", help="User name to unlock.")
        parser.add_argument("--address", default="", help="Network address to unlock.")

    def handle(self, *args: Any, **options: Any) -> None:
        username, address = options["username"].strip(), options["address"].strip()
        if username and address:
            raise CommandError("Give a user name or --address, not both.")
        if address:
            try:
                address = str(ipaddress.ip_address(address))
            except ValueError:
                raise CommandError(
                    f"--address must be an IP address such as 203.0.113.7, not {address!r}."
                ) from None
        if not username and not address:
            self._list()
            return
        kind, value = ("username", username) if username else ("address", address)
        was_locked = any(lock.kind == kind and lock.value == value for lock in throttle.lockouts())
        throttle.lift(username=username, address=address, by="cairn unlock")
        what = f"user name {value}" if username else f"address {value}"
        if was_locked:
            self.stdout.write(self.style.SUCCESS(f"Lockout of {what} lifted."))
        else:
            self.stdout.write(f"The {what} was not locked out; its failed logins are forgotten.")

    def _list(self) -> None:
        lockouts = throttle.lockouts()
        if not lockouts:
            self.stdout.write("No lockouts.")
            return
        for lock in lockouts:
            what = f"user name {lock.value}" if lock.kind == "username" else f"address {lock.value}"
            ends = timezone.localtime(lock.until).strftime("%Y-%m-%d %H:%M %Z")
            self.stdout.write(f"{what}: {lock.failures} failed logins, ends by itself {ends}")
        self.stdout.write("Lift one with `cairn unlock USERNAME` or `cairn unlock --address ADDRESS`.")
