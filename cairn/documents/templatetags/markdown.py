"""`{% load markdown %}` then `{{ text|markdown }}`: sanitized Markdown for any app's page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cairn.documents.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text)
