"""BatPaC v5's default NMC811-G EV cell, reproduced from BatPaC's own inputs.

Anchor: BatPaC 5.0 workbook, default case "EV with NMC811-G (Energy)", Battery 1 (Argonne,
Knehr et al. 2022); values in docs/cell-design.md §5. Tolerance 2 % (issue 2).
"""

from pathlib import Path

import pytest

from cellwright.cell import Cell

ANCHOR = {
    "capacity_Ah": 68.18,
    "mass_kg": 0.7441,
    "specific_energy_Wh_kg": 336.0,
    "energy_density_Wh_L": 646.6,
}
# Mass split of the same cell (g) and its areas (m2).
SPLIT_G = {"cathode_active": 319.0, "electrolyte": 85.0, "casing": 16.4, "terminals": 5.8 + 12.7}
AREAS_M2 = {"cathode_foil": 0.474, "anode_foil": 0.506, "separator": 0.888}


EXAMPLE = Path(__file__).parents[2] / "examples" / "batpac-nmc811-pouch.toml"


@pytest.fixture(scope="module")
def batpac():
    return Cell.from_spec(EXAMPLE).summary()


@pytest.mark.parametrize("key", sorted(ANCHOR))
def test_headline_numbers_within_2_percent(batpac, key):
    assert batpac[key] == pytest.approx(ANCHOR[key], rel=0.02)


def test_design_details(batpac):
    assert batpac["nominal_voltage_V"] == pytest.approx(3.667, rel=0.01)
    assert batpac["layers"] == 32
    assert batpac["cathode_thickness_um"] == pytest.approx(120.0)
    assert batpac["anode_thickness_um"] == pytest.approx(152.7, rel=0.02)
    assert batpac["thickness_mm"] == pytest.approx(20.1, abs=0.05)
    assert batpac["height_mm"] == pytest.approx(273.3, rel=0.01)
    assert batpac["volume_L"] == pytest.approx(0.3867, rel=0.01)
    assert batpac["cathode_loading_mg_cm2"] * 0.96 * 0.2136 == pytest.approx(8.07, rel=0.01)  # mAh/cm2


@pytest.mark.parametrize("component", sorted(SPLIT_G))
def test_mass_split(batpac, component):
    assert batpac["bom"][component]["mass_kg"] * 1e3 == pytest.approx(SPLIT_G[component], rel=0.02)


@pytest.mark.parametrize("component", sorted(AREAS_M2))
def test_component_areas(batpac, component):
    assert batpac["bom"][component]["area_m2"] == pytest.approx(AREAS_M2[component], rel=0.01)
