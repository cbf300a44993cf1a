"""Duty cycles as the cells see them, and dispatch profiles through the efficiency chain."""

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.storage import efficiency, operation


def test_daily_cycle_has_the_stated_depth_rate_and_count():
    t, soc, temp = operation.daily_cycle(2, 0.8, 0.25, 30.0, step_s=60.0)
    assert t[-1] == 86400.0 and np.all(temp == 30.0)
    assert soc.max() - soc.min() == pytest.approx(0.8)
    rate = np.diff(soc) / np.diff(t / 3600.0)
    assert rate.max() == pytest.approx(0.25) and rate.min() == pytest.approx(-0.25)
    # two charge phases a day: count rising edges out of rest at the bottom
    rising = np.sum((rate[1:] > 0) & (rate[:-1] <= 0))
    assert rising + (rate[0] > 0) == 2


def test_too_many_cycles_for_the_rate_is_a_clear_error():
    with pytest.raises(SpecError, match="cycles_per_day"):
        operation.daily_cycle(4, 1.0, 0.25)  # a 100 % cycle at C/4 takes 8 h: 3 a day at most


def test_dispatch_soc_moves_by_energy_over_nameplate_through_the_chain():
    chain = efficiency.chain()
    t = np.array([0.0, 1.0, 2.0, 3.0])
    p = np.array([10.0, 0.0, -10.0, 0.0])  # 1 h discharge at 10 MW, 1 h rest, 1 h charge
    soc = operation.dispatch_soc(t, p, dc_nameplate_kWh=100e3, soc_window=0.95, eff=chain)
    out = float(efficiency.energy_at(1.0, "stored", "poi", "discharge", chain))
    inn = float(efficiency.energy_at(1.0, "poi", "stored", "charge", chain))
    assert soc[0] - soc[1] == pytest.approx(10e3 / out / 100e3)
    assert soc[3] - soc[2] == pytest.approx(10e3 * inn / 100e3)
    assert soc.max() + soc.min() == pytest.approx(1.0)  # the swing is centred in the window


def test_dispatch_beyond_the_usable_window_names_the_hour():
    t = np.arange(0.0, 6.0)
    p = np.array([50.0, 50.0, 0.0, 0.0, 0.0, 0.0])  # 100 MWh out of 100 MWh of cells
    with pytest.raises(SpecError, match="hour 2"):
        operation.dispatch_soc(t, p, dc_nameplate_kWh=100e3, soc_window=0.9)


def test_malformed_dispatch_csv_names_line_and_column(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("time_h,power_MW\n0,1\n1,lots\n2,0\n")
    with pytest.raises(SpecError, match="line 3, column power_MW"):
        operation.read_dispatch(f)
