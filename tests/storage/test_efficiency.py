"""Efficiency chain: exact cases, boundary conversions, published POI RTE, aux amortisation."""

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.storage import efficiency as eff
from cellwright.storage import system


def test_without_aux_poi_rte_is_the_product_of_stage_efficiencies_squared():
    ch = eff.chain(rte_dc=0.95, pcs_efficiency_charge=0.98, pcs_efficiency_discharge=0.98, transformer_efficiency=0.99)
    rt = eff.round_trip(4e5, cycles_per_day=1.0, aux_kW=0.0, eff=ch)
    assert rt.rte_dc == pytest.approx(0.95)
    assert rt.rte_pcs_ac == pytest.approx(0.95 * 0.98**2)
    assert rt.rte_poi == pytest.approx(0.95 * 0.98**2 * 0.99**2)
    assert rt.rte_poi == pytest.approx(rt.rte_poi_no_aux)


def test_aux_energy_is_power_times_hours_per_cycle():
    ch = eff.chain(rte_dc=1.0, pcs_efficiency_charge=1.0, pcs_efficiency_discharge=1.0, transformer_efficiency=1.0)
    rt = eff.round_trip(1000.0, cycles_per_day=2.0, aux_kW=10.0, eff=ch)
    assert rt.aux_energy_kWh == pytest.approx(120.0)  # 10 kW x 24 h / 2 cycles
    assert rt.rte_poi == pytest.approx(1000.0 / 1120.0)


def test_energy_at_round_trips_between_boundaries():
    ch = eff.chain()
    e = np.array([100.0, 250.0])
    for direction in ("charge", "discharge"):
        at_poi = eff.energy_at(e, "stored", "poi", direction, ch)
        back = eff.energy_at(at_poi, "poi", "stored", direction, ch)
        assert np.allclose(back, e)
    assert np.all(eff.energy_at(e, "stored", "poi", "discharge", ch) < e)  # losses on the way out
    assert np.all(eff.energy_at(e, "stored", "poi", "charge", ch) > e)  # more needed at the grid


def test_poi_rte_for_one_cycle_a_day_4h_lands_in_the_published_range():
    """AC round trip at the transformer incl. auxiliaries: PNNL 2022 LFP 82.6 % (2021; key
    pnnl-2022-esgc, secondary transcription) and NREL ATB 2024 85 % (key nrel-atb-2024), for
    about one cycle a day. 100 MW / 4 h plant, full usable cycle once a day."""
    s = system.build(
        100.0, 4.0, cell_capacity_Ah=314.0, cell_voltage_V=3.2, cell_mass_kg=5.6, cell_price_usd_per_kWh=90.0
    )
    rt = s.round_trip(cycles_per_day=1.0)
    assert 0.82 <= float(rt.rte_poi) <= 0.86
    assert float(rt.rte_dc) > float(rt.rte_pcs_ac) > float(rt.rte_poi_no_aux) > float(rt.rte_poi)


def test_rte_falls_as_cycles_per_day_fall():
    s = system.build(
        100.0, 4.0, cell_capacity_Ah=314.0, cell_voltage_V=3.2, cell_mass_kg=5.6, cell_price_usd_per_kWh=90.0
    )
    rt = s.round_trip(cycles_per_day=np.array([2.0, 1.0, 0.5, 0.25]))
    assert np.all(np.diff(rt.rte_poi) < 0)
    assert np.allclose(rt.rte_poi_no_aux, rt.rte_poi_no_aux[0])  # the chain alone does not care


def test_aux_loads_scale_with_containers_and_rating():
    a = eff.aux_power_kW(
        np.array([10.0, 20.0]),
        100.0,
        hvac_kW_per_container=5.0,
        controls_kW_per_container=1.0,
        transformer_no_load_fraction=0.001,
    )
    assert np.allclose(a["hvac"], [50.0, 100.0])
    assert np.allclose(a["transformer_no_load"], 100.0)
    assert np.allclose(a["total"], a["hvac"] + a["controls"] + a["transformer_no_load"])


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: eff.chain(rte_dc=1.1), "rte_dc"),
        (lambda: eff.chain(pcs_efficiency_charge=0.0), "pcs_efficiency_charge"),
        (lambda: eff.round_trip(100.0, cycles_per_day=0.0), "cycles_per_day"),
        (lambda: eff.round_trip(100.0, 1.0, aux_kW=-1.0), "aux_kW"),
        (lambda: eff.energy_at(1.0, "dc", "grid"), "to_boundary"),
        (lambda: eff.energy_at(1.0, "dc", "poi", direction="sideways"), "direction"),
    ],
)
def test_bad_input_names_the_field(call, field):
    with pytest.raises(SpecError) as err:
        call()
    assert err.value.field == field
