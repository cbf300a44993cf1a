"""Cost of a good kWh: materials bought per good cell, and the conversion cost of the plant.

Method: BatPaC v5 [batpac-v5; nelson2012 ch. 6-7], batch-first.

- Materials per good cell = design mass (or area) x price / (material yield x cell yield);
  purchased parts (can, lid, terminals) = mass x price + a fixed part cost, / cell yield.
- The plant is sized at nameplate: each step's labour, capital and floor area scale from
  BatPaC's baseline plant (:mod:`.process`); process capital x the region's equipment
  multiplier x any export-control premium, building-and-support capital x the region's
  construction multiplier, floor area x the region's building cost.
- Annual costs: direct labour; depreciation (capital / equipment life + building / building
  life); variable overhead, GSA and R&D as BatPaC's fractions of labour and depreciation;
  energy (electricity and heat per step x regional prices) as its own line, or inside variable
  overhead as BatPaC has it. They are spread over the good output, nameplate x utilisation,
  and scaled by the producer's experience multiplier (Wright's law).
- Options: profit = cost of capital x investment; warranty = 5.6 % of cost + profit. A
  production credit (US 45X) is subtracted per kWh. Scrap recovery credits back a share of the
  value of the materials the yields discarded; local-content rules add a premium to materials.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..design.engine import DesignResult
from ..errors import SpecError
from . import process
from .inputs import CostInputs

LCE_PER_LI = 5.323  # kg Li2CO3 per kg Li (73.89 / (2 x 6.941))

#: Breakdown lines, in order.
MATERIAL_LINES = (
    "cathode_active",
    "cathode_other",
    "anode_active",
    "anode_other",
    "cathode_foil",
    "anode_foil",
    "separator",
    "electrolyte",
    "solvent",
    "casing_and_terminals",
)
CONVERSION_LINES = ("labour", "variable_overhead", "depreciation", "gsa", "rnd", "energy")
OPTION_LINES = ("profit", "warranty", "credit")

#: Why a cost result is not valid: code -> (field to change, what is wrong). Code 0 is valid.
COST_REASONS: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("design", "the cell design is not physically possible (see its invalid_reason)"),
    ("year", "the plant makes nothing yet that year (start of production delayed by its scenario)"),
    ("prices", "the materials cost is not finite: a price too large"),
    ("annual_GWh", "the cost is not finite: the plant's output is too small to spread its costs over"),
    ("credit_usd_per_kWh", "the production credit exceeds the cost: the cell cost net of credits is negative"),
    ("prices", "a cost line is negative: a price, premium or multiplier below zero"),
)
COST_VALID, COST_DESIGN, COST_NO_OUTPUT, COST_MATERIALS_NOT_FINITE, COST_NOT_FINITE, COST_CREDIT, COST_NEGATIVE_LINE = (
    range(7)
)
COST_REASON_TEXT = np.array([f"{f}: {t}" if f else "" for f, t in COST_REASONS], dtype=object)


@dataclass
class CostResult:
    """Per-design cost results: arrays keyed by unit-suffixed names, and the per-kWh breakdown.

    ``valid`` is False where the cost is not a cost: the design is not possible, the plant makes
    nothing that year (its results are NaN, as they always were), or a result comes out
    non-finite or negative (those results are NaN). ``reason`` holds the code
    (:data:`COST_REASONS`), ``invalid_reason`` the text ``"<field>: <what is wrong>"``.
    """

    values: dict[str, np.ndarray]
    breakdown_usd_per_kWh: dict[str, np.ndarray]
    steps: Mapping[str, np.ndarray]  # per-step labour_h, capital_usd, area_m2: (S, N), built when read
    valid: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    reason: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))

    def __post_init__(self):
        n = next(iter(self.values.values())).shape[0]
        if self.reason.shape != (n,):  # not given: every design valid
            self.reason = np.zeros(n, dtype=np.int16)
        if self.valid.shape != (n,):
            self.valid = self.reason == COST_VALID

    def __getitem__(self, key):
        return self.values[key]

    @property
    def invalid_reason(self) -> np.ndarray:
        """Per design, why its cost is not valid (``"<field>: <what is wrong>"``), "" where valid."""
        return COST_REASON_TEXT[self.reason]

    def row(self, i: int = 0) -> dict:
        """Design ``i`` as plain numbers (None where the plant has no output that year, or where
        the result is not valid), with ``valid`` and ``invalid_reason``."""
        out: dict[str, object] = {k: _plain(v[i]) for k, v in self.values.items()}
        out["breakdown"] = {k: _plain(v[i]) for k, v in self.breakdown_usd_per_kWh.items()}
        out["valid"] = bool(self.valid[i])
        out["invalid_reason"] = COST_REASON_TEXT[self.reason[i]] or None
        return out


def _plain(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def _energy(design: DesignResult, c: CostInputs, cells_per_kWh: np.ndarray):
    """Electricity and heat per kWh of good cells, kWh/kWh (process_energy.csv, scaled)."""
    ref = {k: v["value"] for k, v in process.plant_data()["energy_reference"].items()}
    kwh = design["energy_Wh"] / 1000.0
    area_per_kWh = design["cathode_area_m2"] / kwh / c.cell_yield
    active_per_kWh = (design.bom_mass_kg["cathode_active"] + design.bom_mass_kg["anode_active"]) / kwh / c.cell_yield
    size = design["capacity_Ah"] / ref["cell_capacity_Ah"]
    scale = {
        "electrode_area": area_per_kWh / ref["electrode_area_m2_per_kWh"],
        "active_kg": active_per_kWh / ref["active_kg_per_kWh"],
        "cells_line": cells_per_kWh * size ** process.line_exponent() / ref["cells_per_kWh"],
        "energy": np.ones_like(kwh),
    }
    elec = np.zeros_like(kwh)
    heat = np.zeros_like(kwh)
    for row in process.energy_steps():
        elec = elec + row["electricity"] * scale[row["driver"]]
        heat = heat + row["heat"] * scale[row["driver"]]
    return elec, heat


#: Cost inputs and what each must be: (low, high, low inclusive, what is allowed). Anything not
#: listed (the credit, booleans) need only be finite.
_BOUNDS: dict[str, tuple[float, float, bool, str]] = {
    **{
        f: (0.0, np.inf, True, ">= 0")
        for f in (
            "p_cathode_active",
            "p_cathode_conductive",
            "p_cathode_binder",
            "p_anode_active",
            "p_anode_conductive",
            "p_anode_binder",
            "p_cathode_foil",
            "p_anode_foil",
            "p_separator",
            "p_electrolyte",
            "p_casing",
            "p_lid",
            "p_insulation",
            "p_terminals",
            "plus_usd",
            "p_nmp",
            "nmp_per_binder",
            "water_per_binder",
            "li_cathode",
            "li_anode",
            "li_electrolyte",
            "labour_usd_per_h",
            "building_usd_per_m2",
            "electricity_usd_per_kWh",
            "heat_usd_per_kWh",
            "cost_of_capital",
        )
    },
    **{
        f: (0.0, np.inf, False, "> 0")
        for f in (
            "annual_kWh",
            "operating_days",
            "conversion_multiplier",
            "material_multiplier",
            "equipment_multiplier",
            "construction_multiplier",
            "capex_multiplier",
        )
    },
    **{
        f: (0.0, 1.0, False, "a fraction within (0, 1]")
        for f in ("cell_yield", "y_electrode", "y_foil", "y_separator", "y_electrolyte")
    },
    "utilization": (0.0, 1.0, True, "a fraction within 0-1 (0: no output yet)"),
    "scrap_recovery": (0.0, 1.0, True, "a fraction within 0-1"),
    **{f: (-1.0, np.inf, False, "a fraction > -1") for f in ("premium_cathode", "premium_anode", "premium_materials")},
}


def check_inputs(c: CostInputs) -> None:
    """Refuse cost inputs that are not finite or out of their range, before any work: a
    SpecError naming the first offending field (``CostInputs.<field>``) and its value."""
    for name, x in c.as_dict().items():
        if x.dtype == bool:
            continue
        lo, hi, lo_inclusive, allowed = _BOUNDS.get(name, (-np.inf, np.inf, True, "finite"))
        # one pass each for the smallest and largest value; NaN propagates into both
        x_min, x_max = x.min(), x.max()
        ok = np.isfinite(x_min) and np.isfinite(x_max) and x_max <= hi and (x_min >= lo if lo_inclusive else x_min > lo)
        if not ok:
            bad = ~(np.isfinite(x) & (x <= hi) & ((x >= lo) if lo_inclusive else (x > lo)))
            raise SpecError(f"CostInputs.{name}", float(x[bad][0]), f"finite, {allowed}")


#: Designs costed per pass: the temporaries of one pass stay small enough to be reused from
#: the allocator's heap (and mostly in cache) instead of being mapped, zeroed and unmapped for
#: every expression, which is what bounds a one-pass cost of millions of designs.
CHUNK = 32768


def cell_cost(design: DesignResult, c: CostInputs) -> CostResult:
    """Cost per good kWh of N designs made in N plants (arrays over N).

    Inputs out of range (a non-finite or negative price, a yield of 0) are refused with a
    SpecError; results that are not valid carry their reason (see :class:`CostResult`).
    Every result is elementwise in the designs, so the designs are costed in chunks of
    :data:`CHUNK` into the result arrays; the per-step plant arrays (``steps``, (S, N)) are
    built only when read.
    """
    check_inputs(c)
    if len(c) == 1 < len(design):  # one plant for every design: its fields as views, no copies
        c = c.broadcast_to(len(design))
    n = len(c)
    # a result that overflows is flagged with its reason, not warned about on stderr
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if n <= CHUNK or len(design) != n:  # one design in N plants (or N in one): broadcast
            values, breakdown, reason = _cell_cost(design, c)
        else:
            values, breakdown, reason = {}, {}, np.empty(n, dtype=np.int16)
            for start in range(0, n, CHUNK):
                part = slice(start, min(start + CHUNK, n))
                v, b, r = _cell_cost(_design_slice(design, part), _inputs_slice(c, part))
                if start == 0:
                    values = {k: np.empty(n, dtype=x.dtype) for k, x in v.items()}
                    breakdown = {k: np.empty(n, dtype=x.dtype) for k, x in b.items()}
                for out, got in ((values, v), (breakdown, b)):
                    for k, x in got.items():
                        out[k][part] = x
                reason[part] = r
    return CostResult(values, breakdown, _Steps(design, c), reason == COST_VALID, reason)


def _design_slice(design: DesignResult, part: slice) -> DesignResult:
    """Designs ``part`` of ``design`` as views (no copy)."""
    return DesignResult(
        {k: v[part] for k, v in design.values.items()},
        {k: v[part] for k, v in design.bom_mass_kg.items()},
        {k: v[part] for k, v in design.bom_area_m2.items()},
        design.valid[part],
        design.reason[part],
    )


def _inputs_slice(c: CostInputs, part: slice) -> CostInputs:
    """Plants ``part`` of ``c`` as views (no copy)."""
    return CostInputs(**{k: v[part] for k, v in c.as_dict().items()})


class _Steps(Mapping[str, np.ndarray]):
    """Per step, the labour (h/yr), capital (USD) and floor area (m2) charged to cells, (S, N):
    the plant of :func:`cell_cost` laid out step by step, built on first read (it is S times
    the size of any other result)."""

    KEYS = ("labour_h", "capital_usd", "area_m2")

    def __init__(self, design: DesignResult, c: CostInputs):
        self._design, self._c = design, c
        self._steps: dict[str, np.ndarray] | None = None

    def _built(self) -> dict[str, np.ndarray]:
        if self._steps is None:
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                labour_h, capital, floor = _plant_steps(self._design, self._c)
            self._steps = dict(zip(self.KEYS, (labour_h, capital, floor)))
        return self._steps

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self.KEYS:
            raise KeyError(key)
        return self._built()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


def _plant_steps(design: DesignResult, c: CostInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The plant at nameplate, per step: labour (h/yr), capital (USD) after the regional and
    export-control multipliers, and floor area (m2) charged to cells, each (S, N)."""
    bom, area = design.bom_mass_kg, design.bom_area_m2
    kwh_per_cell = design["energy_Wh"] / 1000.0
    good_cells = c.annual_kWh / kwh_per_cell
    started = good_cells / c.cell_yield
    rates = {
        "cells": started,
        "positive_active_kg": started * bom["cathode_active"] / c.y_electrode,
        "negative_active_kg": started * bom["anode_active"] / c.y_electrode,
        "positive_area_m2": started * area["cathode_active"],
        "negative_area_m2": started * area["anode_active"],
        "nmp_kg": started * bom["cathode_binder"] * c.nmp_per_binder / c.y_electrode,
        "water_kg": started * bom["anode_binder"] * c.water_per_binder / c.y_electrode,
        "rejected_cells": started - good_cells,
        "energy_kWh": c.annual_kWh,
    }
    labour_h, capital, floor = process.scale_steps(rates, c.operating_days, design["capacity_Ah"])
    building_line = np.asarray(process.steps().names) == "building_support"
    capital = np.where(
        building_line[:, None],
        capital * c.construction_multiplier,
        capital * c.equipment_multiplier * c.capex_multiplier,
    )
    return labour_h, capital, floor


