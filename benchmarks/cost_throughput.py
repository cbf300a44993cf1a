"""Design plus cost throughput: 1,000,000 varied designs, each made in its own plant.

Designs vary as in design_throughput.py; plants vary in size (2-50 GWh/yr), region factor
prices (labour, electricity), cell yield and utilisation. One design_cells call and one
cell_cost call. Prints designs per second and the ratio to the target (1,000,000 in 3 s on 2
cores). BatPaC, the peer, recalculates 7 designs at a time in Excel and cannot run here.

    python benchmarks/cost_throughput.py [--n 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from design_throughput import base_cells, varied_designs

from cellwright.design import design_cells
from cellwright.factory import CostInputs, cell_cost
from cellwright.factory.plant_spec import cost_inputs, load_plant

TARGET_SECONDS_PER_MILLION = 3.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    cells = base_cells()
    plant = load_plant(None)
    inp, pick = varied_designs(args.n, cells=cells)
    rng = np.random.default_rng(1)
    costs = CostInputs.concatenate([cost_inputs(c.resolved, plant) for c in cells]).take(pick)
    costs = costs.replace(
        annual_kWh=rng.uniform(2e6, 5e7, args.n),
        labour_usd_per_h=rng.uniform(2.0, 50.0, args.n),
        electricity_usd_per_kWh=rng.uniform(0.05, 0.25, args.n),
        cell_yield=rng.uniform(0.6, 0.98, args.n),
        utilization=rng.uniform(0.4, 0.95, args.n),
    )
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = cell_cost(design_cells(inp), costs)
        times.append(time.perf_counter() - t0)
    best = min(times)
    rate = args.n / best
    target = 1_000_000 / TARGET_SECONDS_PER_MILLION
    c = result["cell_cost_usd_per_kWh"]
    print(
        f"designs: {args.n:,}  cell cost USD/kWh: median {np.nanmedian(c):.1f}, 5-95 % {np.nanpercentile(c, 5):.1f}-{np.nanpercentile(c, 95):.1f}"
    )
    print(f"cellwright design + cost: best of {args.repeat}: {best:.3f} s  ->  {rate:,.0f} designs/s")
    print(f"target: {target:,.0f} designs/s  ->  ratio {rate / target:.2f}x the target")
    print("BatPaC (peer): Excel workbook, 7 designs per recalculation; not runnable here, not timed")


if __name__ == "__main__":
    main()
