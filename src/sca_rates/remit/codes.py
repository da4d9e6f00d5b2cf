"""The meanings of the codes an 835 carries: adjustment group codes, claim status codes (CLP02),
claim adjustment reason codes (CARC) and remittance advice remark codes (RARC). The list is the
data file ``codes.yaml`` beside this module, which names its sources; a code it lacks is shown
with a pointer to X12's list, never guessed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from sca_rates.models.base import Frozen

CODES_FILE = Path(__file__).with_name("codes.yaml")
CARC_LIST = "https://x12.org/codes/claim-adjustment-reason-codes"
RARC_LIST = "https://x12.org/codes/remittance-advice-remark-codes"


class CodeLists(Frozen):
    group_codes: dict[str, str]
    claim_status_codes: dict[str, str]
    adjustment_reason_codes: dict[str, str]
    remark_codes: dict[str, str]


@cache
def code_lists() -> CodeLists:
    """The bundled lists, validated once."""
    return CodeLists.model_validate(yaml.safe_load(CODES_FILE.read_text(encoding="utf-8")))


def carc_meaning(code: str) -> str:
    known = code_lists().adjustment_reason_codes.get(code)
    return known or f"CARC {code} is not in sca-rates' short list; see {CARC_LIST}"


def rarc_meaning(code: str) -> str:
    known = code_lists().remark_codes.get(code)
    return known or f"RARC {code} is not in sca-rates' short list; see {RARC_LIST}"
