"""Reading a payer's 835 remittances into the log, in the caller's transaction: each logged claim
a remittance names (by the number it was sent with) is rebuilt by ``reminders.apply_remittance``
from every adjudication of it read so far, and each adjudication read is kept whole (with its
trace number and its place in the payment) so that the same file read again applies nothing
twice. Every reading is audited with the file's name and who read it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from sca_rates.reminders import RemittanceRead, apply_remittance
from sca_rates.remit import Remittance
from sca_rates.remit.match import check_appeal_window
from sca_rates.store.log import add_remit, audit, list_requests, remit_entries, update_claim


def read_into_log(
    *,
    session: Session,
    remittances: Sequence[Remittance],
    source: str,
    actor: str,
    appeal_window_days: int,
) -> list[RemittanceRead]:
    """Apply each payment of a remittance file to the logged claims it names; returns what was
    done, payment by payment."""
    check_appeal_window(appeal_window_days)
    reads = []
    for remittance in remittances:
        requests = list_requests(session=session)  # as they now stand, after the last payment
        entries = remit_entries(
            session=session, claim_ids=[c.id or 0 for r in requests for c in r.claims]
        )
        read = apply_remittance(
            remittance, requests, entries, appeal_window_days=appeal_window_days
        )
        for item in read.claims:
            if not item.entries:
                continue
            update_claim(session=session, claim=item.claim)
            for entry in item.entries:
                add_remit(session=session, entry=entry, source=source)
        session.flush()
        reads.append(read)
    audit(
        session=session, actor=actor, action="remit", request_id=None, detail=_detail(source, reads)
    )
    return reads


def _detail(source: str, reads: list[RemittanceRead]) -> str:
    applied = sum(1 for read in reads for item in read.claims if item.entries)
    again = sum(1 for read in reads for item in read.claims if item.outcome == "already read")
    other = sum(1 for read in reads for item in read.claims if item.outcome == "other payer")
    unknown = sum(len(read.unknown) for read in reads)
    traces = ", ".join(read.trace_number for read in reads) or "no payment"
    others = f", {other} logged with another payer" if other else ""
    return (
        f"{source}: trace {traces}; {applied} claims applied, {again} already read{others}, "
        f"{unknown} not in the log"
    )
