"""The negotiation log, kept in a database: SQLite by default, PostgreSQL by URL. Writes are
transactional; patient identifiers are encrypted at rest and every reveal is audited."""

from sca_rates.store.log import (
    add_claim,
    add_offer,
    add_request,
    audit,
    backup,
    connect,
    list_requests,
    reveal,
    transaction,
    update_request,
)

__all__ = [
    "add_claim",
    "add_offer",
    "add_request",
    "audit",
    "backup",
    "connect",
    "list_requests",
    "reveal",
    "transaction",
    "update_request",
]
