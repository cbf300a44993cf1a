"""20 years of an hourly storage duty cycle (tests/fixtures/aging/series_input.csv, repeated)
for many cells (temperature offsets varied) with the NREL 250 Ah LFP model: cells per second for
cellwright (all cells in one batched run) and for BLAST-Lite (its general path, one cell at a
time), and the ratio. BLAST-Lite pins numpy < 2, so it lives in its own environment; without
it the script times cellwright alone.

    python benchmarks/aging_vs_blast.py [--cells 10000] [--blast-cells 3]
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from cellwright.aging.simulate import simulate_life

PROFILE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "aging" / "series_input.csv"


def load():
    rows = list(csv.DictReader(PROFILE.read_text().splitlines()))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--blast-cells", type=int, default=3)
    args = ap.parse_args()
    inp = load()
    offsets = np.linspace(-5.0, 10.0, args.cells)
    t0 = time.perf_counter()
    simulate_life(
        inp["time_s"], inp["soc"], inp["temperature_degC"], 20.0, n_cells=args.cells, temperature_offset_degC=offsets
    )
    ours = args.cells / (time.perf_counter() - t0)
    line = f"cellwright: {args.cells:,} cells x 20 years hourly: {ours:,.0f} cells/s"
    try:
        from blast import models
    except ImportError:
        print(line + "; BLAST-Lite not installed (its own venv: pip install blast-lite), not timed")
        return
    t0 = time.perf_counter()
    for off in offsets[: args.blast_cells]:
        cell = models.Lfp_Gr_250AhPrismatic()
        cell.simulate_battery_life(
            {"Time_s": inp["time_s"], "SOC": inp["soc"], "Temperature_C": inp["temperature_degC"] + off},
            threshold_time=20,
        )
    theirs = args.blast_cells / (time.perf_counter() - t0)
    print(
        line
        + f"; BLAST-Lite general path {theirs:.2f} cells/s (timed on {args.blast_cells}); ratio {ours / theirs:,.0f}x"
    )


if __name__ == "__main__":
    main()
