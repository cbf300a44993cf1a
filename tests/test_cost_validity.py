"""No impossible cost is reported as valid: commodity prices and cost inputs are checked at the
door, and a cost that comes out non-finite or negative carries its reason (findings P7, G3)."""

from pathlib import Path

import numpy as np
import pytest

from cellwright.cell import Cell
from cellwright.design import validity
from cellwright.errors import SpecError
from cellwright.factory import CostInputs, cell_cost, cost, process
from cellwright.factory.evaluate import cost_of, trajectory
from cellwright.factory.plant_spec import cost_inputs, load_plant, regions, scenarios
from cellwright.factory.prices import price_set

LFP = Path(__file__).parents[1] / "examples" / "lfp-280ah-prismatic.toml"
LCE = "plant.commodities.lithium_carbonate_usd_per_kg"


@pytest.fixture(scope="module")
def cell():
    return Cell.from_spec(LFP)


@pytest.fixture(scope="module")
def inputs(cell) -> CostInputs:
    return cost_inputs(cell.resolved, load_plant(None))


def _indexed_cathode() -> tuple[str, str]:
    ps = price_set(load_plant(None).prices)
    cathode = sorted(ps.indexed)[0]
    return ps.name, cathode


# --------------------------------------------------------------------------- commodity prices


@pytest.mark.parametrize("lce", [-1000.0, -50.0, 0.0, float("nan"), float("inf"), float("-inf")])
def test_a_commodity_price_that_is_not_finite_and_positive_is_refused_naming_it(cell, lce):
    plant = load_plant(None)
    plant = plant.model_copy(update={"commodities": {"lithium_carbonate_usd_per_kg": lce}})
    with pytest.raises(SpecError) as err:
        cost_of(cell, plant)
    assert err.value.field == LCE


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan"), float("inf"), 1e308, "lots", True])
def test_indexed_price_refuses_bad_commodity_prices(bad):
    name, cathode = _indexed_cathode()
    ps = price_set(name)
    with pytest.raises(SpecError) as err:
        ps.indexed_price(cathode, {"lithium_carbonate": bad})
    assert err.value.field == LCE


def test_a_positive_commodity_price_still_moves_the_cathode():
    name, cathode = _indexed_cathode()
    ps = price_set(name)
    cheap = ps.indexed_price(cathode, {"lithium_carbonate": 5.0}).value
    dear = ps.indexed_price(cathode, {"lithium_carbonate": 50.0}).value
    assert dear > cheap > 0


# --------------------------------------------------------------------------- cost inputs at the door


@pytest.mark.parametrize(
    "field, value",
    [
        ("p_cathode_active", -1.0),
        ("p_separator", float("nan")),
        ("p_electrolyte", float("inf")),
        ("cell_yield", 0.0),
        ("y_electrode", 1.5),
        ("annual_kWh", 0.0),
        ("utilization", -0.1),
        ("material_multiplier", -1.0),
        ("premium_cathode", -1.0),
        ("credit_usd_per_kWh", float("nan")),
        ("labour_usd_per_h", -5.0),
    ],
)
def test_cost_inputs_out_of_range_are_refused_naming_the_field(cell, inputs, field, value):
    n = 3
    design = cell.result.take(np.zeros(n, dtype=int))
    column = getattr(inputs, field)[np.zeros(n, dtype=int)].copy()
    column[1] = value
    with pytest.raises(SpecError) as err:
        cell_cost(design, inputs.take(np.zeros(n, dtype=int)).replace(**{field: column}))
    assert err.value.field == f"CostInputs.{field}"
    assert err.value.value == value or (np.isnan(value) and np.isnan(err.value.value))


def test_every_shipped_region_scenario_and_archetype_passes_the_door(cell):
    for region in regions():
        for scenario in scenarios()["scenarios"]:
            for archetype in process.plant_data()["archetypes"]:
                plant = load_plant(None, region=region, scenario=scenario, archetype=archetype)
                result = trajectory(cell, plant, 12)
                ok = result.valid | (result.reason == cost.COST_NO_OUTPUT)
                assert ok.all(), (region, scenario, archetype, result.invalid_reason)
                assert np.isfinite(result["cell_cost_usd_per_kWh"][result.valid]).all()
                assert (result["cell_cost_usd_per_kWh"][result.valid] > 0).all()


# --------------------------------------------------------------------------- results flagged


