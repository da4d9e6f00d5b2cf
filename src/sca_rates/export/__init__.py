"""Documents for after the call: the internal call sheet, the counteroffer justification a case
manager can forward, and the terms-confirmation email. One context, built from the core's results;
one Jinja2 template per document and format, so the wording lives in one place.

Payer-facing documents (the justification and the email) never show the floor, the target, the
margin or internal costs.
"""

from sca_rates.export.context import DocumentContext, build_context
from sca_rates.export.render import DOCUMENTS, Document, render

__all__ = ["DOCUMENTS", "Document", "DocumentContext", "build_context", "render"]
