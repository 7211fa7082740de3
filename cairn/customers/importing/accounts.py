"""Importing accounts: matched by external id, else by name in any case; never duplicated."""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Lower

from cairn.customers.importing import values as read
from cairn.customers.importing.importers import Importer, ParsedRow, apply, chunked
from cairn.customers.importing.mapping import ACCOUNTS
from cairn.customers.models import Account, Segment
from cairn.people.models import User

PLAIN_FIELDS = ("name", "external_id", "industry", "region", "employees", "website", "segment")


class AccountImporter(Importer):
    kind = ACCOUNTS

    def parse(self, name: str, raw: object) -> Any:
        if name == "employees":
            return read.whole_number(raw)
        if name == "website":
            return read.url(raw)
        if name == "segment":
            return read.choice(raw, Segment.choices)
        lengths = {"name": 200, "external_id": 100, "industry": 100, "region": 100,
                   "owner": 254, "parent": 200}
        return read.text(raw, lengths[name])

    # Checking ------------------------------------------------------------------------------

    def check(self) -> None:
        self._check_duplicates()
        self._match_existing()
        self._resolve_owners()
        self._check_parents()

    def _check_duplicates(self) -> None:
        external_lines: dict[str, int] = {}
        name_lines: dict[str, int] = {}
        for row in self.rows:
            external = row.values.get("external_id")
            if external:
                if external in external_lines:
                    self.fail(row, "external_id", f"the external id {external!r} is also on "
                              f"line {external_lines[external]}.")
                external_lines.setdefault(external, row.line)
            name = row.values.get("name")
            if name:
                if name.lower() in name_lines:
                    self.fail(row, "name", f"the account {name!r} is also on line "
                              f"{name_lines[name.lower()]}.")
                name_lines.setdefault(name.lower(), row.line)

    def _match_existing(self) -> None:
        externals = {row.values.get("external_id", "") for row in self.rows} - {""}
        names = {row.values["name"].lower() for row in self.rows if row.values.get("name")}
        by_external: dict[str, Account] = {}
        by_name: dict[str, Account] = {}
        for batch in chunked(externals):
            matches = Account.objects.filter(external_id__in=batch)
            by_external.update((account.external_id, account) for account in matches)
        for batch in chunked(names):
            matches = Account.objects.annotate(lname=Lower("name")).filter(lname__in=batch)
            by_name.update((a.name.lower(), a) for a in matches)
        matched: list[tuple[ParsedRow, Account]] = []
        for row in self.rows:
            external, name = row.values.get("external_id"), row.values.get("name", "")
            target = by_external.get(external) if external else None
            namesake = by_name.get(name.lower())
            if target is None and namesake is not None:
                if external and namesake.external_id and namesake.external_id != external:
                    self.fail(row, "external_id", f"the account {namesake.name!r} has the "
                              f"external id {namesake.external_id!r} in Cairn, not {external!r}.")
                    continue
                target = namesake
            elif target is not None and namesake is not None and namesake.pk != target.pk:
                self.fail(row, "name", f"another account is already named {namesake.name!r}.")
                continue
            if target is not None:
                row.target = target
                matched.append((row, target))
        self.refuse_others_accounts(matched, "name")

    def _resolve_owners(self) -> None:
        wanted = {row.values["owner"].lower() for row in self.rows if row.values.get("owner")}
        if not wanted:
            return
        by_email: dict[str, list[User]] = {}
        by_username: dict[str, User] = {}
        for user in User.objects.filter(is_active=True).only("pk", "username", "email"):
            by_username[user.username.lower()] = user
            if user.email:
                by_email.setdefault(user.email.lower(), []).append(user)
        for row in self.rows:
            given = row.values.get("owner")
            if not given:
                continue
            users = by_email.get(given.lower(), [])
            if len(users) > 1:
                self.fail(row, "owner", f"several Cairn users have the e-mail {given!r}; "
                          "give the username instead.")
                continue
            owner = users[0] if users else by_username.get(given.lower())
            if owner is None:
                self.fail(row, "owner", f"no active Cairn user has the e-mail or username "
                          f"{given!r}.")
                continue
            row.values["owner"] = owner

    def _check_parents(self) -> None:
        in_file = {row.values["name"].lower(): row for row in self.rows if row.values.get("name")}
        wanted = {
            row.values["parent"].lower() for row in self.rows
            if row.values.get("parent") and row.values["parent"].lower() not in in_file
        }
        in_cairn: dict[str, int] = {}
        for batch in chunked(wanted):
            for pk, name in Account.objects.annotate(lname=Lower("name")).filter(
                lname__in=batch
            ).values_list("pk", "lname"):
                in_cairn[name] = pk
        parent_of: dict[str, str] = {}
        for row in self.rows:
            parent = row.values.get("parent")
            if not parent:
                continue
            key = parent.lower()
            if key == row.values.get("name", "").lower():
                self.fail(row, "parent", "an account cannot be its own parent.")
            elif key not in in_file and key not in in_cairn:
                self.fail(row, "parent", f"no account named {parent!r} is in this file or in "
                          "Cairn.")
            else:
                parent_of[row.values.get("name", "").lower()] = key
                row.values["parent"] = in_file.get(key) or in_cairn[key]
        self._check_parent_loops(parent_of, in_file)

    def _check_parent_loops(self, parent_of: dict[str, str], in_file: dict[str, ParsedRow]) -> None:
        for start in parent_of:
            seen, current = {start}, parent_of[start]
            while current in parent_of and current not in seen:
                seen.add(current)
                current = parent_of[current]
            if current == start:
                self.fail(in_file[start], "parent", "the parent accounts in this file form a loop.")

    # Writing -------------------------------------------------------------------------------

    def write(self) -> tuple[int, int, int]:
        new: list[Account] = []
        changed: list[Account] = []
        changed_fields: set[str] = set()
        existing: set[int] = set()
        for row in self.rows:
            account = row.target or Account()
            if account.pk is not None:
                existing.add(account.pk)
            fields = apply(account, row.values, PLAIN_FIELDS)
            owner = row.values.get("owner")
            if owner is not None and account.owner_id != owner.pk:
                account.owner = owner
                fields.add("owner")
            # A parent already in Cairn is set now; one this file creates, once it exists.
            parent_pk = _known_parent_pk(row.values.get("parent"))
            if parent_pk is not None and account.parent_id != parent_pk:
                account.parent_id = parent_pk
                fields.add("parent")
            row.target = account
            if account.pk is None:
                new.append(account)
            elif fields:
                changed.append(account)
                changed_fields |= fields
        self.save(Account, new, changed, changed_fields)
        late = self._link_new_parents()
        updated = {account.pk for account in (*changed, *late)} & existing
        return len(new), len(updated), len(existing) - len(updated)

    def _link_new_parents(self) -> list[Account]:
        """Point accounts at parents this file has just created (they had no id before)."""
        late: list[Account] = []
        for row in self.rows:
            parent = row.values.get("parent")
            if isinstance(parent, ParsedRow) and row.target.parent_id != parent.target.pk:
                row.target.parent_id = parent.target.pk
                late.append(row.target)
        self.save(Account, [], late, {"parent"})
        return late


def _known_parent_pk(parent: int | ParsedRow | None) -> int | None:
    if isinstance(parent, int):
        return parent
    if isinstance(parent, ParsedRow) and parent.target is not None:
        return parent.target.pk  # None while the parent is still to be created
    return None
