"""Importing contacts: matched by account and e-mail (or by name when there is no e-mail)."""

from __future__ import annotations

from typing import Any

from cairn.customers.importing import values as read
from cairn.customers.importing.importers import Importer, ParsedRow, apply, chunked
from cairn.customers.importing.mapping import CONTACTS
from cairn.customers.models import Contact

PLAIN_FIELDS = ("first_name", "last_name", "title", "department", "email", "phone")
LENGTHS = {"account": 200, "first_name": 100, "last_name": 100, "title": 150,
           "department": 100, "phone": 50}


def _name_key(values: dict[str, Any]) -> str:
    return f"{values.get('first_name', '')} {values.get('last_name', '')}".strip().lower()


class ContactImporter(Importer):
    kind = CONTACTS

    def parse(self, name: str, raw: object) -> Any:
        if name in ("email", "reports_to"):
            return read.email(raw)
        return read.text(raw, LENGTHS[name])

    def check(self) -> None:
        self.resolve_account_column()
        rows = [row for row in self.rows if "account" in row.values]
        existing = self._existing({row.values["account"].pk for row in rows})
        self._match(rows, existing)
        self._resolve_managers(rows, existing)

    def _existing(self, account_ids: set[int]) -> dict[tuple[int, str], list[Contact]]:
        """Contacts of the file's accounts, by (account id, e-mail) and (account id, name)."""
        found: dict[tuple[int, str], list[Contact]] = {}
        for batch in chunked(account_ids):
            for contact in Contact.objects.filter(account_id__in=batch):
                keys = {contact.email.lower(), contact.full_name.lower()} - {""}
                for key in keys:
                    found.setdefault((contact.account_id, key), []).append(contact)
        return found

    def _match(self, rows: list[ParsedRow], existing: dict[tuple[int, str], list[Contact]]) -> None:
        seen: dict[tuple[int, str], int] = {}
        for row in rows:
            account = row.values["account"]
            email = row.values.get("email", "").lower()
            key = (account.pk, email or _name_key(row.values))
            column = "email" if email else "first_name"
            if key in seen:
                who = email or _name_key(row.values)
                self.fail(row, column, f"{who!r} at {account.name!r} is also on line {seen[key]}.")
                continue
            seen[key] = row.line
            matches = existing.get(key, [])
            if email:
                # Same e-mail at the same account: the same person (a database rule, too).
                matches = [contact for contact in matches if contact.email.lower() == email]
            elif len(matches) > 1:
                self.fail(row, "first_name", f"{account.name!r} has several contacts named "
                          f"{_name_key(row.values)!r}; add the e-mail to say which one.")
                continue
            row.target = matches[0] if matches else None

    def _resolve_managers(
        self, rows: list[ParsedRow], existing: dict[tuple[int, str], list[Contact]]
    ) -> None:
        in_file = {
            (row.values["account"].pk, row.values["email"].lower()): row
            for row in rows if row.values.get("email")
        }
        for row in rows:
            manager = row.values.get("reports_to")
            if not manager:
                continue
            account = row.values["account"]
            key = (account.pk, manager.lower())
            if manager.lower() == row.values.get("email", "").lower():
                self.fail(row, "reports_to", "a contact cannot report to themselves.")
            elif key in in_file:
                row.values["reports_to"] = in_file[key]
            elif same_email := [c for c in existing.get(key, []) if c.email.lower() == key[1]]:
                row.values["reports_to"] = same_email[0]
            else:
                self.fail(row, "reports_to", f"no contact of {account.name!r} has the e-mail "
                          f"{manager!r}, in this file or in Cairn.")

    def write(self) -> tuple[int, int, int]:
        new: list[Contact] = []
        changed: list[Contact] = []
        changed_fields: set[str] = set()
        existing: set[int] = set()
        for row in self.rows:
            contact = row.target or Contact(account=row.values["account"])
            if contact.pk is not None:
                existing.add(contact.pk)
            fields = apply(contact, row.values, PLAIN_FIELDS)
            manager = row.values.get("reports_to")
            if isinstance(manager, Contact) and contact.reports_to_id != manager.pk:
                contact.reports_to_id = manager.pk
                fields.add("reports_to")
            row.target = contact
            if contact.pk is None:
                new.append(contact)
            elif fields:
                changed.append(contact)
                changed_fields |= fields
        self.save(Contact, new, changed, changed_fields)
        late = self._link_managers_in_file()
        updated = {contact.pk for contact in (*changed, *late)} & existing
        return len(new), len(updated), len(existing) - len(updated)

    def _link_managers_in_file(self) -> list[Contact]:
        """Set reports-to for managers who are rows of this file, now that all have ids."""
        late: list[Contact] = []
        for row in self.rows:
            manager = row.values.get("reports_to")
            if isinstance(manager, ParsedRow) and row.target.reports_to_id != manager.target.pk:
                row.target.reports_to_id = manager.target.pk
                late.append(row.target)
        self.save(Contact, [], late, {"reports_to"})
        return late
