"""The files of a network search for the tests: the synthetic NPPES extract's programs, Evry
Health's in-network file with one code's rows relabelled as Harborview's PHP code S0201, and
Harborview's PHP case with the patient's ZIP 02139 (see test_network_evidence.py)."""

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sca_rates.ingest.nppes import load_taxonomies, read_providers, write_providers
from sca_rates.ingest.rows import write_parquet
from sca_rates.ingest.tic import read_tic
from tests.conftest import FIXTURES, PROJECT

EXTRACT = FIXTURES / "nppes" / "npidata_pfile_20050523-20250608-synthetic.csv"
EVRY = FIXTURES / "transparency" / "evry-health-in-network-rates-2025-06-23.json.gz"


def _relabelled(rows: Iterable[dict[str, Any]], code: str) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield {**row, "code": "S0201"} if row["code"] == code else row


def providers_file(folder: Path, *, recorded: frozenset[str] | None = None) -> Path:
    """The extract's programs in five states; with ``recorded``, of those states only, and the
    file says so (as `market providers` writes it)."""
    path = folder / "providers.parquet"
    programs = frozenset(load_taxonomies(PROJECT / "market_data" / "program_taxonomies.csv"))
    states = recorded or frozenset({"MA", "NY", "RI", "CT", "NH"})
    rows = read_providers(EXTRACT, states=states, taxonomies=programs)
    write_providers(rows, path, states=recorded)
    return path


def rates_file(folder: Path, relabel: str | None) -> Path:
    """Evry's rows, those of ``relabel`` as S0201 (None: none, so no program bills S0201)."""
    path = folder / f"evry-{relabel}.parquet"
    rows = read_tic(EVRY, codes=frozenset({"90791", "90853"}))
    write_parquet(rows if relabel is None else _relabelled(rows, relabel), path)
    return path


def harborview_case(folder: Path) -> Path:
    """Harborview's PHP case for an Evry Health patient in ZIP 02139, its cost model found
    from the copy."""
    text = (PROJECT / "cases" / "harborview-aetna-php.yaml").read_text()
    text = text.replace("../cost_models/", f"{PROJECT}/cost_models/")
    text = text.replace("state: MA\n", 'state: MA\npatient_zip: "02139"\n')
    text = text.replace("payer: Aetna\n", "payer: Evry Health\n")  # whose files are searched
    path = folder / "case.yaml"
    path.write_text(text)
    return path
