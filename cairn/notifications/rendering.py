"""Rendering the e-mail templates a leader edits, safely.

The templates use Django's template language on an engine of their own that loads no file
and no tag library, and only the tags and filters below: a template cannot include another
template, print debugging output, pad a value to a gigabyte or mark a value safe. Their
context holds plain values only (strings, numbers, lists and dicts of them; see `plain`),
never model objects, so a template cannot reach an attribute or call a method. The HTML body
is autoescaped; the subject and the plain text are not.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils import formats

from cairn.notifications import defaults

logger = logging.getLogger(__name__)

ENGINE = Engine(debug=True, loaders=[], libraries={}, builtins=[], string_if_invalid="")

ALLOWED_TAGS = frozenset({
    "if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith", "firstof",
    "cycle", "resetcycle", "comment", "endcomment", "spaceless", "endspaceless", "ifchanged",
    "endifchanged", "now", "templatetag", "verbatim", "endverbatim", "filter", "endfilter",
})
ALLOWED_FILTERS = frozenset({
    "capfirst", "cut", "default", "default_if_none", "escape", "first", "join", "last", "length",
    "linebreaks", "linebreaksbr", "lower", "pluralize", "striptags", "title", "truncatechars",
    "truncatewords", "upper", "urlencode", "wordwrap", "yesno",
})
_FILTER = re.compile(r"\|\s*(\w+)")
SUBJECT_CHARS = 250
MAX_DEPTH = 4

Plain = str | int | float | bool | None | list[Any] | dict[str, Any]


def plain(value: Any, depth: int = 0) -> Plain:
    """The value as a template may see it: text, numbers, lists and dicts of them. Anything
    else (a model, a date, a queryset) becomes its text, so no attribute or method of it can
    be reached from a template."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "d M Y H:i")
    if isinstance(value, dt.date):
        return formats.date_format(value, "d M Y")
    if depth >= MAX_DEPTH:
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in value]
    return str(value)


def plain_context(values: Mapping[str, Any]) -> dict[str, Plain]:
    return {str(k): plain(v) for k, v in values.items()}


def _line(exc: Exception) -> int | None:
    debug = getattr(exc, "template_debug", None) or {}
    line = debug.get("line")
    return int(line) if line else None


def _said(exc: Exception) -> str:
    line = _line(exc)
    text = str(exc).split("\n")[0].strip() or type(exc).__name__
    return f"Line {line}: {text}" if line else text


def _refused(source: str) -> str | None:
    """The first tag or filter the template may not use, in words with its line."""
    for token in Lexer(source).tokenize():
        if token.token_type not in (TokenType.BLOCK, TokenType.VAR):
            continue
        if token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents.split() else ""
            if tag not in ALLOWED_TAGS:
                return f"Line {token.lineno}: the tag {{% {tag} %}} cannot be used in an e-mail template."
        for name in _FILTER.findall(token.contents):
            if name not in ALLOWED_FILTERS:
                return f"Line {token.lineno}: the filter |{name} cannot be used in an e-mail template."
    return None


def check_template(source: str, key: str, field: str) -> str | None:
    """What is wrong with one part (subject, html, text) of a template, in words naming the
    line; None when it compiles and renders with the sample values."""
    refused = _refused(source)
    if refused:
        return refused
    try:
        compiled = ENGINE.from_string(source)
        compiled.render(Context(defaults.sample(key), autoescape=field == "html"))
    except TemplateSyntaxError as exc:
        return _said(exc)
    except Exception as exc:  # a tag that fails on the sample values: say so, never a 500
        return f"It cannot be rendered: {_said(exc)}"
    if key in defaults.TO_USERS and field in ("html", "text") and "unsubscribe_url" not in source:
        return "Keep the unsubscribe link: {{ unsubscribe_url }} must appear in the e-mail."
    return None


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    """A template compiled once: the digests render the same one for every person."""
    return ENGINE.from_string(source)


def render(source: str, context: Mapping[str, Plain], *, html: bool) -> str:
    rendered = _compiled(source).render(Context(dict(context), autoescape=html))
    # Django marks what a template renders as safe. It is not safe for a page of Cairn (a
    # leader's text shown in the preview, the HTML put in an attribute): plain text it is.
    return str.__str__(rendered)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def one_line(subject: str) -> str:
    """A subject on one line (a header cannot hold a line break), of a sensible length."""
    flat = " ".join(subject.split())
    return flat if len(flat) <= SUBJECT_CHARS else flat[: SUBJECT_CHARS - 1] + "…"


def render_email(parts: Any, key: str, context: Mapping[str, Plain]) -> Rendered:
    """The subject, text and HTML of an e-mail from a stored template (or None: the built-in
    one). A stored template that fails on these values is logged and the built-in one used, so
    the e-mail still goes out."""
    if parts is not None:
        try:
            return Rendered(
                one_line(render(parts.subject, context, html=False)),
                render(parts.text, context, html=False),
                render(parts.html, context, html=True),
            )
        except Exception:
            logger.exception("The e-mail template %s failed; its built-in version is used", key)
    built_in = defaults.BUILT_IN.get(key, defaults.GENERIC)
    return Rendered(
        one_line(render(built_in.subject, context, html=False)),
        render(built_in.text, context, html=False),
        render(built_in.html, context, html=True),
    )
