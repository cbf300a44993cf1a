"""BatPaC v5's default NMC811-G cell at BatPaC's baseline plant and prices.

Anchor: BatPaC 5.0 workbook, default case, 50 GWh/yr (docs/cost-and-manufacturing.md §1.6):
cell $79.0/kWh, materials and purchased items $62.0, depreciation $7.50, labour $1.58,
variable overhead $2.13, GSA $2.80, R&D $3.00; cell-only capital $3.41 bn, 224,500 m2.
Tolerance 3 % (issue 3).
"""

from pathlib import Path

import pytest

from cellwright.cell import Cell
from cellwright.factory.evaluate import cost_of
from cellwright.factory.plant_spec import load_plant

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def batpac():
    cell = Cell.from_spec(ROOT / "examples" / "batpac-nmc811-pouch.toml")
    plant = load_plant(ROOT / "examples" / "plants" / "batpac-baseline.toml")
    return cost_of(cell, plant).row(0)


def test_cell_cost(batpac):
    assert batpac["cell_cost_usd_per_kWh"] == pytest.approx(79.0, rel=0.03)


@pytest.mark.parametrize(
    "line, usd_per_kWh",
    [
        ("depreciation", 7.50),
        ("labour", 1.58),
        ("variable_overhead", 2.13),
        ("gsa", 2.80),
        ("rnd", 3.00),
        ("cathode_active", 37.9),
    ],
)
def test_breakdown_lines(batpac, line, usd_per_kWh):
    assert batpac["breakdown"][line] == pytest.approx(usd_per_kWh, rel=0.03)


def test_materials(batpac):
    assert batpac["materials_usd_per_kWh"] == pytest.approx(62.0, rel=0.03)


def test_plant(batpac):
    # cell-only capital $3.41 bn plus 224,500 m2 of building at $3,000/m2
    assert batpac["plant_capex_usd"] == pytest.approx(3.41e9 + 224_500 * 3000.0, rel=0.03)
    assert batpac["floor_area_m2"] == pytest.approx(224_500, rel=0.03)
    assert batpac["labour_h_per_yr"] == pytest.approx(3.16e6, rel=0.03)
