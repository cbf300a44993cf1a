"""The entrant's business case (factory/venture.py, ``cellwright venture``, the study stage
"venture"): exact cash-flow arithmetic, the examples' ordering (an incumbent's plant abroad
against a newcomer's, a stalled ramp), and the spread of a Monte Carlo over uncertain ramps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.factory.venture import business_case, cash_flows, irr, load_venture, npv

EXAMPLES = Path(__file__).parents[1] / "examples"
VENTURES = EXAMPLES / "ventures"


def test_npv_and_irr_of_an_exact_case():
    flows = np.array([[-100.0, 110.0], [-100.0, 0.0]])
    assert npv(flows, 0.10)[0] == pytest.approx(0.0, abs=1e-12)
    rates = irr(flows)
    assert rates[0] == pytest.approx(0.10, abs=1e-9)
    assert np.isnan(rates[1])  # never pays back: no rate


def test_cash_flows_add_up_and_working_capital_comes_back():
    rev = np.array([[100.0, 200.0, 300.0]])
    cost = np.array([[150.0, 150.0, 200.0]])
    var = np.array([[60.0, 120.0, 180.0]])
    f = cash_flows(rev, cost, var, np.array([400.0]), 2, 0.15)
    assert f["flows"].shape == (1, 5)
    assert list(f["flows"][0, :2]) == [-200.0, -200.0]
    # working capital is built up (0.15 x variable cost) and released at the end: over the life
    # the flows are revenue - cost - capex exactly
    assert f["flows"].sum() == pytest.approx(rev.sum() - cost.sum() - 400.0, abs=1e-9)
    assert f["flows"][0, 2] == pytest.approx(100 - 150 - 0.15 * 60)
    case = business_case(f, np.array([[5.0, 3.0, 1.0]]), np.array([[2.0, 2.0, 2.0]]), 0.0)
    assert case["years_to_cost_parity"][0] == 3.0
    assert case["peak_funding_usd"][0] == pytest.approx(400.0 + 59.0)  # capex, then a first year at a loss
    assert case["npv_usd"][0] == pytest.approx(f["flows"].sum())


@pytest.fixture(scope="module")
def cases():
    return {name: load_venture(VENTURES / f"{name}.toml") for name in ("incumbent-us", "newcomer-us", "stalled-ramp")}


def test_an_incumbents_plant_abroad_beats_a_newcomers_in_the_same_place(cases):
    inc, new = cases["incumbent-us"], cases["newcomer-us"]
    assert inc["years_to_cost_parity"] < new["years_to_cost_parity"]
    assert inc["peak_funding_usd"] < new["peak_funding_usd"]
    assert inc["npv_usd"] > new["npv_usd"]
    # the same place, market and years: the incumbent's price path is the same for both
    assert [y["price_usd_per_kWh"] for y in inc["yearly"]] == [y["price_usd_per_kWh"] for y in new["yearly"]]


def test_the_stalled_ramp_makes_half_a_percent_in_year_two_and_loses_money(cases):
    s = cases["stalled-ramp"]
    year2 = s["yearly"][1]
    # etn-2025-northvolt: about 0.5 % of planned output two years after the first cells
    assert year2["output_GWh"] == pytest.approx(0.005 * s["plant"]["annual_GWh"], rel=1e-9)
    assert s["npv_usd"] < 0 and s["cumulative_cash_end_usd"] < -s["capex_usd"]
    assert s["years_to_cost_parity"] is None or np.isnan(s["years_to_cost_parity"])
    assert "years_to_cost_parity_reason" in s


def test_a_utilisation_path_holds_its_last_value(cases):
    u = [y["utilization"] for y in cases["stalled-ramp"]["yearly"]]
    assert u[:3] == pytest.approx([0.002, 0.005, 0.02]) and set(u[3:]) == {0.02}


def test_the_incumbent_must_sell_before_the_entrant_starts(tmp_path):
    text = (VENTURES / "newcomer-us.toml").read_text().replace('cell = "../', f'cell = "{EXAMPLES.as_posix()}/')
    path = tmp_path / "v.toml"
    path.write_text(text + "\n[incumbent]\nstart_year = 2030\n")
    with pytest.raises(SpecError, match=r"incumbent\.start_year"):
        load_venture(path)


def test_venture_cli_json_and_files(cli, tmp_path):
    out = cli("venture", VENTURES / "incumbent-us.toml", "--json", "--plot", "v.svg", "--csv", "v.csv")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["plot"] == "v.svg" and sorted(p.name for p in tmp_path.iterdir()) == ["v.csv", "v.svg"]
    assert len((tmp_path / "v.csv").read_text().splitlines()) == 1 + len(result["yearly"])
    bad = cli("venture", VENTURES / "incumbent-us.toml", "--csv", "v.txt")
    assert bad.returncode == 2 and "--csv" in bad.stderr


STUDY = """
name = "ramp {label}"
venture = "{venture}"
stages = ["venture"]
method = "random"
samples = 60
seed = 5

[variables]
"venture.plant.ramp_years" = {{ distribution = "uniform", low = {tau_low}, high = {tau_high} }}
"venture.plant.cell_yield_start" = {{ distribution = "uniform", low = {y_low}, high = {y_high} }}
"""


def test_more_ramp_uncertainty_widens_the_npv_percentiles(tmp_path):
    from cellwright.studies.runner import run
    from cellwright.studies.store import StudyStore

    spread = {}
    for label, tau, y in (("narrow", (2.3, 2.7), (0.48, 0.52)), ("wide", (1.5, 5.0), (0.3, 0.7))):
        path = tmp_path / f"{label}.toml"
        venture = (VENTURES / "newcomer-us.toml").as_posix()
        path.write_text(
            STUDY.format(label=label, venture=venture, tau_low=tau[0], tau_high=tau[1], y_low=y[0], y_high=y[1])
        )
        run(path, tmp_path / label, progress=False)
        npv_ = StudyStore(tmp_path / label).read_all()["npv_usd"]
        assert np.isfinite(npv_).all()
        p5, p95 = np.percentile(npv_, [5, 95])
        spread[label] = p95 - p5
    assert spread["wide"] > 2 * spread["narrow"]
