"""Importing subscriptions: matched by account, product and start date; new products created."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.functions import Lower

from cairn.customers.importing import values as read
from cairn.customers.importing.importers import Importer, ParsedRow, apply, chunked
from cairn.customers.importing.mapping import SUBSCRIPTIONS
from cairn.customers.models import Product, Subscription, SubscriptionStatus

PLAIN_FIELDS = ("quantity", "arr", "start_date", "end_date", "status")
Key = tuple[int, str, dt.date]


class SubscriptionImporter(Importer):
    kind = SUBSCRIPTIONS

    def parse(self, name: str, raw: object) -> Any:
        if name == "quantity":
            return read.whole_number(raw)
        if name == "arr":
            return read.money(raw)
        if name in ("start_date", "end_date"):
            return read.date_value(raw, self.options.date_order)
        if name == "status":
            return read.choice(raw, SubscriptionStatus.choices)
        return read.text(raw, {"account": 200, "product": 150}[name])

    def check(self) -> None:
        self.resolve_account_column()
        for row in self.rows:
            start, end = row.values.get("start_date"), row.values.get("end_date")
            if start and end and end < start:
                self.fail(row, "end_date", f"ends on {end:%Y-%m-%d}, before it starts "
                          f"({start:%Y-%m-%d}).")
        rows = [row for row in self.rows if _key(row) is not None]
        existing = self._existing({row.values["account"].pk for row in rows})
        seen: dict[Key, int] = {}
        for row in rows:
            key = _key(row)
            assert key is not None
            if key in seen:
                self.fail(row, "product", f"the same subscription (account, product and start "
                          f"date) is also on line {seen[key]}.")
                continue
            seen[key] = row.line
            row.target = existing.get(key)

    def _existing(self, account_ids: set[int]) -> dict[Key, Subscription]:
        found: dict[Key, Subscription] = {}
        for batch in chunked(account_ids):
            for sub in Subscription.objects.filter(account_id__in=batch).select_related("product"):
                found[(sub.account_id, sub.product.name.lower(), sub.start_date)] = sub
        return found

    def _products(self) -> dict[str, Product]:
        """Every product the file names, creating those Cairn does not know yet."""
        wanted = {row.values["product"] for row in self.rows}
        products: dict[str, Product] = {}
        for batch in chunked({name.lower() for name in wanted}):
            for product in Product.objects.annotate(lname=Lower("name")).filter(lname__in=batch):
                products[product.name.lower()] = product
        missing: dict[str, Product] = {}
        for name in wanted:
            if name.lower() not in products:
                missing.setdefault(name.lower(), Product(name=name))
        Product.objects.bulk_create(missing.values(), batch_size=500)
        self.products_created = len(missing)
        return products | missing

    def write(self) -> tuple[int, int, int]:
        products = self._products()
        new: list[Subscription] = []
        changed: list[Subscription] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for row in self.rows:
            product = products[row.values["product"].lower()]
            sub = row.target or Subscription(account=row.values["account"], product=product)
            fields = apply(sub, row.values, PLAIN_FIELDS)
            if sub.pk is None:
                new.append(sub)
            elif fields:
                changed.append(sub)
                changed_fields |= fields
            else:
                unchanged += 1
        self.save(Subscription, new, changed, changed_fields)
        return len(new), len(changed), unchanged


def _key(row: ParsedRow) -> Key | None:
    values = row.values
    if not row.ok or "account" not in values or "product" not in values:
        return None
    if "start_date" not in values:
        return None
    return (values["account"].pk, values["product"].lower(), values["start_date"])
