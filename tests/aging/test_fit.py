"""Fitting a model to data, bands, and resistance end of life."""

import numpy as np
import pytest

from cellwright.aging.fit import SCALAR_RANGE, at_range_edge, band, fit_scalar
from cellwright.aging.protocol import parse_protocol, profile
from cellwright.aging.simulate import simulate_life


def test_fit_recovers_a_known_scalar_from_synthetic_data():
    t, soc, temp = profile(parse_protocol("0.5C/0.5C, 30degC, 80% DOD"))
    truth = simulate_life(t, soc, temp, 3.0, degradation_scalar=1.7)
    days = np.linspace(30, 1000, 25)
    measured = np.interp(days, truth.time_days, truth.soh[:, 0])
    fit = fit_scalar(t, soc, temp, days, measured, "nrel-lfp-250ah")
    assert fit.scalar == pytest.approx(1.7, rel=0.02)
    assert fit.rmse_points < 0.05


def test_data_the_model_cannot_reach_is_flagged_at_the_range_edge():
    t, soc, temp = profile(parse_protocol("0.5C/0.5C, 25degC, 50% DOD"))
    days = np.array([20.0, 40.0, 60.0])
    fit = fit_scalar(t, soc, temp, days, np.array([0.9, 0.8, 0.7]), "nrel-lfp-250ah")
    assert fit.scalar == pytest.approx(SCALAR_RANGE[1], rel=1e-3) and at_range_edge(fit)


def test_band_brackets_the_central_trajectory():
    t, soc, temp = profile(parse_protocol("0.5C/0.5C, 25degC, 100% DOD"))
    life = band(t, soc, temp, 2.0, "naumann-lfp-3ah")
    end = life.soh[-1]
    assert end[0] > end[1] > end[2]


def test_resistance_end_of_life():
    t, soc, temp = profile(parse_protocol("1C/1C, 35degC, 100% DOD"))
    life = simulate_life(t, soc, temp, 30.0, model="naumann-lfp-3ah")
    years = life.years_to_resistance(1.3)[0]
    r = np.interp(years * 365.0, life.time_days, life.resistance[:, 0])
    assert r == pytest.approx(1.3, abs=1e-3)


def _synthetic(text, years, cal, cyc, model="nrel-lfp-250ah", noise=0.0, seed=0):
    from cellwright.aging.fit import Test

    p = parse_protocol(text)
    t, soc, temp = profile(p)
    truth = simulate_life(t, soc, temp, years, degradation_scalar=cal, cycle_scalar=cyc, model=model)
    days = np.linspace(30, years * 365, 12)
    measured = np.interp(days, truth.time_days, truth.soh[:, 0]) + np.random.default_rng(seed).normal(
        0, noise, days.size
    )
    return Test(text, t, soc, temp, days, measured)


def test_calendar_and_cycle_rates_are_recovered_from_a_storage_and_a_cycling_test():
    from cellwright.aging.fit import fit_rates

    tests = [
        _synthetic("storage, 45degC, 100% SOC", 2.0, 1.6, 0.7, noise=0.002),
        _synthetic("1C/1C, 25degC, 100% DOD", 1.0, 1.6, 0.7, noise=0.002, seed=1),
    ]
    fit = fit_rates(tests, "nrel-lfp-250ah")
    # within three standard errors of the truth, and those errors small
    assert abs(np.log(fit.calendar_scalar / 1.6)) < 3 * fit.calendar_rel_error < 0.1
    assert abs(np.log(fit.cycle_scalar / 0.7)) < 3 * fit.cycle_rel_error < 0.1
    assert all(t["rmse_points"] < 0.5 for t in fit.per_test)


def test_a_storage_protocol_is_calendar_aging_only():
    t, soc, temp = profile(parse_protocol("storage, 40degC, 50% SOC"))
    life = simulate_life(t, soc, temp, 2.0, degradation_scalar=1.0, cycle_scalar=5.0)
    same = simulate_life(t, soc, temp, 2.0, degradation_scalar=1.0, cycle_scalar=1.0)
    assert life.efc[-1, 0] == 0.0
    np.testing.assert_allclose(life.soh[:, 0], same.soh[:, 0])
    assert life.soh[-1, 0] < 1.0


def test_cli_fits_rates_to_two_tests(cli, tmp_path):
    import json

    files = []
    for i, (text, years) in enumerate((("storage, 45degC, 100% SOC", 2.0), ("1C/1C, 25degC, 100% DOD", 1.0))):
        test = _synthetic(text, years, 1.6, 0.7)
        f = tmp_path / f"test{i}.csv"
        f.write_text(
            "time_days,relative_capacity\n" + "".join(f"{d:g},{q:.6f}\n" for d, q in zip(test.days, test.capacity))
        )
        files.append(f)
    out = cli(
        "life",
        "fit",
        *files,
        "--model",
        "nrel-lfp-250ah",
        "--protocol",
        "storage, 45degC, 100% SOC",
        "--protocol",
        "1C/1C, 25degC, 100% DOD",
        "--rates",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["calendar_scalar"] == pytest.approx(1.6, rel=0.02) and data["cycle_scalar"] == pytest.approx(
        0.7, rel=0.02
    )
    out = cli("life", "fit", *files, "--model", "nrel-lfp-250ah", "--protocol", "storage, 45degC, 100% SOC")
    assert out.returncode == 2 and "--protocol" in out.stderr
