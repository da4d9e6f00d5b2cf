"""Timing shared by the benchmarks: best of several rounds, in seconds per call."""

from __future__ import annotations

import timeit
from collections.abc import Callable


def per_call(run: Callable[[], object], repeat: int = 5) -> float:
    """Best of ``repeat`` rounds, in seconds per call; each round runs for about 0.2 s."""
    timer = timeit.Timer(run)
    calls, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=calls)) / calls


def report(timings: dict[str, float], baselines: list[str]) -> None:
    """Each timing in microseconds and as a multiple of each baseline."""
    header = f"{'what':<46} {'per call':>12}" + "".join(f" {'x ' + b[:14]:>17}" for b in baselines)
    print(header)
    for name, seconds in timings.items():
        ratios = "".join(f" {seconds / timings[b]:>17.2f}" for b in baselines)
        print(f"{name:<46} {seconds * 1e6:>9.1f} us{ratios}")
