"""Test helpers for PDFs and SVG charts: rasterize, then check something was drawn.

A PDF that renders "successfully" can still be an empty page (a stylesheet that hid
everything, a template block left unfilled); an SVG chart can be all viewBox and no marks.
These helpers turn the output into pixels and count the ones that are not white.
"""

from __future__ import annotations

import pypdfium2
from PIL import Image, ImageChops

from cairn.pdf import render_html_pdf

# A pixel counts as ink when any channel is darker than this (anti-aliasing leaves near-whites).
_WHITE_LEVEL = 245


def first_page_image(pdf_bytes: bytes, scale: float = 1.0) -> Image.Image:
    """The first page of a PDF as an RGB image (scale 1 is 72 dots per inch)."""
    assert pdf_bytes.startswith(b"%PDF"), "Not a PDF: the bytes do not start with %PDF."
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        assert len(document) > 0, "The PDF has no pages."
        page = document[0]
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil().convert("RGB")
        page.close()
        return image
    finally:
        document.close()


def ink_share(image: Image.Image) -> float:
    """The share of pixels (0 to 1) that are visibly not white."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    if width == 0 or height == 0:
        return 0.0
    # The darkest channel of each pixel decides: a pale blue is ink, a near-white is not.
    red, green, blue = rgb.split()
    darkest = ImageChops.darker(ImageChops.darker(red, green), blue)
    inked = darkest.point(lambda v: 255 if v < _WHITE_LEVEL else 0).histogram()[255]
    return inked / (width * height)


def assert_not_blank(image: Image.Image, min_share: float = 0.01) -> float:
    """Fail unless at least `min_share` of the image's pixels are ink; return the share.

    A page of ordinary text inks about 3 to 8 % of an A4 page at 72 dpi, a cover with a
    title and a colour band a little less; 1 % is far above what an empty page shows (0).
    """
    share = ink_share(image)
    assert share >= min_share, (
        f"The image is blank or nearly so: {share:.2%} of pixels are not white "
        f"(at least {min_share:.2%} expected)."
    )
    return share


def svg_not_blank(svg_text: str, min_share: float = 0.005) -> bool:
    """Render an SVG through WeasyPrint and check it draws something; True, or fail.

    The SVG sits alone in a tiny white page sized to a chart, so even thin lines weigh in the
    share. WeasyPrint paints an inline SVG from its own attributes and inner <style>, not from
    the page's stylesheet, so this checks the chart's geometry: shapes styled only by
    cairn.css still count (in SVG's default black fill), an SVG with no marks does not.
    """
    assert "<svg" in svg_text, "No <svg> element in the text."
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>chart</title>'
        "<style>@page { size: 160mm 100mm; margin: 4mm; } html, body { background: #fff; }"
        " body { margin: 0; color: #1d2521; } svg { display: block; width: 100%; height: auto;"
        " max-height: 92mm; }</style>"
        f"</head><body>{svg_text}</body></html>"
    )
    image = first_page_image(render_html_pdf(html))
    assert_not_blank(image, min_share)
    return True
