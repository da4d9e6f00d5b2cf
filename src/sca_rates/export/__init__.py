"""Documents for after the call: the internal call sheet, the counteroffer justification a case
manager can forward, and the terms-confirmation email. One context, built from the core's results;
one Jinja2 template per document and format, so the wording lives in one place.

Payer-facing documents (the justification and the email) never show the floor, the target, the
margin policy or internal cost lines; with "share cost structure" on, the justification adds a
per-day cost summary, nothing more. Patient identifiers appear only in those two documents, only
when given, and never in a file name.
"""

from sca_rates.export.context import DocumentContext, build_context
from sca_rates.export.render import DOCUMENTS, FORMATS, Document, Format, file_name, render

__all__ = [
    "DOCUMENTS",
    "FORMATS",
    "Document",
    "DocumentContext",
    "Format",
    "build_context",
    "file_name",
    "render",
]
