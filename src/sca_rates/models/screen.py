"""Before the call: which request fits the case, why, by when, and what must be on file."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sca_rates.models.base import Frozen

# A single case agreement (a negotiated rate for this patient); a gap exception (the payer lets
# the patient pay in-network cost-sharing because its network lacks the program, and pays its
# out-of-network allowed amount); billing out of network; or none of them
Tool = Literal["single_case_agreement", "gap_exception", "bill_out_of_network", "none"]


class Factor(Frozen):
    """One thing an SCA request rests on, whether it holds for this case, and the facts."""

    name: str
    holds: bool
    detail: str


class Screen(Frozen):
    tool: Tool
    reason: str
    factors: tuple[Factor, ...]
    request_by: dt.date | None  # 72 hours before admission
    timing: str | None  # when to send the request, in words
    documents: tuple[tuple[str, bool], ...]  # what the request needs on file, and whether ready
    warnings: tuple[str, ...]
