"""Rendering a document in a format: its template (the wording, in one place) to Markdown or
text, then to PDF or DOCX through the same blocks. Adding a format is one entry in ``FORMATS``;
adding a document is one entry in ``DOCUMENTS``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from sca_rates.export.blocks import Block, as_text, letter, parse, without_charts
from sca_rates.export.context import DocumentContext
from sca_rates.money import pct, usd
from sca_rates.talking_points import ESTIMATE

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("sca_rates.export", "templates"),
    undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not a blank in a letter
    autoescape=False,  # Markdown and plain text, never HTML
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.globals["ESTIMATE"] = ESTIMATE
_ENV.filters["usd"] = usd
_ENV.filters["pct"] = pct
_ENV.filters["num"] = lambda value: f"{value:g}"
_ENV.filters["words"] = lambda value: str(value).replace("_", " ")


@dataclass(frozen=True)
class Document:
    name: str  # what a person calls it
    audience: str  # "internal" or "payer": payer documents never show floor, target or margin
    template: str
    file_stem: str  # file names carry no patient data
    is_letter: bool = False  # plain text, line by line, rather than Markdown


@dataclass(frozen=True)
class Format:
    extension: str
    mime: str
    render: Callable[[str, Document, DocumentContext], str | bytes]


def _markdown(text: str, document: Document, context: DocumentContext) -> str:
    return text if document.is_letter else without_charts(text)


def _text(text: str, document: Document, context: DocumentContext) -> str:
    return text if document.is_letter else as_text(parse(text))


def _blocks(text: str, document: Document) -> list[Block]:
    return letter(text) if document.is_letter else parse(text)


def _pngs(blocks: list[Block], context: DocumentContext) -> dict[str, bytes]:
    """The charts a document draws, rendered offline to PNG (only those it uses)."""
    wanted = {block.key for block in blocks if block.kind == "chart"} & context.charts.keys()
    if not wanted:
        return {}
    import vl_convert  # imported here: only PDF and DOCX need it, and it is slow to load

    return {key: vl_convert.vegalite_to_png(context.charts[key], scale=2) for key in wanted}


def _pdf(text: str, document: Document, context: DocumentContext) -> bytes:
    from sca_rates.export.pdf import to_pdf

    blocks = _blocks(text, document)
    return to_pdf(blocks, _pngs(blocks, context))


def _docx(text: str, document: Document, context: DocumentContext) -> bytes:
    from sca_rates.export.docx import to_docx

    blocks = _blocks(text, document)
    return to_docx(blocks, _pngs(blocks, context))


FORMATS: dict[str, Format] = {
    "md": Format("md", "text/markdown", _markdown),
    "txt": Format("txt", "text/plain", _text),
    "pdf": Format("pdf", "application/pdf", _pdf),
    "docx": Format(
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _docx
    ),
}

DOCUMENTS: dict[str, Document] = {
    "call-sheet": Document("Call sheet", "internal", "call_sheet.md.j2", "call-sheet"),
    "justification": Document(
        "Counteroffer justification", "payer", "justification.md.j2", "counteroffer-justification"
    ),
    "terms-email": Document(
        "Terms confirmation email",
        "payer",
        "terms_email.txt.j2",
        "terms-confirmation-email",
        is_letter=True,
    ),
    "summary": Document("Negotiation summary", "internal", "summary.md.j2", "negotiation-summary"),
}


def file_name(key: str, fmt: str) -> str:
    return f"{DOCUMENTS[key].file_stem}.{FORMATS[fmt].extension}"


def render(key: str, context: DocumentContext, fmt: str = "md") -> str | bytes:
    """The document ``key`` of ``DOCUMENTS`` in the format ``fmt`` of ``FORMATS``."""
    document = DOCUMENTS[key]
    text = _ENV.get_template(document.template).render(c=context)
    return FORMATS[fmt].render(text, document, context)
