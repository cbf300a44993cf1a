"""Streamed design + cost: 100,000,000 variants of the 280 Ah LFP cell in chunks, flat memory.

Each chunk varies the cathode thickness (0.6-1.4 x the preset's) and porosity (0.8-1.2 x,
within 0.15-0.5) of ``examples/lfp-280ah-prismatic.toml`` (seeded, one generator per chunk so
the run is reproducible chunk by chunk), runs ``design_cells`` then ``cell_cost`` in the default
plant, and keeps only running minima, maxima, sums and counts of a few columns. Prints those,
the CPU time, and the peak resident memory (``ru_maxrss``) against the 500 MB acceptance.

    python benchmarks/stream_memory.py [--n 100000000] [--chunk 250000] [--seed 0]

A chunk of 250,000 holds its design and cost results (~95 columns of float64, ~190 MB) and
the two varied inputs; the fixed inputs are read-only views of the preset's, not copies.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

from cellwright.cell import Cell
from cellwright.design import DesignInputs, design_cells
from cellwright.factory import cell_cost
from cellwright.factory.plant_spec import cost_inputs, load_plant

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lfp-280ah-prismatic.toml"
PEAK_RSS_LIMIT_MB = 500.0
COLUMNS = (
    ("design", "specific_energy_Wh_kg"),
    ("design", "energy_Wh"),
    ("cost", "cell_cost_usd_per_kWh"),
)


def peak_rss_mb() -> float:
    """Peak resident set of this process, MB (Linux reports ru_maxrss in kB, macOS in bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1e6 if sys.platform == "darwin" else rss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=float, default=1e8, help="variants in all (default 1e8)")
    ap.add_argument("--chunk", type=int, default=250_000, help="variants per chunk")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    n_total = int(args.n)
    if n_total < 1 or args.chunk < 1:
        ap.error("--n and --chunk must be at least 1")

    cell = Cell.from_spec(EXAMPLE)
    base = cell.resolved.inputs
    costs1 = cost_inputs(cell.resolved, load_plant(None))
    stats = {name: [np.inf, -np.inf, 0.0, 0] for _, name in COLUMNS}  # min, max, sum, count (finite)
    valid = 0
    rss_start = peak_rss_mb()

    t0, w0 = time.process_time(), time.perf_counter()
    done = 0
    for k, start in enumerate(range(0, n_total, args.chunk)):
        m = min(args.chunk, n_total - start)
        rng = np.random.default_rng([args.seed, k])
        # the fields that do not vary are read-only views of the preset's, not m copies
        fixed = {k: np.broadcast_to(v, (m,)) for k, v in base.as_dict().items()}
        inp = DesignInputs(
            **fixed
            | {
                "pos_thickness": base.pos_thickness * rng.uniform(0.6, 1.4, m),
                "pos_porosity": np.clip(base.pos_porosity * rng.uniform(0.8, 1.2, m), 0.15, 0.5),
            }
        )
        design = design_cells(inp)
        cost = cell_cost(design, costs1)  # one plant: its fields are broadcast, not copied
        valid += int(cost.valid.sum())
        for where, name in COLUMNS:
            x = design[name] if where == "design" else cost[name]
            finite = x[np.isfinite(x)]
            s = stats[name]
            if finite.size:
                s[0], s[1] = min(s[0], float(finite.min())), max(s[1], float(finite.max()))
                s[2] += float(finite.sum())
                s[3] += finite.size
        done += m
        del inp, design, cost
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0

    peak = peak_rss_mb()
    print(f"variants: {done:,} in chunks of {args.chunk:,}  valid cost: {valid:,}")
    for _, name in COLUMNS:
        lo, hi, total, count = stats[name]
        mean = total / count if count else float("nan")
        print(f"  {name}: min {lo:.4g}  mean {mean:.4g}  max {hi:.4g}  ({count:,} finite)")
    print(f"CPU {cpu:.1f} s (wall {wall:.1f} s)  ->  {done / cpu:,.0f} variants per CPU second")
    print(f"peak RSS: {peak:.0f} MB (after setup {rss_start:.0f} MB); limit {PEAK_RSS_LIMIT_MB:.0f} MB")
    print(
        f"peak RSS / limit = {peak / PEAK_RSS_LIMIT_MB:.2f} ({'meets' if peak <= PEAK_RSS_LIMIT_MB else 'misses'} it)"
    )


if __name__ == "__main__":
    main()
