"""Support tickets and NPS answers: checked row by row, then upserted all together or not at all.

The rows come from a file (CSV or JSON lines) or the API. Every problem is reported with
its line and field; only when there is none is anything written, in one transaction.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from cairn.customers.models import Account, Contact
from cairn.people.models import User
from cairn.usage.forms import FeedbackRow, SurveyRow, TicketRow
from cairn.usage.models import SupportTicket, SurveyResponse
from cairn.usage.readers import UnreadableFile, text_of

Row = tuple[int, dict[str, Any]]

KINDS: dict[str, tuple[type[FeedbackRow], type[SupportTicket] | type[SurveyResponse]]] = {
    "tickets": (TicketRow, SupportTicket),
    "surveys": (SurveyRow, SurveyResponse),
}
_FIELDS = {
    "tickets": ["subject", "priority", "status", "opened_at", "closed_at"],
    "surveys": ["score", "comment", "answered_at"],
}
_LOOKUP_SLICE = 500  # SQLite's bound-parameter limit, with room to spare


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f'line {self.line}, field "{self.field}": {self.message}'


@dataclass
class FeedbackResult:
    kind: str
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        label = "ticket(s)" if self.kind == "tickets" else "survey answer(s)"
        return f"{self.created} {label} created, {self.updated} updated."


def read_rows(path: Path, fmt: str) -> list[Row]:
    """All rows of a small file (tickets and answers number thousands, not millions)."""
    try:
        if fmt == "jsonl":
            return _jsonl_rows(path)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            return [
                (reader.line_num, {str(k).strip().lower(): v for k, v in row.items() if k})
                for row in reader
            ]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableFile(f"cannot be read ({exc})") from None


def _jsonl_rows(path: Path) -> list[Row]:
    rows: list[Row] = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except (ValueError, RecursionError):  # not JSON, a 5,000-digit number, too deep
                record = None
            if not isinstance(record, dict):
                rows.append((number, {"__line__": "not a JSON object"}))
                continue
            rows.append((number, {str(k).lower(): text_of(v) for k, v in record.items()}))
    return rows


def _slices(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _LOOKUP_SLICE):
        yield values[start : start + _LOOKUP_SLICE]


def import_rows(kind: str, rows: list[Row], *, user: User | None) -> FeedbackResult:
    """Check every row; if all are good, create or update them by external id, atomically."""
    form_class, model = KINDS[kind]
    result = FeedbackResult(kind)
    cleaned: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        if "__line__" in values:
            result.errors.append(RowError(line, "line", "not a JSON object"))
            continue
        form = form_class(values)
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    result.errors.append(RowError(line, name, str(message)))
            continue
        data = form.cleaned_data
        if data["external_id"] in seen:
            result.errors.append(RowError(
                line, "external_id", f"also on line {seen[data['external_id']]} of this file."
            ))
            continue
        seen[data["external_id"]] = line
        cleaned.append((line, data))
    accounts = _accounts({data["account"] for _, data in cleaned})
    contacts = _contacts(
        {(accounts[d["account"]].pk, d["contact_email"].lower()) for _, d in cleaned
         if d["account"] in accounts and d["contact_email"]}
    )
    records: list[tuple[dict[str, Any], Account, Contact | None]] = []
    for line, data in cleaned:
        account = accounts.get(data["account"])
        if account is None:
            result.errors.append(RowError(line, "account", f"no account has the external id "
                                                           f"{data['account']!r}."))
            continue
        contact = None
        if data["contact_email"]:
            contact = contacts.get((account.pk, data["contact_email"].lower()))
            if contact is None:
                result.errors.append(RowError(
                    line, "contact_email",
                    f"{account.name} has no contact with the e-mail {data['contact_email']}.",
                ))
                continue
        records.append((data, account, contact))
    if result.errors:
        return result
    _save(kind, model, records, result)
    return result


def _accounts(external_ids: set[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    for part in _slices(sorted(external_ids)):
        for account in Account.objects.filter(external_id__in=part).only("pk", "name", "external_id"):
            found[account.external_id] = account
    return found


def _contacts(keys: set[tuple[int, str]]) -> dict[tuple[int, str], Contact]:
    emails = sorted({email for _, email in keys})
    found: dict[tuple[int, str], Contact] = {}
    for part in _slices(emails):
        matches = Contact.objects.annotate(lower_email=Lower("email")).filter(
            lower_email__in=part, account_id__in={pk for pk, _ in keys}
        )
        for contact in matches:
            found[(contact.account_id, contact.email.lower())] = contact
    return found


@transaction.atomic
def _save(
    kind: str,
    model: type[SupportTicket] | type[SurveyResponse],
    records: list[tuple[dict[str, Any], Account, Contact | None]],
    result: FeedbackResult,
) -> None:
    ids = [data["external_id"] for data, _, _ in records]
    existing: dict[str, Any] = {}
    for part in _slices(ids):
        existing.update(
            {obj.external_id: obj for obj in model._default_manager.filter(external_id__in=part)}
        )
    fields = _FIELDS[kind]
    now = timezone.now()
    new: list[Any] = []
    changed: list[Any] = []
    for data, account, contact in records:
        obj = existing.get(data["external_id"]) or model(external_id=data["external_id"])
        obj.account = account
        obj.contact = contact
        for name in fields:
            setattr(obj, name, data[name])
        obj.updated_at = now  # bulk_update skips auto_now
        # The named constraints, checked here so a refusal names its field, not the database.
        obj.full_clean(exclude=["external_id"], validate_unique=False)
        (changed if obj.pk else new).append(obj)
    model._default_manager.bulk_create(new, batch_size=500)
    model._default_manager.bulk_update(
        changed, ["account", "contact", "updated_at", *fields], batch_size=500
    )
    result.created, result.updated = len(new), len(changed)
