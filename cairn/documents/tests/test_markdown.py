"""Markdown is rendered, and nothing hostile survives the renderer and the sanitizer."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from django.urls import reverse

from cairn.documents.rendering import ALLOWED_TAGS, render_markdown


class _Audit(HTMLParser):
    """Collects every tag and attribute, the way a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def assert_harmless(html: str) -> None:
    audit = _Audit()
    audit.feed(html)
    assert audit.tags <= ALLOWED_TAGS, audit.tags - ALLOWED_TAGS
    for name, value in audit.attributes:
        assert not name.startswith("on"), name
        assert name != "style"
        if name in ("href", "src"):
            scheme = urlsplit(value.strip().replace("\t", "")).scheme.lower()
            assert scheme in ("", "http", "https", "mailto"), value

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](https://ok.example \"t\" onmouseover=alert(1))",
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_rendered_harmless(text):
    html = render_markdown(text)
    assert_harmless(html)
    assert "<script" not in html.lower()


def test_ordinary_markdown_keeps_its_structure():
    html = render_markdown(
        "# Title\n\n- one\n- **two**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[site](https://acme.example) ~~old~~\n\n```\ncode\n```"
    )
    assert "<h1>Title</h1>" in html
    assert "<li><strong>two</strong></li>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'href="https://acme.example"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<s>old</s>" in html
    assert "<pre><code>code\n</code></pre>" in html


def test_the_markdown_filter_is_available_to_every_app():
    rendered = Template("{% load markdown %}{{ text|markdown }}").render(
        Context({"text": "*hi* <script>x</script>"})
    )
    assert "<em>hi</em>" in rendered
    assert "<script" not in rendered
    assert Template("{% load markdown %}[{{ text|markdown }}]").render(Context({})) == "[]"


def test_a_hostile_document_page_has_no_script(as_rita, engagement, carol):
    from cairn.documents import actions

    document = actions.create_written(
        engagement, actions.Details(title="<script>alert('t')</script>"),
        "\n\n".join(HOSTILE), by=carol,
    )
    page = as_rita.get(reverse("document", args=[document.pk])).content.decode()
    rendered = page.split('<div class="markdown">', 1)[1].split("</article>", 1)[0]
    assert_harmless(rendered.rsplit("</div>", 1)[0])
    assert "<script" not in page.split('<main id="main"', 1)[1]
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page


def test_images_from_other_sites_are_not_loaded() -> None:
    from cairn.documents.rendering import render_markdown

    html = str(render_markdown("![pixel](http://evil.example/p.png) ![x](//evil.example/q.png) ![ok](/static/cairn/cairn.svg)"))
    assert "evil.example" not in html
    assert 'src="/static/cairn/cairn.svg"' in html
