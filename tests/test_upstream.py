"""Raw-material processing (upstream/process.py): the LFP cathode route against China's
published LFP prices in two years, the lithium it takes, and scale."""

from __future__ import annotations

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.factory.plant_spec import regions
from cellwright.upstream.process import capital_recovery_factor, dated_cost, route_cost

ROUTE = "lfp-cathode.iron-phosphate"
CHINA = regions()["china"]


def _rmb_per_t(li_rmb_t: float, fepo4_rmb_t: float, cny_per_usd: float) -> float:
    usd = route_cost(
        ROUTE,
        {"lithium_carbonate": li_rmb_t / cny_per_usd / 1e3, "iron_phosphate": fepo4_rmb_t / cny_per_usd / 1e3},
        CHINA,
        CHINA,
    )["total"]
    return float(usd) * cny_per_usd * 1e3


def test_lfp_cathode_2025_within_20_percent_of_the_market():
    """gtja-lithium-2025-10-27: Li2CO3 75,400, LFP power 34,635 and storage 33,190 RMB/t; FePO4
    10,600 RMB/t (energytrend-2025-10-24); spot quotes with VAT, as the inputs here."""
    got = _rmb_per_t(75_400, 10_600, 7.1021)
    assert got == pytest.approx((34_635 + 33_190) / 2, rel=0.20)


def test_lfp_cathode_2024_within_20_percent_of_the_market():
    """yuneng-annual-2024: RMB 22.599 bn for 710,600 t = 31,800 RMB/t without VAT, x 1.13 VAT =
    35,935 (the basis of the spot inputs); Li2CO3 2024 average 90,000 (smm-li2co3-2024-review),
    FePO4 10,500 (smm-fepo4-2024), at 7.19 CNY/USD."""
    got = _rmb_per_t(90_000, 10_500, 7.19)
    assert got == pytest.approx(22.599e9 / 710_600 * 1.13, rel=0.20)


def test_the_lithium_it_takes_is_inside_smms_sensitivity():
    """smm-lfp-sensitivity-2025: +RMB 10,000/t of Li2CO3 adds RMB 2,300-2,500/t to LFP."""
    slope = (_rmb_per_t(85_400, 10_600, 7.1021) - _rmb_per_t(75_400, 10_600, 7.1021)) / 10_000
    assert 0.23 <= slope <= 0.25


def test_a_bigger_plant_costs_less_capital_per_kg_and_a_fuller_one_too():
    small = dated_cost(ROUTE, capacity_t_per_yr=20_000)["usd_per_kg"]["capital"]
    ref = dated_cost(ROUTE)["usd_per_kg"]["capital"]
    big = dated_cost(ROUTE, capacity_t_per_yr=500_000)["usd_per_kg"]["capital"]
    assert small > ref > big
    assert small / ref == pytest.approx((20_000 / 110_000) ** (0.6 - 1.0))
    full = dated_cost(ROUTE, utilization=1.0)["usd_per_kg"]["capital"]
    assert full == pytest.approx(ref * 0.5)


def test_capital_recovery_factor_exact_cases():
    assert capital_recovery_factor(0.0, 10.0) == pytest.approx(0.1)
    assert capital_recovery_factor(0.1, 1.0) == pytest.approx(1.1)
    assert float(capital_recovery_factor(np.array([0.05]), 20.0)[0]) == pytest.approx(0.0802426, rel=1e-5)


def test_the_year_moves_the_lithium_input_only():
    a, b = dated_cost(ROUTE, year=2023), dated_cost(ROUTE, year=2025)
    assert a["input_prices_usd_per_kg"]["lithium_carbonate"] > 3 * b["input_prices_usd_per_kg"]["lithium_carbonate"]
    for line in ("energy", "labour", "capital", "overhead"):
        assert a["usd_per_kg"][line] == pytest.approx(b["usd_per_kg"][line])


def test_bad_input_names_the_field():
    with pytest.raises(SpecError, match="route"):
        dated_cost("nope")
    with pytest.raises(SpecError, match="region"):
        dated_cost(ROUTE, region="mars")
    with pytest.raises(SpecError, match="utilization"):
        dated_cost(ROUTE, utilization=1.5)


def test_every_number_of_the_routes_has_a_known_source():
    from cellwright.report.common import source_keys
    from cellwright.sources import bibliography
    from cellwright.upstream.process import routes

    for name, table in routes().items():
        numbers = [v for v in table.values() if isinstance(v, dict) and "value" in v]
        numbers += list(table["inputs_kg_per_kg"].values())
        assert all(v.get("source") for v in numbers), name
        assert source_keys(table) <= set(bibliography()), name
