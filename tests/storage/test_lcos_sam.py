"""cellwright's LCOS against NREL SAM's (ssc ``lcos_calc``), run through PySAM 7.1.1.post1.

The fixture ``tests/fixtures/storage/sam_lcos.json`` is built by
``tools/build_sam_references.py`` (StandaloneBatterySingleOwner defaults; see the README
beside it). Each case's yearly components, exactly as SAM used them (nominal USD, kWh),
are fed through :func:`cellwright.storage.lcos.lcos` with SAM's conventions: investment at
year 0 (T_c = 1), yearly flows discounted from year 1, salvage in the last operating year,
real discount rate and inflation from SAM (Fisher), nominal flows. ``dollars="sam"`` must
give ``lcos_real`` and ``dollars="nominal"`` ``lcos_nom``.

Tolerance: 1e-9 relative (SAM and cellwright do the same arithmetic in double precision;
the fixture keeps 12 significant digits).

ssc (PySAM 7.1.1) subtracts the salvage value from a cash-flow line in which costs are
negative, i.e. it counts salvage as a *cost*; reproducing SAM therefore needs the salvage
passed as a positive end-of-life cost. With the salvage entered as a credit (cellwright's
and Schmidt's sign) the salvage case differs from SAM by about 0.65 %: that gap is kept
visible as a strict xfail.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.storage.lcos import LcosConventions, lcos

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "storage" / "sam_lcos.json"
DATA = json.loads(FIXTURE.read_text(encoding="utf-8"))
CASES = sorted(DATA["cases"])
RTOL = 1e-9
CENTS_PER_KWH_TO_USD_PER_MWH = 10.0


def feed(case: dict, dollars: str, salvage_sign: float):
    """SAM's components -> lcos(); year 0 of SAM's arrays is the investment year."""

    def yearly(name):
        return np.asarray(case[name], dtype=float)[1:]

    conv = LcosConventions(
        dollars=dollars,
        cash_flows="nominal",
        discount_rate=case["real_discount_rate_percent"] / 100,
        inflation_rate=case["inflation_rate_percent"] / 100,
        include_charging=True,
        construction_years=1,
        end_of_life="in_last_year",
        discharged_energy="gross",
        energy_boundary="SAM battery AC output",
    )
    return lcos(
        capex_usd=case["battery_total_cost_lcos_usd"],
        om_usd=yearly("cf_om_fixed1_expense") + yearly("cf_om_capacity1_expense") + yearly("cf_om_production1_expense"),
        charging_cost_usd=yearly("cf_charging_cost_grid") + yearly("cf_charging_cost_pv"),
        replacement_usd=yearly("cf_battery_replacement_cost"),
        end_of_life_usd=salvage_sign * case["cf_salvage_cost_lcos"][-1],
        discharged_MWh=yearly("cf_annual_discharge_lcos") / 1000.0,
        years=case["analysis_period_years"],
        conventions=conv,
    )


def test_fixture_metadata():
    assert DATA["pysam_version"] == "7.1.1.post1"
    assert DATA["configuration"] == "StandaloneBatterySingleOwner"
    assert DATA["cases"]["salvage_20pct"]["salvage_enters_ssc_numerator"] == "as_cost"
    for case in DATA["cases"].values():
        r, i = case["real_discount_rate_percent"] / 100, case["inflation_rate_percent"] / 100
        assert case["nominal_discount_rate"] == pytest.approx((1 + r) * (1 + i) - 1, rel=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_reproduces_sam_lcos_real(name):
    case = DATA["cases"][name]
    res = feed(case, "sam", salvage_sign=+1.0)  # SAM counts salvage as a cost
    assert res.lcos_usd_per_MWh[0] == pytest.approx(case["lcos_real"] * CENTS_PER_KWH_TO_USD_PER_MWH, rel=RTOL)
    assert res.pv_cost_usd[0] == pytest.approx(case["npv_annual_costs_lcos"], rel=RTOL)
    assert res.pv_energy_MWh[0] * 1000 == pytest.approx(case["npv_energy_lcos_real"], rel=RTOL)


@pytest.mark.parametrize("name", CASES)
def test_reproduces_sam_lcos_nom(name):
    case = DATA["cases"][name]
    res = feed(case, "nominal", salvage_sign=+1.0)
    assert res.lcos_usd_per_MWh[0] == pytest.approx(case["lcos_nom"] * CENTS_PER_KWH_TO_USD_PER_MWH, rel=RTOL)
    assert res.pv_energy_MWh[0] * 1000 == pytest.approx(case["npv_energy_lcos_nom"], rel=RTOL)


@pytest.mark.parametrize("name", CASES)
def test_sam_lcos_real_is_the_real_lcos_of_nominal_flows(name):
    """With nominal flows, SAM's mixed lcos_real equals cellwright's dollars="real" exactly."""
    case = DATA["cases"][name]
    np.testing.assert_allclose(
        feed(case, "real", +1.0).lcos_usd_per_MWh, feed(case, "sam", +1.0).lcos_usd_per_MWh, rtol=1e-13
    )


@pytest.mark.xfail(
    strict=True,
    reason=(
        "ssc lcos_calc (PySAM 7.1.1.post1) subtracts batt_salvage value from cf_annual_cost_lcos, whose costs "
        "are negative, so salvage raises SAM's LCOS; with salvage as a credit (Schmidt's sign) cellwright is "
        "~0.65 % below SAM's lcos_real in the salvage_20pct case"
    ),
)
def test_salvage_as_credit_matches_sam():
    case = DATA["cases"]["salvage_20pct"]
    res = feed(case, "sam", salvage_sign=-1.0)
    assert res.lcos_usd_per_MWh[0] == pytest.approx(case["lcos_real"] * CENTS_PER_KWH_TO_USD_PER_MWH, rel=5e-3)
