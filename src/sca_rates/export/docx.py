"""Blocks to a Word document (python-docx)."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Inches

from sca_rates.export.blocks import Block


def to_docx(blocks: list[Block], charts: dict[str, bytes]) -> bytes:
    """The document as DOCX bytes; ``charts`` are PNG images by chart key."""
    document = Document()
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "bullets":
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif block.kind == "quote":
            document.add_paragraph(block.text, style="Quote")
        elif block.kind == "table":
            _table(document, block.rows)
        elif block.kind == "rule":
            document.add_paragraph("_" * 40)
        elif block.kind == "chart" and block.key in charts:
            document.add_picture(io.BytesIO(charts[block.key]), width=Inches(6))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document: DocxDocument, rows: tuple[tuple[str, ...], ...]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
