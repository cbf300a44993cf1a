"""Preset designs against public commercial cells.

- The two issue anchors, each within 8 %: the LFP storage preset in the EVE LF280K can
  (280 Ah, 5.49 kg; eve-lf280k-spec-revb) and the NMC811/Si-graphite preset in a 21700
  (LG M50: about 5.0 Ah, about 69 g; chen2020, lg-m50lt-spec-rev0).
- Every cell in data/reference_cells.csv with its dimensions, designed from its family's preset
  with no override, within 10 % in capacity and mass. Cells the generic presets miss are
  listed with the reason and kept visible as strict xfails.
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


POWER = "a power-optimised cell (thin electrodes, high rate); the presets are energy builds"
KNOWN_GAPS = {
    "REPT 392Ah ESS": "2024-generation storage cell, denser (128 Ah/L) than the 280-314 Ah class the storage preset is fitted to",
    "EVE A27-V2.1": "88 mm tall, 310 mm wide EV cell: its construction (roll count, tab zone) is not public",
    "Samsung SDI 94Ah": "2016-generation BEV cell (about 355 Wh/L); the nmc622 preset is a current energy build",
    "CATL 50Ah NMC811 prismatic": "PHEV-class cell (about 466 Wh/L); " + POWER,
    "EVE M42 (15Ah NCM)": "PHEV cell (about 265 Wh/L); " + POWER,
    "LG Chem E66A": "BatPaC's folded-edge pouch geometry is more compact than this cell's seals and tabs; its mass is flagged as suspect in the data",
    "Kokam SLPB130255255G1": "wide-seal high-power pouch; BatPaC's pouch geometry and " + POWER,
    "Samsung INR21700-40T": POWER,
    "Tesla 4680 (gen 1)": "first-generation 4680 delivers 23 Ah where its electrode volume suggests 26-28 Ah (limitingfactor-2022-4680); 0.4-0.6 mm can and tabless end zones not in the cylindrical defaults",
    "A123 ANR26650M1-B": POWER,
    "Murata US26650FTC1A": POWER,
    "EVE C33 (33140 LFP)": "mass under-predicted: a 33 mm can is thicker than the 0.2 mm 21700-class default wall",
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
