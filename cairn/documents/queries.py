"""Reading the repository: an engagement's documents, recent ones, templates, and search."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cairn.documents.models import Document
from cairn.engagements.models import Engagement

MAX_WORDS = 8
SNIPPET_RADIUS = 90


def _listing(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """What every list of documents shows, fetched with the rows in the same query."""
    return queryset.select_related(
        "current_version", "current_version__created_by", "created_by", "phase",
        "engagement", "engagement__account",
    )


def engagement_page(request: HttpRequest, engagement: Engagement) -> dict[str, Any]:
    """For the engagement page (cairn.pages): its documents, for the documents card and the
    outputs' links."""
    return {"documents": documents_for_engagement(engagement)}


def documents_for_engagement(engagement: Engagement) -> list[Document]:
    """The engagement's documents, ordered by phase then title, in one query."""
    return list(
        _listing(Document.objects.filter(engagement=engagement, is_template=False)).order_by(
            F("phase__position").asc(nulls_last=True), "title", "pk"
        )
    )


def recent_documents(limit: int = 10) -> list[Document]:
    documents = _listing(Document.objects.filter(is_template=False))
    return list(documents.order_by("-updated_at")[:limit])


def templates() -> QuerySet[Document]:
    """The team's templates, each with `reuses`: how many documents were started from it,
    and the document it was promoted from (`origin`), in one query."""
    return (
        _listing(Document.objects.filter(is_template=True))
        .select_related("origin", "origin__engagement", "origin__engagement__account")
        .annotate(reuses=Count("copies", distinct=True))
        .order_by("doc_type", "title")
    )


@dataclass
class Search:
    q: str = ""
    doc_type: str = ""
    account_id: int | None = None
    engagement_id: int | None = None
    words: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.words = [w for w in self.q.split() if w][:MAX_WORDS]

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.doc_type or self.account_id or self.engagement_id)


_TEXT_FIELDS = (
    "title",
    "current_version__filename",
    "current_version__body",
    "current_version__extracted_text",
)


def _every_word_somewhere(words: list[str]) -> Q:
    """Portable matching: each word must appear (case-insensitively) in one of the fields."""
    condition = Q()
    for word in words:
        anywhere = Q()
        for name in _TEXT_FIELDS:
            anywhere |= Q(**{f"{name}__icontains": word})
        condition &= anywhere
    return condition


def search_documents(search: Search) -> QuerySet[Document]:
    """Documents and templates matching every word, best first.

    Ranking: documents whose title holds more of the words come first; then, on PostgreSQL,
    the full-text rank of the contents (with stemming: "plans" finds "plan"); then the newest.
    On SQLite the same substring match decides, so both databases give the same hits for
    whole words and PostgreSQL finds a few more through stemming.
    """
    queryset = _listing(Document.objects.all())
    if search.doc_type:
        queryset = queryset.filter(doc_type=search.doc_type)
    if search.engagement_id:
        queryset = queryset.filter(engagement_id=search.engagement_id)
    if search.account_id:
        queryset = queryset.filter(engagement__account_id=search.account_id)
    if not search.words:
        return queryset.order_by("-updated_at", "-pk")
    title_hits = sum(
        (
            Case(When(title__icontains=w, then=Value(1)), default=Value(0),
                 output_field=IntegerField())
            for w in search.words
        ),
        Value(0, output_field=IntegerField()),
    )
    queryset = queryset.annotate(title_hits=title_hits)
    matches = _every_word_somewhere(search.words)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("current_version__filename", weight="B", config="english")
            + SearchVector("current_version__body", weight="C", config="english")
            + SearchVector("current_version__extracted_text", weight="D", config="english")
        )
        query = SearchQuery(" ".join(search.words), search_type="plain", config="english")
        queryset = queryset.annotate(
            content_vector=vector, score=SearchRank(vector, query)
        ).filter(matches | Q(content_vector=query))
    else:
        queryset = queryset.annotate(score=Value(0.0, output_field=FloatField())).filter(matches)
    return queryset.order_by("-title_hits", "-score", "-updated_at", "-pk")


def snippet(document: Document, words: list[str]) -> SafeString:
    """A short escaped extract of the contents around the first word found, words marked."""
    version = document.current_version
    if version is None:
        return mark_safe("")
    text = _plain(version.body or version.extracted_text or "")
    if not text:
        return mark_safe("")
    if not words:
        return _mark(text[: SNIPPET_RADIUS * 2] + ("…" if len(text) > SNIPPET_RADIUS * 2 else ""),
                     [])
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    found = pattern.search(text)
    start = 0 if found is None else max(0, found.start() - SNIPPET_RADIUS)
    end = min(len(text), start + SNIPPET_RADIUS * 2)
    extract = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return _mark(extract, words)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[#*_`|~]+|^\s*>+", re.MULTILINE)


def _plain(markdown: str) -> str:
    # A snippet reads better without Markdown's punctuation: links keep their text only.
    return " ".join(_MARKUP.sub(" ", _LINK.sub(r"\1", markdown)).split())


def _mark(text: str, words: list[str]) -> SafeString:
    if not words:
        return mark_safe(escape(text))  # escaped
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    pieces: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        pieces.append(escape(text[last : found.start()]))
        pieces.append(f"<mark>{escape(found.group())}</mark>")
        last = found.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # every piece escaped
