"""Derive China's equipment_cost_multiplier (data/regions.toml) from EVE Energy's Shenyang plant.

EVE's 20 GWh/yr storage-cell plant at Shenyang (phase 1, 2022) has RMB 4 bn of fixed assets,
RMB 0.20 bn/GWh = USD 29.7 M/GWh at 6.7290 CNY/USD (Fed G.5A 2022) [eve-shenyang-2022]. The
process model's default plant (20 GWh/yr, China) making the 280 Ah LFP storage cell of
``examples/lfp-280ah-prismatic.toml`` has process equipment E (at BatPaC's US prices x the
multiplier), building-and-support systems and floor area at China's construction prices; the
multiplier is the one that makes its capex per GWh equal EVE's:

    multiplier = (29.7 - building per GWh) / (equipment per GWh at BatPaC's prices)

Run after a change to the process steps, the line-throughput law or the LFP storage cell, and
write the printed value and arithmetic into the note of ``[china] equipment_cost_multiplier``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cellwright.cell import Cell
from cellwright.factory import process
from cellwright.factory.evaluate import cost_of
from cellwright.factory.plant_spec import load_plant, regions

ROOT = Path(__file__).parents[1]
TARGET_USD_PER_GWH = 0.20e9 / 6.7290


def main() -> None:
    cell = Cell.from_spec(ROOT / "examples" / "lfp-280ah-prismatic.toml")
    plant = load_plant(None)
    result = cost_of(cell, plant)
    china = regions()["china"]
    multiplier = china["equipment_cost_multiplier"]["value"]
    names = np.asarray(process.steps().names)
    capital = result.steps["capital_usd"][:, 0]
    equipment = capital[names != "building_support"].sum() / multiplier
    building = (
        capital[names == "building_support"].sum() + result["floor_area_m2"][0] * china["building_usd_per_m2"]["value"]
    )
    per_gwh = 1e6 * plant.annual_GWh
    derived = (TARGET_USD_PER_GWH * plant.annual_GWh - building) / equipment
    print(
        f"target {TARGET_USD_PER_GWH / 1e6:.1f} M$/GWh; building {building / per_gwh:.1f} M$/GWh; "
        f"equipment at BatPaC prices {equipment / per_gwh:.1f} M$/GWh -> multiplier {derived:.3f} "
        f"(data: {multiplier})"
    )


if __name__ == "__main__":
    main()
