"""The payers' importer on a synthetic Transparency in Coverage file of realistic structure
(thousands of provider references, a few percent of items with behavioral-health codes), against
the baseline `ijson.items(f, "in_network.item")` building every item and filtering in Python;
and, on the gzip of the same file, against `gzip -dc > /dev/null`, decompressing with the
standard library's zlib (the importer before issue 31) and with ISA-L (``isal``, used when
installed; ``SCA_INFLATER`` chooses). "importer" counts the rows ``read_tic`` yields (a dict
each); "import to Parquet" writes them as ``write_tic`` does (as columns); and the command a
person runs, `sca-rates market import-tic`, with its start-up and progress bar. Each run in its
own process: throughput (MB/s of uncompressed JSON) and peak RSS.

    python benchmarks/ingest.py [--gb 1.0] [--runs 2] [--keep]

Each command runs ``--runs`` times and the fastest is shown (on a shared virtual machine single
runs vary by up to a quarter); peak RSS is the highest seen, that of the largest process: the
importer scans a large file in a second process, so its total is up to twice the figure.
Prints; asserts nothing. The goals: 3x the baseline uncompressed, peak RSS under 300 MB
(issue 9); on .json.gz, at most 0.6 times the time of plain decompression (issue 31).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BH = ["S0201", "H0015", "S9480", "90837", "90834", "0913"]

IMPORTER = """
import sys
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES
from sca_rates.ingest.tic import read_tic
print(sum(1 for _ in read_tic(sys.argv[1], codes=BEHAVIORAL_HEALTH_CODES)))
"""
TO_PARQUET = """
import sys
from pathlib import Path
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES
from sca_rates.ingest.tic import write_tic
print(write_tic(sys.argv[1], Path(sys.argv[2]), codes=BEHAVIORAL_HEALTH_CODES))
"""
BASELINE = """
import sys, gzip, ijson
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES as codes
opener = gzip.open if sys.argv[1].endswith(".gz") else open
with opener(sys.argv[1], "rb") as f:
    print(sum(1 for item in ijson.items(f, "in_network.item") if item["billing_code"] in codes))
"""


def generate(path: Path, gigabytes: float, seed: int = 3) -> int:
    """Write the synthetic file; returns its size in bytes."""
    rng = random.Random(seed)
    target = int(gigabytes * 1e9)
    with path.open("w") as out:
        out.write(
            '{"reporting_entity_name": "Synthetic Health", "reporting_entity_type": '
            '"health insurance issuer", "last_updated_on": "2026-11-01", "version": "2.0.0",'
            '\n"provider_references": ['
        )
        for group in range(1, 5001):
            npis = [rng.randrange(10**9, 2 * 10**9) for _ in range(rng.randint(1, 20))]
            reference = {
                "provider_group_id": group,
                "provider_groups": [
                    {"npi": npis, "tin": {"type": "ein", "value": f"{group:02d}-{group:07d}"}}
                ],
            }
            out.write(("," if group > 1 else "") + json.dumps(reference))
        out.write('],\n"in_network": [')
        item = 0
        while out.tell() < target:
            code = rng.choice(BH) if rng.random() < 0.03 else f"{rng.randrange(10000, 99999)}"
            prices = [
                {
                    "negotiated_type": "negotiated",
                    "negotiated_rate": round(rng.uniform(50, 900), 2),
                    "expiration_date": "9999-12-31",
                    "billing_class": rng.choice(["professional", "institutional"]),
                    "setting": "outpatient",
                    "service_code": ["11", "22"],
                }
                for _ in range(rng.randint(1, 4))
            ]
            rates = [
                {
                    "provider_references": rng.sample(range(1, 5001), rng.randint(1, 30)),
                    "negotiated_prices": prices,
                }
                for _ in range(rng.randint(1, 6))
            ]
            entry = {
                "negotiation_arrangement": "ffs",
                "name": "service",
                "billing_code_type": "HCPCS" if code[0].isalpha() else "CPT",
                "billing_code_type_version": "2026",
                "billing_code": code,
                "description": "a service",
                "negotiated_rates": rates,
            }
            out.write(("," if item else "") + json.dumps(entry))
            item += 1
        out.write("]}\n")
    return path.stat().st_size


METER = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
      done.stdout.strip() or "-")
"""


def timed(command: list[str], inflater: str = "auto") -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and output of a command, measured by a fresh meter process (so
    each peak is that command's own); ``inflater``: the importer's gzip decompressor."""
    done = subprocess.run(
        [sys.executable, "-c", METER, *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
        env=os.environ | {"SCA_INFLATER": inflater},
    )
    seconds, peak_kb, out = done.stdout.split()
    return float(seconds), int(peak_kb) / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sca-ingest-"))
    plain = folder / "in-network.json"
    size = generate(plain, args.gb)
    subprocess.run(["gzip", "-k", "-1", str(plain)], check=True)
    gz = folder / "in-network.json.gz"
    parquet = folder / "rates.parquet"
    mb = size / 1e6
    python = sys.executable
    written = folder / "command"
    command_line = [str(Path(python).parent / "sca-rates"), "market", "import-tic", "--force"]
    command_line += ["-o", str(written)]
    print(f"synthetic file: {mb:,.0f} MB uncompressed, {gz.stat().st_size / 1e6:,.0f} MB gzip")
    print(f"{'run':<40} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12} {'rows/items':>11}")
    results = {}
    for name, command, inflater in (
        ("baseline ijson.items, .json", [python, "-c", BASELINE, str(plain)], "auto"),
        ("importer, .json", [python, "-c", IMPORTER, str(plain)], "auto"),
        ("gzip -dc > /dev/null", ["sh", "-c", f"gzip -dc {gz} > /dev/null"], "auto"),
        ("importer, .json.gz, zlib", [python, "-c", IMPORTER, str(gz)], "zlib"),
        ("importer, .json.gz, isal", [python, "-c", IMPORTER, str(gz)], "isal"),
        (
            "import to Parquet, .json.gz, isal",
            [python, "-c", TO_PARQUET, str(gz), str(parquet)],
            "isal",
        ),
        # What a person runs: the command, its start-up and progress bar included
        ("sca-rates market import-tic, .json.gz", [*command_line, str(gz)], "isal"),
    ):
        runs = [timed(command, inflater) for _ in range(args.runs)]
        seconds, rss, out = min(runs)[0], max(run[1] for run in runs), runs[0][2]
        results[name] = seconds
        print(f"{name:<40} {seconds:>8.1f} {mb / seconds:>8.1f} {rss:>12.0f} {out:>11}")
    print(
        f"importer throughput / baseline: "
        f"{results['baseline ijson.items, .json'] / results['importer, .json']:.2f}x (goal 3x)"
    )
    for name in (
        "importer, .json.gz, zlib",
        "importer, .json.gz, isal",
        "import to Parquet, .json.gz, isal",
        "sca-rates market import-tic, .json.gz",
    ):
        print(
            f"{name} / plain decompression: "
            f"{results[name] / results['gzip -dc > /dev/null']:.2f}x (goal 0.6x)"
        )
    if not args.keep:
        for path in (plain, gz, parquet, *written.glob("*")):
            path.unlink(missing_ok=True)
        if written.exists():
            written.rmdir()
        folder.rmdir()


if __name__ == "__main__":
    main()
