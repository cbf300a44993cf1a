"""The factory cost model: exact scaling cases, invariants, policy switches and errors."""

import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.cell import Cell
from cellwright.errors import SpecError
from cellwright.factory import cell_cost, process
from cellwright.factory.evaluate import cost_of
from cellwright.factory.plant_spec import cost_inputs, load_plant, ramp

ROOT = Path(__file__).parents[1]
LFP = ROOT / "examples" / "lfp-280ah-prismatic.toml"


@pytest.fixture(scope="module")
def cell():
    return Cell.from_spec(LFP)


def _baseline_rates():
    b = process.baseline()
    return {
        "cells": np.array([b["cells"]]),
        "positive_active_kg": np.array([b["positive_active_kg"]]),
        "negative_active_kg": np.array([b["negative_active_kg"]]),
        "positive_area_m2": np.array([b["positive_area_m2"]]),
        "negative_area_m2": np.array([b["negative_area_m2"]]),
        "nmp_kg": np.array([b["nmp_kg"]]),
        "water_kg": np.array([b["water_kg"]]),
        "rejected_cells": np.array([b["cells"] * 0.05]),
        "energy_kWh": np.array([b["energy_kWh"]]),
    }


def test_baseline_plant_reproduces_the_step_table():
    st = process.steps()
    labour, capital, _area = process.scale_steps(_baseline_rates(), np.array([320.0]), np.array([68.0]))
    share = np.where(np.isnan(st.cell_share), 1.0, st.cell_share)
    np.testing.assert_allclose(labour[:, 0], st.labour_h * share)
    cell_rows = ~np.isnan(st.cell_share)
    np.testing.assert_allclose(capital[cell_rows, 0], st.capital_usd[cell_rows] * st.cell_share[cell_rows])


@pytest.mark.parametrize("factor", [0.5, 2.0, 4.0])
def test_scaling_law_is_a_power_of_the_driver_ratio(factor):
    rates = _baseline_rates()
    scaled = dict(rates, cells=rates["cells"] * factor, rejected_cells=rates["rejected_cells"] * factor)
    base_l, base_k, _ = process.scale_steps(rates, np.array([320.0]), np.array([68.0]))
    l2, k2, _ = process.scale_steps(scaled, np.array([320.0]), np.array([68.0]))
    st = process.steps()
    i = st.names.index("terminal_welding")  # driven by cells: labour p 0.9, capital p 0.9
    assert l2[i, 0] == pytest.approx(base_l[i, 0] * factor**0.9)
    assert k2[i, 0] == pytest.approx(base_k[i, 0] * factor**0.9)


def test_materials_per_kWh_scale_with_one_over_cell_yield(cell):
    base = cost_inputs(cell.resolved, load_plant(None))
    a = cell_cost(cell.result, base.replace(cell_yield=0.9))
    b = cell_cost(cell.result, base.replace(cell_yield=0.6))
    assert b["materials_usd_per_kWh"][0] == pytest.approx(a["materials_usd_per_kWh"][0] * 0.9 / 0.6)


def test_utilisation_spreads_fixed_costs_and_leaves_materials_alone(cell):
    base = cost_inputs(cell.resolved, load_plant(None))
    full = cell_cost(cell.result, base.replace(utilization=1.0))
    half = cell_cost(cell.result, base.replace(utilization=0.5))
    assert half["materials_usd_per_kWh"][0] == pytest.approx(full["materials_usd_per_kWh"][0])
    for line in ("labour", "depreciation", "gsa", "rnd"):
        assert half.breakdown_usd_per_kWh[line][0] == pytest.approx(2.0 * full.breakdown_usd_per_kWh[line][0])


def test_breakdown_adds_up(cell):
    row = cost_of(cell, load_plant(None)).row(0)
    assert sum(row["breakdown"].values()) == pytest.approx(row["cell_cost_usd_per_kWh"])
    assert row["materials_usd_per_kWh"] + row["conversion_usd_per_kWh"] == pytest.approx(row["cell_cost_usd_per_kWh"])


def test_batch_equals_one_by_one(cell):
    base = cost_inputs(cell.resolved, load_plant(None))
    n = 5
    batch = base.take(np.zeros(n, dtype=int)).replace(
        labour_usd_per_h=np.linspace(5, 50, n),
        cell_yield=np.linspace(0.6, 0.97, n),
        annual_kWh=np.linspace(2e6, 5e7, n),
    )
    design = cell.result.take(np.zeros(n, dtype=int))
    together = cell_cost(design, batch)["cell_cost_usd_per_kWh"]
    for i in range(n):
        alone = cell_cost(cell.result, batch.take([i]))["cell_cost_usd_per_kWh"][0]
        assert alone == pytest.approx(together[i], rel=1e-13)  # step sums may differ by an ulp


def test_bigger_plant_costs_less_per_kWh(cell):
    costs = [cost_of(cell, load_plant(None, annual_GWh=g)).row(0)["conversion_usd_per_kWh"] for g in (2.0, 10.0, 50.0)]
    assert costs[0] > costs[1] > costs[2]


def test_ramp_is_exact_at_its_limits():
    assert ramp(0.5, 0.9, 2.5, np.array([1000]))[0] == pytest.approx(0.9)
    # mean over year 1 of 0.9 - 0.4 exp(-t/2.5)
    assert ramp(0.5, 0.9, 2.5, np.array([1]))[0] == pytest.approx(0.9 - 0.4 * 2.5 * (1 - np.exp(-1 / 2.5)))
    assert ramp(0.5, 0.9, 0.0, np.array([1]))[0] == 0.9


