"""Reading an 835 remittance (ASC X12N 5010, 005010X221A1) into a ``Remittance``.

The reader is strict: a segment the 835 does not have, a claim before its LX header, an amount
that is not a number or a date that is not a date stops it with one ``InvalidRemittance`` naming
the file, the segment number (the ISA is 1) and what is wrong. The payment must equal the claims'
payments less the provider adjustments (the guide's balancing rule); a claim or service line
whose adjustments do not account for its charge is kept, with a warning.

Amounts are US dollars as written: a reversal (CLP02 = 22) carries negative amounts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sca_rates.exceptions import InvalidRemittance
from sca_rates.money import CENT, usd
from sca_rates.remit.codes import carc_meaning, code_lists, rarc_meaning
from sca_rates.remit.models import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    Remark,
    Remittance,
    ServiceLine,
)
from sca_rates.remit.x12 import Segment, Source, split_segments, transaction_sets

AMOUNT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
ASK_FOR_A_CORRECTED_FILE = (
    "ask the payer or clearinghouse for a corrected file; sca-rates does not guess a figure"
)
# The segments of a 5010 835; any other is an error.
KNOWN = frozenset(
    {"BPR", "TRN", "CUR", "REF", "DTM", "N1", "N3", "N4", "PER", "RDM", "LX", "TS3", "TS2"}
    | {"CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB"}
)
REQUIRED_HEADER = (
    ("trace_number", "a TRN (the trace number)"),
    ("payer_name", "an N1*PR (the payer)"),
    ("payee_name", "an N1*PE (the payee)"),
)
CAS_TRIPLETS = 6
PLB_PAIRS = 6


def read_remittance(source: str | Path, *, name: str | None = None) -> Remittance:
    """The one payment in an 835 file (a ``Path``, a file name, or the text itself when it starts
    with ``ISA``). A file with several payments is read with ``read_remittances``."""
    found = read_remittances(source, name=name)
    if len(found) != 1:
        raise InvalidRemittance(
            found[0].source,
            f"holds {len(found)} payments (835 transaction sets), not one",
            fix="read it with read_remittances, which returns each payment",
        )
    return found[0]


def read_remittances(source: str | Path, *, name: str | None = None) -> tuple[Remittance, ...]:
    """Every payment (835 transaction set) in a file, in file order."""
    text, label = _text(source, name)
    where = Source(label)
    segments = split_segments(text, where)
    return tuple(_read_transaction(t, where) for t in transaction_sets(segments, where))


def _text(source: str | Path, name: str | None) -> tuple[str, str]:
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("ISA"):
        return source, name or "(text)"
    path = Path(source)
    label = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidRemittance(
            label, f"cannot be opened ({error.strerror})", fix="check the file's name and path"
        ) from None
    try:
        return raw.decode("utf-8"), label
    except UnicodeDecodeError as error:
        raise InvalidRemittance(
            label,
            f"byte {error.start} is not text; an 835 is plain text",
            fix="export the 835 (ERA) file itself, not a PDF or spreadsheet made from it",
        ) from None


# Element values


def _amount(segment: Segment, position: int, where: Source, *, required: bool = True) -> float:
    value = segment.get(position)
    if not value and not required:
        return 0.0
    if not AMOUNT.fullmatch(value):
        what = "is empty" if not value else f"{value!r} is not an amount"
        raise where.fail(f"element {position:02d} {what}", segment, ASK_FOR_A_CORRECTED_FILE)
    return float(value)


def _optional_number(segment: Segment, position: int, where: Source) -> float | None:
    return _amount(segment, position, where) if segment.get(position) else None


def _date(segment: Segment, position: int, where: Source) -> dt.date:
    value = segment.get(position)
    try:
        if len(value) != 8 or not value.isdigit():  # CCYYMMDD
            raise ValueError
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise where.fail(
            f"element {position:02d} {value!r} is not a date (CCYYMMDD)",
            segment,
            ASK_FOR_A_CORRECTED_FILE,
        ) from None


def _text_element(segment: Segment, position: int, label: str, where: Source) -> str:
    value = segment.get(position).strip()
    if not value:
        raise where.fail(
            f"element {position:02d} ({label}) is empty", segment, ASK_FOR_A_CORRECTED_FILE
        )
    return value


# What is being built while the segments are read


@dataclass
class _Line:
    segment: Segment
    fields: dict[str, object]
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)

    def build(self) -> ServiceLine:
        return ServiceLine.model_validate(
            {**self.fields, "adjustments": self.adjustments, "remarks": self.remarks}
        )


@dataclass
class _Claim:
    segment: Segment
    fields: dict[str, object]
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)

    def build(self) -> ClaimPayment:
        return ClaimPayment.model_validate(
            {
                **self.fields,
                "adjustments": self.adjustments,
                "remarks": self.remarks,
                "lines": [line.build() for line in self.lines],
            }
        )


@dataclass
class _Payment:
    where: Source
    payment_usd: float = 0.0
    header: dict[str, object] = field(default_factory=dict)
    claims: list[_Claim] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    in_lx: bool = False

    @property
    def claim(self) -> _Claim | None:
        return self.claims[-1] if self.claims else None

    @property
    def line(self) -> _Line | None:
        claim = self.claim
        return claim.lines[-1] if claim and claim.lines else None


def _read_transaction(segments: list[Segment], where: Source) -> Remittance:
    body = segments[1:-1]  # between ST and SE
    if not body or body[0].id != "BPR":
        first = body[0] if body else segments[-1]
        raise where.fail("is where the 835's BPR (the payment) must be, right after ST", first)
    payment = _Payment(where)
    for segment in body:
        if segment.id not in KNOWN:
            raise where.fail("is not a segment of the 835", segment, ASK_FOR_A_CORRECTED_FILE)
        HANDLERS.get(segment.id, _ignore)(payment, segment)
    return _finish(payment, segments[-1])


def _ignore(payment: _Payment, segment: Segment) -> None:
    """Segments read for their place in the file only (names, addresses, contacts)."""


def _bpr(payment: _Payment, segment: Segment) -> None:
    where = payment.where
    if segment.get(3) not in {"C", "D"}:
        raise where.fail(
            f"element 03 {segment.get(3)!r} is neither C (credit) nor D (debit)", segment
        )
    sign = -1.0 if segment.get(3) == "D" else 1.0
    payment.payment_usd = sign * _amount(segment, 2, where)
    payment.header |= {
        "payment_usd": payment.payment_usd,
        "payment_method": _text_element(segment, 4, "payment method", where),
        "payment_date": _date(segment, 16, where),
    }


def _trn(payment: _Payment, segment: Segment) -> None:
    payment.header["trace_number"] = _text_element(segment, 2, "trace number", payment.where)


def _n1(payment: _Payment, segment: Segment) -> None:
    role = {"PR": "payer", "PE": "payee"}.get(segment.get(1))
    if role is not None:
        payment.header[f"{role}_name"] = _text_element(segment, 2, f"{role} name", payment.where)
        payment.header[f"{role}_id"] = segment.get(4) or None


def _lx(payment: _Payment, segment: Segment) -> None:
    if not segment.get(1).isdigit():
        raise payment.where.fail(f"element 01 {segment.get(1)!r} is not a number", segment)
    payment.in_lx = True


def _clp(payment: _Payment, segment: Segment) -> None:
    where = payment.where
    if not payment.in_lx or payment.provider_adjustments:
        raise where.fail(
            "is outside the claims part of the file (after an LX, before PLB)", segment
        )
    status = segment.get(2)
    statuses = code_lists().claim_status_codes
    if status not in statuses:
        raise where.fail(
            f"element 02 {status!r} is not a claim status the 5010 835 allows", segment
        )
    fields: dict[str, object] = {
        "segment": segment.number,
        "claim_id": _text_element(segment, 1, "our claim id", where),
        "status_code": status,
        "status": statuses[status],
        "billed_usd": _amount(segment, 3, where),
        "paid_usd": _amount(segment, 4, where),
        "patient_responsibility_usd": _amount(segment, 5, where, required=False),
        "payer_claim_number": _text_element(segment, 7, "payer claim number", where),
    }
    payment.claims.append(_Claim(segment, fields))


def _svc(payment: _Payment, segment: Segment) -> None:
    where = payment.where
    claim = _inside_claim(payment, segment)
    qualifier, code, *modifiers = (*segment.components(1), "")
    if not qualifier or not code:
        raise where.fail("element 01 names no procedure (qualifier:code)", segment)
    units = _optional_number(segment, 5, where)
    fields: dict[str, object] = {
        "qualifier": qualifier,
        "procedure_code": code,
        "modifiers": tuple(m for m in modifiers[:4] if m),
        "revenue_code": segment.get(4) or None,
        "units": 1.0 if units is None else units,  # the guide: SVC05 is left out when it is 1
        "original_units": _optional_number(segment, 7, where),
        "billed_usd": _amount(segment, 2, where),
        "paid_usd": _amount(segment, 3, where),
    }
    claim.lines.append(_Line(segment, fields))


def _inside_claim(payment: _Payment, segment: Segment) -> _Claim:
    claim = payment.claim
    if claim is None or payment.provider_adjustments:
        raise payment.where.fail("is outside any claim (it must follow a CLP)", segment)
    return claim


def _cas(payment: _Payment, segment: Segment) -> None:
    where = payment.where
    owner = payment.line or _inside_claim(payment, segment)
    groups = code_lists().group_codes
    group = segment.get(1)
    if group not in groups:
        raise where.fail(f"element 01 {group!r} is not an adjustment group code", segment)
    found = []
    for k in range(CAS_TRIPLETS):
        reason, amount = segment.get(2 + 3 * k), segment.get(3 + 3 * k)
        if not reason and not amount:
            continue
        if not reason:
            raise where.fail(f"element {2 + 3 * k:02d} is empty but has an amount", segment)
        found.append(
            Adjustment(
                group=group,
                group_meaning=groups[group],
                carc=reason,
                amount_usd=_amount(segment, 3 + 3 * k, where),
                quantity=_optional_number(segment, 4 + 3 * k, where),
                meaning=carc_meaning(reason),
            )
        )
    if not found:
        raise where.fail("has a group code but no reason code and amount", segment)
    owner.adjustments.extend(found)


def _dtm(payment: _Payment, segment: Segment) -> None:
    qualifier, where = segment.get(1), payment.where
    line, claim = payment.line, payment.claim
    if line is not None:
        keys = {"150": "service_from", "151": "service_to", "472": "service_from"}
        target = line.fields
    elif claim is not None:
        keys = {"232": "statement_from", "233": "statement_to"}
        target = claim.fields
    else:
        keys = {"405": "produced_on"}
        target = payment.header
    if qualifier in keys:
        target[keys[qualifier]] = _date(segment, 2, where)
        if qualifier == "472":
            target["service_to"] = target["service_from"]


def _ref(payment: _Payment, segment: Segment) -> None:
    line = payment.line
    if line is not None and segment.get(1) == "6R":
        line.fields["control_number"] = segment.get(2) or None


def _amt(payment: _Payment, segment: Segment) -> None:
    line = payment.line
    if line is not None and segment.get(1) == "B6":
        line.fields["allowed_usd"] = _amount(segment, 2, payment.where)


def _lq(payment: _Payment, segment: Segment) -> None:
    line = payment.line
    if line is None:
        raise payment.where.fail("is outside any service line (it must follow an SVC)", segment)
    kind, code = segment.get(1), segment.get(2)
    if kind not in {"HE", "RX"} or not code:
        raise payment.where.fail(
            f"is {kind!r} {code!r}, not a remark code (HE) or NCPDP reject code (RX)", segment
        )
    meaning = rarc_meaning(code) if kind == "HE" else "NCPDP reject reason code"
    line.remarks.append(Remark(code=code, meaning=meaning))


Handler = Callable[[_Payment, Segment], None]


def _claim_remarks(positions: tuple[int, ...]) -> Handler:
    def read(payment: _Payment, segment: Segment) -> None:
        claim = _inside_claim(payment, segment)
        codes = [segment.get(p) for p in positions if segment.get(p)]
        claim.remarks.extend(Remark(code=c, meaning=rarc_meaning(c)) for c in codes)

    return read


def _plb(payment: _Payment, segment: Segment) -> None:
    where = payment.where
    if not segment.get(3):
        raise where.fail("element 03 (the adjustment reason) is empty", segment)
    for k in range(PLB_PAIRS):
        reason_at, amount_at = 3 + 2 * k, 4 + 2 * k
        if not segment.get(reason_at):
            continue
        reason, *reference = segment.components(reason_at)
        payment.provider_adjustments.append(
            ProviderAdjustment(
                reason=reason,
                reference=reference[0] if reference and reference[0] else None,
                amount_usd=_amount(segment, amount_at, where),
            )
        )


HANDLERS: dict[str, Handler] = {
    "BPR": _bpr,
    "TRN": _trn,
    "N1": _n1,
    "LX": _lx,
    "CLP": _clp,
    "SVC": _svc,
    "CAS": _cas,
    "DTM": _dtm,
    "REF": _ref,
    "AMT": _amt,
    "LQ": _lq,
    "MOA": _claim_remarks((3, 4, 5, 6, 7)),
    "MIA": _claim_remarks((5, 20, 21, 22, 23)),
    "PLB": _plb,
}


def _finish(payment: _Payment, se: Segment) -> Remittance:
    where = payment.where
    for key, what in REQUIRED_HEADER:
        if key not in payment.header:
            raise where.fail(f"ends the payment, which has no {what}", se, ASK_FOR_A_CORRECTED_FILE)
    claims = tuple(claim.build() for claim in payment.claims)
    plb_total = sum(a.amount_usd for a in payment.provider_adjustments)
    expected = sum(c.paid_usd for c in claims) - plb_total
    paid = payment.payment_usd
    if abs(paid - expected) > CENT:
        raise where.fail(
            f"ends a payment of {usd(paid)} but its claims pay {usd(expected + plb_total)} less "
            f"{usd(plb_total)} of provider adjustments, {usd(expected)}: claims are missing or "
            "an amount was changed",
            se,
            ASK_FOR_A_CORRECTED_FILE,
        )
    return Remittance.model_validate(
        {
            **payment.header,
            "source": where.name,
            "claims": claims,
            "provider_adjustments": payment.provider_adjustments,
            "warnings": tuple(w for c in claims for w in _balance_warnings(c)),
        }
    )


def _balance_warnings(claim: ClaimPayment) -> list[str]:
    """The guide's balancing: charge less adjustments is the payment, for a line and a claim."""
    found = []
    for line in claim.lines:
        left = line.billed_usd - sum(a.amount_usd for a in line.adjustments) - line.paid_usd
        if abs(left) > CENT:
            found.append(
                f"claim {claim.claim_id}, {line.procedure_code}: {usd(line.billed_usd)} billed, "
                f"{usd(line.paid_usd)} paid, and adjustments leave {usd(left)} unexplained"
            )
    left = claim.billed_usd - sum(a.amount_usd for a in claim.all_adjustments) - claim.paid_usd
    if abs(left) > CENT:
        found.append(
            f"claim {claim.claim_id}: {usd(claim.billed_usd)} billed, {usd(claim.paid_usd)} paid, "
            f"and adjustments leave {usd(left)} unexplained"
        )
    return found
