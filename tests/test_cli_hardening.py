"""The command line under bad input: files only where asked, valid JSON, names shown as
written, numbers checked before any work, no stray warnings, valid results that are valid.

IDs (C10, G1, ...) are those of the generated-input findings."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import cellwright.report.common as report_common
from cellwright.electrochem.from_design import from_cell
from cellwright.electrochem.solve import simulate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LFP = EXAMPLES / "lfp-280ah-prismatic.toml"
M50 = EXAMPLES / "lg-m50-21700.toml"
POUCH = EXAMPLES / "batpac-nmc811-pouch.toml"


def strict_json(text: str):
    """``text`` as JSON, refusing the NaN and Infinity tokens JSON does not have."""

    def refuse(token):
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def one_error_line(out, option: str) -> str:
    """The run failed with exit 2 and one line on stderr naming ``option``; that line."""
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {option} = "), out.stderr
    return lines[0]


def renamed(tmp_path, spec, name: str):
    """A copy of ``spec`` whose ``name`` is ``name``."""
    text = spec.read_text(encoding="utf-8").splitlines()
    text = [f"name = {json.dumps(name)}" if line.startswith("name = ") else line for line in text]
    path = tmp_path / "named.toml"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


# --- files only when asked (C11, G11, section 4) ---------------------------------------------


def test_simulate_writes_no_file_unless_asked(cli, tmp_path):
    out = cli("simulate", M50, "--c-rates", "1", "--json")
    assert out.returncode == 0, out.stderr
    assert strict_json(out.stdout)["plot"] is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["simulate", "life"])
@pytest.mark.parametrize(
    "plot, allowed",
    [
        ("plots.png", "not a directory"),  # an existing directory named like a file
        ("nodir/x.png", "a folder that exists"),
        ("../spec.toml", ".png, .pdf, .svg"),
        ("noext", ".png, .pdf, .svg"),  # G11: wrote noext.png and reported "noext"
    ],
)
def test_a_bad_plot_path_is_refused_before_any_work(cli, tmp_path, command, plot, allowed):
    (tmp_path / "plots.png").mkdir()
    # the spec does not exist either: the plot path is checked first, before any work
    args = ["--protocol", "1C/1C, 25degC, 100% DOD"] if command == "life" else []
    out = cli(command, tmp_path / "missing.toml", *args, "--plot", plot, "--json")
    line = one_error_line(out, "--plot")
    assert allowed in line and out.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots.png"]


def test_a_plot_that_cannot_be_written_comes_after_the_result(cli, tmp_path, monkeypatch):
    def refuse(fig, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(report_common, "save_figure", refuse)
    out = cli("simulate", M50, "--c-rates", "1", "--json", "--plot", "curves.png")
    line = one_error_line(out, "--plot")
    assert "Permission denied" in line and "curves.png" in line
    result = strict_json(out.stdout)  # the result is printed in full before the error
    assert result["plot"] is None and result["rates"][0]["capacity_Ah"] > 0


def test_the_plot_path_reported_is_the_file_written(cli, tmp_path):
    out = cli("simulate", M50, "--c-rates", "1", "--plot", "Curves.SVG")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("plot: Curves.SVG")
    assert [p.name for p in tmp_path.iterdir()] == ["Curves.SVG"]
    assert (tmp_path / "Curves.SVG").read_text().lstrip().startswith("<?xml")


# --- JSON: no NaN or Infinity tokens, a reason beside a null (G9) ------------------------------


def test_the_json_writer_turns_every_non_finite_number_into_null():
    nested = {"a": [1.0, float("nan"), {"b": np.float64("inf")}], "c": np.array([[1.0, -np.inf]]), "d": np.int64(3)}
    text = json.dumps(report_common.plain(nested), allow_nan=False)
    assert strict_json(text) == {"a": [1.0, None, {"b": None}], "c": [[1.0, None]], "d": 3}


def test_life_fit_rates_with_one_test_gives_null_errors_with_a_reason(cli, tmp_path):
    # one storage test cannot tell the cycle rate: the relative errors were Infinity tokens
    data = tmp_path / "meas.csv"
    data.write_text("time_days,relative_capacity\n0,1\n30,0.99\n60,0.985\n120,0.978\n240,0.968\n365,0.96\n")
    out = cli(
        "life", "fit", data, "--model", "nrel-lfp-250ah", "--protocol", "storage, 45degC, 100% SOC", "--rates", "--json"
    )
    assert out.returncode == 0, out.stderr
    fit = strict_json(out.stdout)
    assert fit["cycle_rel_error"] is None and "apart" in fit["cycle_rel_error_reason"]
    out = cli("life", "fit", data, "--model", "nrel-lfp-250ah", "--protocol", "storage, 45degC, 100% SOC", "--rates")
    cycle = next(line for line in out.stdout.splitlines() if "cycle scalar:" in line)
    assert out.returncode == 0 and "± n/a" in cycle and "inf" not in out.stdout


def test_a_year_without_output_is_null_with_a_reason(cli):
    args = (
        "--region",
        "united-states",
        "--archetype",
        "newcomer",
        "--scenario",
        "export-controls",
        "--start-year",
        "2026",
    )
    out = cli("cost", LFP, *args, "--trajectory", "2", "--json")
    assert out.returncode == 0, out.stderr
    first, second = strict_json(out.stdout)["trajectory"]
    assert first["utilization"] == 0.0 and first["cell_cost_usd_per_kWh"] is None
    assert first["cell_cost_usd_per_kWh_reason"] == "the plant makes no cells that year"
    assert second["cell_cost_usd_per_kWh"] > 0 and "cell_cost_usd_per_kWh_reason" not in second


def test_a_storage_band_that_never_ends_is_null_with_a_reason(cli):
    out = cli("life", LFP, "--protocol", "storage, 25degC, 50% SOC", "--band", "--json")
    assert out.returncode == 0, out.stderr
    life = strict_json(out.stdout)  # was "years_to_eol_band": [NaN, NaN]
    assert life["years_to_eol_band"] == [None, None]
    assert "not reached" in life["years_to_eol_band_reason"]
    assert life["cycles_to_eol"] is None and life["cycles_to_eol_reason"] == "a storage test has no cycles"


# --- the thermal SPMe on a sized design (G1), and valid means valid --------------------------


def test_thermal_discharge_of_the_sized_pouch_is_finite(cli):
    # the pouch's width and height are sized by the design; its cooling surface was NaN
    out = cli("simulate", POUCH, "--c-rates", "0.5,1", "--thermal", "--json")
    assert out.returncode == 0, out.stderr
    rates = strict_json(out.stdout)["rates"]
    low = rates[0]
    assert low["valid"] and low["reason"] is None
    assert low["capacity_Ah"] > 60 and 25.0 < low["max_temperature_degC"] < 60.0
    for r in rates:  # valid, with finite numbers; or invalid, with the reason
        numbers = (r["capacity_Ah"], r["energy_Wh"], r["max_temperature_degC"])
        assert (r["valid"] and None not in numbers) or (not r["valid"] and r["reason"])


def test_the_designed_outer_surface_cools_the_cell():
    from cellwright.cell import Cell

    p = from_cell(Cell.from_spec(POUCH))
    summary = Cell.from_spec(POUCH).summary()
    w, t, h = (summary[k] * 1e-3 for k in ("width_mm", "thickness_mm", "height_mm"))
    assert p.cooling[0] == pytest.approx(10.0 * 2.0 * (w * t + w * h + t * h))


def test_a_run_that_is_not_finite_is_invalid_with_its_reason(m50):
    sol = simulate(m50.replace(cooling=np.nan), ["Discharge at 1C until 2.5 V"], thermal=True)
    assert not sol.valid[0] and "temperature" in sol.reason[0]
    good = simulate(m50, ["Discharge at 1C until 2.5 V"], thermal=True)
    assert good.valid[0] and good.reason[0] == ""


def test_the_table_gives_the_real_reason_a_run_is_invalid(cli, monkeypatch):
    import cellwright.electrochem.from_design as fd

    real = fd.from_cell
    monkeypatch.setattr(fd, "from_cell", lambda cell: real(cell).replace(cooling=np.nan))
    monkeypatch.setenv("COLUMNS", "250")  # the reason on one line
    out = cli("simulate", M50, "--c-rates", "1", "--thermal")
    assert out.returncode == 0, out.stderr
    assert "1C not valid: not a finite number" in out.stdout and "electrolyte" not in out.stdout
    assert "warning" not in out.stderr  # the NaN is reported in the result, not as NumPy noise
    out = cli("simulate", M50, "--c-rates", "1", "--thermal", "--json")
    row = strict_json(out.stdout)["rates"][0]
    assert row["valid"] is False and "temperature" in row["reason"] and row["max_temperature_degC"] is None


@pytest.fixture(scope="module")
def m50():
    from cellwright.cell import Cell

    return from_cell(Cell.from_spec(M50))


# --- names are shown as written, never read as markup (C10) ----------------------------------

MARKUP_NAMES = ["Cell [/b]", "[link=file:///etc/passwd]click[/link] [blink]x[/blink] :smile:"]


@pytest.mark.parametrize("name", MARKUP_NAMES)
@pytest.mark.parametrize("command", ["design", "cost"])
def test_a_name_with_markup_is_printed_as_written(cli, tmp_path, command, name):
    out = cli(command, renamed(tmp_path, LFP, name))
    assert out.returncode == 0, out.stderr
    assert name in " ".join(out.stdout.split())  # the title may wrap


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_storage_reports_print_names_as_written(name):
    import io

    from rich.console import Console

    from cellwright.report.storage import print_tender

    result = {
        "name": f"Tender {name}",
        "ranking": [
            {
                "rank": 1,
                "name": name,
                "lcos_usd_per_MWh": 80.0,
                "dc_block_price_usd_per_kWh": 70.0,
                "warranty": f"6000 cycles {name}",
                "cell_soh_end": 0.8,
                "augmented_MWh": 10.0,
                "rte_poi": 0.85,
            }
        ],
        "why": [f"{name} wins"],
        "invalid": [{"name": name, "error": f"cell = '{name}': not found"}],
        "sensitivity": [{"rule": f"rule {name}", "order": [name, "B"], "same_as_base": True}],
        "rules": [f"rule {name}"],
    }
    buf = io.StringIO()
    print_tender(result, Console(file=buf, width=400))
    text = buf.getvalue()
    # title, bid, warranty, why, invalid bid (name and error), rule, order, rules
    assert text.count(name) == 9


def test_a_project_name_with_markup_is_printed_as_written(cli, tmp_path):
    project = (EXAMPLES / "storage" / "lfp-100mw-4h-us.toml").read_text(encoding="utf-8")
    name = MARKUP_NAMES[1]
    lines = [f"name = {json.dumps(name)}" if x.startswith("name = ") else x for x in project.splitlines()]
    lines = [f"cell = {json.dumps(str(LFP))}" if x.startswith("cell = ") else x for x in lines]
    path = tmp_path / "p.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = cli("lcos", path)
    assert out.returncode == 0, out.stderr
    assert name in " ".join(out.stdout.split())


def test_the_tender_help_shows_the_table_names(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one line per help text
    out = cli("tender", "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "a common [project] table and [[bids]] tables" in text


# --- numbers from the command line are checked before any work (G2, G3, C8, H1, H2, G7) ------


@pytest.mark.parametrize(
    "args, option",
    [
        (["simulate", M50, "--c-rates", "nan"], "--c-rates"),
        (["simulate", M50, "--c-rates", "1,inf"], "--c-rates"),
        (["simulate", M50, "--c-rates", "-1"], "--c-rates"),
        (["cost", LFP, "--lce=-3"], "--lce"),
        (["cost", LFP, "--lce=-1000"], "--lce"),
        (["cost", LFP, "--lce", "nan"], "--lce"),
        (["cost", LFP, "--lce", "inf"], "--lce"),
        (["cost", LFP, "--lce", "0"], "--lce"),
        (["cost", LFP, "--lce", "1e6"], "--lce"),
        (["cost", LFP, "--trajectory", "8000"], "--trajectory"),
        (["cost", LFP, "--trajectory=-1"], "--trajectory"),
        (["cost", LFP, "--gwh", "5e-324"], "--gwh"),
        (["cost", LFP, "--gwh", "nan"], "--gwh"),
        (["cost", LFP, "--gwh", "1e5"], "--gwh"),
        (["cost", LFP, "--year", "0"], "--year"),
        (["cost", LFP, "--year", "51"], "--year"),
        (["life", LFP, "--profile", "p.csv", "--years", "nan"], "--years"),
        (["life", LFP, "--profile", "p.csv", "--years", "1e9"], "--years"),
        (["life", LFP, "--profile", "p.csv", "--years=-5"], "--years"),
        (["life", LFP, "--profile", "p.csv", "--years", "0"], "--years"),
        (["life", LFP, "--protocol", "1C/1C, 25degC, 100% DOD", "--eol", "nan"], "--eol"),
        (["life", LFP, "--protocol", "1C/1C, 25degC, 100% DOD", "--eol", "1.5"], "--eol"),
    ],
)
def test_a_number_out_of_range_names_its_option(cli, tmp_path, args, option):
    (tmp_path / "p.csv").write_text("time_s,soc,temperature_C\n0,0.2,25\n3600,0.9,25\n7200,0.2,25\n")
    one_error_line(cli(*args), option)


def test_the_lithium_price_still_changes_the_cost(cli):
    cheap, dear = (strict_json(cli("cost", LFP, "--lce", x, "--json").stdout) for x in ("8", "80"))
    assert 0 < cheap["cell_cost_usd_per_kWh"] < dear["cell_cost_usd_per_kWh"]


# --- warnings: one line each, no source paths (section 7) ------------------------------------


def test_library_warnings_become_one_line_each(cli, monkeypatch):
    import cellwright.cell as cell_module

    real = cell_module.Cell.from_spec

    def noisy(path):
        np.exp(np.array([1000.0]))  # NumPy: overflow encountered in exp
        warnings.warn("Tight layout not applied.", UserWarning, stacklevel=1)
        warnings.warn("Tight layout not applied.", UserWarning, stacklevel=1)
        warnings.warn("delimitedList is deprecated", DeprecationWarning, stacklevel=1)  # for developers
        return real(path)

    monkeypatch.setattr(cell_module.Cell, "from_spec", staticmethod(noisy))
    out = cli("design", LFP, "--json")
    assert out.returncode == 0, out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines == ["warning: overflow encountered in exp", "warning: Tight layout not applied."]
    strict_json(out.stdout)


# --- compiled kernels: said once when they compile, cached on disk ---------------------------


# the first-compile message itself: tests/test_jit_cache.py (a fresh Numba cache in a subprocess)


def test_compiled_kernels_are_cached_on_disk_for_the_next_process(m50):
    from cellwright.electrochem.solve import kernels_compiled
    from cellwright.electrochem.spme import kernels

    if kernels() is None:
        pytest.fail("Numba is a dependency: the compiled kernels must be available")
    simulate(m50, ["Discharge at 1C until 2.5 V"])
    simulate(m50, ["Discharge at 1C until 2.5 V"], thermal=True)
    assert kernels_compiled("spme") is True and kernels_compiled("spme", thermal=True) is True


def test_a_first_anchoring_is_said_on_stderr_and_a_second_run_reads_the_cache(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CELLWRIGHT_CACHE_DIR", str(tmp_path / "cache"))
    args = ("life", LFP, "--protocol", "1C/1C, 25degC, 100% DOD", "--rated-cycles", "5500", "--json")
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    assert "anchoring nrel-lfp-250ah on 1 rating(s)" in first.stderr
    second = cli(*args)
    assert second.returncode == 0 and "anchoring" not in second.stderr
    assert json.loads(second.stdout)["degradation_scalar"] == json.loads(first.stdout)["degradation_scalar"]


def test_cost_json_of_a_plant_with_its_own_policy_dates_is_json(cli, tmp_path):
    # a plant file's own policy switch carries dates; --json printed a traceback for them
    plant = tmp_path / "plant.toml"
    plant.write_text(
        'region = "united-states"\n[policy]\nswitches = ["mine"]\n[policy.define.mine]\n'
        'start = 2020-01-01\nregions = ["united-states"]\ncredit_usd_per_kWh = 5.0\n'
    )
    out = cli("cost", LFP, "--plant", plant, "--json")
    assert out.returncode == 0, out.stderr
    switch = strict_json(out.stdout)["plant"]["policy"]["define"]["mine"]
    assert switch["start"] == "2020-01-01"


def test_a_protocol_typo_is_refused_before_the_model_is_anchored(cli, monkeypatch):
    import cellwright.aging.anchor as anchor

    def no_anchoring(*args, **kwargs):
        raise AssertionError("anchored before the protocol was read")

    monkeypatch.setattr(anchor, "choose_model", no_anchoring)
    out = cli("life", LFP, "--protocol", "0.5C/0.5C, 25degC, 100% DODD")
    assert out.returncode == 2 and out.stderr.startswith("error: protocol")


def test_a_storage_protocol_reports_a_calendar_life_beyond_the_horizon_not_nan(cli):
    out = cli("life", LFP, "--protocol", "storage, 25degC, 50% SOC")
    assert out.returncode == 0, out.stderr
    assert "years to 80% in storage: > 80 (not reached in the years simulated)" in out.stdout
    assert "nan" not in out.stdout.lower()
