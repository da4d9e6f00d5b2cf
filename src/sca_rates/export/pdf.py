"""Blocks to PDF (fpdf2), US Letter. DejaVu Sans (Debian's fonts-dejavu-core) when present, for
every character; else the PDF core font, with the few non-Latin-1 characters replaced."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from sca_rates.export.blocks import Block

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_LATIN1 = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00b7": "-",
        "\u2022": "-",
        "\u2026": "...",
    }
)
SIZES = {1: 16, 2: 13, 3: 11}


class _Writer:
    def __init__(self) -> None:
        self.pdf = FPDF(format="Letter")
        self.pdf.set_margins(18, 16, 18)
        self.pdf.set_auto_page_break(auto=True, margin=16)
        self.unicode = (DEJAVU / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.pdf.add_font("body", "", str(DEJAVU / "DejaVuSans.ttf"))
            self.pdf.add_font("body", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
            self.family = "body"
        else:
            self.family = "helvetica"
        self.pdf.add_page()

    def text(self, value: str) -> str:
        return (
            value
            if self.unicode
            else value.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")
        )

    def write(self, block: Block, charts: dict[str, bytes]) -> None:
        pdf, width = self.pdf, self.pdf.epw
        if block.kind == "heading":
            pdf.set_font(self.family, "B", SIZES[block.level])
            pdf.ln(2)
            pdf.multi_cell(width, 7, self.text(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "paragraph":
            self._body(block.text, 0)
        elif block.kind == "bullets":
            for item in block.items:
                self._body(f"- {item}", 4, gap=0.5)
        elif block.kind == "quote":
            pdf.set_text_color(70, 70, 70)
            self._body(block.text, 6)
            pdf.set_text_color(0, 0, 0)
        elif block.kind == "table":
            self._table(block.rows)
        elif block.kind == "rule":
            pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + width, pdf.get_y() + 1)
            pdf.ln(4)
        elif block.kind == "chart" and block.key in charts:
            pdf.image(io.BytesIO(charts[block.key]), w=width * 0.9)
            pdf.ln(3)

    def _body(self, text: str, indent: float, gap: float = 2) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", 10)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, 5, self.text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def _table(self, rows: tuple[tuple[str, ...], ...]) -> None:
        self.pdf.set_font(self.family, "", 9)
        with self.pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
            for row in rows:
                cells = table.row()
                for cell in row:
                    cells.cell(self.text(cell))
        self.pdf.ln(3)


def to_pdf(blocks: list[Block], charts: dict[str, bytes]) -> bytes:
    """The document as PDF bytes; ``charts`` are PNG images by chart key."""
    writer = _Writer()
    for block in blocks:
        writer.write(block, charts)
    return bytes(writer.pdf.output())
