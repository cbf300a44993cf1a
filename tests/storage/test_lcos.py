"""LCOS core (cellwright.storage.lcos): worked cases, exact hand cases, invariants, errors.

The five worked rows come from §5 of docs/storage-and-lcos.md: they are
*derived* arithmetic under stated conventions (100 MW / 400 MWh, 365 full cycles/yr, r = 7 %,
capex at year 0, FOM = % of capex per year, no end-of-life term), not published figures. They
are given to one decimal, so the tolerance is half of the last digit (0.05 USD/MWh).
"""

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.sources import bibliography
from cellwright.storage.lcos import TERMS, LcosConventions, annuity, lcos, schmidt_cash_flows

R7 = LcosConventions(discount_rate=0.07)

# capex USD/kWh, FOM %/yr, RTE, life yr, charging USD/MWh, calendar fade /yr, LCOS USD/MWh
WORKED = [
    pytest.param(460.5, 2.27, 0.85, 15, 30.0, 0.0, 202.5, id="ATB2024-moderate-2025"),
    pytest.param(460.5, 2.27, 0.85, 15, 0.0, 0.0, 167.2, id="ATB2024-2025-no-charging"),
    pytest.param(390.5, 2.24, 0.85, 20, 30.0, 0.0, 160.2, id="ATB2024-moderate-2030"),
    pytest.param(250.0, 2.5, 0.88, 20, 30.0, 0.0, 115.9, id="market-bid-2025"),
    pytest.param(460.5, 2.27, 0.85, 15, 30.0, 0.02, 222.4, id="ATB2025-2pct-fade"),
]


def worked_flows(capex_kwh, fom_pct, rte, life, price, fade):
    capex = capex_kwh * 400e3
    return schmidt_cash_flows(
        power_MW=100.0,
        energy_MWh=400.0,
        capex_usd_per_kW=0.0,
        capex_usd_per_kWh=capex_kwh,
        rte=rte,
        cycles_per_year=365,
        calendar_life_years=life,
        om_usd_per_kW_yr=fom_pct / 100 * capex / 100e3,
        charging_price_usd_per_MWh=price,
        calendar_fade_per_year=fade,
    )


@pytest.mark.parametrize("capex_kwh, fom_pct, rte, life, price, fade, expected", WORKED)
def test_worked_fixture_rows_via_schmidt_inputs(capex_kwh, fom_pct, rte, life, price, fade, expected):
    """Derived rows of §5 (not published numbers), through schmidt_cash_flows."""
    res = lcos(**worked_flows(capex_kwh, fom_pct, rte, life, price, fade), conventions=R7)
    assert abs(res.lcos_usd_per_MWh[0] - expected) <= 0.05


@pytest.mark.parametrize("capex_kwh, fom_pct, rte, life, price, fade, expected", WORKED)
def test_worked_fixture_rows_via_direct_flows(capex_kwh, fom_pct, rte, life, price, fade, expected):
    """Derived rows of §5 (not published numbers), as hand-built yearly arrays; fade scales
    charged and discharged energy, FOM stays constant."""
    n = np.arange(1, life + 1)
    e_out = 400.0 * 365 * (1 - fade) ** (n - 1)
    capex = capex_kwh * 400e3
    res = lcos(
        capex_usd=capex,
        om_usd=np.full(life, fom_pct / 100 * capex),
        discharged_MWh=e_out,
        charging_MWh=e_out / rte,
        charging_price_usd_per_MWh=price,
        conventions=R7,
    )
    assert abs(res.lcos_usd_per_MWh[0] - expected) <= 0.05


def test_all_worked_rows_in_one_batch_equal_separate_calls():
    flows = [worked_flows(*p.values[:6]) for p in WORKED]
    years = max(f["om_usd"].shape[1] for f in flows)

    def pad(x):
        return np.pad(x, ((0, 0), (0, years - x.shape[1])))

    batch = {
        k: (
            np.concatenate([pad(f[k]) for f in flows])
            if np.ndim(flows[0][k]) == 2
            else np.concatenate([f[k] for f in flows])
        )
        for k in flows[0]
    }
    together = lcos(**batch, conventions=R7).lcos_usd_per_MWh
    apart = np.array([lcos(**f, conventions=R7).lcos_usd_per_MWh[0] for f in flows])
    np.testing.assert_allclose(together, apart, rtol=1e-13)
    np.testing.assert_allclose(together, [p.values[6] for p in WORKED], atol=0.05)


