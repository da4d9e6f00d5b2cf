"""``market providers``'s streaming filter on a synthetic NPPES file (the real header, from
tests/fixtures/nppes/, and rows of the real shape: 330 quoted fields, about 1 kB a provider, one
in 200 with a program taxonomy, states spread as people are), against the baseline
``pandas.read_csv(usecols=..., chunksize=...)`` filtering each chunk. Each in its own process:
seconds, MB/s and peak RSS (``resource.getrusage``).

    python benchmarks/providers.py [--mb 300] [--runs 2] [--keep]
    python benchmarks/providers.py --mb 2000      # the 2 GB version (about 2 minutes here)

Prints; asserts nothing. The goal (issue item 2): at least 2x the baseline, peak RSS under 500 MB.
Both must keep the same providers; the run stops if they do not.
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT / "tests" / "fixtures" / "nppes" / "npidata_pfile_20050523-20250608-synthetic.csv"
PROGRAM = ["261QM0801X", "261QR0405X", "324500000X", "283Q00000X", "273R00000X", "323P00000X"]
OTHER = ["207Q00000X", "2084P0800X", "363LF0000X", "101YM0800X", "1223G0001X", "332B00000X"]
STATES = ["CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "MA", "RI", "NH", "CT"]
WEIGHTS = [39, 30, 22, 20, 13, 13, 12, 11, 11, 10, 7, 1, 1, 4]

OURS = """
import resource, sys
from sca_rates.ingest.nppes import load_taxonomies, read_providers
from sca_rates.settings import Settings
codes = frozenset(load_taxonomies(Settings().market_data_dir / "program_taxonomies.csv"))
npis = sorted(r["npi"] for r in read_providers(sys.argv[1], states=frozenset({"MA"}),
              taxonomies=codes))
print(len(npis), hash(tuple(npis)), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
BASELINE = """
import resource, sys
import pandas as pd
from sca_rates.ingest.nppes import CODES, NPI, STATE, load_taxonomies
from sca_rates.settings import Settings
codes = frozenset(load_taxonomies(Settings().market_data_dir / "program_taxonomies.csv"))
npis = []
for chunk in pd.read_csv(sys.argv[1], usecols=[NPI, STATE, *CODES], dtype=str,
                         chunksize=200_000, keep_default_na=False):
    chunk = chunk[chunk[STATE].str.upper() == "MA"]
    wanted = chunk[list(CODES)].isin(codes).any(axis=1)
    npis += [int(n) for n in chunk.loc[wanted, NPI]]
npis.sort()
print(len(npis), hash(tuple(npis)), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def generate(path: Path, megabytes: float, seed: int = 7) -> int:
    """Write the synthetic file; returns its size in bytes."""
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    at = {name: index for index, name in enumerate(header)}
    rng = random.Random(seed)
    target = int(megabytes * 1e6)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(header)
        npi = 1_000_000_000
        while out.tell() < target:
            for _ in range(2000):
                npi += 1
                writer.writerow(_row(rng, npi, at))
    return path.stat().st_size


def _row(rng: random.Random, npi: int, at: dict[str, int]) -> list[str]:
    row = [""] * len(at)
    state = rng.choices(STATES, WEIGHTS)[0]
    organization = rng.random() < 0.25
    row[at["NPI"]] = str(npi)
    row[at["Entity Type Code"]] = "2" if organization else "1"
    if organization:
        row[at["Provider Organization Name (Legal Business Name)"]] = f"SYNTHETIC HEALTH {npi} LLC"
        row[at["Authorized Official Last Name"]] = "SAMPLE"
        row[at["Authorized Official First Name"]] = "ALEX"
    else:
        row[at["Provider Last Name (Legal Name)"]] = f"EXAMPLE{npi % 9973}"
        row[at["Provider First Name"]] = "JORDAN"
        row[at["Provider Credential Text"]] = "LICSW"
    for kind in ("Mailing", "Practice Location"):
        row[at[f"Provider Business {kind} Address City Name"]] = "SPRINGFIELD"
        row[at[f"Provider Business {kind} Address State Name"]] = state
        row[at[f"Provider Business {kind} Address Postal Code"]] = f"{rng.randrange(10**8, 10**9)}"
        row[at[f"Provider Business {kind} Address Telephone Number"]] = "4135550100"
    row[at["Provider First Line Business Mailing Address"]] = f"{npi % 997} MAIN ST"
    row[at["Provider First Line Business Practice Location Address"]] = f"{npi % 997} MAIN ST"
    row[at["Provider Enumeration Date"]] = "03/14/2011"
    row[at["Last Update Date"]] = "01/08/2025"
    for slot in range(1, rng.choice([2, 2, 2, 3, 4])):
        code = rng.choice(PROGRAM) if rng.random() < 0.004 else rng.choice(OTHER)
        row[at[f"Healthcare Provider Taxonomy Code_{slot}"]] = code
        row[at[f"Provider License Number_{slot}"]] = f"LIC{npi % 99991}"
        row[at[f"Provider License Number State Code_{slot}"]] = state
        row[at[f"Healthcare Provider Primary Taxonomy Switch_{slot}"]] = "Y" if slot == 1 else "N"
    return row


def _measure(script: str, path: Path, runs: int) -> tuple[float, str, int]:
    """Fastest of ``runs`` (seconds), the providers kept, and the highest peak RSS (kB)."""
    import time

    best, kept, peak = float("inf"), "", 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=PROJECT,
        )
        best = min(best, time.perf_counter() - start)
        count, digest, rss = done.stdout.split()
        kept, peak = f"{count} {digest}", max(peak, int(rss))
    return best, kept, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=300.0, help="size of the synthetic file")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic file")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sca-nppes-"))
    path = folder / "npidata_pfile_synthetic.csv"
    size = generate(path, arguments.mb)
    print(f"synthetic NPPES file: {size / 1e6:,.0f} MB at {path}")
    ours = _measure(OURS, path, arguments.runs)
    baseline = _measure(BASELINE, path, arguments.runs)
    if ours[1] != baseline[1]:
        sys.exit(f"the two kept different providers: {ours[1]} against {baseline[1]}")
    print(f"kept (MA, program taxonomy): {ours[1].split()[0]} providers, the same in both")
    for name, (seconds, _, rss) in (("market providers", ours), ("pandas baseline", baseline)):
        print(
            f"{name:<18} {seconds:7.2f} s {size / 1e6 / seconds:8.1f} MB/s "
            f"peak RSS {rss / 1024:6.0f} MB"
        )
    print(f"ratio: {baseline[0] / ours[0]:.2f}x the baseline (goal: 2x, under 500 MB)")
    if not arguments.keep:
        path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
