"""The process-based plant: labour, capital, floor area and energy of each manufacturing step.

BatPaC's scaling law [batpac-v5; nelson2012 ch. 6]: each step's labour (h/yr), capital (USD)
and floor area (m2) at the baseline plant (``data/process_steps.csv``, rates in
``data/plants.toml [baseline]``) scale with the ratio of the step's driver to its baseline:

    X = X_base * (driver / driver_base) ** p

with capital and area also x (320 / operating days). Drivers are annual rates of the plant at
nameplate: active-material mass, coated electrode area, cells, kWh, NMP evaporated, rejected
cells. Stacking follows cells x (Ah/68)^0.95 (BatPaC). The other per-cell steps (welding,
inspection, insertion, filling, formation) follow cells x (Ah/68)^a, the line-throughput law of
``plants.toml [line_throughput]``: a line handles small cells faster than large ones, so the
lines a plant needs grow less than its cell count (BatPaC, calibrated on one 68 Ah pouch, counts
cells alone, with formation x (Ah/68)^0.3 and x 1.1 above 80 Ah; the law replaces both, with no
step in size). The dry room follows the larger of the line and the area ratio. All arrays are
(steps, N).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class Steps:
    names: tuple[str, ...]
    stages: tuple[str, ...]
    drivers: tuple[str, ...]
    labour_h: np.ndarray  # (S,) at baseline
    labour_p: np.ndarray
    capital_usd: np.ndarray
    capital_p: np.ndarray
    area_m2: np.ndarray
    area_p: np.ndarray
    cell_share: np.ndarray  # share serving cells; NaN where it follows the floor area


def _data(name: str) -> str:
    return (resources.files("cellwright") / "data" / name).read_text(encoding="utf-8")


@cache
def steps() -> Steps:
    rows = list(csv.DictReader(_data("process_steps.csv").splitlines()))
    col = lambda k: np.array([float(r[k]) for r in rows])  # noqa: E731
    return Steps(
        tuple(r["step"] for r in rows),
        tuple(r["stage"] for r in rows),
        tuple(r["driver"] for r in rows),
        col("labour_h_per_yr"),
        col("labour_exponent"),
        col("capital_musd") * 1e6,
        col("capital_exponent"),
        col("area_m2"),
        col("area_exponent"),
        np.array([np.nan if r["cell_share"] == "floor" else float(r["cell_share"]) for r in rows]),
    )


@cache
def energy_steps() -> list[dict]:
    """Per-step electricity and heat per kWh of the reference plant (``process_energy.csv``)."""
    return [
        {
            "step": r["step"],
            "driver": r["driver"],
            "electricity": float(r["electricity_kWh_per_kWh"]),
            "heat": float(r["heat_kWh_per_kWh"]),
        }
        for r in csv.DictReader(_data("process_energy.csv").splitlines())
    ]


@cache
def plant_data() -> dict:
    return tomllib.loads(_data("plants.toml"))


BASELINE_CELL_YIELD = 0.95  # the baseline's 211 M cells started for 200 M accepted


def baseline() -> dict[str, float]:
    return {k: v["value"] for k, v in plant_data()["baseline"].items() if isinstance(v, dict)}


def line_exponent() -> float:
    """Exponent a of the line-throughput law: lines needed per cell ~ (cell capacity)^a."""
    return float(plant_data()["line_throughput"]["exponent"]["value"])


def driver_ratios(rates: dict[str, np.ndarray], cell_capacity_Ah: np.ndarray) -> dict[str, np.ndarray]:
    """Ratio of each driver of a plant to BatPaC's baseline plant, arrays over N designs.

    ``rates`` holds the plant's annual rates at nameplate: ``cells`` (started),
    ``positive_active_kg``, ``negative_active_kg`` (bought), ``positive_area_m2``,
    ``negative_area_m2`` (coated, both faces, of the cells started), ``nmp_kg``, ``water_kg``,
    ``rejected_cells``, ``energy_kWh``.
    """
    base = baseline()
    cells = rates["cells"] / base["cells"]
    area = (rates["positive_area_m2"] + rates["negative_area_m2"]) / (
        base["positive_area_m2"] + base["negative_area_m2"]
    )
    size = cell_capacity_Ah / base["cell_capacity_Ah"]
    lines = cells * size ** line_exponent()
    return {
        "positive_active_kg": rates["positive_active_kg"] / base["positive_active_kg"],
        "negative_active_kg": rates["negative_active_kg"] / base["negative_active_kg"],
        "positive_area_m2": rates["positive_area_m2"] / base["positive_area_m2"],
        "negative_area_m2": rates["negative_area_m2"] / base["negative_area_m2"],
        "electrode_area_m2": area,
        "cells": cells,
        "cells_stacking": cells * size**0.95,
        "cells_line": lines,
        "dry_room": np.maximum(lines, area),
        "energy_kWh": rates["energy_kWh"] / base["energy_kWh"],
        "nmp_kg": rates["nmp_kg"] / base["nmp_kg"],
        "rejected_cells": rates["rejected_cells"] / (base["cells"] * (1.0 - BASELINE_CELL_YIELD)),
    }


def solvent_factors(rates: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Coating-capital factors (solvent evaporated per m2 / baseline)^0.2, positive and negative."""
    base = baseline()
    pos = (rates["nmp_kg"] / rates["positive_area_m2"]) / (base["nmp_kg"] / base["positive_area_m2"])
    neg = (rates["water_kg"] / rates["negative_area_m2"]) / (base["water_kg"] / base["negative_area_m2"])
    return np.maximum(pos, 1e-12) ** 0.2, np.maximum(neg, 1e-12) ** 0.2