# ------------------------------------------------------------------------ exact hand cases


def test_zero_rate_one_year_is_plain_arithmetic():
    c = LcosConventions(discount_rate=0.0)
    res = lcos(
        capex_usd=1000.0,
        om_usd=100.0,
        discharged_MWh=10.0,
        charging_MWh=12.5,
        charging_price_usd_per_MWh=20.0,
        replacement_usd=50.0,
        end_of_life_usd=-150.0,
        conventions=c,
    )
    # (1000 + 100 + 250 + 50 - 150) / 10
    assert res.lcos_usd_per_MWh[0] == pytest.approx(125.0, abs=1e-12)
    assert res.breakdown["capex"][0] == pytest.approx(100.0)
    assert res.breakdown["charging"][0] == pytest.approx(25.0)
    assert res.breakdown["end_of_life"][0] == pytest.approx(-15.0)
    assert res.pv_energy_MWh[0] == pytest.approx(10.0)


def test_one_year_at_ten_percent_by_hand():
    def run(timing):
        return lcos(
            capex_usd=1100.0,
            om_usd=110.0,
            discharged_MWh=11.0,
            charging_cost_usd=0.0,
            end_of_life_usd=121.0,
            conventions=LcosConventions(discount_rate=0.10, end_of_life=timing),
        )

    res = run("after_last_year")
    # PV cost = 1100 + 110/1.1 + 121/1.21 = 1300; PV energy = 11/1.1 = 10
    assert res.pv_cost_usd[0] == pytest.approx(1300.0, rel=1e-14)
    assert res.lcos_usd_per_MWh[0] == pytest.approx(130.0, rel=1e-14)
    assert run("in_last_year").lcos_usd_per_MWh[0] == pytest.approx((1100 + 100 + 110) / 10, rel=1e-14)
    assert run("exclude").lcos_usd_per_MWh[0] == pytest.approx(120.0, rel=1e-14)


def test_construction_time_spreads_capex_and_delays_operation():
    c = LcosConventions(discount_rate=0.10, construction_years=2)
    res = lcos(capex_usd=2000.0, om_usd=0.0, discharged_MWh=121.0, charging_cost_usd=0.0, conventions=c)
    # capex: 1000 + 1000/1.1; year 1 of operation at t = 2: energy 121/1.21 = 100
    assert res.pv_cost_by_term_usd["capex"][0] == pytest.approx(1000 + 1000 / 1.1)
    assert res.pv_energy_MWh[0] == pytest.approx(100.0)


def test_annuity_matches_pypsa_definition():
    assert annuity(0.07, 15) == pytest.approx(0.07 / (1 - 1.07**-15))
    assert annuity(0.0, 20) == pytest.approx(0.05)
    assert annuity(0.05, np.inf) == pytest.approx(0.05)
    np.testing.assert_allclose(annuity(np.array([0.0, 0.1]), 10), [0.1, 0.1 / (1 - 1.1**-10)])


def test_annuity_levelizes_a_flat_project():
    """Flat O&M and energy: LCOS = capex x CRF / E + O&M / E."""
    c = LcosConventions(discount_rate=0.06)
    res = lcos(
        capex_usd=1e6, om_usd=np.full(12, 2e4), discharged_MWh=np.full(12, 1e3), charging_cost_usd=0.0, conventions=c
    )
    assert res.lcos_usd_per_MWh[0] == pytest.approx(1e6 * annuity(0.06, 12) / 1e3 + 20.0, rel=1e-12)


# ------------------------------------------------------------------------ invariants


def base(**over):
    kw = dict(
        capex_usd=5e7,
        om_usd=np.full(15, 1e6),
        discharged_MWh=np.full(15, 1e5),
        charging_MWh=np.full(15, 1.2e5),
        charging_price_usd_per_MWh=40.0,
        replacement_usd=np.r_[np.zeros(9), 5e6, np.zeros(5)],
        end_of_life_usd=1e6,
    )
    kw.update(over)
    return {k: v for k, v in kw.items() if v is not None}