def test_a_plant_too_small_gives_no_infinite_cost(cell):
    with pytest.raises(SpecError) as err:
        cost_of(cell, load_plant(None, annual_GWh=5e-324))
    # refused where the plant is read (plant.annual_GWh) or, given in code, where it is costed
    assert err.value.field in ("plant.annual_GWh", "annual_GWh") and err.value.value == 5e-324


def test_in_a_batch_the_infinite_cost_is_flagged_and_the_rest_kept(cell, inputs):
    design = cell.result.take(np.zeros(3, dtype=int))
    batch = inputs.take(np.zeros(3, dtype=int)).replace(annual_kWh=np.array([2e7, 5e-318, 2e7]))
    result = cell_cost(design, batch)
    assert result.valid.tolist() == [True, False, True]
    assert result.reason[1] == cost.COST_NOT_FINITE
    assert result.invalid_reason[1].startswith("annual_GWh: ")
    for arr in (*result.values.values(), *result.breakdown_usd_per_kWh.values()):
        assert not np.isinf(arr).any()
        assert np.isnan(arr[1])
    row = result.row(1)
    assert row["valid"] is False and row["cell_cost_usd_per_kWh"] is None
    assert result.row(0)["valid"] is True and result.row(0)["invalid_reason"] is None


def test_a_price_so_large_the_materials_overflow_is_flagged_naming_the_prices(cell, inputs):
    design = cell.result.take(np.zeros(2, dtype=int))
    batch = inputs.take(np.zeros(2, dtype=int)).replace(p_cathode_active=np.array([10.0, 1e308]))
    result = cell_cost(design, batch)
    assert result.valid.tolist() == [True, False]
    assert result.reason[1] == cost.COST_MATERIALS_NOT_FINITE
    assert result.invalid_reason[1].startswith("prices: ")
    assert np.isnan(result["cell_cost_usd_per_kWh"][1])


def test_a_credit_above_the_cost_is_flagged_not_a_negative_cost(cell, inputs):
    design = cell.result.take(np.zeros(2, dtype=int))
    batch = inputs.take(np.zeros(2, dtype=int)).replace(credit_usd_per_kWh=np.array([0.0, 1000.0]))
    result = cell_cost(design, batch)
    assert result.valid.tolist() == [True, False]
    assert result.reason[1] == cost.COST_CREDIT
    assert not (result["cell_cost_usd_per_kWh"] < 0).any()


def test_cost_of_names_the_credit_that_exceeds_the_cost(cell, monkeypatch):
    from cellwright.factory import evaluate

    generous = lambda *a, **k: cost_inputs(*a, **k).replace(credit_usd_per_kWh=1000.0)  # noqa: E731
    monkeypatch.setattr(evaluate, "cost_inputs", generous)
    with pytest.raises(SpecError) as err:
        cost_of(cell, load_plant(None))
    assert err.value.field == "credit_usd_per_kWh" and err.value.value == pytest.approx(1000.0)
    with pytest.raises(SpecError, match="in year 2 of operation"):
        cost_of(cell, load_plant(None), [2, 3])


def test_a_cost_line_that_comes_out_negative_is_flagged(cell, inputs):
    design = cell.result.take(np.zeros(2, dtype=int))
    design.bom_mass_kg["separator"] = design.bom_mass_kg["separator"].copy()
    design.bom_area_m2["separator"] = np.array([design.bom_area_m2["separator"][0], -1.0])
    result = cell_cost(design, inputs.take(np.zeros(2, dtype=int)))
    assert result.valid.tolist() == [True, False]
    assert result.reason[1] == cost.COST_NEGATIVE_LINE


def test_an_impossible_design_has_no_valid_cost(cell, inputs):
    from cellwright.design import design_cells

    two = cell.resolved.inputs.take(np.zeros(2, dtype=int)).replace(width=np.array([173.9e-3, 10e-3]))
    design = design_cells(two)
    assert design.reason[1] == validity.ROLL_WIDER_THAN_CAN
    result = cell_cost(design, inputs.take(np.zeros(2, dtype=int)))
    assert result.valid.tolist() == [True, False]
    assert result.reason[1] == cost.COST_DESIGN
    assert np.isnan(result["cell_cost_usd_per_kWh"][1])


def test_a_year_without_output_keeps_its_message(cell):
    with pytest.raises(SpecError) as err:
        cost_of(cell, load_plant(None, scenario="export-controls", region="united-states", start_year=2026, year=1))
    assert err.value.field == "year"


def test_cli_cost_with_a_negative_lithium_price_is_one_line_exit_2(cli):
    out = cli("cost", LFP, "--lce=-1000", "--json")
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --lce = -1000.0:")
