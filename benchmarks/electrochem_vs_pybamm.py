"""Batched SPMe (or, with ``--model dfn``, DFN) vs PyBaMM's same model: a full 1C discharge of
1,000 and 10,000 designs of varied positive thickness and porosity (Chen2020 parameters),
designs per second for both and the ratio.

PyBaMM's fastest fair setup (docs/electrochemistry.md §6): SPMe, IDAKLU solver, geometry and
porosity as input parameters on a symbolic mesh (one build), all inputs in one batched solve
with 2 threads, ``t_eval=[0, t_end]``. PyBaMM is the optional ``validate`` extra; without it the
script times cellwright alone and says so.

    python benchmarks/electrochem_vs_pybamm.py [--sizes 1000,10000] [--pybamm-designs 200] [--repeat 3] [--model dfn]

PyBaMM's per-design cost is flat in N, so by default it is timed on 200 designs and its rate
applied to the larger sizes (``--pybamm-designs 0`` times every size in full).

cellwright's SPMe runs compiled (Numba) kernels: before timing, one warm-up call on a batch of
8 designs loads them (compiling them once per installation, cached on disk after), as PyBaMM's
model is built before its timing. Each size is then timed ``--repeat`` times (default 3) for
both tools and the best time kept, as ``timeit`` does: single runs on this 2-core machine
vary by up to a third.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from cellwright.electrochem.parameters import from_json
from cellwright.electrochem.solve import simulate_parallel

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "electrochem" / "Chen2020_parameters.json"


def varied(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    base = from_json(FIXTURE)
    p = base.take(np.zeros(n, dtype=int))
    return p.replace(L_p=base.L_p[0] * rng.uniform(0.8, 1.2, n), eps_p=rng.uniform(0.3, 0.37, n)), p


def warm_up(model: str = "spme") -> None:
    """Load (or compile) the compiled kernels on a tiny batch: one-time costs, not timed."""
    p, _ = varied(8)
    simulate_parallel(p, ["Discharge at 1C until 2.5 V"], workers=2, model=model)


def time_cellwright(n: int, repeat: int = 1, model: str = "spme") -> float:
    p, _ = varied(n)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        simulate_parallel(p, ["Discharge at 1C until 2.5 V"], workers=2, model=model)  # 2 cores, as PyBaMM's 2 threads
        best = min(best, time.perf_counter() - t0)
    return best


def time_pybamm(n: int, repeat: int = 1, model_name: str = "spme") -> float | None:
    try:
        import pybamm
    except ImportError:
        return None
    rng = np.random.default_rng(0)
    model = pybamm.lithium_ion.DFN() if model_name == "dfn" else pybamm.lithium_ion.SPMe()
    pv = pybamm.ParameterValues("Chen2020")
    L_p = pv["Positive electrode thickness [m]"]
    pv.update({"Positive electrode thickness [m]": "[input]", "Positive electrode porosity": "[input]"})
    submesh = dict(model.default_submesh_types)
    for domain in ("negative electrode", "separator", "positive electrode"):
        submesh[domain] = pybamm.SymbolicUniform1DSubMesh  # geometry as an input needs a symbolic mesh
    sim = pybamm.Simulation(
        model, parameter_values=pv, submesh_types=submesh, solver=pybamm.IDAKLUSolver(options={"num_threads": 2})
    )
    inputs = [
        {"Positive electrode thickness [m]": L_p * f, "Positive electrode porosity": e}
        for f, e in zip(rng.uniform(0.8, 1.2, n), rng.uniform(0.3, 0.37, n))
    ]
    t_end = 3600.0 * 1.2
    sim.build(inputs=inputs[0])  # one build, geometry as inputs
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        sim.solve([0.0, t_end], inputs=inputs)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--pybamm-designs", type=int, default=200)
    ap.add_argument(
        "--repeat", type=int, default=3, help="time each run this many times and keep the best, for both tools"
    )
    ap.add_argument("--model", choices=("spme", "dfn"), default="spme", help="the model compared, in both tools")
    args = ap.parse_args()
    warm_up(args.model)
    for n in [int(x) for x in args.sizes.split(",")]:
        ours = time_cellwright(n, args.repeat, args.model)
        m = n if args.pybamm_designs <= 0 else min(n, args.pybamm_designs)
        theirs = time_pybamm(m, args.repeat, args.model)
        line = f"N = {n:>6,}: cellwright {n / ours:>10,.0f} designs/s ({ours:.2f} s)"
        if theirs is None:
            print(line + "; PyBaMM not installed (pip install -e '.[validate]'), not timed")
            continue
        rate = m / theirs
        print(
            line
            + f"; PyBaMM {args.model.upper() if args.model == 'dfn' else 'SPMe'}/IDAKLU {rate:>8,.0f} designs/s (timed on {m:,}); ratio {n / ours / rate:.1f}x"
        )


if __name__ == "__main__":
    main()
