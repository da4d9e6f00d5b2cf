"""Remittances: reading an 835 (ERA) file and matching its claims to what the agreements say.

``read_remittance`` reads an ASC X12N 5010 835 (005010X221A1) into a ``Remittance``: the payer,
the payment, and per claim what was billed, paid, left to the patient and adjusted (CARC) with
remarks (RARC), each code with its meaning. ``match_remittance`` compares it with the claims we
expect (``ExpectedClaim``: the agreed rate times the units) and says, per claim, whether it was
paid in full, underpaid, denied or reversed, with an appeal deadline for a denial or an
underpayment. Both are pure: data in, data out. A file that cannot be read raises one
``InvalidRemittance`` naming the file and the segment.

All amounts are US dollars; a unit is one PHP day or one IOP session unless the payer says
otherwise.
"""

from sca_rates.remit.match import DEFAULT_APPEAL_WINDOW_DAYS, match_remittance
from sca_rates.remit.models import (
    Adjustment,
    ClaimMatch,
    ClaimPayment,
    ExpectedClaim,
    ProviderAdjustment,
    Remark,
    Remittance,
    RemittanceMatch,
    ServiceLine,
)
from sca_rates.remit.read import read_remittance, read_remittances

__all__ = [
    "DEFAULT_APPEAL_WINDOW_DAYS",
    "Adjustment",
    "ClaimMatch",
    "ClaimPayment",
    "ExpectedClaim",
    "ProviderAdjustment",
    "Remark",
    "Remittance",
    "RemittanceMatch",
    "ServiceLine",
    "match_remittance",
    "read_remittance",
    "read_remittances",
]
