"""The negotiation log, kept in a database: SQLite by default, PostgreSQL by URL. Writes are
transactional; patient identifiers, notes and payer contacts are encrypted at rest, one key per
log, and every reveal, export and backup is audited."""

from sca_rates.store.log import (
    add_claim,
    add_offer,
    add_request,
    audit,
    backup,
    check_key,
    connect,
    get_claim,
    get_request,
    list_requests,
    requests_to_compare,
    reveal,
    reveal_all,
    transaction,
    update_claim,
    update_request,
)

__all__ = [
    "add_claim",
    "add_offer",
    "add_request",
    "audit",
    "backup",
    "check_key",
    "connect",
    "get_claim",
    "get_request",
    "list_requests",
    "requests_to_compare",
    "reveal",
    "reveal_all",
    "transaction",
    "update_claim",
    "update_request",
]
