"""Storage-system build-up: container anchor, invariants, duration pattern, published cost ranges."""

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.storage import components, system

CELL = dict(cell_capacity_Ah=314.0, cell_voltage_V=3.2, cell_mass_kg=5.6)


def build(power_MW=100.0, duration_h=4.0, cost_set="united-states", **kw):
    price = kw.pop("cell_price_usd_per_kWh", system.reference_cell_price(cost_set))
    return system.build(power_MW, duration_h, cost_set=cost_set, cell_price_usd_per_kWh=price, **CELL, **kw)


def test_default_layout_is_the_314Ah_20ft_container():
    """Rongjie 5 MWh 20-ft spec: 12 clusters x 416 s x 3.2 V x 314 Ah = 4,992 cells, 5.016 MWh DC."""
    lay = system.layout(1.25, 4.0, 314.0, 3.2, energy_boundary="dc")  # 5.0 MWh DC target
    assert lay.containers == 1
    assert lay.cells == 4992
    assert lay.racks == 12
    assert lay.dc_nameplate_kWh == pytest.approx(5016.0, rel=1e-3)


def test_containers_round_up_and_poi_target_needs_overbuild():
    dc = build(energy_boundary="dc")
    poi = build(energy_boundary="poi")
    assert np.all(dc.dc_nameplate_kWh >= dc.rated_kWh)
    assert np.all(dc.dc_nameplate_kWh - dc.rated_kWh < 5016.0)  # less than one container extra
    assert np.all(poi.usable_poi_kWh >= poi.rated_kWh)
    assert np.all(poi.overbuild > dc.overbuild)


def test_cost_and_mass_are_the_sum_of_their_components():
    s = build(duration_h=np.array([1.0, 2.0, 4.0, 8.0]))
    assert np.allclose(s.capex_total_usd, sum(s.capex_usd.values()))
    assert np.allclose(s.mass_kg["total"], s.mass_kg["cells"] + s.mass_kg["container_hardware"])
    assert np.allclose(s.mass_kg["cells"], s.cells * CELL["cell_mass_kg"])
    assert np.allclose(s.footprint_m2["total"], s.footprint_m2["containers"] + s.footprint_m2["pcs_skids"])
    assert np.allclose(s.capex_usd["cells"], s.dc_nameplate_kWh * system.reference_cell_price("united-states"))


def test_longer_duration_lowers_usd_per_kWh_and_raises_usd_per_kW():
    """NREL ATB: installed $/kWh falls and $/kW rises with duration."""
    for cost_set in components.cost_sets():
        s = build(duration_h=np.array([2.0, 4.0, 6.0, 8.0, 10.0]), cost_set=cost_set)
        assert np.all(np.diff(s.capex_usd_per_kWh) < 0), cost_set
        assert np.all(np.diff(s.capex_usd_per_kW) > 0), cost_set


def test_batch_matches_one_at_a_time():
    powers = np.array([10.0, 60.0, 100.0])
    batch = build(power_MW=powers)
    for i, p in enumerate(powers):
        one = build(power_MW=p)
        assert batch.capex_total_usd[i] == pytest.approx(float(one.capex_total_usd))
        assert batch.containers[i] == one.containers


def test_us_100MW_4h_lands_in_the_nrel_atb_2024_range():
    """NREL ATB 2024 (2022 USD), utility-scale 4-h battery, 2025: Advanced $374/kWh, Moderate
    $461/kWh, Conservative $581/kWh (key nrel-atb-2024, via PyPSA technology-data).

    The US set is PNNL 2022 line items (2021 USD) with the DC block built from CEA's 2024 DC
    container price; the cell price is the set's reference price (USD 96.62/kWh, the cell share
    of that container). Currency years differ (2021/2024 vs 2022): a range check only.
    """
    s = build(100.0, 4.0, cost_set="united-states", energy_boundary="poi")
    assert 374.0 <= float(s.capex_usd_per_kWh) <= 581.0


@pytest.mark.xfail(
    strict=True,
    reason="US set (PNNL 2021 soft costs + CEA 2024 DC container) gives "
    "~USD 383/kWh for 100 MW / 4 h, 17 % below the ATB 2024 Moderate USD 461/kWh",
)
def test_us_100MW_4h_matches_atb_moderate_within_10_percent():
    """NREL ATB 2024 Moderate, 4 h, 2025: $1,842/kW = $461/kWh (2022 USD; key nrel-atb-2024)."""
    s = build(100.0, 4.0, cost_set="united-states")
    assert float(s.capex_usd_per_kWh) == pytest.approx(461.0, rel=0.10)


def test_china_equipment_for_100MW_4h_lands_in_the_ceec_2025_bid_range():
    """ESS News (26 June 2025, key ess-news-2025-ceec): CEEC 25 GWh LFP system tender, 4-hour
    package bids 0.37-0.495 CNY/Wh = USD 0.051-0.069/Wh at 7.20 CNY/USD.

    Chinese system tenders quote per Wh of DC capacity and cover cells, DC cabins and
    PCS/booster skids (not EPC), so the comparison uses the "dc" boundary and those components.
    The China set is derived from other SMM reports (January/March 2025), not from this tender.
    """
    s = build(100.0, 4.0, cost_set="china", energy_boundary="dc")
    equipment = sum(s.capex_usd[k] for k in ("cells", "dc_block_hardware", "pcs", "transformer"))
    usd_per_kWh = float(equipment / s.rated_kWh)
    assert 370.0 / 7.20 <= usd_per_kWh <= 495.0 / 7.20


def test_china_is_cheaper_than_united_states():
    us = build(cost_set="united-states")
    cn = build(cost_set="china")
    assert float(cn.capex_usd_per_kWh) < float(us.capex_usd_per_kWh)


def test_every_source_used_resolves():
    from cellwright.sources import bibliography

    s = build()
    assert s.sources and set(s.sources) <= set(bibliography())


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(power_MW=-5.0), "power_MW"),
        (dict(duration_h=0.0), "duration_h"),
        (dict(cost_set="atlantis"), "cost_set"),
        (dict(soc_window=1.2), "soc_window"),
        (dict(soc_window=0.0), "soc_window"),
        (dict(energy_boundary="ac"), "energy_boundary"),
        (dict(cell_price_usd_per_kWh=-1.0), "cell_price_usd_per_kWh"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    args = dict(power_MW=100.0, duration_h=4.0, cost_set="united-states", cell_price_usd_per_kWh=90.0)
    args.update(kwargs)
    with pytest.raises(SpecError) as err:
        system.build(args.pop("power_MW"), args.pop("duration_h"), **CELL, **args)
    assert err.value.field == field
    assert field in str(err.value)
    assert err.value.allowed