def test_breakdown_sums_to_total_and_pv_totals_consistent():
    for dollars in ("real", "nominal"):
        c = LcosConventions(dollars=dollars, inflation_rate=0.03)
        res = lcos(**base(), conventions=c)
        assert set(res.breakdown) == set(TERMS)
        np.testing.assert_allclose(sum(res.breakdown[k] for k in TERMS), res.lcos_usd_per_MWh, rtol=1e-15)
        np.testing.assert_allclose(res.pv_cost_usd / res.pv_energy_MWh, res.lcos_usd_per_MWh, rtol=1e-13)
        assert all(res.breakdown[k][0] > 0 for k in TERMS)


def test_excluding_charging_lowers_lcos_by_the_charging_term():
    with_c = lcos(**base())
    without = lcos(**base(), conventions=LcosConventions(include_charging=False))
    assert without.lcos_usd_per_MWh[0] < with_c.lcos_usd_per_MWh[0]
    assert without.breakdown["charging"][0] == 0
    assert with_c.lcos_usd_per_MWh[0] - without.lcos_usd_per_MWh[0] == pytest.approx(with_c.breakdown["charging"][0])


def test_higher_discount_rate_raises_lcos_of_capex_heavy_project():
    rates = [0.0, 0.03, 0.07, 0.12]
    values = [lcos(**base(), conventions=LcosConventions(discount_rate=r)).lcos_usd_per_MWh[0] for r in rates]
    assert np.all(np.diff(values) > 0)


def test_real_and_nominal_identical_without_inflation():
    a = lcos(**base(), conventions=LcosConventions(dollars="real", inflation_rate=0.0))
    b = lcos(**base(), conventions=LcosConventions(dollars="nominal", inflation_rate=0.0))
    c = lcos(**base(), conventions=LcosConventions(dollars="sam", cash_flows="nominal", inflation_rate=0.0))
    np.testing.assert_allclose(a.lcos_usd_per_MWh, b.lcos_usd_per_MWh, rtol=1e-14)
    np.testing.assert_allclose(a.lcos_usd_per_MWh, c.lcos_usd_per_MWh, rtol=1e-14)


def test_with_inflation_nominal_exceeds_real_and_sam_equals_real_for_nominal_flows():
    real = lcos(**base(), conventions=LcosConventions(dollars="real", inflation_rate=0.025))
    nominal = lcos(**base(), conventions=LcosConventions(dollars="nominal", inflation_rate=0.025))
    assert nominal.lcos_usd_per_MWh[0] > real.lcos_usd_per_MWh[0]
    # the same project as nominal (as-spent) flows: SAM's lcos_real arithmetic gives the real LCOS
    infl = 1.025 ** np.arange(1, 16)
    kw = base()
    nom = dict(
        kw,
        om_usd=kw["om_usd"] * infl,
        charging_price_usd_per_MWh=40.0 * infl,
        replacement_usd=kw["replacement_usd"] * infl,
        end_of_life_usd=1e6 * 1.025**16,
    )
    sam = lcos(**nom, conventions=LcosConventions(dollars="sam", cash_flows="nominal", inflation_rate=0.025))
    np.testing.assert_allclose(sam.lcos_usd_per_MWh, real.lcos_usd_per_MWh, rtol=1e-12)


def test_n_projects_in_one_call_equal_separate_calls():
    rng = np.random.default_rng(7)
    n, y = 6, 20
    kw = dict(
        capex_usd=rng.uniform(1e7, 1e8, n),
        om_usd=rng.uniform(1e5, 1e6, (n, y)),
        discharged_MWh=rng.uniform(1e4, 1e5, (n, y)),
        charging_MWh=rng.uniform(1e4, 1.3e5, (n, y)),
        charging_price_usd_per_MWh=rng.uniform(-5, 80, (n, y)),
        replacement_usd=rng.uniform(0, 1e6, (n, y)),
        end_of_life_usd=rng.uniform(-1e6, 1e6, n),
        years=rng.integers(5, y + 1, n),
    )
    c = LcosConventions(discount_rate=0.06, inflation_rate=0.02, dollars="nominal", construction_years=2)
    together = lcos(**kw, conventions=c)
    for i in range(n):
        one = lcos(**{k: v[i] for k, v in kw.items()}, conventions=c)
        assert one.lcos_usd_per_MWh.shape == (1,)
        assert one.lcos_usd_per_MWh[0] == pytest.approx(together.lcos_usd_per_MWh[i], rel=1e-13)
        for term in TERMS:
            assert one.breakdown[term][0] == pytest.approx(together.breakdown[term][i], rel=1e-12, abs=1e-12)


