"""Check the chemistry presets against the public cells in data/reference_cells.csv, and fit
the casing values no teardown gives.

    python tools/calibrate_presets.py                      # error table, preset defaults
    python tools/calibrate_presets.py --fit lfp-graphite prismatic headspace_mm=5:40 packing_factor=0.8:1

``--fit`` grid-searches the named casing parameters (one batched engine call for the whole
grid over every cell of the group) for the least mean squared relative error of capacity and
mass, and prints the best values; copy them into data/formats.toml or data/chemistries.toml
with source ``cellwright-calibration`` and the cells they were fitted to.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from cellwright.cell import Cell
from cellwright.design import DesignInputs, design_cells
from cellwright.reference import reference_cells, spec_for

SCALE = {"_mm": 1e-3, "_um": 1e-6, "_g_per_Ah": 1e-3 / 3600.0, "_mAh_g": 3600.0}
FIELD = {
    "headspace_mm": "headspace",
    "packing_factor": "packing_factor",
    "wall_thickness_mm": "wall_thickness",
    "lid_thickness_mm": "lid_thickness",
    "terminal_mass_g_per_Ah": "terminal_mass_per_capacity",
    "clearance_mm": "clearance",
    "thickness_um": "pos_thickness",
    "excess_fraction": "ely_excess",
    "specific_capacity_mAh_g": "pos_specific_capacity",
    "capacity_utilization": "utilization",
}


def errors(rows):
    """(cell, chemistry, format, capacity error, mass error) per usable reference cell."""
    out = []
    for row in rows:
        spec = spec_for(row)
        if spec is None:
            continue
        r = Cell.from_spec(spec).summary()
        out.append(
            (
                row["cell"],
                row["chemistry"],
                row["format"],
                r["capacity_Ah"] / row["capacity_Ah"] - 1.0,
                r["mass_kg"] / row["mass_kg"] - 1.0,
            )
        )
    return out


def fit(rows, chemistry, fmt, ranges: dict[str, tuple[float, float]], steps=21):
    group = [r for r in rows if r["chemistry"] == chemistry and r["format"] == fmt and spec_for(r)]
    bases = [Cell.from_spec(spec_for(r)).resolved.inputs for r in group]
    cap = np.array([r["capacity_Ah"] for r in group])
    mass = np.array([r["mass_kg"] for r in group])
    grids = [np.linspace(lo, hi, steps) for lo, hi in ranges.values()]
    combos = np.array(list(itertools.product(*grids)))  # (G, P)
    g, n = len(combos), len(group)
    inp = DesignInputs.concatenate(bases).take(np.tile(np.arange(n), g))
    changes = {}
    for j, name in enumerate(ranges):
        scale = next((s for suffix, s in SCALE.items() if name.endswith(suffix)), 1.0)
        changes[FIELD[name]] = np.repeat(combos[:, j], n) * scale
    res = design_cells(inp.replace(**changes))
    e_cap = (res["capacity_Ah"].reshape(g, n) / cap) - 1.0
    e_mass = (res["mass_kg"].reshape(g, n) / mass) - 1.0
    score = np.nanmean(e_cap**2 + e_mass**2, axis=1)
    best = int(np.nanargmin(score))
    print(f"fit {chemistry} {fmt} over {n} cells: " + ", ".join(f"{k} = {v:.4g}" for k, v in zip(ranges, combos[best])))
    for r, ec, em in zip(group, e_cap[best], e_mass[best]):
        print(f"  {r['cell']:<40s} capacity {100 * ec:+6.1f} %  mass {100 * em:+6.1f} %")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", nargs="+", metavar="ARG", help="CHEMISTRY FORMAT name=lo:hi ...")
    ap.add_argument("--steps", type=int, default=11, help="grid points per fitted parameter")
    args = ap.parse_args()
    rows = reference_cells()
    if args.fit:
        chem, fmt, *pairs = args.fit
        ranges = {p.split("=")[0]: tuple(float(v) for v in p.split("=")[1].split(":")) for p in pairs}
        fit(rows, chem, fmt, ranges, args.steps)
        return
    print(f"{'cell':<42s}{'chemistry':<20s}{'format':<12s}{'capacity':>10s}{'mass':>10s}")
    for name, chem, fmt, ec, em in errors(rows):
        flag = "" if abs(ec) <= 0.10 and abs(em) <= 0.10 else "  <-- outside 10 %"
        print(f"{name[:41]:<42s}{chem:<20s}{fmt:<12s}{100 * ec:+9.1f}%{100 * em:+9.1f}%{flag}")


if __name__ == "__main__":
    main()
