"""Rate capability of public cells against their published figures.

- LG INR21700-M50 at 2C: the NMC811/Si-graphite preset in the M50 can delivers what the
  PyBaMM Chen2020 DFN of the same cell (Chen et al. 2020, parameters measured on the M50;
  committed fixture tests/fixtures/electrochem/Chen2020_summary.json) delivers at 2C:
  4.73 Ah of 5.0 Ah, 94.6 %, within 4 points; and it is a valid run (the electrolyte is not
  depleted).
- An LFP cell of the 280-314 Ah can at 1C: CATL's 302 Ah specification (catl-302ah-spec-2022)
  rates its minimum capacity, 302 Ah, at 1C (25 degC, 2.5-3.65 V). The 314 Ah-generation preset
  in that can delivers it within 5 % at 1C.
- A 46 mm cylinder is tabless: its collector resistance is in the milliohm class, not tens of
  milliohms, and it delivers its capacity at 1C.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.cell import Cell
from cellwright.electrochem.from_design import current_collector_resistance, from_cell
from cellwright.electrochem.rate import rate_capability
from cellwright.reference import reference_cells, spec_for

ROOT = Path(__file__).parents[2]
CHEN2020 = json.loads((ROOT / "tests/fixtures/electrochem/Chen2020_summary.json").read_text())


def test_lg_m50_delivers_its_2c_capacity():
    reference = CHEN2020["runs"]["DFN"]["2C"]["capacity_Ah"] / CHEN2020["conditions"]["one_C_A"]
    cell = Cell.from_spec(ROOT / "examples/lg-m50-21700.toml")
    rc = rate_capability(from_cell(cell), c_rates=(2.0,))
    delivered = rc.capacity_Ah[0, 0] / cell.summary()["capacity_Ah"]
    assert rc.valid[0, 0], rc.reason[0, 0]
    assert delivered == pytest.approx(reference, abs=0.04)


def test_lfp_302ah_can_delivers_its_rating_at_1c():
    row = next(r for r in reference_cells() if r["cell"].startswith("CATL 302Ah"))
    cell = Cell.from_spec(spec_for(row))
    rc = rate_capability(from_cell(cell), c_rates=(1.0,))
    assert rc.valid[0, 0], rc.reason[0, 0]
    assert rc.capacity_Ah[0, 0] == pytest.approx(302.0, rel=0.05)


def test_a_46mm_cylinder_is_tabless():
    spec = {"chemistry": "lfp-graphite-ev", "format": "cylindrical", "dimensions": {"size": "4680"}}
    cell = Cell.from_spec(spec)
    r = current_collector_resistance(cell.resolved.inputs, cell.result, cell.resolved.materials)
    assert 0 < r[0] < 2e-3
    rc = rate_capability(from_cell(cell), c_rates=(1.0,))
    assert rc.valid[0, 0], rc.reason[0, 0]
    assert rc.capacity_Ah[0, 0] > 0.9 * cell.summary()["capacity_Ah"]


def test_a_21700_keeps_its_single_tab():
    """Below 40 mm the one-tab-per-foil build stays: the collector resistance of an M50 build is
    several milliohms, far above a tabless roll's."""
    cell = Cell.from_spec(ROOT / "examples/lg-m50-21700.toml")
    r = current_collector_resistance(cell.resolved.inputs, cell.result, cell.resolved.materials)
    assert np.all((r > 2e-3) & (r < 2e-2))