def test_years_beyond_a_projects_life_are_ignored():
    short = lcos(
        **base(
            om_usd=np.full(10, 1e6),
            discharged_MWh=np.full(10, 1e5),
            charging_MWh=np.full(10, 1.2e5),
            replacement_usd=0.0,
        )
    )
    padded = lcos(
        **base(
            om_usd=np.r_[np.full(10, 1e6), np.full(5, 9e9)],
            discharged_MWh=np.r_[np.full(10, 1e5), np.full(5, 7e7)],
            charging_MWh=np.full(15, 1.2e5),
            replacement_usd=0.0,
        ),
        years=10,
    )
    assert padded.lcos_usd_per_MWh[0] == pytest.approx(short.lcos_usd_per_MWh[0], rel=1e-14)


def test_degradation_lowers_energy_and_raises_lcos():
    common = dict(
        power_MW=50,
        energy_MWh=200,
        capex_usd_per_kW=300,
        capex_usd_per_kWh=250,
        rte=0.88,
        cycles_per_year=330,
        calendar_life_years=20,
        om_usd_per_kW_yr=10,
        charging_price_usd_per_MWh=35,
    )
    fresh = schmidt_cash_flows(**common)
    cal = schmidt_cash_flows(**common, calendar_fade_per_year=0.01)
    cyc = schmidt_cash_flows(**common, cycle_life=8000, eol_threshold=0.8)
    assert cal["discharged_MWh"].sum() < fresh["discharged_MWh"].sum()
    assert cyc["discharged_MWh"].sum() < fresh["discharged_MWh"].sum()
    # Deg_c reaches EoL at the rated cycle life
    assert cyc["discharged_MWh"][0, 1] / cyc["discharged_MWh"][0, 0] == pytest.approx(0.8 ** (330 / 8000))
    base_l = lcos(**fresh, conventions=R7).lcos_usd_per_MWh[0]
    assert lcos(**cal, conventions=R7).lcos_usd_per_MWh[0] > base_l
    assert lcos(**cyc, conventions=R7).lcos_usd_per_MWh[0] > base_l


def test_schmidt_lifetime_is_min_of_calendar_and_cycle_life():
    f = schmidt_cash_flows(
        power_MW=[10, 10],
        energy_MWh=[40, 40],
        capex_usd_per_kW=0,
        capex_usd_per_kWh=300,
        rte=0.9,
        cycles_per_year=[365, 730],
        calendar_life_years=15,
        cycle_life=6000,
    )
    np.testing.assert_array_equal(f["years"], [15, 8])
    assert f["discharged_MWh"].shape == (2, 15)
    assert np.all(f["discharged_MWh"][1, 8:] == 0)


def test_schmidt_replacement_and_end_of_life():
    f = schmidt_cash_flows(
        power_MW=10,
        energy_MWh=40,
        capex_usd_per_kW=100,
        capex_usd_per_kWh=300,
        rte=0.9,
        cycles_per_year=300,
        calendar_life_years=20,
        replacement_usd_per_kWh=150,
        replacement_interval_years=10,
        eol_usd_per_kW=-20,
        eol_usd_per_kWh=10,
    )
    assert f["capex_usd"][0] == pytest.approx(1e6 + 12e6)
    assert np.flatnonzero(f["replacement_usd"][0]).tolist() == [9]  # year 10 only, not year 20 (the last)
    assert f["replacement_usd"][0, 9] == pytest.approx(6e6)
    assert f["end_of_life_usd"][0] == pytest.approx(-2e5 + 4e5)


