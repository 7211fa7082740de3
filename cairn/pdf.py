"""PDFs from our own HTML templates, rendered by WeasyPrint, fully offline.

A PDF template extends "pdf/base.html", which links the print stylesheet (A4, page numbers,
a running header with the account and the document's title). The context keys `title` and
`account` fill that header; `subtitle` and `date` go on the cover when a template shows one.

Rendering never touches the network: relative and site-absolute URLs resolve against
SITE_URL, and the only ones fetched are our static files (read straight from the app's
static folders through Django's finders) and inline `data:` URLs. Anything else (an image
in Markdown pointing at another site, a login-protected page) is refused and left out, so a
document cannot make the server call out while it renders.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# WeasyPrint reports each rendering step at INFO; a server log needs its warnings only. Set
# before WeasyPrint is first imported: the import itself parses its stylesheets.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_CONTENT_TYPE = "application/pdf"


def _static_prefix() -> str:
    prefix = urlsplit(settings.STATIC_URL or "/static/").path
    return prefix if prefix.startswith("/") else f"/{prefix}"


def static_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves our static files from disk and `data:` URLs and
    refuses every other URL.

    WeasyPrint takes a second or two to import (fonts, its own stylesheets), so it is
    imported when the first PDF is made, not when a page module is.
    """
    return _fetcher_class()()


def _fetcher_class() -> type:
    global _FETCHER
    if _FETCHER is None:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class _StaticOnly(URLFetcher):  # type: ignore[misc]
            def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                path = _local_static_path(url)
                if path is None:
                    raise ValueError(f"PDF rendering fetches only Cairn's static files, not {url}")
                with open(path, "rb") as handle:
                    body = handle.read()
                mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": mime})

        _FETCHER = _StaticOnly
    return _FETCHER


_FETCHER: type | None = None


def _local_static_path(url: str) -> str | None:
    site = urlsplit(f"{settings.SITE_URL}/")
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    prefix = _static_prefix()
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix):])
    if not relative or ".." in relative.split("/"):
        return None
    found = finders.find(relative)
    return str(found) if isinstance(found, str) else None


def render_html_pdf(html: str) -> bytes:
    """Render a whole HTML page (already a string) to PDF bytes, offline."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=f"{settings.SITE_URL}/", url_fetcher=static_only_fetcher())
    return document.write_pdf()  # type: ignore[no-any-return]


def render_pdf(
    template_name: str, context: Mapping[str, Any], request: HttpRequest | None = None
) -> bytes:
    """Render a template (normally one extending "pdf/base.html") to PDF bytes."""
    html = render_to_string(template_name, dict(context), request=request)
    return render_html_pdf(html)


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP response carrying a PDF, shown in the browser or downloaded as `filename`."""
    safe = "".join(c if c.isalnum() or c in " ._-" else "-" for c in filename).strip() or "document"
    if not safe.lower().endswith(".pdf"):
        safe += ".pdf"
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{safe}"'
    return response
