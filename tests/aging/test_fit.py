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
