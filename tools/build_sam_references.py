#!/usr/bin/env python
"""Build the NREL SAM LCOS reference fixture ``tests/fixtures/storage/sam_lcos.json``.

What it builds
--------------
SAM's standalone front-of-meter battery with the single-owner financial model, run through
PySAM from the ``StandaloneBatterySingleOwner`` defaults (modules ``Battery`` -> ``Grid`` ->
``Utilityrate5`` -> ``Singleowner``, each ``from_existing`` on the battery's data, executed
in that order). ssc computes the levelized cost of storage in
``common_financial.cpp::lcos_calc`` (ssc PR #530), called from ``cmod_singleowner.cpp``;
it writes ``lcos_real`` and ``lcos_nom`` (cents/kWh) and the yearly components it used.

Cases (``CASES`` below):

* ``default``: the configuration's defaults unchanged (60 MW / 240 MWh class battery,
  25-year analysis, real discount rate 6.4 %/yr, inflation 2.5 %/yr, grid charging priced
  at the PPA price x TOD multipliers, capacity-based battery replacement, no salvage).
* ``salvage_20pct``: as ``default`` but ``batt_salvage_percentage = 20`` (salvage value =
  20 % of the final year's replacement-cost schedule x final capacity %), real discount
  rate 8 %/yr and inflation 2 %/yr, to exercise the salvage term and other rates.

For each case the fixture holds SAM's scalar results (``lcos_real``, ``lcos_nom``,
``npv_annual_costs_lcos``, ``npv_energy_lcos_real``, ``npv_energy_lcos_nom``), the rates
(``real_discount_rate``, ``inflation_rate``, ``nominal_discount_rate``, in %/yr as SAM
states them), ``battery_total_cost_lcos`` (year-0 investment, USD, excluding replacements),
and the yearly arrays, years 0 ... N (index 0 = investment year), in SAM's nominal
(as-spent) USD and kWh: ``cf_charging_cost_grid``, ``cf_charging_cost_pv``,
``cf_om_fixed1_expense``, ``cf_om_capacity1_expense``, ``cf_om_production1_expense``
(the battery's O&M lines that ``lcos_calc`` sums), ``cf_battery_replacement_cost``,
``cf_salvage_cost_lcos`` (positive = value received), ``cf_annual_cost_lcos`` (the total,
negative = cost) and ``cf_annual_discharge_lcos`` (kWh discharged). The build checks that
the components add up to ``cf_annual_cost_lcos`` and stops if they do not; it records in
``salvage_enters_ssc_numerator`` whether ssc counted the salvage value as a cost
(``as_cost``: what PySAM 7.1.1 does, a sign defect: a salvage value *raises* SAM's LCOS) or
as a credit (``as_credit``).

How to rerun (PySAM is not a cellwright dependency; use a throwaway venv)::

    python3 -m venv /tmp/sam-venv
    /tmp/sam-venv/bin/pip install "nrel-pysam==7.1.1.post1" numpy
    /tmp/sam-venv/bin/python tools/build_sam_references.py       # a few seconds

Options: ``--out FILE`` (default ``tests/fixtures/storage/sam_lcos.json``),
``--any-version`` (accept another PySAM version).

Determinism: SAM is deterministic; numbers are written with 12 significant digits and keys
in a fixed order, so a rerun with the same PySAM version reproduces the file byte for byte.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "storage" / "sam_lcos.json"
EXPECTED_PYSAM = "7.1.1.post1"
CONFIG = "StandaloneBatterySingleOwner"

CASES = {
    "default": {},
    "salvage_20pct": {"batt_salvage_percentage": 20.0, "real_discount_rate": 8.0, "inflation_rate": 2.0},
}

SCALARS = (
    "lcos_real",
    "lcos_nom",
    "npv_annual_costs_lcos",
    "npv_energy_lcos_real",
    "npv_energy_lcos_nom",
    "nominal_discount_rate",
)
COST_LINES = (
    "cf_charging_cost_grid",
    "cf_charging_cost_pv",
    "cf_om_fixed1_expense",
    "cf_om_capacity1_expense",
    "cf_om_production1_expense",
    "cf_battery_replacement_cost",
)
ARRAYS = COST_LINES + ("cf_salvage_cost_lcos", "cf_annual_cost_lcos", "cf_annual_discharge_lcos")


def g(x, digits=12):
    """Round to fixed significant digits for stable text."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite value {x}")
    return float(f"{x:.{digits}g}")


