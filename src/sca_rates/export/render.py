"""Rendering documents from their templates. Adding a format is one entry in ``DOCUMENTS``."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from sca_rates.export.context import DocumentContext
from sca_rates.money import pct, usd

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("sca_rates.export", "templates"),
    undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not a blank in a letter
    autoescape=False,  # Markdown and plain text, never HTML
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters["usd"] = usd
_ENV.filters["pct"] = pct
_ENV.filters["num"] = lambda value: f"{value:g}"
_ENV.filters["words"] = lambda value: str(value).replace("_", " ")


@dataclass(frozen=True)
class Document:
    name: str  # what a person calls it
    audience: str  # "internal" or "payer"
    template: str
    file_name: str
    mime: str


DOCUMENTS: dict[str, Document] = {
    "call_sheet.md": Document(
        "Call sheet", "internal", "call_sheet.md.j2", "call-sheet.md", "text/markdown"
    ),
    "justification.md": Document(
        "Counteroffer justification",
        "payer",
        "justification.md.j2",
        "counteroffer-justification.md",
        "text/markdown",
    ),
    "terms_email.txt": Document(
        "Terms confirmation email",
        "payer",
        "terms_email.txt.j2",
        "terms-confirmation-email.txt",
        "text/plain",
    ),
}


def render(key: str, context: DocumentContext) -> str:
    """The document ``key`` of ``DOCUMENTS``, rendered from ``context``."""
    return _ENV.get_template(DOCUMENTS[key].template).render(c=context)
