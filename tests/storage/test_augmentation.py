"""Cohort bookkeeping of augmentation and replacement: exact cases on a straight-line fade."""

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.storage.augmentation import Strategy, plan

YEARS = 10
SOH = (1.0 - 0.02 * np.arange(YEARS + 1))[:, None]  # 2 % a year, every cohort alike


def test_without_augmentation_the_plant_fades_with_its_cells():
    p = plan(SOH, 100.0, 90.0, 1.0, Strategy("none"))
    np.testing.assert_allclose(p.usable_start_kWh[:, 0], 100.0 * SOH[:-1, 0])
    np.testing.assert_allclose(p.usable_end_kWh[:, 0], 100.0 * SOH[1:, 0])
    assert p.cost_usd.sum() == 0.0


def test_yearly_top_up_restores_beginning_of_life_energy_and_ages_each_cohort():
    p = plan(SOH, 100.0, 90.0, 2.0, Strategy("periodic", interval_years=1, cost_decline_per_yr=0.1))
    np.testing.assert_allclose(p.usable_start_kWh[:, 0], 100.0)
    # year 3: initial cohort at age 2 (96) + year-2 cohort of 2 kWh at age 1 (1.96) -> add 2.04
    assert p.added_kWh[2, 0] == pytest.approx(100.0 - 96.0 - 2.0 * 0.98)
    assert p.cost_usd[2, 0] == pytest.approx(p.added_kWh[2, 0] * 2.0 * 0.9**2)


def test_replacement_at_threshold_rebuilds_the_block():
    p = plan(SOH, 100.0, 90.0, 1.0, Strategy("replace", threshold=0.9))
    # 100 * (1 - 0.02 * 5) = 90 is not below 0.9: the first replacement is at the start of year 7
    assert np.flatnonzero(p.added_kWh[:, 0]).tolist() == [6]
    assert p.usable_start_kWh[6, 0] == pytest.approx(100.0)
    assert p.usable_start_kWh[7, 0] == pytest.approx(98.0)


def test_threshold_augments_only_where_the_year_would_end_short():
    p = plan(SOH, 100.0, 95.0, 1.0, Strategy("threshold", threshold=1.0))
    years_added = np.flatnonzero(p.added_kWh[:, 0])
    assert years_added.size > 0
    none = plan(SOH, 100.0, 95.0, 1.0, Strategy("none"))
    assert np.all(p.usable_end_kWh[:, 0] >= none.usable_end_kWh[:, 0] - 1e-12)
    assert none.usable_end_kWh[years_added[0], 0] < 95.0


def test_unknown_strategy_is_a_clear_error():
    with pytest.raises(SpecError, match=r"augmentation\.strategy"):
        Strategy("overhaul")
