"""Turns a paper's snapshot into HTML and the HTML into an A4 PDF with WeasyPrint.

The PDF is tagged (PDF/UA-1) and uses the bundled Liberation Sans, which has Arial's
metrics (Arial is the NHS fallback for Frutiger), so the paper looks the same on every
machine. WeasyPrint may load only the paper's own assets: a URL fetcher refuses
`file://`, `data:` and every network URL, so text in a paper can never pull in a local
file or call out.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

ASSET_SCHEME = "paper-asset:"
_ASSET_DIR = Path(__file__).resolve().parent / "paper_assets"

# The only files a paper may load, by the name it uses after "paper-asset:".
PAPER_ASSETS: dict[str, tuple[Path, str]] = {
    "paper.css": (Path(settings.BASE_DIR) / "static" / "css" / "paper.css", "text/css"),
    "fonts.css": (_ASSET_DIR / "fonts.css", "text/css"),
    **{
        f"fonts/{path.name}": (path, "font/ttf")
        for path in sorted((_ASSET_DIR / "fonts").glob("*.ttf"))
    },
}


class AssetRefused(ValueError):
    """A paper asked WeasyPrint for something other than its own assets."""


def paper_url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    if not url.startswith(ASSET_SCHEME):
        raise AssetRefused(f"Papers may not load {url[:80]!r}.")
    name = url.removeprefix(ASSET_SCHEME)
    if name not in PAPER_ASSETS:
        raise AssetRefused(f"{name[:80]!r} is not one of the paper's assets.")
    path, mime_type = PAPER_ASSETS[name]
    return {"string": path.read_bytes(), "mime_type": mime_type, "redirected_url": url}


def render_paper_html(
    snapshot: dict[str, Any], *, draft: bool, for_pdf: bool, back_url: str = ""
) -> str:
    """The paper as one HTML document. In the browser preview the stylesheet comes from
    the static files; in the PDF from the paper's own assets."""
    from django.templatetags.static import static

    return render_to_string(
        "governance/paper.html",
        {
            "s": snapshot,
            "draft": draft,
            "for_pdf": for_pdf,
            "back_url": back_url,
            "stylesheets": (
                [f"{ASSET_SCHEME}fonts.css", f"{ASSET_SCHEME}paper.css"]
                if for_pdf
                else [static("css/paper.css")]
            ),
        },
    )


def render_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, number of pages)."""
    from weasyprint import HTML

    document = HTML(
        string=html, base_url=ASSET_SCHEME, url_fetcher=paper_url_fetcher, media_type="print"
    ).render(pdf_variant="pdf/ua-1", pdf_tags=True)
    output = io.BytesIO()
    document.write_pdf(output, pdf_variant="pdf/ua-1", pdf_tags=True)
    return output.getvalue(), len(document.pages)


def render_quarterly_html(report: dict[str, Any], *, for_pdf: bool) -> str:
    """The quarterly assurance report as one A4 HTML document, styled as a paper."""
    from django.templatetags.static import static

    return render_to_string(
        "governance/quarterly_paper.html",
        {
            "r": report,
            "stylesheets": (
                [f"{ASSET_SCHEME}fonts.css", f"{ASSET_SCHEME}paper.css"]
                if for_pdf
                else [static("css/paper.css")]
            ),
        },
    )
