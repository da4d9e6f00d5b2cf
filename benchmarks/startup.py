"""`sca-rates counter`, the command run on a live call, from start to answer, timed as a fresh
process against baselines started the same way in the same run:

- "python": the interpreter alone (`python -c pass`), the least any command can cost;
- "import the core": `python -c "import sca_rates.desk"`, what answering an offer must load.

Best of 7 runs each. Prints timings and ratios; asserts nothing. Run with `make bench`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

CASE = Path(__file__).parent.parent / "cases" / "cedar-path-bcbs-iop.yaml"
RUNS = 7


def _best(command: list[str]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    python = sys.executable
    timings = {
        "python": _best([python, "-c", "pass"]),
        "import the core": _best([python, "-c", "import sca_rates.desk"]),
        "sca-rates counter (one offer)": _best(
            [python, "-m", "sca_rates", "counter", str(CASE), "--offer", "$300/session"]
        ),
    }
    print(f"case: {CASE.name}, best of {RUNS} fresh processes")
    print(f"{'what':<34} {'seconds':>9} {'x python':>9} {'x core':>9}")
    for name, seconds in timings.items():
        print(
            f"{name:<34} {seconds:>9.3f} {seconds / timings['python']:>9.1f} "
            f"{seconds / timings['import the core']:>9.2f}"
        )


if __name__ == "__main__":
    main()
