"""What the preparation pages (and other apps) read, each in a fixed number of queries.

`strategy_chain(engagement)` and `strategy_graph(engagement)` are meant for other apps too:
the proposal quotes the chain, the engagement page shows the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from cairn.customers.models import Account, Contact, Product
from cairn.engagements.models import Engagement
from cairn.preparation.charts import Graph, GraphEdge, GraphNode, OrgChart, layout_graph, org_chart
from cairn.preparation.models import (
    Area,
    Capability,
    ChainKind,
    Confidence,
    Contribution,
    ElementKind,
    Fact,
    HandoverMeeting,
    InternalDriver,
    Level,
    PestleCategory,
    PestleDriver,
    Question,
    QuestionStatus,
    SharedPestle,
    SolutionLink,
    StrategyElement,
    ValueChainFunction,
)

# --- dossier ---------------------------------------------------------------------------------


def dossier(engagement: Engagement) -> dict[str, Any]:
    """The whole dossier, every fact included (the strategy document writes it all out)."""
    facts = list(Fact.objects.filter(engagement=engagement).select_related("created_by"))
    areas = [
        {"key": key, "label": label, "facts": [f for f in facts if f.area == key]}
        for key, label in Area.choices
    ]
    return {
        "areas": areas,
        "facts": facts,
        **_questions_and_meetings(engagement),
        "assumed_count": sum(1 for f in facts if f.confidence == Confidence.ASSUMED),
    }


def _questions_and_meetings(engagement: Engagement) -> dict[str, Any]:
    questions = list(
        Question.objects.filter(engagement=engagement).select_related("fact", "answered_by")
    )
    meetings = list(
        HandoverMeeting.objects.filter(engagement=engagement).prefetch_related(
            "attendees__user", "follow_ups__task__assignee"
        )
    )
    return {
        "open_questions": [q for q in questions if q.status == QuestionStatus.OPEN],
        "answered_questions": [q for q in questions if q.status == QuestionStatus.ANSWERED],
        "meetings": meetings,
    }


def facts_in_order(engagement: Engagement) -> QuerySet[Fact]:
    """The engagement's facts as the dossier lists them: area by area in the order of the
    five areas (not alphabetically), each area's facts in the order they were added."""
    area_order = Case(
        *[When(area=key, then=Value(i)) for i, key in enumerate(Area.values)],
        output_field=IntegerField(),
    )
    return (
        Fact.objects.filter(engagement=engagement)
        .alias(area_order=area_order)
        .order_by("area_order", "created_at", "pk")
    )


def fact_page(fact: Fact, per_page: int) -> int:
    """The page of the dossier's facts that shows `fact`."""
    earlier_areas = Area.values[: Area.values.index(fact.area)]
    before = Fact.objects.filter(engagement_id=fact.engagement_id).filter(
        Q(area__in=earlier_areas)
        | Q(area=fact.area, created_at__lt=fact.created_at)
        | Q(area=fact.area, created_at=fact.created_at, pk__lt=fact.pk)
    )
    return before.count() // per_page + 1


