"""Design throughput: 1,000,000 varied designs through the design engine in one call.

Designs vary in format (pouch, prismatic wound, blade, cylindrical), chemistry preset, outer
size, cathode thickness, porosity and N/P ratio. Prints designs per second and the ratio to the
target (1,000,000 designs in 2 s on 2 cores). BatPaC, the peer for this job, is an Excel
workbook that recalculates 7 designs at a time and cannot run here; its throughput is not
timed.

    python benchmarks/design_throughput.py [--n 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cellwright.cell import Cell
from cellwright.design import DesignInputs, design_cells

BASES = [
    ("lfp-graphite", "prismatic", {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0}),
    ("lfp-graphite-ev", "blade", {"width_mm": 905.0, "thickness_mm": 13.5, "height_mm": 118.0}),
    ("nmc811-graphite", "pouch", {"width_mm": 100.0, "thickness_mm": 10.0, "height_mm": 300.0}),
    ("nmc811-sigraphite", "cylindrical", {"diameter_mm": 21.1, "height_mm": 70.15}),
]
TARGET_SECONDS_PER_MILLION = 2.0


def base_cells() -> list[Cell]:
    return [Cell.from_spec({"chemistry": c, "format": f, "dimensions": d}) for c, f, d in BASES]


def varied_designs(n: int, seed: int = 0, cells: list[Cell] | None = None) -> tuple[DesignInputs, np.ndarray]:
    """N designs varied around the base cells, and which base each came from."""
    rng = np.random.default_rng(seed)
    bases = [c.resolved.inputs for c in (cells or base_cells())]
    pick = rng.integers(0, len(bases), n)
    inp = DesignInputs.concatenate(bases).take(pick)
    scale = rng.uniform(0.8, 1.2, n)
    varied = inp.replace(
        width=inp.width * scale,
        height=inp.height * rng.uniform(0.8, 1.2, n),
        diameter=inp.diameter * scale,
        pos_thickness=inp.pos_thickness * rng.uniform(0.6, 1.4, n),
        pos_porosity=np.clip(inp.pos_porosity * rng.uniform(0.8, 1.2, n), 0.15, 0.5),
        np_ratio=rng.uniform(1.05, 1.2, n),
    )
    return varied, pick


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    inp, _ = varied_designs(args.n)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = design_cells(inp)
        times.append(time.perf_counter() - t0)
    best = min(times)
    rate = args.n / best
    target_rate = 1_000_000 / TARGET_SECONDS_PER_MILLION
    print(f"designs: {args.n:,}  valid: {int(res.valid.sum()):,}")
    print(f"cellwright design_cells: best of {args.repeat}: {best:.3f} s  ->  {rate:,.0f} designs/s")
    print(f"target: {target_rate:,.0f} designs/s  ->  ratio {rate / target_rate:.2f}x the target")
    print("BatPaC (peer): Excel workbook, 7 designs per recalculation; not runnable here, not timed")


if __name__ == "__main__":
    main()
