"""Time ``import cellwright`` in fresh interpreters (target: under 0.5 s); heavy modules load
lazily on first use. Prints the median of several cold imports and, for comparison, PyBaMM's
if it is installed.

    python benchmarks/import_time.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

SNIPPET = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"


def median_import(module: str, repeat: int) -> float | None:
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", SNIPPET.format(mod=module)], capture_output=True, text=True)
        if out.returncode != 0:
            return None
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    ours = median_import("cellwright", args.repeat)
    print(f"import cellwright: {ours:.3f} s (median of {args.repeat}; target < 0.5 s)")
    theirs = median_import("pybamm", max(3, args.repeat // 2))
    if theirs is None:
        print("import pybamm: not installed")
    else:
        print(f"import pybamm: {theirs:.3f} s; ratio {theirs / ours:.0f}x")


if __name__ == "__main__":
    main()