def test_45x_credit_is_35_usd_per_kWh_and_phases_down(cell):
    base = dict(region="united-states", start_year=2026)
    without = cost_of(cell, load_plant(None, year=1, **base)).row(0)
    with_ira = cost_of(cell, load_plant(None, year=1, scenario="us-ira", **base)).row(0)
    assert with_ira["breakdown"]["credit"] == pytest.approx(-35.0)
    assert with_ira["breakdown"]["anode_active"] == pytest.approx(1.25 * without["breakdown"]["anode_active"])
    late = cost_of(cell, load_plant(None, year=6, scenario="us-ira", **base)).row(0)  # 2031: 50 %
    assert late["breakdown"]["credit"] == pytest.approx(-17.5)


def test_equipment_export_controls_raise_capex_and_delay_output(cell):
    plant = dict(region="united-states", archetype="newcomer", start_year=2026, year=5)
    free = cost_of(cell, load_plant(None, **plant)).row(0)
    controlled = cost_of(cell, load_plant(None, scenario="export-controls", **plant)).row(0)
    assert controlled["capex_usd_per_GWh"] > 1.3 * free["capex_usd_per_GWh"]
    assert controlled["cell_cost_usd_per_kWh"] > free["cell_cost_usd_per_kWh"]
    with pytest.raises(SpecError, match="year"):
        cost_of(cell, load_plant(None, scenario="export-controls", region="united-states", start_year=2026, year=1))


def test_controls_do_not_touch_a_plant_in_china(cell):
    a = cost_of(cell, load_plant(None)).row(0)
    b = cost_of(cell, load_plant(None, scenario="export-controls")).row(0)
    assert a["cell_cost_usd_per_kWh"] == b["cell_cost_usd_per_kWh"]


@pytest.mark.parametrize(
    "override, field",
    [
        ({"region": "mars"}, "region"),
        ({"prices": "moon-2030"}, "prices"),
        ({"scenario": "utopia"}, "scenario"),
        ({"archetype": "wizard"}, "archetype"),
    ],
)
def test_unknown_names_list_the_valid_ones(cell, override, field):
    with pytest.raises(SpecError) as err:
        cost_of(cell, load_plant(None, **override))
    assert err.value.field == field and "allowed" in str(err.value)


def test_cost_cli_json_keys(cli):
    out = cli("cost", str(LFP), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in (
        "cell_cost_usd_per_kWh",
        "materials_usd_per_kWh",
        "conversion_usd_per_kWh",
        "plant_capex_usd",
        "capex_usd_per_GWh",
        "energy_kWh_per_kWh",
        "lce_kg_per_kWh",
        "breakdown",
    ):
        assert key in data


def test_cost_cli_table_and_trajectory(cli):
    out = cli("cost", str(LFP), "--archetype", "newcomer", "--trajectory", "5")
    assert out.returncode == 0, out.stderr
    assert "Cost waterfall" in out.stdout and "Year by year" in out.stdout


@pytest.mark.parametrize("flag, value", [("--region", "mars"), ("--prices", "x"), ("--scenario", "y")])
def test_cost_cli_bad_names_exit_2_listing_valid_names(cli, flag, value):
    out = cli("cost", str(LFP), flag, value)
    assert out.returncode == 2
    assert "allowed" in out.stderr and "Traceback" not in out.stderr


def test_plant_file_unknown_key_is_an_error(cli, tmp_path):
    p = tmp_path / "plant.toml"
    p.write_text("annual_GWh = 10\nsize_GWh = 3\n")
    out = cli("cost", str(LFP), "--plant", str(p))
    assert out.returncode == 2 and "size_GWh" in out.stderr


def test_scrap_recovery_credits_the_discarded_share_exactly(cell):
    base = cost_inputs(cell.resolved, load_plant(None)).replace(cell_yield=0.8, y_electrode=0.9)
    none = cell_cost(cell.result, base).breakdown_usd_per_kWh["cathode_active"][0]
    half = cell_cost(cell.result, base.replace(scrap_recovery=0.5)).breakdown_usd_per_kWh["cathode_active"][0]
    y = 0.8 * 0.9
    assert half == pytest.approx(none * (1.0 - 0.5 * (1.0 - y)))


def test_local_content_rule_adds_its_premium_to_materials(cell):
    free = cost_of(cell, load_plant(None, region="india")).row(0)
    pli = cost_of(cell, load_plant(None, region="india", scenario="india-pli")).row(0)
    anode_ratio = pli["breakdown"]["electrolyte"] / free["breakdown"]["electrolyte"]
    assert anode_ratio == pytest.approx(1.0 + 0.25 * 0.10)


def test_a_plant_file_can_define_its_own_policy(tmp_path, cell):
    p = tmp_path / "plant.toml"
    p.write_text(
        'region = "united-states"\nyear = 1\n[policy]\nswitches = ["us-45x", "state-grant"]\n'
        '[policy.define.state-grant]\nregions = ["united-states"]\nstart = "2026-01-01"\n'
        'credit_usd_per_kWh = { value = 5.0, source = "cellwright-assumption" }\n'
    )
    row = cost_of(cell, load_plant(p)).row(0)
    assert row["breakdown"]["credit"] == pytest.approx(-40.0)
