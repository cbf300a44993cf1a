"""The aging library checks what it is given: every bad duty, protocol, measurement or run
length is a SpecError naming the argument (or the part of the protocol) before any work starts;
no input leads to a hang, a NaN or a negative capacity; warnings travel in the results."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cellwright.aging import simulate
from cellwright.aging.fit import Test as FitTest
from cellwright.aging.fit import check_measurements, fit_rates, fit_scalar
from cellwright.aging.io import read_profile
from cellwright.aging.protocol import Protocol, parse_protocol, profile
from cellwright.aging.ranges import profile_ranges, range_warnings
from cellwright.aging.simulate import simulate_life
from cellwright.errors import SpecError

HOURLY_DAY = np.arange(0.0, 86400.0 + 1.0, 3600.0)


def storage_duty(soc=0.5, temp=25.0):
    return HOURLY_DAY, np.full_like(HOURLY_DAY, soc), np.full_like(HOURLY_DAY, temp)


def cycling_duty(text="1C/1C, 25degC, 100% DOD"):
    return profile(parse_protocol(text))


def raises(field_part: str, allowed_part: str = ""):
    """pytest.raises for a SpecError whose field contains ``field_part`` and whose message
    contains ``allowed_part``."""
    return pytest.raises(SpecError, match=".*".join(map(_escape, (field_part, allowed_part))))


def _escape(text: str) -> str:
    import re

    return re.escape(text)


# --- simulate_life: run length -------------------------------------------------------------


@pytest.mark.parametrize("years", [math.nan, math.inf, 1e9, -5.0, 0.0])
def test_years_outside_a_finite_positive_bound_are_refused(years):
    # H1 (NaN never ends the loop), H2 (1e9 runs for ever), G7 (-5 gave "1.000 after -5 years")
    with raises("years"):
        simulate_life(*storage_duty(), years)


def test_a_run_longer_than_the_window_bound_is_refused_before_it_starts():
    # one-second steps cycling 0-1: millions of windows a year
    t = np.arange(0.0, 24.0)
    soc = np.where(np.arange(24) % 2 == 0, 0.0, 1.0)
    with raises("years", "bounded at"):
        simulate_life(t, soc, np.full_like(t, 25.0), 1.0)


def test_a_run_that_stops_at_end_of_life_ends_at_the_window_bound_with_a_warning(monkeypatch):
    monkeypatch.setattr(simulate, "MAX_WINDOWS", 40)
    life = simulate_life(*cycling_duty(), 80.0, stop_below=0.5)
    assert len(life.time_days) == 41
    assert any("stopped after 40 simulation windows" in w for w in life.warnings)
    with raises("years", "bounded at 40"):
        simulate_life(*cycling_duty(), 80.0)


# --- simulate_life: the duty ---------------------------------------------------------------


def test_tiny_time_steps_are_refused():
    # H4: 24 rows 1 microsecond apart ran for ever
    t = np.arange(24) * 1e-6
    soc = np.where(np.arange(24) % 2 == 0, 0.2, 0.9)
    with raises("t_s[1]", "steps of more than 0.001"):
        simulate_life(t, soc, np.full_like(t, 25.0), 0.01)


@pytest.mark.parametrize(
    "t, field",
    [
        ([0.0], "t_s"),  # one sample
        ([3600.0, 3600.0, 3600.0], "t_s[1]"),  # all equal
        ([7200.0, 3600.0, 0.0], "t_s[1]"),  # decreasing
        ([math.nan, 3600.0, 7200.0], "t_s"),  # H3: NaN first time
        ([-4.7e16, 3600.0, 7200.0], "t_s"),  # G5: a span of 1.5 billion years
    ],
)
def test_degenerate_times_are_refused(t, field):
    t = np.array(t)
    with raises(field):
        simulate_life(t, np.full_like(t, 0.5), np.full_like(t, 25.0), 1.0)


@pytest.mark.parametrize(
    "soc, allowed",
    [(50.0, "looks like percent"), (-0.1, "fraction within 0-1"), (math.nan, "finite")],
)
def test_soc_outside_0_to_1_is_refused_with_a_percent_hint(soc, allowed):
    t, s, temp = storage_duty()
    s = s.copy()
    s[3] = soc
    with raises("soc", allowed):
        simulate_life(t, s, temp, 1.0)


@pytest.mark.parametrize(
    "temp, allowed",
    [
        (298.15, "looks like kelvin"),
        (-300.0, "absolute zero"),
        (2000.0, "degrees Celsius within -40 to 80"),
        (1e308, "degrees Celsius within"),
        (math.inf, "finite"),
        (math.nan, "finite"),
    ],
)
def test_temperatures_outside_a_plausible_range_are_refused(temp, allowed):
    # G5 library level: 2000 degC gave -5,948, 1e308 degC -3,420, a non-finite one -4.15e9
    t, soc, T = storage_duty(temp=temp)
    with raises("temperature_degC", allowed):
        simulate_life(t, soc, T, 1.0)


def test_a_temperature_offset_that_leaves_the_range_is_refused():
    with raises("temperature_degC + temperature_offset_degC", "within -40 to 80"):
        simulate_life(*storage_duty(temp=25.0), 1.0, n_cells=2, temperature_offset_degC=[0.0, 60.0])


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(soc=np.full(10, 0.5)), "soc"),  # shorter than t_s
        (dict(temperature_degC=np.full((2, 25), 25.0), n_cells=3), "n_cells"),  # rows != cells
        (dict(soc=np.full((2, 25), 0.5), temperature_degC=np.full((3, 25), 25.0)), "temperature_degC"),
        (dict(soc=np.full((2, 2, 25), 0.5)), "soc"),
        (dict(soc=np.array([])), "soc"),
        (dict(n_cells=0), "n_cells"),
        (dict(n_cells=2.5), "n_cells"),
        (dict(degradation_scalar=math.nan), "degradation_scalar"),
        (dict(degradation_scalar=0.0), "degradation_scalar"),
        (dict(degradation_scalar=-1.0), "degradation_scalar"),
        (dict(degradation_scalar=[1.0, 2.0], n_cells=3), "degradation_scalar"),
        (dict(cycle_scalar=math.inf), "cycle_scalar"),
        (dict(stop_below=math.nan), "stop_below"),
        (dict(model="no-such-model"), "model"),
    ],
)
def test_bad_shapes_counts_and_scalars_name_the_argument(kwargs, field):
    t, soc, temp = storage_duty()
    args = dict(t_s=t, soc=soc, temperature_degC=temp, years=1.0) | kwargs
    with raises(field):
        simulate_life(**args)


# --- simulate_life: results ----------------------------------------------------------------


def test_a_cell_that_runs_out_of_capacity_holds_at_zero_with_a_warning():
    # a degradation scalar of 1000 at 80 degC empties the cell within weeks
    life = simulate_life(*storage_duty(soc=1.0, temp=80.0), 5.0, degradation_scalar=1000.0, model="naumann-lfp-3ah")
    assert np.all(np.isfinite(life.soh)) and np.all(np.isfinite(life.resistance)) and np.all(np.isfinite(life.efc))
    assert life.soh.min() == 0.0 and life.soh[-1, 0] == 0.0
    assert np.all(np.diff(life.soh[:, 0]) <= 0.0)
    assert any("relative capacity reached 0" in w for w in life.warnings)


@pytest.mark.parametrize(
    "method, value, field",
    [("years_to", math.nan, "threshold"), ("efc_to", 80.0, "threshold"), ("years_to_resistance", 0.5, "factor")],
)
def test_end_of_life_queries_check_their_threshold(method, value, field):
    life = simulate_life(*storage_duty(), 0.1)
    with raises(field):
        getattr(life, method)(value)


def test_range_warnings_travel_in_the_life_result():
    hot = simulate_life(*storage_duty(temp=50.0), 1.0)
    assert any("temperature 50 degC is outside nrel-lfp-250ah's fitted 10-45 degC" in w for w in hot.warnings)
    assert simulate_life(*cycling_duty("0.5C/0.5C, 25degC, 100% DOD"), 0.1).warnings == []


def test_a_duty_without_cycles_is_not_warned_about_its_depth():
    # a storage profile has no rainflow cycles: its DOD of 0 is no extrapolation
    assert range_warnings("nrel-lfp-250ah", profile_ranges(*storage_duty())) == []


def test_a_protocol_profile_covers_exactly_its_stated_depth_and_rates():
    # the profile samples every corner: 80 % DOD is 80 %, not the 78.7-79.9 % of a 60 s grid
    ranges = profile_ranges(*cycling_duty("0.65C/1C, 25degC, 80% DOD"))
    assert ranges["dod"] == pytest.approx((0.8, 0.8), abs=1e-9)
    assert ranges["charge_C"] == pytest.approx((0.65, 0.65)) and ranges["discharge_C"] == pytest.approx((1.0, 1.0))
    assert simulate_life(*cycling_duty("0.65C/1C, 25degC, 80% DOD"), 0.1).warnings == []


def test_profile_ranges_check_their_input():
    t, soc, temp = storage_duty()
    with raises("temperature_degC", "kelvin"):
        profile_ranges(t, soc, temp + 273.15)
    with raises("model"):
        range_warnings("no-such-model", parse_protocol("1C/1C, 25degC, 100% DOD"))


# --- protocols -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, field, allowed",
    [
        ("0.0000001C/1C, 25degC, 100% DOD", "protocol charge rate", "within 0.01-20"),  # C7: 44.7 GiB
        ("1C/" + "9" * 400 + "C, 25degC, 100% DOD", "protocol discharge rate", "finite"),
        ("0.5C/0.5C, -300degC, 100% DOD", "protocol temperature", "absolute zero"),  # G6
        ("0.5C/0.5C, " + "9" * 400 + "degC, 100% DOD", "protocol temperature", "finite"),
        ("0.5C/0.5C, 298K, 100% DOD", "protocol temperature", "not kelvin"),
        ("0.5C/0.5C, -inf degC, 100% DOD", "protocol", "expected tokens"),
        ("1C/1C, 25degC, 100% DOD, rest 100000h", "protocol rest", "24 h"),  # H7: 4 min, 5.7 GB
        ("1C/1C, 25degC, 100% DOD, rest " + "9" * 400 + "min", "protocol rest", "finite"),
        ("1C/1C, 25degC, 100% DOD, rest 0.001min", "protocol rest", "1 min"),
        ("1C/1C, 25degC, 0.0001% DOD", "protocol DOD", "within 1%-100%"),
        ("1C/1C, 25degC, 150% DOD", "protocol DOD", "within 1%-100%"),
        ("1C/1C, 25degC, 80% DOD, 95% SOC", "protocol SOC", "within 0-100 %"),
        ("storage, 45degC, 150% SOC", "protocol SOC", "within 0-100 %"),
        ("1C/1C, 25degC, 30degC, 100% DOD", "protocol", "each part once"),
        ("storage, 25degC, 50% SOC, rest 1h", "protocol", "no rates, DOD or rest"),
    ],
)
def test_protocol_parts_outside_their_bounds_name_the_part(text, field, allowed):
    with raises(field, allowed):
        parse_protocol(text)


def test_a_protocol_built_directly_is_checked_too():
    with raises("protocol charge rate"):
        Protocol(1e-9, 1.0, 25.0, 1.0, 0.5)
    with raises("protocol temperature", "absolute zero"):
        Protocol(0.0, 0.0, -400.0, 0.0, 0.5, storage=True)


def test_the_expanded_profile_is_bounded():
    with raises("protocol", "at most 1,000,000"):
        profile(parse_protocol("0.01C/0.01C, 25degC, 100% DOD, rest 24h"), cycles=10_000, step_s=60.0)
    with raises("step_s"):
        profile(parse_protocol("1C/1C, 25degC, 100% DOD"), step_s=0.0)


def test_datasheet_power_notation_is_the_c_rate_at_nominal_voltage():
    p = parse_protocol("0.5P/0.5P, 25degC, 100% DOD")
    assert p == parse_protocol("0.5C/0.5C, 25degC, 100% DOD")
    assert (p.charge_C, p.discharge_C) == (0.5, 0.5)
    assert parse_protocol("0.25P/1C, 35degC, 80% DOD").charge_C == 0.25


def test_a_cycling_profile_samples_every_corner_and_steps_of_at_most_step_s():
    t, soc, temp = profile(parse_protocol("0.7C/0.7C, 30degC, 80% DOD, rest 7min"), cycles=2)
    assert np.diff(t).max() <= 60.0 + 1e-9 and np.diff(t).min() > 1.0
    assert soc.max() == pytest.approx(0.9) and soc.min() == pytest.approx(0.1)
    period = 2 * (0.8 / 0.7 * 3600.0 + 420.0)
    assert t[-1] == pytest.approx(2 * period) and np.all(temp == 30.0)


# --- profile and dispatch CSVs ------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_profile_with_the_old_temperature_column_names_the_new_one(tmp_path):
    old = write(tmp_path, "old.csv", "time_s,soc,temperature_C\n0,0.5,25\n3600,0.6,25\n7200,0.5,25\n")
    with raises("old.csv: column temperature_C", "renamed temperature_degC"):
        read_profile(old)


def test_a_dispatch_with_the_old_temperature_column_names_the_new_one(tmp_path):
    from cellwright.storage.operation import read_dispatch

    old = write(tmp_path, "d.csv", "time_h,power_MW,temperature_C\n0,10,25\n1,-10,25\n2,0,25\n")
    with raises("d.csv: column temperature_C", "renamed temperature_degC"):
        read_dispatch(old)
    new = write(tmp_path, "d2.csv", "time_h,power_MW,temperature_degC\n0,10,25\n1,-10,26\n2,0,27\n")
    assert list(read_dispatch(new)[2]) == [25.0, 26.0, 27.0]


@pytest.mark.parametrize(
    "row, field, allowed",
    [
        ("7200,0.5,2000", "line 4, column temperature_degC", "within -40 to 80"),  # G5: 2000 degC
        ("7200,0.5,298.15", "line 4, column temperature_degC", "kelvin"),
        ("7200,0.5,-300", "line 4, column temperature_degC", "absolute zero"),
        ("7200,80,25", "line 4, column soc", "percent"),
        ("3600.0000001,0.5,25", "line 4, column time_s", "at least 0.001 s"),
    ],
)
def test_profile_values_outside_their_range_name_row_and_column(tmp_path, row, field, allowed):
    path = write(tmp_path, "p.csv", f"time_s,soc,temperature_degC\n0,0.2,25\n3600,0.9,25\n{row}\n10800,0.9,25\n")
    with raises(f"p.csv: {field}", allowed):
        read_profile(path)


# --- fitting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, capacity, field, allowed",
    [
        ([0, 100, 200], [1.0, math.nan, 0.96], "capacity", "finite"),  # G8: NaN won argmin
        ([0, 100, 200], [1.0, -5.0, -7.0], "capacity", "relative capacity within (0, 1.2]"),  # G8
        ([0, 100, 200], [100.0, 98.0, 96.0], "capacity", "looks like percent"),
        ([0, 200, 100], [1.0, 0.98, 0.99], "days[2]", "strictly increasing"),
        ([-10, 100, 200], [1.0, 0.98, 0.97], "days", "within 0-10,950"),
        ([0, 100, 1e9], [1.0, 0.98, 0.9], "days", "30 years"),  # H5: ran for minutes
        ([0, 100, math.inf], [1.0, 0.98, 0.9], "days", "finite"),  # H5
        ([0, 100], [1.0, 0.98, 0.9], "capacity", "the shape of days"),
        ([0.0], [1.0], "days", "after day 0"),
    ],
)
def test_measurements_are_checked_at_the_door(days, capacity, field, allowed):
    with raises(field, allowed):
        check_measurements(days, capacity)
    with raises(field, allowed):
        fit_scalar(*cycling_duty(), np.array(days, float), np.array(capacity, float), "nrel-lfp-250ah")


def test_fit_rates_refuses_nan_data_with_the_tests_label():
    # C6: SciPy's "Residuals are not finite in the initial point" leaked out
    with raises("cycling.csv: capacity", "finite"):
        FitTest("cycling.csv", *cycling_duty(), np.array([0.0, 100.0, 200.0]), np.array([1.0, math.nan, 0.96]))
    with raises("tests"):
        fit_rates([], "nrel-lfp-250ah")
    with raises("model"):
        fit_scalar(*cycling_duty(), np.array([100.0]), np.array([0.98]), "no-such-model")


def test_rate_errors_that_cannot_be_estimated_are_none_with_a_reason():
    # G9: a storage test alone cannot tell the cycle rate: its relative error was Infinity
    days = np.array([30.0, 60.0, 120.0, 180.0, 270.0, 365.0])
    calendar = simulate_life(*storage_duty(soc=1.0, temp=45.0), 1.1)
    measured = np.interp(days, calendar.time_days, calendar.soh[:, 0])
    fit = fit_rates([FitTest("storage", *storage_duty(soc=1.0, temp=45.0), days, measured)], "nrel-lfp-250ah")
    assert fit.cycle_rel_error is None and fit.correlation is None
    assert 0.0 <= fit.calendar_rel_error < 0.5  # the calendar scalar alone is still determined
    assert any("cycle scalar's relative error cannot be estimated" in w for w in fit.warnings)
    json.dumps(fit.__dict__, allow_nan=False)


def test_fit_warnings_travel_in_the_result():
    # fade the model cannot reach under this duty: the scalar ends at the edge of the range
    duty = cycling_duty("0.5C/0.5C, 25degC, 50% DOD")
    fit = fit_scalar(*duty, np.array([20.0, 40.0, 60.0]), np.array([0.9, 0.8, 0.7]), "nrel-lfp-250ah")
    assert any("edge of the range searched" in w for w in fit.warnings)


# --- the command line (in-process) --------------------------------------------------------


def run(*args):
    from typer.testing import CliRunner

    from cellwright.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def strict_json(text: str):
    return json.loads(text, parse_constant=lambda token: pytest.fail(f"JSON carries {token}"))


def test_life_json_carries_the_range_warnings_it_prints(tmp_path):
    spec = Path(__file__).parents[2] / "examples" / "lfp-280ah-prismatic.toml"
    out = run(
        "life", spec, "--protocol", "0.5P/0.5P, 50degC, 100% DOD", "--no-anchor", "--plot", tmp_path / "p.png", "--json"
    )
    assert out.exit_code == 0, out.stderr
    warnings = strict_json(out.stdout)["warnings"]
    assert len(warnings) == 1 and "50 degC is outside" in warnings[0]
    assert "warning: " + warnings[0] in out.stderr


def test_life_fit_rates_json_has_null_errors_not_infinity(tmp_path):
    # G9: on six storage points "calendar_rel_error": Infinity, "cycle_rel_error": Infinity
    data = tmp_path / "storage.csv"
    data.write_text("time_days,relative_capacity\n0,1\n100,0.99\n200,0.985\n300,0.98\n400,0.975\n500,0.97\n")
    out = run(
        "life-fit", data, "--model", "nrel-lfp-250ah", "--protocol", "storage, 45degC, 100% SOC", "--rates", "--json"
    )
    assert out.exit_code == 0, out.stderr
    fit = strict_json(out.stdout)
    assert fit["cycle_rel_error"] is None and fit["correlation"] is None
    assert any("cycle scalar's relative error cannot be estimated" in w for w in fit["warnings"])


def test_anchoring_out_of_reach_or_on_a_storage_test_is_a_spec_error_naming_the_rating():
    from cellwright.aging.anchor import anchor_scalar

    with pytest.raises(SpecError) as exc:
        anchor_scalar(1e9, "0.5C/0.5C, 25degC, 100% DOD")
    assert exc.value.field == "rated_cycles" and "out of this model's reach" in exc.value.allowed
    with pytest.raises(SpecError) as exc:
        anchor_scalar(6000.0, "storage, 25degC, 50% SOC")
    assert exc.value.field == "rated_protocol"
