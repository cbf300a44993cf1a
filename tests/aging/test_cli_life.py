"""The `life` command: protocol and profile modes, `life fit`, JSON keys, clear errors with exit code 2."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.aging.protocol import parse_protocol, profile
from cellwright.aging.simulate import simulate_life

ROOT = Path(__file__).parents[2]
LFP = ROOT / "examples" / "lfp-280ah-prismatic.toml"


def test_protocol_mode_json(cli_once):
    out = cli_once("life", LFP, "--protocol", "0.5C/0.5C, 25degC, 100% DOD", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["cycles_to_eol"] > 1000 and data["model"] == "nrel-lfp-250ah"


def test_profile_mode_json(cli):
    out = cli(
        "life", LFP, "--profile", ROOT / "tests" / "fixtures" / "aging" / "series_input.csv", "--years", "5", "--json"
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    soh = data["soh"]["relative_capacity"]
    assert soh[0] == 1.0 and all(b <= a + 1e-12 for a, b in itertools.pairwise(soh))


def test_malformed_csv_names_the_line(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,soc,temperature_degC\n0,0.5,25\n3600,half,25\n7200,0.5,25\n")
    out = cli("life", LFP, "--profile", bad)
    assert out.returncode == 2 and "line 3" in out.stderr and "soc" in out.stderr


def test_malformed_protocol_names_the_token(cli):
    out = cli("life", LFP, "--protocol", "0.5C/0.5C, 25degC, 100% DOD, turbo")
    assert out.returncode == 2 and "turbo" in out.stderr


def test_chemistry_without_a_model_is_a_clear_error(cli):
    out = cli("life", ROOT / "examples" / "batpac-nmc811-pouch.toml", "--protocol", "0.5C/0.5C, 25degC, 100% DOD")
    assert out.returncode == 2 and "nrel-lfp-250ah" in out.stderr


def test_the_m50_preset_uses_the_lg_m50_model(cli_once):
    out = cli_once(
        "life", ROOT / "examples" / "lg-m50-21700.toml", "--protocol", "0.3C/0.5C, 25degC, 100% DOD", "--json"
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["model"] == "bui-nmc811-sigr-5ah" and 100 < data["cycles_to_eol"] < 5000


def test_the_lfp_storage_preset_meets_its_datasheet_rating_within_20_percent(cli_once):
    # EVE LF280K: 6,000 cycles to 80 % at 0.5P/0.5P, 25 degC, 100 % DOD (eve-lf280k-spec-revb)
    out = cli_once("life", LFP, "--protocol", "0.5C/0.5C, 25degC, 100% DOD", "--json")
    data = json.loads(out.stdout)
    assert abs(data["cycles_to_eol"] / 6000.0 - 1.0) <= 0.20
    assert data["anchored_on"].startswith("6000 cycles")


def test_out_of_range_protocol_warns_on_stderr(cli):
    out = cli("life", LFP, "--protocol", "1C/1C, 50degC, 100% DOD", "--json")
    assert out.returncode == 0 and "warning" in out.stderr and "50 degC" in out.stderr
    json.loads(out.stdout)


def test_life_fit_recovers_the_scalar_behind_synthetic_data(cli, tmp_path):
    t, soc, temp = profile(parse_protocol("1C/1C, 35degC, 100% DOD"))
    truth = simulate_life(t, soc, temp, 1.0, degradation_scalar=0.6, model="naumann-lfp-3ah")
    days = np.linspace(20, 300, 15)
    data = tmp_path / "cycling.csv"
    rows = (f"{d:.1f},{q:.6f}" for d, q in zip(days, np.interp(days, truth.time_days, truth.soh[:, 0])))
    data.write_text("time_days,relative_capacity\n" + "\n".join(rows) + "\n")
    out = cli("life", "fit", data, "--model", "naumann-lfp-3ah", "--protocol", "1C/1C, 35degC, 100% DOD", "--json")
    assert out.returncode == 0, out.stderr
    fit = json.loads(out.stdout)
    assert fit["degradation_scalar"] == pytest.approx(0.6, rel=0.02)
    assert fit["rmse_points"] < 0.05 and fit["n_points"] == 15


def test_life_fit_malformed_data_names_the_line(cli, tmp_path):
    data = tmp_path / "cycling.csv"
    data.write_text("time_days,relative_capacity\n10,0.99\n20,ninety\n")
    out = cli("life", "fit", data, "--model", "naumann-lfp-3ah", "--protocol", "1C/1C, 35degC, 100% DOD")
    assert out.returncode == 2 and "line 3" in out.stderr


def test_life_writes_a_plot_only_where_asked(cli, tmp_path):
    args = ("life", ROOT / "examples" / "lg-m50-21700.toml", "--protocol", "0.3C/0.5C, 25degC, 100% DOD", "--json")
    out = cli(*args)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["plot"] is None and list(tmp_path.iterdir()) == []
    out = cli(*args, "--plot", "life.pdf")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["plot"] == "life.pdf"
    assert [p.name for p in tmp_path.iterdir()] == ["life.pdf"]
    assert (tmp_path / "life.pdf").read_bytes().startswith(b"%PDF")


def test_band_brackets_the_central_life_and_leaves_it_unchanged(cli_once):
    args = ("life", LFP, "--protocol", "0.5C/0.5C, 25degC, 100% DOD", "--json")
    alone, banded = (json.loads(cli_once(*args, *extra).stdout) for extra in ((), ("--band",)))
    low, high = banded["cycles_to_eol_band"]
    assert low < banded["cycles_to_eol"] < high
    assert banded["cycles_to_eol"] == pytest.approx(alone["cycles_to_eol"], rel=1e-9)


def test_resistance_end_of_life_comes_first_when_it_is_tighter(cli):
    # the Sony-Murata LFP model grows resistance: a 1.05x resistance limit ends life before 80 %
    base = ["life", LFP, "--protocol", "1C/1C, 30degC, 100% DOD", "--model", "naumann-lfp-3ah", "--no-anchor", "--json"]
    by_capacity = json.loads(cli(*base).stdout)
    by_resistance = json.loads(cli(*base, "--eol-resistance", "1.05").stdout)
    assert by_resistance["cycles_to_eol"] < by_capacity["cycles_to_eol"]
    assert by_resistance["eol_resistance"] == 1.05


def test_resistance_end_of_life_needs_a_model_that_grows_resistance(cli):
    out = cli("life", LFP, "--protocol", "0.5C/0.5C, 25degC, 100% DOD", "--eol-resistance", "2")
    assert out.returncode == 2 and "--eol-resistance" in out.stderr and "naumann-lfp-3ah" in out.stderr


def test_profile_outside_the_fitted_range_warns(cli, tmp_path):
    hot = tmp_path / "hot.csv"
    t = np.arange(0.0, 2 * 86400.0 + 1.0, 3600.0)
    soc = 0.5 + 0.45 * np.sin(2 * np.pi * t / 86400.0)
    hot.write_text("time_s,soc,temperature_degC\n" + "".join(f"{a:g},{b:.6f},50\n" for a, b in zip(t, soc)))
    out = cli("life", LFP, "--profile", hot, "--years", "1", "--json")
    assert out.returncode == 0, out.stderr
    assert "50 degC is outside nrel-lfp-250ah's fitted 10-45 degC" in out.stderr
