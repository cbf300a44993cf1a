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


def _lfp_batch(thickness_um):
    from cellwright.factory.plant_spec import cost_inputs, load_plant

    cell = Cell.from_spec(PRISMATIC)
    inp = cell.resolved.inputs.take(np.zeros(len(thickness_um), dtype=int))
    return (
        cell,
        inp.replace(pos_thickness=np.asarray(thickness_um) * 1e-6),
        cost_inputs(cell.resolved, load_plant(None)),
    )


def test_chain_design_and_cost_match_the_cell_route():
    """Design and cost columns of the chain are those of Cell + cost_of for the same design;
    an impossible design keeps the design's reason and NaN costs."""
    from cellwright import chain
    from cellwright.factory.evaluate import cost_of
    from cellwright.factory.plant_spec import load_plant

    cell, inp, ci = _lfp_batch(
        [cell_um := float(Cell.from_spec(PRISMATIC).resolved.inputs.pos_thickness[0] * 1e6), 5000.0]
    )
    assert cell_um > 0
    r = chain.run(inp, stages=("design", "cost"), costs=ci)
    one = cost_of(cell, load_plant(None))
    assert r.columns["capacity_Ah"][0] == pytest.approx(cell.result["capacity_Ah"][0], rel=1e-12)
    assert r.columns["cell_cost_usd_per_kWh"][0] == pytest.approx(one["cell_cost_usd_per_kWh"][0], rel=1e-12)
    assert list(r.valid) == [True, False]
    assert r.invalid_reason[0] == "" and r.invalid_reason[1].startswith("dimensions.")
    assert np.isnan(r.columns["cell_cost_usd_per_kWh"][1])
    with pytest.raises(Exception, match="costs"):
        chain.run(inp, stages=("design", "cost"))


def test_chain_performance_dedups_and_matches_rate_capability():
    """Identical rows are simulated once and get the same numbers as a one-design run; the 1C
    capacity is below the rated capacity and above 90 % of it (LFP storage cell)."""
    from cellwright import chain
    from cellwright.electrochem.rate import rate_capability

    cell, inp, _ = _lfp_batch([80.0, 100.0, 80.0])
    first, inverse = chain.unique_rows(inp, np.arange(3))
    assert first.size == 2 and inverse[0] == inverse[2] != inverse[1]
    r = chain.run(inp, stages=("design", "performance"), materials=cell.resolved.materials)
    alone = rate_capability(from_design(inp.take([0]), design_cells(inp.take([0])), cell.resolved.materials), (1.0,))
    assert r.columns["capacity_1C_Ah"][0] == r.columns["capacity_1C_Ah"][2]
    assert r.columns["capacity_1C_Ah"][0] == pytest.approx(alone.capacity_Ah[0, 0], rel=1e-9)
    cap = r.columns["capacity_1C_Ah"]
    assert np.all(cap < r.columns["capacity_Ah"]) and np.all(cap > 0.9 * r.columns["capacity_Ah"])
    # a thicker cathode in the same can: more rated capacity
    assert r.columns["capacity_Ah"][1] > r.columns["capacity_Ah"][0]


def test_chain_life_anchor_and_warnings():
    """Under its own rated protocol the anchored model gives the rated cycles (6000 for the
    lfp-graphite preset); a protocol outside the fitted range warns on every valid row."""
    from cellwright import chain

    _, inp, _ = _lfp_batch([80.0, 5000.0])
    r = chain.run(inp, stages=("design", "life"), chemistry="lfp", life=chain.Life("0.5C/0.5C, 25degC, 100% DOD"))
    assert r.columns["cycles_to_eol"][0] == pytest.approx(6000.0, rel=0.01)
    assert np.isnan(r.columns["cycles_to_eol"][1])
    hot = chain.run(inp, stages=("design", "life"), life=chain.Life("1C/1C, 25degC, 100% DOD"))
    assert "fitted" in hot.warnings[0] and hot.warnings[1] == ""
    assert hot.columns["cycles_to_eol"][0] < r.columns["cycles_to_eol"][0]  # faster charge ages faster


def test_chain_rejects_bad_setup():
    from cellwright import chain
    from cellwright.errors import SpecError

    with pytest.raises(SpecError, match=r"performance\.model"):
        chain.Performance(model="p2d")
    with pytest.raises(SpecError, match="stages"):
        chain.run(_lfp_batch([80.0])[1], stages=("design", "tender"))
    with pytest.raises(SpecError, match="project"):
        chain.run(_lfp_batch([80.0])[1], stages=("design", "storage"))
    with pytest.raises(SpecError, match=r"target\.kind"):
        chain.SizingTarget("mass_kg", 1.0, "height_mm")


def test_chain_sizing_target_meets_capacity():
    from cellwright import chain

    _, inp, _ = _lfp_batch([70.0, 90.0])
    target = chain.SizingTarget("capacity_Ah", 100.0, "height_mm")
    r = chain.run(inp, stages=("design",), target=target)
    np.testing.assert_allclose(r.columns["capacity_Ah"], 100.0, rtol=1e-3)


def test_chain_storage_stage_gives_the_lcos_command_s_project():
    from pathlib import Path

    from cellwright import chain
    from cellwright.spec import load_spec, resolve
    from cellwright.storage.project import evaluate, load_project

    examples = Path(__file__).resolve().parents[1] / "examples"
    project = load_project(examples / "storage" / "lfp-100mw-4h-china.toml")
    r = resolve(load_spec(examples / "lfp-280ah-prismatic.toml"))
    inputs = r.inputs.take(np.zeros(3, dtype=int))  # three identical designs: one project run
    out = chain.run(inputs, stages=["design", "storage"], materials=r.materials, project=project, spec=r.spec)
    ref = evaluate(project)
    assert out.valid.all()
    for key in ("lcos_usd_per_MWh", "capex_usd", "energy_delivered_MWh"):
        assert out.columns[key] == pytest.approx(np.full(3, getattr(ref, key)), rel=1e-12)
