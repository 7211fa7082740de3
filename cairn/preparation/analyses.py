"""The list of every shared PESTLE analysis: what each holds, which accounts use it, when it
last changed. Read in a fixed number of queries per page, whatever the number of analyses,
drivers and accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Lower, RowNumber, Trim

from cairn.customers.models import Account
from cairn.preparation.models import PestleCategory, PestleDriver, SharedPestle

ACCOUNTS_NAMED = 5


def listed() -> QuerySet[SharedPestle]:
    """Every shared analysis in a stable order to page through, with the last time one of
    its drivers was added, changed or removed (read from the drivers' history, which keeps
    removed ones)."""
    last_driver_change = (
        PestleDriver.history.filter(analysis_id=OuterRef("pk"))
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    return SharedPestle.objects.annotate(
        last_driver_change=Subquery(last_driver_change),
        industry_key=Lower(Trim("industry")),
        region_key=Lower(Trim("region")),
    ).order_by(Lower("industry"), Lower("region"), "pk")


@dataclass
class AnalysisRow:
    analysis: SharedPestle
    counts: list[int]  # drivers per category, in PESTLE order
    accounts: list[Account]  # the first ACCOUNTS_NAMED that use it, by name
    account_count: int = 0
    set_aside: int = 0  # accounts of its industry and region that set it aside

    @property
    def more_accounts(self) -> int:
        return self.account_count - len(self.accounts)

    @property
    def last_change(self) -> dt.datetime:
        updated: dt.datetime = self.analysis.updated_at
        driver: dt.datetime | None = getattr(self.analysis, "last_driver_change", None)
        return max(updated, driver) if driver else updated


def rows(analyses: Sequence[SharedPestle]) -> list[AnalysisRow]:
    """The rows of a page of `listed()`, in three queries.

    An account uses an analysis when its industry and region match (ignoring case and
    surrounding spaces, as `queries.shared_analysis_for` does) and it has not set the shared
    analysis aside. The keys are lowered by the database on both sides, so both agree on
    what matches.
    """
    if not analyses:
        return []
    counts: dict[tuple[int, str], int] = {
        (row["analysis_id"], row["category"]): row["n"]
        for row in PestleDriver.objects.filter(analysis__in=[a.pk for a in analyses])
        .values("analysis_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    }
    keys = {_key(a) for a in analyses}
    matching = Account.objects.annotate(
        industry_key=Lower(Trim("industry")),
        region_key=Lower(Trim("region")),
        uses=Coalesce("pestle__use_shared", Value(True), output_field=BooleanField()),
    ).filter(
        industry_key__in={industry for industry, _ in keys},
        region_key__in={region for _, region in keys},
    )
    totals: dict[tuple[str, str, bool], int] = {
        (row["industry_key"], row["region_key"], row["uses"]): row["n"]
        for row in matching.values("industry_key", "region_key", "uses")
        .annotate(n=Count("pk"))
        .order_by()
    }
    # The first few users of each analysis only: an industry may hold thousands of accounts.
    first_users = (
        matching.filter(uses=True)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("industry_key"), F("region_key")],
                order_by=[Lower("name").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=ACCOUNTS_NAMED)
        .order_by(Lower("name"), "pk")
    )
    named: dict[tuple[str, str], list[Account]] = {}
    for account in first_users:
        named.setdefault(_key(account), []).append(account)
    return [
        AnalysisRow(
            analysis=analysis,
            counts=[counts.get((analysis.pk, category), 0) for category in PestleCategory.values],
            accounts=named.get(_key(analysis), []),
            account_count=totals.get((*_key(analysis), True), 0),
            set_aside=totals.get((*_key(analysis), False), 0),
        )
        for analysis in analyses
    ]


def _key(record: SharedPestle | Account) -> tuple[str, str]:
    """The industry and region keys annotated by `listed()` or by `rows()`."""
    return record.industry_key, record.region_key  # type: ignore[union-attr]