def run_case(overrides: dict) -> dict:
    import PySAM.Battery as Battery
    import PySAM.Grid as Grid
    import PySAM.Singleowner as Singleowner
    import PySAM.Utilityrate5 as Utilityrate5

    batt = Battery.default(CONFIG)
    grid = Grid.from_existing(batt, CONFIG)
    rate = Utilityrate5.from_existing(batt, CONFIG)
    so = Singleowner.from_existing(batt, CONFIG)
    for key, value in overrides.items():
        so.value(key, value)
    for module in (batt, grid, rate, so):
        module.execute(0)
    out = so.Outputs
    case = {
        "overrides": overrides,
        "analysis_period_years": int(so.value("analysis_period")),
        "real_discount_rate_percent": g(so.value("real_discount_rate")),
        "inflation_rate_percent": g(so.value("inflation_rate")),
        "batt_salvage_percentage": g(so.value("batt_salvage_percentage")),
        "battery_total_cost_lcos_usd": g(so.value("battery_total_cost_lcos")),
        "ppa_price_input_usd_per_kWh": [g(v) for v in so.value("ppa_price_input")],
        "ppa_escalation_percent": g(so.value("ppa_escalation")),
    }
    for name in SCALARS:
        case[name] = g(getattr(out, name))
    arrays = {name: np.asarray(getattr(out, name), dtype=float) for name in ARRAYS}
    for name in ARRAYS:
        case[name] = [g(v) for v in arrays[name]]
    # ssc lcos_calc: annual cost (negative = cost) = -(sum of cost lines) - salvage, year 0
    # also -investment. Note the sign: ssc *subtracts* the salvage value from a cash flow in
    # which costs are negative, so salvage adds to the LCOS numerator (a cost), not a credit.
    # The check establishes which sign ssc applied and records it.
    costs = -sum(arrays[n] for n in COST_LINES)
    costs[0] -= so.value("battery_total_cost_lcos")
    gaps = {
        "as_cost": float(np.max(np.abs(costs - arrays["cf_salvage_cost_lcos"] - arrays["cf_annual_cost_lcos"]))),
        "as_credit": float(np.max(np.abs(costs + arrays["cf_salvage_cost_lcos"] - arrays["cf_annual_cost_lcos"]))),
    }
    sign = min(gaps, key=gaps.get)
    if gaps[sign] > 1e-6 * float(np.max(np.abs(costs))):
        raise SystemExit(f"components do not add up to cf_annual_cost_lcos (max gaps {gaps} USD)")
    case["check_components_sum_max_gap_usd"] = g(gaps[sign], 3)
    case["salvage_enters_ssc_numerator"] = sign if np.any(arrays["cf_salvage_cost_lcos"]) else "zero"
    return case


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--any-version", action="store_true")
    args = parser.parse_args(argv)
    version = importlib.metadata.version("nrel-pysam")
    if version != EXPECTED_PYSAM and not args.any_version:
        raise SystemExit(f"nrel-pysam {version} installed, expected {EXPECTED_PYSAM} (use --any-version)")
    doc = {
        "tool": "tools/build_sam_references.py",
        "pysam_version": version,
        "python": platform.python_version(),
        "configuration": CONFIG,
        "modules": ["Battery", "Grid", "Utilityrate5", "Singleowner"],
        "units": {
            "lcos_real": "cents/kWh",
            "lcos_nom": "cents/kWh",
            "cf_*": "nominal USD (kWh for discharge)",
            "rates": "*_percent: percent per year; nominal_discount_rate: fraction per year (as PySAM returns it)",
        },
        "cases": {name: run_case(ov) for name, ov in CASES.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    for name, case in doc["cases"].items():
        print(
            f"{name}: lcos_real {case['lcos_real']:.4f} c/kWh, lcos_nom {case['lcos_nom']:.4f} c/kWh", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
