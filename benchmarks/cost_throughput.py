"""Design plus cost throughput: 1,000,000 varied designs, each made in its own plant.

Designs vary as in design_throughput.py; plants vary in size (2-50 GWh/yr), region factor
prices (labour, electricity), cell yield and utilisation. One design_cells call and one
cell_cost call. Prints the CPU time (``time.process_time``: user and system, page faults included),
best of ``--repeat``, and its ratio to the target (1,000,000 in 1.5 s of CPU on a 2-core
machine) and to the memory-traffic floor of fused passes (~0.35 s). BatPaC, the peer,
recalculates 7 designs at a time in Excel and cannot run here.

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

TARGET_CPU_SECONDS_PER_MILLION = 1.5
FLOOR_CPU_SECONDS_PER_MILLION = 0.35  # memory traffic of fused passes over the inputs and results


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
    times, walls = [], []
    for _ in range(args.repeat):
        result = None  # the last results are freed before the next run, as in a loop over batches
        w0, t0 = time.perf_counter(), time.process_time()
        result = cell_cost(design_cells(inp), costs)
        times.append(time.process_time() - t0)
        walls.append(time.perf_counter() - w0)
    best = min(times)
    rate = args.n / best
    scale = args.n / 1_000_000
    target, floor = TARGET_CPU_SECONDS_PER_MILLION * scale, FLOOR_CPU_SECONDS_PER_MILLION * scale
    c = result["cell_cost_usd_per_kWh"]
    print(
        f"designs: {args.n:,}  cell cost USD/kWh: median {np.nanmedian(c):.1f}, 5-95 % {np.nanpercentile(c, 5):.1f}-{np.nanpercentile(c, 95):.1f}"
    )
    print(
        f"cellwright design + cost: CPU best of {args.repeat}: {best:.3f} s (wall {min(walls):.3f} s)"
        f"  ->  {rate:,.0f} designs per CPU second"
    )
    print(f"target: {target:.2f} s of CPU  ->  CPU time / target = {best / target:.2f} (<= 1 meets it)")
    print(f"floor:  {floor:.2f} s (memory traffic)  ->  CPU time / floor = {best / floor:.2f}")
    print("BatPaC (peer): Excel workbook, 7 designs per recalculation; not runnable here, not timed")


if __name__ == "__main__":
    main()