def test_net_energy_subtracts_auxiliaries_and_boundary_is_recorded():
    c = LcosConventions(discharged_energy="net", energy_boundary="AC at POI")
    gross = lcos(**base(), conventions=LcosConventions(energy_boundary="AC at POI"))
    net = lcos(**base(), auxiliary_MWh=5e3, conventions=c)
    assert net.pv_energy_MWh[0] == pytest.approx(gross.pv_energy_MWh[0] * 0.95)
    assert net.energy_boundary == "AC at POI" and net.conventions is c


def test_citation_keys_exist():
    from cellwright.storage import lcos as mod

    refs = bibliography()
    for key in mod.SOURCES + ("pypsa-annuity",):
        assert key in refs


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(discount_rate=-1.0), "conventions.discount_rate"),
        (dict(discount_rate=float("nan")), "conventions.discount_rate"),
        (dict(inflation_rate=-1.5), "conventions.inflation_rate"),
        (dict(dollars="euro"), "conventions.dollars"),
        (dict(end_of_life="never"), "conventions.end_of_life"),
        (dict(construction_years=0), "conventions.construction_years"),
        (dict(construction_years=1.5), "conventions.construction_years"),
        (dict(dollars="sam"), "conventions.cash_flows"),
        (dict(energy_boundary=""), "conventions.energy_boundary"),
    ],
)
def test_bad_conventions_name_the_field(kwargs, field):
    with pytest.raises(SpecError) as err:
        LcosConventions(**kwargs)
    assert err.value.field == field


@pytest.mark.parametrize(
    "over, field",
    [
        (dict(years=0), "years"),
        (dict(years=-3), "years"),
        (dict(years=16), "years"),
        (dict(years=2.5), "years"),
        (dict(om_usd=np.ones(14)), "om_usd"),
        (dict(capex_usd=[1e6, 2e6], end_of_life_usd=[1, 2, 3]), ("capex_usd", "end_of_life_usd")),
        (dict(discharged_MWh=-np.ones(15)), "discharged_MWh"),
        (dict(discharged_MWh=np.zeros(15)), "discharged_MWh"),
        (dict(capex_usd=-5.0), "capex_usd"),
        (dict(om_usd=np.full(15, np.nan)), "om_usd"),
        (dict(charging_cost_usd=1.0), "charging_cost_usd"),
        (dict(charging_price_usd_per_MWh=None), "charging_price_usd_per_MWh"),
        (dict(om_usd=np.ones((2, 3, 15))), "om_usd"),
    ],
)
def test_bad_inputs_name_the_field(over, field):
    with pytest.raises(SpecError) as err:
        lcos(**base(**over))
    assert err.value.field in ((field,) if isinstance(field, str) else field)


def test_missing_charging_and_missing_auxiliaries_are_errors():
    with pytest.raises(SpecError, match="include_charging"):
        lcos(capex_usd=1.0, om_usd=0.0, discharged_MWh=1.0)
    no_charging = LcosConventions(include_charging=False)
    assert lcos(capex_usd=1.0, om_usd=0.0, discharged_MWh=1.0, conventions=no_charging).lcos_usd_per_MWh[
        0
    ] == pytest.approx(1 / (1 / 1.08))
    with pytest.raises(SpecError) as err:
        lcos(**base(), conventions=LcosConventions(discharged_energy="net"))
    assert err.value.field == "auxiliary_MWh"


def test_annuity_and_schmidt_errors():
    with pytest.raises(SpecError):
        annuity(-1.0, 10)
    with pytest.raises(SpecError):
        annuity(0.05, 0)
    with pytest.raises(SpecError) as err:
        schmidt_cash_flows(
            power_MW=1,
            energy_MWh=4,
            capex_usd_per_kW=0,
            capex_usd_per_kWh=1,
            rte=1.2,
            cycles_per_year=300,
            calendar_life_years=10,
        )
    assert err.value.field == "rte"
    with pytest.raises(SpecError) as err:
        schmidt_cash_flows(
            power_MW=[1, 2, 3],
            energy_MWh=[4, 8],
            capex_usd_per_kW=0,
            capex_usd_per_kWh=1,
            rte=0.9,
            cycles_per_year=300,
            calendar_life_years=10,
        )
    assert err.value.field in ("power_MW", "energy_MWh")