def _cell_cost(design: DesignResult, c: CostInputs) -> tuple[dict, dict, np.ndarray]:
    bom, area = design.bom_mass_kg, design.bom_area_m2
    kwh_per_cell = design["energy_Wh"] / 1000.0
    Y = c.cell_yield
    y_e, y_f, y_s, y_l = c.y_electrode * Y, c.y_foil * Y, c.y_separator * Y, c.y_electrolyte * Y

    per_cell = {
        "cathode_active": bom["cathode_active"] * c.p_cathode_active * (1.0 + c.premium_cathode) / y_e,
        "cathode_other": (
            bom["cathode_conductive"] * c.p_cathode_conductive + bom["cathode_binder"] * c.p_cathode_binder
        )
        / y_e,
        "anode_active": bom["anode_active"] * c.p_anode_active * (1.0 + c.premium_anode) / y_e,
        "anode_other": (bom["anode_conductive"] * c.p_anode_conductive + bom["anode_binder"] * c.p_anode_binder) / y_e,
        "cathode_foil": area["cathode_foil"] * c.p_cathode_foil / y_f,
        "anode_foil": area["anode_foil"] * c.p_anode_foil / y_f,
        "separator": area["separator"] * c.p_separator / y_s,
        "electrolyte": bom["electrolyte"] * c.p_electrolyte / y_l,
        "solvent": bom["cathode_binder"] * c.nmp_per_binder * c.p_nmp / y_e,
        "casing_and_terminals": (
            bom["casing"] * c.p_casing
            + bom["lid"] * c.p_lid
            + bom["insulation"] * c.p_insulation
            + bom["terminals"] * c.p_terminals
            + c.plus_usd
        )
        / Y,
    }
    # scrap recovery credits back a share of the value of what the yields threw away:
    # bought x (1 - r (1 - y)) where bought = design / y
    yields = {
        "cathode_active": y_e,
        "cathode_other": y_e,
        "anode_active": y_e,
        "anode_other": y_e,
        "solvent": y_e,
        "cathode_foil": y_f,
        "anode_foil": y_f,
        "separator": y_s,
        "electrolyte": y_l,
        "casing_and_terminals": Y,
    }
    factor = c.material_multiplier * (1.0 + c.premium_materials)
    recoverable = {k: k != "solvent" for k in per_cell}  # NMP is evaporated, not in the scrap
    per_cell = {
        k: v * factor * (1.0 - c.scrap_recovery * recoverable[k] * (1.0 - yields[k])) for k, v in per_cell.items()
    }
    materials_per_cell = sum(per_cell.values())

    # --- the plant at nameplate
    good_cells = c.annual_kWh / kwh_per_cell
    labour_h, capital, floor = _plant_steps(design, c)
    ov = {k: v["value"] for k, v in process.plant_data()["overheads"].items()}
    capital_total = capital.sum(axis=0)
    floor_total = floor.sum(axis=0)
    building = floor_total * c.building_usd_per_m2

    output_kWh = np.where(c.utilization > 0, c.annual_kWh * c.utilization, np.nan)  # NaN: no output yet
    k = c.conversion_multiplier / output_kWh  # annual USD -> USD per good kWh
    labour = labour_h.sum(axis=0) * c.labour_usd_per_h * k
    depreciation = (capital_total / ov["equipment_life_yr"] + building / ov["building_life_yr"]) * k
    var_oh = ov["variable_overhead_of_labour"] * labour + ov["variable_overhead_of_depreciation"] * depreciation
    gsa = ov["gsa_of_labour_and_overhead"] * (labour + var_oh) + ov["gsa_of_depreciation"] * depreciation
    rnd = ov["rnd_of_depreciation"] * depreciation
    elec, heat = _energy(design, c, 1.0 / kwh_per_cell)
    energy_use = elec + heat
    energy = np.where(
        c.energy_explicit, (elec * c.electricity_usd_per_kWh + heat * c.heat_usd_per_kWh) * c.conversion_multiplier, 0.0
    )

    materials = materials_per_cell / kwh_per_cell
    conversion = labour + var_oh + depreciation + gsa + rnd + energy
    annual_materials = materials * output_kWh
    investment = (
        capital_total
        + building
        + ov["launch_of_materials"] * annual_materials
        + ov["launch_of_labour_and_overhead"] * (labour + var_oh) * output_kWh
        + ov["working_capital_of_variable"] * (materials + labour + var_oh + energy) * output_kWh
    )
    profit = np.where(c.include_profit, c.cost_of_capital * investment / output_kWh, 0.0)
    warranty = np.where(c.include_warranty, ov["warranty_fraction"] * (materials + conversion + profit), 0.0)
    credit = -c.credit_usd_per_kWh
    total = materials + conversion + profit + warranty + credit

    breakdown = {name: v / kwh_per_cell for name, v in per_cell.items()}
    breakdown.update(
        labour=labour, variable_overhead=var_oh, depreciation=depreciation, gsa=gsa, rnd=rnd, energy=energy
    )
    breakdown.update(profit=profit, warranty=warranty, credit=credit)

    li = (
        bom["cathode_active"] * c.li_cathode / y_e
        + bom["anode_active"] * c.li_anode / y_e
        + bom["electrolyte"] * c.li_electrolyte / y_l
    )
    plant_capex = capital_total + building
    values = {
        "cell_cost_usd_per_kWh": total,
        "materials_usd_per_kWh": materials,
        "conversion_usd_per_kWh": conversion,
        "cell_cost_usd": total * kwh_per_cell,
        "plant_capex_usd": plant_capex,
        "capex_usd_per_GWh": plant_capex / (c.annual_kWh / 1e6),
        "investment_usd": investment,
        "energy_kWh_per_kWh": energy_use,
        "electricity_kWh_per_kWh": elec,
        "heat_kWh_per_kWh": heat,
        "lce_kg_per_kWh": li * LCE_PER_LI / kwh_per_cell,
        "labour_h_per_yr": labour_h.sum(axis=0),
        "floor_area_m2": floor_total,
        "good_cells_per_yr": good_cells * c.utilization,
        "output_GWh_per_yr": output_kWh / 1e6,
    }
    reason = _validity(design, c, values, breakdown)
    broken = (reason != COST_VALID) & (reason != COST_NO_OUTPUT)
    if broken.any():
        for arr in (*values.values(), *breakdown.values()):
            arr[broken] = np.nan
    return values, breakdown, reason


def _validity(design: DesignResult, c: CostInputs, values: dict, breakdown: dict) -> np.ndarray:
    """Per design, the code of the first reason its cost is not valid (0 when it is)."""
    checks = [
        (COST_DESIGN, ~np.asarray(design.valid, dtype=bool)),
        (COST_NO_OUTPUT, ~(c.utilization > 0)),
        (COST_MATERIALS_NOT_FINITE, ~np.isfinite(values["materials_usd_per_kWh"])),
        # the total and every reported value finite (a line that is not makes the total so)
        (COST_NOT_FINITE, ~np.isfinite(sum(values.values()))),
        (COST_CREDIT, ~(values["cell_cost_usd_per_kWh"] >= 0)),
        *((COST_NEGATIVE_LINE, ~(v >= 0)) for k, v in breakdown.items() if k != "credit"),
    ]
    failing = [(code, bad) for code, bad in checks if bad.any()]
    if not failing:
        return np.zeros(len(c), dtype=np.int16)
    return np.select([b for _, b in failing], [k for k, _ in failing], COST_VALID).astype(np.int16)
