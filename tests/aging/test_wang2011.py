"""Wang et al. 2011 (A123 26650 LFP): the batched, windowed integration reproduces the model's
closed form. Under a constant protocol the loss is Q = B(C) exp(-(31,700 - 370.3 C)/(R T))
Ah^0.55 (Ah = discharge throughput of the 2.2 Ah cell), so the throughput to 20 % loss is
(20 / (B exp(...)))^(1/0.55) Ah. The expected cycles are that closed form evaluated here, not
values read off the paper's figures (its B table is secondary, see data/sources)."""

import math

import numpy as np
import pytest

from cellwright.aging.models import MODELS
from cellwright.aging.protocol import parse_protocol, profile
from cellwright.aging.simulate import simulate_life


def closed_form_efc(c_rate: float, temp_C: float, loss_pct: float = 20.0) -> float:
    p = MODELS["wang-lfp-a123"].params
    b = float(np.interp(c_rate, p["B_c_rate"], p["B"]))
    k = b * math.exp(-(p["Ea_J_per_mol"] - p["Ea_rate_J_per_mol"] * c_rate) / (8.314 * (temp_C + 273.15)))
    return (loss_pct / k) ** (1.0 / p["z"]) / p["cell_Ah"]


def simulated_efc(text: str, step_s: float = 30.0) -> float:
    p = parse_protocol(text)
    t, soc, temp = profile(p, step_s=step_s)
    life = simulate_life(t, soc, temp, 200.0, stop_below=0.795, model="wang-lfp-a123")
    return float(life.efc_to(0.8)[0])


@pytest.mark.parametrize(
    "c_rate, temp_C", [(0.5, 25.0), (2.0, 25.0), (6.0, 25.0), (10.0, 25.0), (0.5, 45.0), (0.5, 15.0), (4.0, 35.0)]
)
def test_throughput_to_20_percent_loss_matches_the_closed_form(c_rate, temp_C):
    got = simulated_efc(f"{c_rate}C/{c_rate}C, {temp_C}degC, 100% DOD")
    assert got == pytest.approx(closed_form_efc(c_rate, temp_C), rel=0.005)


def test_closed_form_anchor_at_c_over_2_and_25_degC():
    # 20 % loss after 16,690 Ah = 7,586 full 2.2 Ah cycles at C/2, 25 degC (arithmetic on the equation)
    assert closed_form_efc(0.5, 25.0) == pytest.approx(7586, rel=0.002)


def test_result_does_not_depend_on_the_time_step():
    coarse, fine = simulated_efc("10C/10C, 25degC, 100% DOD", 30.0), simulated_efc("10C/10C, 25degC, 100% DOD", 5.0)
    assert coarse == pytest.approx(fine, rel=1e-3)


def test_rests_do_not_dilute_the_c_rate():
    # the same 2C cycle with 1 h rests: the model sees 2C (rests excluded), so the throughput to
    # 20 % loss is unchanged; a rest-averaged rate (about 0.4C) would move it by > 10 %
    plain = simulated_efc("2C/2C, 25degC, 100% DOD")
    rested = simulated_efc("2C/2C, 25degC, 100% DOD, rest 1h")
    assert rested == pytest.approx(plain, rel=0.005)
    assert abs(closed_form_efc(0.4, 25.0) / plain - 1.0) > 0.1
