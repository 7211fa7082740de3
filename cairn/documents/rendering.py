"""Markdown to safe HTML: markdown-it-py renders, nh3 keeps only an allow-list.

Two layers on purpose: markdown-it never passes raw HTML through (html=False) and refuses
javascript:/vbscript:/data: links; nh3 then strips anything a parser bug might still let
through (unknown tags, on* attributes, style, unsafe URL schemes).
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def _same_site_images(tag: str, attribute: str, value: str) -> str | None:
    # An image from another site would be fetched by every reader's browser: a tracking
    # pixel, and an asset Cairn does not serve. Links may point anywhere; images may not.
    if tag == "img" and attribute == "src" and ("//" in value or ":" in value):
        return None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        attribute_filter=_same_site_images,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str | None) -> SafeString:
    """Render user-written Markdown to HTML that is safe to put in a page."""
    if not text:
        return mark_safe("")
    return mark_safe(sanitize(_parser.render(text)))  # sanitized just above
