"""Physical sense of every model: fewer cycles when hotter, more at shallower DOD, more
calendar loss at higher SOC and temperature. Where a source model breaks one inside its own
fitted range, the test stays visible as a strict xfail with the reason."""

import numpy as np
import pytest

from cellwright.aging.models import MODELS
from cellwright.aging.protocol import parse_protocol, profile
from cellwright.aging.simulate import simulate_life


def cycles(model, text):
    p = parse_protocol(text)
    t, soc, temp = profile(p)
    return simulate_life(t, soc, temp, 80.0, stop_below=0.795, model=model).efc_to(0.8)[0] / p.dod


def calendar_loss(model, soc, temp_C, years=5.0):
    t = np.arange(0.0, 86400.0 + 1.0, 3600.0)
    life = simulate_life(t, np.full_like(t, soc), np.full_like(t, temp_C), years, model=model)
    return 1.0 - life.soh[-1, 0]


INVERSE_T = pytest.mark.xfail(
    strict=True,
    reason="the NREL 250 Ah model's cycle term falls with temperature inside its fitted 10-45 degC "
    "(cycle fade was nearly T-independent in the tests and the fit balanced the calendar term; gasper2023)",
)


@pytest.mark.parametrize("model", [pytest.param(m, marks=INVERSE_T) if m == "nrel-lfp-250ah" else m for m in MODELS])
def test_more_cycles_at_25_than_at_45_degC(model):
    assert cycles(model, "0.5C/0.5C, 25degC, 100% DOD") > cycles(model, "0.5C/0.5C, 45degC, 100% DOD")


@pytest.mark.parametrize("model", list(MODELS))
def test_more_cycles_at_50_than_at_100_percent_dod(model):
    assert cycles(model, "0.5C/0.5C, 25degC, 50% DOD") > cycles(model, "0.5C/0.5C, 25degC, 100% DOD")


CYCLE_ONLY = pytest.mark.xfail(
    strict=True, reason="Wang et al. 2011 is a cycle-life model with no calendar term: storage gives no fade"
)


@pytest.mark.parametrize("model", [pytest.param(m, marks=CYCLE_ONLY) if m == "wang-lfp-a123" else m for m in MODELS])
def test_calendar_loss_grows_with_soc_and_temperature(model):
    assert calendar_loss(model, 0.9, 25.0) > calendar_loss(model, 0.3, 25.0)
    assert calendar_loss(model, 0.5, 45.0) > calendar_loss(model, 0.5, 25.0)
