"""Documents for the archive as PDF/A-2u, made with fpdf2 (pure Python, maintained by py-pdf).

Why fpdf2: it is the one well-kept pure-Python PDF writer on PyPI that enforces PDF/A itself
(`FPDF(enforce_compliance="PDF/A-2U")`: embedded fonts, the sRGB output intent it ships, XMP
metadata with pdfaid, Unicode maps, no transparency or encryption). ReportLab's open-source
edition cannot claim PDF/A; WeasyPrint needs Pango (not pure Python); pikepdf/OCRmyPDF need qpdf and
Ghostscript. The font is DejaVu Sans, cut to Latin (æøå, §, –) and shipped beside this file with its
licence, because PDF/A forbids the unembedded standard fonts.

A document is a title, a few labelled facts and sections of text: `render(Page(...))` → bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
COMPLIANCE = "PDF/A-2U"


@dataclass
class Section:
    heading: str
    text: str = ""
    items: list[str] = field(default_factory=list)


@dataclass
class Page:
    title: str
    language: str
    created: datetime
    author: str = "Samarbeidsbot"
    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def _clean(text: str) -> str:
    """Characters the shipped font has: anything else (emoji, rare scripts) becomes '?'."""
    return "".join(c if c in "\n\t" or 0x20 <= ord(c) <= 0x17F or c in "–—‘’‚“”„•…€−§" else "?"
                   for c in text or "")


def render(page: Page) -> bytes:
    pdf = FPDF(enforce_compliance=COMPLIANCE)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_clean(page.title))
    pdf.set_author(_clean(page.author))
    pdf.set_creator("Samarbeidsbot")
    pdf.set_lang({"nn": "nn-NO", "nb": "nb-NO"}.get(page.language, "en-GB"))
    pdf.set_creation_date(page.created.astimezone(UTC))
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    def line(text: str, size: float = 11, bold: bool = False, height: float = 6) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, height, _clean(text), align="L", new_x="LMARGIN", new_y="NEXT")  # ragged right reads best

    line(page.title, 16, bold=True, height=8)
    pdf.ln(2)
    for label, value in page.facts:
        line(f"{label}: {value}", 10, height=5)
    for section in page.sections:
        pdf.ln(4)
        line(section.heading, 12, bold=True, height=7)
        if section.text:
            line(section.text)
        for item in section.items:
            line(f"• {item}")
    return bytes(pdf.output())
