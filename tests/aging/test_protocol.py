"""Protocol strings and cycles to end of life."""

import numpy as np
import pytest

from cellwright.aging.protocol import parse_protocol, profile
from cellwright.aging.simulate import simulate_life
from cellwright.errors import SpecError


def test_parse_a_datasheet_protocol():
    p = parse_protocol("0.5C/0.5C, 25degC, 100% DOD")
    assert (p.charge_C, p.discharge_C, p.temperature_degC, p.dod) == (0.5, 0.5, 25.0, 1.0)
    assert p.soc_window == (0.0, 1.0)
    q = parse_protocol("1C/1C, 35 degC, 80% DOD, 50% SOC, rest 30min")
    assert q.soc_window == pytest.approx((0.1, 0.9)) and q.rest_h == pytest.approx(0.5)


@pytest.mark.parametrize(
    "text, token", [("0.5C/0.5C, 25degC, 100% DOD, fast", "fast"), ("0.5C/0.5C, 100% DOD", "temperature")]
)
def test_malformed_protocol_names_the_token(text, token):
    with pytest.raises(SpecError) as err:
        parse_protocol(text)
    assert token in str(err.value)


def test_profile_has_one_full_cycle_of_efc_per_cycle_at_full_dod():
    t, soc, _ = profile(parse_protocol("0.5C/0.5C, 25degC, 100% DOD"), cycles=4)
    assert np.abs(np.diff(soc)).sum() / 2 == pytest.approx(4.0, rel=1e-9)
    assert t[-1] == pytest.approx(4 * 4 * 3600.0)


def test_cycles_to_80_percent_fall_with_dod_and_with_rate():
    def efc(text):
        t, soc, temp = profile(parse_protocol(text))
        life = simulate_life(t, soc, temp, 40.0, stop_below=0.79)
        return life.efc_to(0.8)[0]

    full, partial = efc("0.5C/0.5C, 25degC, 100% DOD"), efc("0.5C/0.5C, 25degC, 80% DOD")
    fast = efc("1C/1C, 25degC, 100% DOD")
    assert fast < full  # the C-rate stress
    assert full / 1.0 < partial / 0.8  # more cycles of 80 % DOD than of 100 % DOD


def test_anchoring_on_the_datasheet_rating():
    from cellwright.aging.anchor import anchor_scalar, cycles_to_eol

    scalar = anchor_scalar(6000.0, "0.5C/0.5C, 25degC, 100% DOD")
    assert 0.3 < scalar < 1.0  # the unanchored model is conservative (about 3,700 cycles)
    got = cycles_to_eol(parse_protocol("0.5C/0.5C, 25degC, 100% DOD"), 0.8, np.array([scalar]))[0]
    assert got == pytest.approx(6000.0, rel=0.01)


def test_range_warnings_name_what_leaves_the_fitted_range():
    from cellwright.aging.anchor import range_warnings

    assert range_warnings("nrel-lfp-250ah", parse_protocol("0.5C/0.5C, 25degC, 100% DOD")) == []
    warnings = range_warnings("nrel-lfp-250ah", parse_protocol("1C/1C, 50degC, 60% DOD"))
    assert len(warnings) == 3 and any("50 degC" in w for w in warnings) and any("1C" in w for w in warnings)
