"""The negotiation log, kept in a database: SQLite by default, PostgreSQL by URL. Writes are
transactional; patient identifiers, notes and payer contacts are encrypted at rest, one key per
log, and every reveal, export and backup is audited."""

from sca_rates.store.log import (
    add_claim,
    add_offer,
    add_remit,
    add_request,
    audit,
    backup,
    check_key,
    connect,
    enter_claim,
    find_claim,
    generated_number,
    get_claim,
    get_request,
    list_requests,
    remit_entries,
    requests_to_compare,
    reveal,
    reveal_all,
    transaction,
    update_claim,
    update_request,
)
from sca_rates.store.remits import read_into_log

__all__ = [
    "add_claim",
    "add_offer",
    "add_remit",
    "add_request",
    "audit",
    "backup",
    "check_key",
    "connect",
    "enter_claim",
    "find_claim",
    "generated_number",
    "get_claim",
    "get_request",
    "list_requests",
    "read_into_log",
    "remit_entries",
    "requests_to_compare",
    "reveal",
    "reveal_all",
    "transaction",
    "update_claim",
    "update_request",
]
