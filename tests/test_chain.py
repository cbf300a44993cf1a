"""The batched chain: design batches in, result columns out (cellwright.chain), and the batched
SPMe parameters it simulates (cellwright.electrochem.from_design)."""

from __future__ import annotations

import numpy as np
import pytest

from cellwright.cell import Cell
from cellwright.design import DesignInputs, DesignResult, design_cells
from cellwright.electrochem.from_design import current_collector_resistance, from_cell, from_design

LFP = {"chemistry": "lfp-graphite"}
POUCH = {**LFP, "format": "pouch", "dimensions": {"width_mm": 100.0, "height_mm": 200.0, "thickness_mm": 10.0}}
PRISMATIC = {**LFP, "format": "prismatic", "dimensions": {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0}}
CYLINDRICAL = {**LFP, "format": "cylindrical", "dimensions": {"size": "21700"}}


def _cells() -> list[Cell]:
    return [Cell.from_spec(s) for s in (POUCH, PRISMATIC, CYLINDRICAL)]


def test_mixed_formats_give_per_format_parameters():
    """One batch of pouch, prismatic and cylindrical designs gives, field by field, the numbers
    each format gives alone (foil resistance paths differ by format)."""
    cells = _cells()
    names = cells[0].resolved.materials
    assert all(c.resolved.materials["cathode_foil"] == names["cathode_foil"] for c in cells)
    mixed_inp = DesignInputs.concatenate([c.resolved.inputs for c in cells])
    mixed_res = design_cells(mixed_inp)
    mixed = from_design(mixed_inp, mixed_res, names)
    r_mixed = current_collector_resistance(mixed_inp, mixed_res, names)
    for i, c in enumerate(cells):
        alone = from_cell(c)
        for key, value in alone.as_dict().items():
            np.testing.assert_allclose(getattr(mixed, key)[i], value[0], rtol=1e-12, err_msg=key)
        r_alone = current_collector_resistance(c.resolved.inputs, c.result, c.resolved.materials)
        assert r_mixed[i] == pytest.approx(r_alone[0], rel=1e-12)
    # the three formats collect current along different paths: three different resistances
    assert len(set(np.round(r_mixed, 12))) == 3


def test_from_design_capacity_is_the_rating():
    """The parameters' nominal capacity is the design's rated capacity, design by design."""
    cells = _cells()
    inp = DesignInputs.concatenate([c.resolved.inputs for c in cells])
    res: DesignResult = design_cells(inp)
    p = from_design(inp, res, cells[0].resolved.materials)
    np.testing.assert_allclose(p.capacity / 3600.0, res["capacity_Ah"], rtol=1e-12)
    assert len(p) == 3