def scale_steps(rates: dict[str, np.ndarray], operating_days: np.ndarray, cell_capacity_Ah: np.ndarray):
    """Labour (h/yr), capital (USD) and floor area (m2) that each step spends on cells, (S, N).

    Steps scale from the baseline by their driver ratio; capital and area also by 320 /
    operating days (not formation); coating capital by the solvent factor. The warehouse serves cells for a third; the building-and-support line in
    the cells' share of the whole floor area (module and pack lines included), as BatPaC's
    cell-only roll-up does.
    """
    st = steps()
    ratios = driver_ratios(rates, cell_capacity_Ah)
    log_r = {k: np.log(np.maximum(v, 1e-12)) for k, v in ratios.items()}
    names = np.asarray(st.names)
    n = next(iter(log_r.values())).shape[0]

    def scaled(base: np.ndarray, exponents: np.ndarray) -> np.ndarray:
        # each distinct (driver, exponent) is raised once, then spread to its steps
        out = np.empty((len(names), n))
        powers: dict = {}
        for i, (d, p) in enumerate(zip(st.drivers, exponents)):
            if (d, p) not in powers:
                powers[(d, p)] = np.exp(p * log_r[d]) if p != 0.0 else np.ones(n)
            np.multiply(powers[(d, p)], base[i], out=out[i])
        return out

    days = plant_data()["baseline"]["operating_days"]["value"] / np.asarray(operating_days, dtype=float)
    not_formation = names != "formation"
    labour = scaled(st.labour_h, st.labour_p)
    capital = scaled(st.capital_usd, st.capital_p)
    area = scaled(st.area_m2, st.area_p)
    if np.any(days != 1.0):
        capital[not_formation] *= days
        area[not_formation] *= days
    pos_f, neg_f = solvent_factors(rates)
    capital[names == "coating_positive"] *= pos_f
    capital[names == "coating_negative"] *= neg_f

    fixed = ~np.isnan(st.cell_share)
    fixed_share = np.where(fixed, st.cell_share, 0.0)
    floor_share = (fixed_share[:, None] * area).sum(axis=0) / area.sum(axis=0)
    capital *= fixed_share[:, None]
    capital[~fixed] = _floor_line(st, floor_share, log_r, days, fixed)
    labour *= np.where(fixed, st.cell_share, 1.0)[:, None]  # the building line has no labour
    area *= fixed_share[:, None]
    return labour, capital, area


def _floor_line(st, floor_share, log_r, days, fixed):
    """The building-and-support line(s) charged to cells in their share of the floor area."""
    rows = []
    for i in np.flatnonzero(~fixed):
        value = st.capital_usd[i] * np.exp(st.capital_p[i] * log_r[st.drivers[i]])
        if st.names[i] != "formation":
            value = value * days
        rows.append(value * floor_share)
    return np.array(rows)
