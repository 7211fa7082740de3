"""The PDF renderer and the test helpers other apps rely on (cairn.pdf, cairn.testing_pdf)."""

from __future__ import annotations

import datetime as dt

import pypdfium2
import pytest
from django.utils.safestring import mark_safe
from PIL import Image

from cairn.pdf import pdf_response, render_pdf, static_only_fetcher
from cairn.testing_pdf import assert_not_blank, first_page_image, ink_share, svg_not_blank

A4_POINTS = (595, 842)


def _sample_pdf() -> bytes:
    body = "".join(f"<h2>Section {n}</h2><p>{'Energy use down by a fifth. ' * 40}</p>" for n in range(6))
    return render_pdf(
        "sharing/document_pdf.html",
        {
            "title": "Customer engagement proposal", "account": "Acme Manufacturing",
            "subtitle": "Energy use down 20 %", "date": dt.date(2026, 9, 1),
            "body_html": mark_safe(body),
        },
    )


def _page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def test_a_pdf_is_a4_with_a_cover_and_a_first_page_that_is_not_blank() -> None:
    pdf = _sample_pdf()
    assert pdf.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf)
    width, height = document[0].get_size()
    pages = len(document)
    document.close()
    assert (round(width), round(height)) == A4_POINTS
    assert pages >= 3
    assert_not_blank(first_page_image(pdf))


def test_pages_after_the_cover_carry_the_account_the_title_and_their_number() -> None:
    texts = _page_texts(_sample_pdf())
    total = len(texts)
    assert "PREPARED FOR" in texts[0]  # the cover's labels are set in capitals
    assert "Page 1 of" in texts[0]
    second = texts[1]
    assert "Acme Manufacturing" in second and "Customer engagement proposal" in second
    assert f"Page 2 of {total}" in second


def test_the_print_stylesheet_is_read_from_our_static_files() -> None:
    # The cover's colour band exists only in print.css: a green pixel proves it was applied.
    image = first_page_image(_sample_pdf(), scale=2)
    colours = {colour for _count, colour in image.getcolors(maxcolors=1_000_000) or []}
    assert (0x2F, 0x6B, 0x55) in colours


def test_the_fetcher_serves_static_files_and_refuses_everything_else() -> None:
    fetcher = static_only_fetcher()
    response = fetcher.fetch("http://127.0.0.1:8000/static/cairn/print.css")
    assert b"@page" in response.read()
    for url in (
        "https://example.com/tracker.png",
        "http://127.0.0.1:8000/documents/1/",
        "http://127.0.0.1:8000/static/../settings.py",
        "http://127.0.0.1:8000/static/cairn/missing.css",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_an_image_from_another_site_is_left_out_without_failing_the_pdf() -> None:
    pdf = render_pdf(
        "sharing/document_pdf.html",
        {"title": "T", "account": "A", "body_html": mark_safe('<img src="https://example.com/x.png">')},
    )
    assert pdf.startswith(b"%PDF")


def test_a_pdf_response_names_a_safe_file() -> None:
    response = pdf_response(b"%PDF-1.7", 'Acme "proposal"/v2')
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Acme -proposal--v2.pdf"'
    assert pdf_response(b"", "x.pdf", inline=False)["Content-Disposition"].startswith("attachment")


def test_a_white_image_is_blank_and_a_drawn_one_is_not() -> None:
    white = Image.new("RGB", (100, 100), "white")
    assert ink_share(white) == 0
    with pytest.raises(AssertionError, match="blank"):
        assert_not_blank(white)
    drawn = white.copy()
    drawn.paste((40, 40, 40), (0, 0, 100, 20))
    assert assert_not_blank(drawn) == pytest.approx(0.2)


def test_an_svg_chart_with_marks_is_not_blank_and_an_empty_one_is() -> None:
    chart = (
        '<svg viewBox="0 0 200 60" role="img"><polyline points="0,55 50,20 100,35 200,5" '
        'fill="none" stroke="#2f6b55" stroke-width="2"/><circle cx="200" cy="5" r="3"/></svg>'
    )
    assert svg_not_blank(chart)
    with pytest.raises(AssertionError, match="blank"):
        svg_not_blank('<svg viewBox="0 0 200 60" role="img"></svg>')


def test_a_pdf_helper_refuses_bytes_that_are_not_a_pdf() -> None:
    with pytest.raises(AssertionError, match="Not a PDF"):
        first_page_image(b"<html></html>")