def dossier_page(engagement: Engagement, number: str | None, per_page: int) -> dict[str, Any]:
    """The dossier page: one page of facts, still grouped by area, with each area's count.

    An area whose facts are all on other pages says on which, so a gap (an area with no
    fact at all) stays distinct from an area listed elsewhere.
    """
    totals = {
        row["area"]: row
        for row in Fact.objects.filter(engagement=engagement)
        .values("area")
        .annotate(n=Count("pk"), assumed=Count("pk", filter=Q(confidence=Confidence.ASSUMED)))
        .order_by()
    }
    paginator = Paginator(facts_in_order(engagement).select_related("created_by"), per_page)
    paginator.count = sum(row["n"] for row in totals.values())  # known: no COUNT query
    page: Page[Fact] = paginator.get_page(number)
    shown = list(page.object_list)
    areas = []
    start = 0
    for key, label in Area.choices:
        total = totals[key]["n"] if key in totals else 0
        facts = [f for f in shown if f.area == key]
        pages = range(start // per_page + 1, (start + total - 1) // per_page + 2) if total else range(0)
        areas.append({
            "key": key, "label": label, "facts": facts, "total": total,
            "elsewhere": total - len(facts),
            "other_pages": [n for n in pages if n != page.number],
        })
        start += total
    return {
        "areas": areas,
        "facts_page": page,
        "fact_count": start,
        "assumed_count": sum(row["assumed"] for row in totals.values()),
        **_questions_and_meetings(engagement),
    }


# --- organization --------------------------------------------------------------------------


def contacts_of(account: Account) -> list[Contact]:
    return list(Contact.objects.filter(account=account).order_by("last_name", "first_name", "pk"))


def account_org_chart(account: Account) -> tuple[OrgChart, list[Contact]]:
    contacts = contacts_of(account)
    return org_chart(contacts), contacts


def value_chain(engagement: Engagement) -> dict[str, list[ValueChainFunction]]:
    functions = list(ValueChainFunction.objects.filter(engagement=engagement))
    return {
        "primary": [f for f in functions if f.kind == ChainKind.PRIMARY],
        "support": [f for f in functions if f.kind == ChainKind.SUPPORT],
    }


@dataclass
class CapabilityNode:
    capability: Capability
    children: list[CapabilityNode] = field(default_factory=list)


def capability_map(engagement: Engagement) -> list[CapabilityNode]:
    """High-level capabilities with their mid and low levels beneath, from one query."""
    capabilities = list(Capability.objects.filter(engagement=engagement))
    nodes = {c.pk: CapabilityNode(c) for c in capabilities}
    roots: list[CapabilityNode] = []
    for capability in capabilities:
        node = nodes[capability.pk]
        parent = nodes.get(capability.parent_id) if capability.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    return [n for n in roots if n.capability.level == Level.HIGH] + [
        n for n in roots if n.capability.level != Level.HIGH
    ]


# --- PESTLE ----------------------------------------------------------------------------------


def shared_analysis_for(account: Account) -> SharedPestle | None:
    """The shared analysis of the account's industry and region, if there is one."""
    industry, region = account.industry.strip(), account.region.strip()
    if not industry or not region:
        return None
    return SharedPestle.objects.filter(industry__iexact=industry, region__iexact=region).first()


@dataclass
class EffectiveDriver:
    """A driver as it applies to one account, and where it comes from."""

    driver: PestleDriver
    origin: str  # "shared", "replaced" (an account's version of a shared one) or "own"
    shared: PestleDriver | None = None

    @property
    def category(self) -> str:
        return self.driver.category


@dataclass
class EffectivePestle:
    account: Account
    analysis: SharedPestle | None
    use_shared: bool
    note: str
    drivers: list[EffectiveDriver]
    hidden: list[PestleDriver]

    def by_category(self) -> list[dict[str, Any]]:
        return [
            {"key": key, "label": label, "drivers": [d for d in self.drivers if d.category == key]}
            for key, label in PestleCategory.choices
        ]


def effective_pestle(account: Account) -> EffectivePestle:
    """The account's PESTLE: the shared drivers of its industry and region, less what it
    hides, with its replacements in their place, plus its own drivers.

    Setting the shared analysis aside keeps only the account's own drivers.
    """
    analysis = shared_analysis_for(account)
    settings = getattr(account, "pestle", None) if _has_pestle(account) else None
    use_shared = settings.use_shared if settings else True
    own = list(PestleDriver.objects.filter(account=account).select_related("replaces"))
    overrides = {d.replaces_id: d for d in own if d.replaces_id is not None}
    drivers: list[EffectiveDriver] = []
    hidden: list[PestleDriver] = []
    if analysis is not None and use_shared:
        for shared in PestleDriver.objects.filter(analysis=analysis):
            override = overrides.get(shared.pk)
            if override is None:
                drivers.append(EffectiveDriver(shared, "shared"))
            elif override.hidden:
                hidden.append(shared)
            else:
                drivers.append(EffectiveDriver(override, "replaced", shared))
    for driver in own:
        if driver.replaces_id is None or (driver.replaces and driver.replaces.analysis_id is None):
            drivers.append(EffectiveDriver(driver, "own"))
    order = {key: i for i, key in enumerate(PestleCategory.values)}
    drivers.sort(key=lambda d: (order.get(d.category, 99), d.driver.title.lower()))
    return EffectivePestle(
        account, analysis, use_shared, settings.note if settings else "", drivers, hidden
    )


def _has_pestle(account: Account) -> bool:
    from cairn.preparation.models import AccountPestle

    try:
        account.pestle  # noqa: B018  (a reverse one-to-one raises when missing)
    except AccountPestle.DoesNotExist:
        return False
    return True


def internal_drivers(account: Account) -> list[InternalDriver]:
    return list(InternalDriver.objects.filter(account=account))


# --- strategy chain ------------------------------------------------------------------------


@dataclass
class StrategyChain:
    """The customer's strategy and how this engagement's solution serves it."""

    engagement: Engagement
    elements: list[StrategyElement]
    links: list[SolutionLink]
    contributions: list[Contribution]
    products: list[Product]

    def of_kind(self, kind: str) -> list[StrategyElement]:
        return [e for e in self.elements if e.kind == kind]

    @property
    def ends(self) -> list[dict[str, Any]]:
        """vision > goals > objectives, nested for display."""
        return self._ladder([ElementKind.VISION, ElementKind.GOAL, ElementKind.OBJECTIVE])

    @property
    def means(self) -> list[dict[str, Any]]:
        """mission > strategies > tactics, nested for display."""
        return self._ladder([ElementKind.MISSION, ElementKind.STRATEGY, ElementKind.TACTIC])

    def _ladder(self, kinds: list[str]) -> list[dict[str, Any]]:
        def children(element: StrategyElement, level: int) -> list[dict[str, Any]]:
            if level >= len(kinds):
                return []
            return [
                {"element": e, "children": children(e, level + 1)}
                for e in self.of_kind(kinds[level]) if e.parent_id == element.pk
            ]

        # Elements without a parent yet start a branch of their own, at their level.
        return [
            {"element": e, "children": children(e, level + 1)}
            for level, kind in enumerate(kinds)
            for e in self.of_kind(kind)
            if level == 0 or e.parent_id is None
        ]

    def path_up(self, element: StrategyElement) -> list[StrategyElement]:
        """From an element up to the vision: a tactic, its strategy, then the objective it
        serves, that objective's goal and the vision."""
        by_pk = {e.pk: e for e in self.elements}
        path = [element]
        if element.kind == ElementKind.TACTIC and element.parent_id in by_pk:
            path.append(by_pk[element.parent_id])  # type: ignore[index]
        if element.kind in (ElementKind.TACTIC, ElementKind.STRATEGY):
            step = by_pk.get(element.serves_id) if element.serves_id else None
        else:
            step = by_pk.get(element.parent_id) if element.parent_id else None
        while step is not None and step not in path:
            path.append(step)
            step = by_pk.get(step.parent_id) if step.parent_id else None
        return path

    @property
    def paths(self) -> list[dict[str, Any]]:
        """Each solution link as a readable line: product → tactic → objective → goal → vision."""
        return [
            {"link": link, "product": link.product, "path": self.path_up(link.element)}
            for link in self.links
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain data, e.g. for a proposal or the API."""
        return {
            "elements": [
                {"id": e.pk, "kind": e.kind, "title": e.title, "description": e.description,
                 "parent": e.parent_id, "serves": e.serves_id}
                for e in self.elements
            ],
            "paths": [
                {"product": p["product"].name if p["product"] else None,
                 "note": p["link"].note,
                 "path": [{"id": e.pk, "kind": e.kind, "title": e.title} for e in p["path"]]}
                for p in self.paths
            ],
            "contributions": [
                {"product": c.product.name, "function": c.function, "output": c.output,
                 "contribution": c.contribution, "outcome": c.outcome.name if c.outcome else None}
                for c in self.contributions
            ],
        }


def strategy_chain(engagement: Engagement) -> StrategyChain:
    return StrategyChain(
        engagement=engagement,
        elements=list(
            StrategyElement.objects.filter(account_id=engagement.account_id).select_related("serves")
        ),
        links=list(
            SolutionLink.objects.filter(engagement=engagement).select_related("product", "element")
        ),
        contributions=list(
            Contribution.objects.filter(engagement=engagement).select_related("product", "outcome")
        ),
        products=list(engagement.products.all()),
    )


_COLUMN = {
    ElementKind.TACTIC: (4, 1),
    ElementKind.OBJECTIVE: (5, 0),
    ElementKind.STRATEGY: (5, 1),
    ElementKind.GOAL: (6, 0),
    ElementKind.MISSION: (6, 1),
    ElementKind.VISION: (7, 0),
}


def chain_graph(chain: StrategyChain) -> Graph:
    """The chain as a layered graph: products on the left, the customer's vision on the right."""
    nodes: dict[str, GraphNode] = {}
    edges: list[GraphEdge] = []

    def node(key: str, column: int, kind: str, title: str, subtitle: str = "", band: int = 0) -> str:
        if key not in nodes:
            nodes[key] = GraphNode(key, column, kind, title, subtitle, band)
        return key

    for product in chain.products:
        node(f"p{product.pk}", 0, "product", product.name)
    for c in chain.contributions:
        p = node(f"p{c.product_id}", 0, "product", c.product.name)
        f = node(f"f{c.product_id}:{c.function.lower()}", 1, "function", c.function)
        o = node(f"{f}:o:{c.output.lower()}", 2, "output", c.output)
        r = node(f"c{c.pk}", 3, "contribution", c.contribution,
                 c.outcome.name if c.outcome else "")
        for source, target in ((p, f), (f, o), (o, r)):
            if not any(e.source == source and e.target == target for e in edges):
                edges.append(GraphEdge(source, target, "chain"))
    for e in chain.elements:
        column, band = _COLUMN[ElementKind(e.kind)]
        node(f"s{e.pk}", column, e.kind, e.title, e.get_kind_display(), band)
    for e in chain.elements:
        for other in (e.parent_id, e.serves_id):
            if other:
                edges.append(GraphEdge(f"s{e.pk}", f"s{other}", "chain"))
    for link in chain.links:
        source = (
            node(f"p{link.product_id}", 0, "product", link.product.name)
            if link.product else node("solution", 0, "product", "The whole solution")
        )
        edges.append(GraphEdge(source, f"s{link.element_id}", "serves"))
    return layout_graph(list(nodes.values()), edges)


def strategy_graph(engagement: Engagement) -> Graph:
    """For the engagement page: `{% include "preparation/_strategy_graph.html" with graph=... %}`."""
    return chain_graph(strategy_chain(engagement))


def shared_analyses() -> list[SharedPestle]:
    return list(SharedPestle.objects.prefetch_related("drivers"))


def accounts_sharing(analysis: SharedPestle) -> list[Account]:
    return list(
        Account.objects.filter(
            Q(industry__iexact=analysis.industry) & Q(region__iexact=analysis.region)
        ).order_by("name")
    )


def engagements_with_products() -> QuerySet[Engagement]:
    """Engagements as the preparation pages show and check them."""
    return Engagement.objects.select_related(
        "account", "owner", "current_phase", "playbook_version"
    ).prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name")))


def engagement_with_products(pk: int) -> Engagement:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(engagements_with_products(), pk=pk)
