"""The command line: ``cellwright design SPEC.toml [--json]``.

Exit codes: 0 success; 2 the user's input is wrong (the message names the field, the value and
what is allowed); 1 an unexpected failure (``--debug`` shows the traceback).
"""

from __future__ import annotations

import functools
import logging
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer

if TYPE_CHECKING:
    from rich.text import Text

    from .aging.fit import Fit, RatesFit

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="cellwright: lithium-ion cells from materials to cost."
)

# options every command has
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback on failure.")]


def _fail(exc: BaseException, debug: bool) -> None:
    from .errors import SpecError

    if debug:
        raise exc
    code = 2 if isinstance(exc, SpecError) else 1
    prefix = "error" if code == 2 else "unexpected failure"
    typer.echo(f"{prefix}: {exc}", err=True)
    raise typer.Exit(code)


class _Progress(logging.Handler):
    """The library's progress notes (``logging`` at INFO under ``cellwright``, e.g. a first
    anchoring of an aging model), one line each on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(record.getMessage() + "...", err=True)


def _one_line_errors(command):
    """A command's failures as one line (exit 2 for the user's input, 1 otherwise); ``--debug``
    shows the traceback. Warnings raised while it runs (the library's range warnings,
    Matplotlib's) become one ``warning: ...`` line each on stderr, each message once;
    deprecation notices, meant for developers, are not shown; the library's progress notes
    (slow first runs) are said on stderr."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        progress, library = _Progress(logging.INFO), logging.getLogger("cellwright")
        library.addHandler(progress)
        library.setLevel(logging.INFO)
        seen: set[str] = set()

        def show(message, category, filename, lineno, file=None, line=None):
            text = " ".join(str(message).split())
            if text not in seen:
                seen.add(text)
                typer.echo(f"warning: {text}", err=True)

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                for developers_only in (DeprecationWarning, PendingDeprecationWarning, ImportWarning):
                    warnings.simplefilter("ignore", developers_only)
                warnings.showwarning = show
                return command(*args, **kwargs)
        except typer.Exit:
            raise
        except Exception as exc:
            _fail(exc, kwargs.get("debug", False))
        finally:
            library.removeHandler(progress)

    return run


def _echo_json(out: dict) -> None:
    """One JSON object on stdout, the one writer of every command: non-finite numbers (a
    threshold not reached, a value that could not be computed) are null, at any depth."""
    from .report.common import to_json

    typer.echo(to_json(out))


def _text(value) -> Text:
    from .report.common import text

    return text(value)


def _plot_target(plot: Path | None) -> Path | None:
    """The ``--plot`` path, checked before any work (:func:`report.common.output_target`)."""
    from .report.common import PLOT_SUFFIXES, output_target

    return output_target("--plot", plot, PLOT_SUFFIXES)


def _csv_target(csv: Path | None) -> Path | None:
    from .report.common import CSV_SUFFIXES, output_target

    return output_target("--csv", csv, CSV_SUFFIXES)


def _write_plot(draw, path: Path) -> str | None:
    """Draw the plot into ``path``; the reason it could not be written, or None."""
    try:
        draw(path)
    except (OSError, ValueError) as exc:
        return str(getattr(exc, "strerror", None) or exc)
    return None


def _plot_failed(path: Path | None, reason: str, option: str = "--plot") -> None:
    """The one-line error after the result has been printed: the file asked for is missing."""
    from .errors import SpecError

    raise SpecError(option, str(path), f"could not be written ({reason}); the result above is complete")


def _write_files(out: dict, plot: Path | None, csv: Path | None, draw, rows) -> list[tuple[str, Path, str]]:
    """Write the figure (``draw(out)``) and the CSV (``rows(out)``) asked for; record in ``out``
    what was written (``plot``, ``csv``: the path, or None) and return what failed."""
    from .report.common import csv_text, save_figure, write_text

    failed = []
    for option, path, write in (
        ("--plot", plot, lambda p: save_figure(draw(out), p)),
        ("--csv", csv, lambda p: write_text(p, csv_text(rows(out)))),
    ):
        key = option.lstrip("-")
        out[key] = None
        if path is None:
            continue
        reason = _write_plot(write, path)
        if reason is None:
            out[key] = str(path)
        else:
            failed.append((option, path, reason))
    return failed


def _show(out: dict, plot: Path | None, csv: Path | None, draw, rows, printer, as_json: bool) -> None:
    """Write the files asked for, print the result (JSON or ``printer``'s tables), name the
    files written and fail on one that could not be."""
    failed = _write_files(out, plot, csv, draw, rows)
    if as_json:
        _echo_json(out)
    else:
        printer(out)
    _finish(out, failed, as_json)


def _finish(out: dict, failed: list[tuple[str, Path, str]], as_json: bool) -> None:
    """After the result: name the files written (in text, after the result), then fail on one
    that could not be written."""
    for key in ("plot", "csv"):
        if out.get(key) and not as_json:
            typer.echo(f"{key}: {out[key]}")
    if failed:
        _plot_failed(failed[0][1], failed[0][2], failed[0][0])


def _warn(lines: list[str]) -> None:
    """A result's warnings (a model used outside its range, a value to look at), one line each
    on stderr; they stay in the result (and its JSON) too."""
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


Plot = Annotated[
    Path | None, typer.Option("--plot", help="Write the figure to this file (.png, .pdf or .svg); none otherwise.")
]
Csv = Annotated[Path | None, typer.Option("--csv", help="Write the result's table to this CSV file; none otherwise.")]


@app.command()
@_one_line_errors
def design(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML): chemistry, format, dimensions, overrides.")],
    plot: Plot = None,
    csv: Csv = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Design a cell: capacity, voltage, mass, volume, energy density and bill of materials."""
    from .report.design import bom_figure, bom_rows, design_result, print_design

    plot, csv = _plot_target(plot), _csv_target(csv)
    row = design_result(spec)
    failed = _write_files(row, plot, csv, bom_figure, bom_rows)
    if as_json:
        _echo_json({k: v for k, v in row.items() if k != "citations"})
    else:
        print_design(row)
    _finish(row, failed, as_json)


@app.command()
@_one_line_errors
def cost(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML), as for `design`.")],
    plant_file: Annotated[
        Path | None, typer.Option("--plant", help="Plant file (TOML); default: the documented default plant.")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Region, e.g. china, united-states, germany, hungary, india.")
    ] = None,
    prices: Annotated[str | None, typer.Option(help="Price set, e.g. china-2025, batpac-2022.")] = None,
    scenario: Annotated[str | None, typer.Option(help="Policy scenario, e.g. none, export-controls, us-ira.")] = None,
    year: Annotated[int | None, typer.Option(help="Year of operation (1 = first full year), 1-50.")] = None,
    start_year: Annotated[
        int | None,
        typer.Option(help="Calendar year of the start of production (prices, learning and policy are dated)."),
    ] = None,
    market: Annotated[
        str | None, typer.Option(help="Market scenario ahead of the price history: base, high, low.")
    ] = None,
    archetype: Annotated[str | None, typer.Option(help="incumbent, joint-venture, newcomer, batpac.")] = None,
    gwh: Annotated[float | None, typer.Option("--gwh", help="Nameplate capacity, GWh/yr (0.01-1000).")] = None,
    lce: Annotated[
        float | None, typer.Option("--lce", help="Lithium carbonate price, USD/kg (above 0, at most 500).")
    ] = None,
    trajectory_years: Annotated[
        int, typer.Option("--trajectory", help="Also show years 1..N of operation (N at most 50).")
    ] = 0,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Also cost the cell in every region, market scenario and policy scenario."),
    ] = False,
    plot: Plot = None,
    csv: Csv = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Cost of a good kWh: materials, conversion, plant capex, energy and lithium per kWh.

    --plot draws the cost waterfall (and, with --compare, the comparison beside it); --csv writes
    the waterfall, or with --trajectory one row per year."""
    from .report.cost import cost_figure, cost_result, csv_rows, print_cost

    plot, csv = _plot_target(plot), _csv_target(csv)
    row = cost_result(
        spec,
        plant_file,
        lce=lce,
        trajectory_years=trajectory_years,
        compare=compare,
        region=region,
        prices=prices,
        scenario=scenario,
        year=year,
        start_year=start_year,
        market_scenario=market,
        archetype=archetype,
        annual_GWh=gwh,
    )
    _show(row, plot, csv, cost_figure, csv_rows, print_cost, as_json)


@app.command()
@_one_line_errors
def simulate(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML), as for `design`.")],
    c_rates: Annotated[
        str, typer.Option("--c-rates", help="Comma-separated C-rates for constant-current discharges.")
    ] = "0.5,1,2",
    plot: Annotated[
        Path | None,
        typer.Option(
            help="Write the discharge curves and the rate capability to this file (.png, .pdf or .svg); none otherwise."
        ),
    ] = None,
    csv: Csv = None,
    thermal: Annotated[
        bool, typer.Option("--thermal", help="Lumped thermal model (still air); isothermal 25 degC otherwise.")
    ] = False,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="spme (fast, default) or dfn (resolves the reaction across thick electrodes at high rate; isothermal).",
        ),
    ] = "spme",
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Discharge curves and rate capability with the batched SPMe or DFN.

    A run whose capacity, energy, voltage or temperature is not a finite number, or which
    delivers no capacity, is marked invalid with its reason."""
    from .report.performance import csv_rows, discharge_figure, parse_c_rates, print_rates, rate_result

    parse_c_rates(c_rates)
    plot, csv = _plot_target(plot), _csv_target(csv)
    out = rate_result(spec, c_rates, thermal=thermal, model=model)
    _show(out, plot, csv, discharge_figure, csv_rows, print_rates, as_json)


@app.command()
@_one_line_errors
def life(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML); its chemistry picks the aging model.")],
    protocol: Annotated[str | None, typer.Option(help='Test protocol, e.g. "0.5C/0.5C, 25degC, 100% DOD".')] = None,
    profile_csv: Annotated[
        Path | None, typer.Option("--profile", help="Duty cycle CSV: time_s, soc, temperature_degC.")
    ] = None,
    years: Annotated[
        float, typer.Option(help="Years to simulate a profile for (it repeats), above 0 and at most 100.")
    ] = 20.0,
    eol: Annotated[float, typer.Option(help="End of life: relative capacity, 0.3 to below 1.")] = 0.8,
    eol_resistance: Annotated[
        float | None,
        typer.Option(
            help="End of life also when the relative resistance reaches this factor (2 = doubled), whichever comes first; models with resistance growth only."
        ),
    ] = None,
    rated_cycles: Annotated[
        float | None, typer.Option(help="Datasheet cycle life to anchor the model on (default: the preset's).")
    ] = None,
    rated_protocol: Annotated[
        str | None, typer.Option(help="Protocol of that rating, e.g. '0.5C/0.5C, 25degC, 100% DOD'.")
    ] = None,
    second_rated_cycles: Annotated[
        float | None,
        typer.Option(
            help="A second datasheet cycle life at another temperature: the cycle fade's temperature dependence is fitted so both ratings hold."
        ),
    ] = None,
    second_rated_protocol: Annotated[
        str | None, typer.Option(help="Protocol of the second rating, e.g. '0.5C/0.5C, 45degC, 100% DOD'.")
    ] = None,
    anchor: Annotated[
        bool, typer.Option("--anchor/--no-anchor", help="Scale the model to the datasheet rating.")
    ] = True,
    model_name: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Aging model instead of the preset's (nrel-lfp-250ah, naumann-lfp-3ah, wang-lfp-a123, bui-nmc811-sigr-5ah).",
        ),
    ] = None,
    band: Annotated[
        bool,
        typer.Option(
            "--band",
            help="Also run the degradation scalar at ±2σ (15 %, BLAST-Lite's default spread) and report the range.",
        ),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            help="Write the capacity (and resistance) curve to this file (.png, .pdf or .svg); none otherwise."
        ),
    ] = None,
    csv: Csv = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Cycle and calendar life: cycles to end of life under a protocol, or years under a profile.

    The model is anchored on the datasheet rating (the preset's, or --rated-cycles under
    --rated-protocol): its degradation scalar is set so the rated protocol gives the rated cycles.
    A second rating at another temperature (--second-rated-cycles under --second-rated-protocol)
    sets the activation energy of the cycle fade so that one holds too.
    """
    from .report.life import check_life_options, csv_rows, life_figure, life_result, print_life

    check_life_options(protocol, profile_csv, years, eol, eol_resistance)
    plot, csv = _plot_target(plot), _csv_target(csv)
    out = life_result(
        spec,
        protocol,
        profile_csv,
        years=years,
        eol=eol,
        eol_resistance=eol_resistance,
        rated_cycles=rated_cycles,
        rated_protocol=rated_protocol,
        second_rated_cycles=second_rated_cycles,
        second_rated_protocol=second_rated_protocol,
        anchor=anchor,
        model_name=model_name,
        band=band,
    )
    _warn(out["warnings"])
    _show(out, plot, csv, life_figure, csv_rows, print_life, as_json)


@app.command("life-fit")
@_one_line_errors
def life_fit(
    data: Annotated[
        list[Path],
        typer.Argument(metavar="DATA...", help="Measurements CSV(s): time_days, relative_capacity; one per test."),
    ],
    model_name: Annotated[
        str,
        typer.Option(
            "--model", help="Aging model to fit (nrel-lfp-250ah, naumann-lfp-3ah, wang-lfp-a123, bui-nmc811-sigr-5ah)."
        ),
    ],
    protocol: Annotated[
        list[str] | None,
        typer.Option(
            help='Test each data file came from, in order, e.g. "1C/1C, 35degC, 100% DOD" or "storage, 45degC, 100% SOC".'
        ),
    ] = None,
    profile_csv: Annotated[
        list[Path] | None, typer.Option("--profile", help="Or the duty each cell saw: time_s, soc, temperature_degC.")
    ] = None,
    rates: Annotated[
        bool,
        typer.Option(
            "--rates",
            help="Fit the calendar and the cycle rate separately (needs tests that tell them apart, e.g. storage + cycling).",
        ),
    ] = False,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Fit an aging model to measured capacity (also spelled: cellwright life fit).

    By default the degradation scalar (all fade rates together; 1 is the published cell) is
    fitted to one test. With --rates the calendar and the cycle terms get a scalar each, fitted
    to all tests together by least squares, with their relative errors. Fit quality is the RMSE
    and the largest error in percentage points of relative capacity.
    """
    from .aging.anchor import cycles_to_eol
    from .aging.fit import Test, fit_rates, fit_scalar, read_measurements
    from .aging.io import read_profile
    from .aging.models import MODELS
    from .aging.protocol import parse_protocol, profile
    from .errors import SpecError
    from .report.common import explain

    if model_name not in MODELS:
        raise SpecError("--model", model_name, "allowed: " + ", ".join(MODELS))
    protocols, profiles = protocol or [], profile_csv or []
    if bool(protocols) == bool(profiles) or len(protocols) + len(profiles) != len(data):
        raise SpecError(
            "--protocol/--profile",
            len(protocols) + len(profiles),
            f"one --protocol (or one --profile) per data file, in the same order: {len(data)} here",
        )
    if len(data) > 1 and not rates:
        raise SpecError("data", len(data), "several tests are fitted with --rates; without it give one data file")
    protos = [parse_protocol(x) for x in protocols]
    duties = [profile(pr) for pr in protos] if protos else [read_profile(f) for f in profiles]
    tests = [Test(str(f), *duty, *read_measurements(f)) for f, duty in zip(data, duties)]
    fit: RatesFit | Fit  # one fit over several tests (--rates) or one test's
    if rates:
        fit = fit_rates(tests, model_name)
        _warn(fit.warnings)
        out = {
            "data": [str(f) for f in data],
            "model": model_name,
            "calendar_scalar": fit.calendar_scalar,
            "cycle_scalar": fit.cycle_scalar,
            "calendar_rel_error": fit.calendar_rel_error,
            "cycle_rel_error": fit.cycle_rel_error,
            "correlation": fit.correlation,
            "rmse_points": fit.rmse_points,
            "tests": fit.per_test,
            "warnings": fit.warnings,
        }
        apart = "the tests do not tell the calendar and the cycle rate apart"
        for key in ("calendar_rel_error", "cycle_rel_error", "correlation"):
            explain(out, key, apart)
        if as_json:
            _echo_json(out)
            return
        typer.echo(f"{len(tests)} test(s), aging model {model_name} ({MODELS[model_name].source})")
        cal_err, cyc_err = (
            "n/a" if e is None else f"{100 * e:.1f} %" for e in (fit.calendar_rel_error, fit.cycle_rel_error)
        )
        corr = "n/a" if fit.correlation is None else f"{fit.correlation:+.2f}"
        typer.echo(f"  calendar scalar: {fit.calendar_scalar:.3f} ± {cal_err}  (1 = the published cell)")
        typer.echo(f"  cycle scalar:    {fit.cycle_scalar:.3f} ± {cyc_err}  (correlation {corr})")
        for t in fit.per_test:
            typer.echo(
                f"  {Path(t['test']).name}: {t['n_points']} points, RMSE {t['rmse_points']:.2f}, max {t['max_error_points']:.2f} percentage points"
            )
        return
    test = tests[0]
    fit = fit_scalar(test.t_s, test.soc, test.temperature_degC, test.days, test.capacity, model_name)
    _warn(fit.warnings)
    out = {
        "data": str(data[0]),
        "model": model_name,
        "degradation_scalar": fit.scalar,
        "rmse_points": fit.rmse_points,
        "max_error_points": fit.max_error_points,
        "n_points": fit.n_points,
        "warnings": fit.warnings,
    }
    if protos and not protos[0].storage:
        out["cycles_to_80"] = float(cycles_to_eol(protos[0], 0.8, np.array([fit.scalar]), model=model_name)[0])
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"{data[0].name}: {fit.n_points} points, aging model {model_name} ({MODELS[model_name].source})")
    typer.echo(f"  degradation scalar: {fit.scalar:.3f} (1 = the published cell)")
    typer.echo(f"  fit error: RMSE {fit.rmse_points:.2f}, max {fit.max_error_points:.2f} percentage points")
    if "cycles_to_80" in out:
        typer.echo(f"  cycles to 80% under that test: {out['cycles_to_80']:,.0f}")


@app.callback()
def _root() -> None:
    """cellwright: the lithium-ion value chain, LFP first."""


@app.command()
@_one_line_errors
def lcos(
    project: Annotated[
        Path, typer.Argument(help="Storage project file (TOML): cell, size, duty, cost set, augmentation, finance.")
    ],
    plot: Annotated[
        Path | None,
        typer.Option(help="Write the LCOS breakdown and the yearly state of health to this file; none otherwise."),
    ] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the year-by-year table to this CSV file.")] = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Levelized cost of storage of a project: plant, efficiency, aging, augmentation and LCOS."""
    from .report.storage import lcos_figure, print_project, project_csv_rows
    from .storage.project import evaluate, load_project

    plot, csv = _plot_target(plot), _csv_target(csv)
    result = evaluate(load_project(project)).as_dict()
    _warn(result.get("warnings", []))
    _show(result, plot, csv, lcos_figure, project_csv_rows, print_project, as_json)


@app.command()
@_one_line_errors
def tender(
    bids: Annotated[Path, typer.Argument(help=r"Bids file (TOML): a common \[project] table and \[\[bids]] tables.")],
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity/--no-sensitivity", help="Re-rank with each rule varied.")
    ] = True,
    plot: Annotated[
        Path | None,
        typer.Option(help="Write the bids' LCOS side by side, with why each ranks where it does; none otherwise."),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write the ranking (one row per bid) to this CSV file.")
    ] = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Rank suppliers' bids by LCOS under one duty and one published set of rules."""
    from .report.storage import print_tender, tender_csv_rows, tender_figure
    from .storage.tender import load_tender

    plot, csv = _plot_target(plot), _csv_target(csv)
    result = load_tender(bids, sensitivity=sensitivity).as_dict()
    _warn(result.get("warnings", []))
    _show(result, plot if result["ranking"] else None, csv, tender_figure, tender_csv_rows, print_tender, as_json)
    if not result["ranking"]:
        raise typer.Exit(2)


@app.command()
@_one_line_errors
def venture(
    venture_file: Annotated[
        Path,
        typer.Argument(
            metavar="VENTURE", help="Venture file (TOML): cell, the entrant's plant, incumbent, market, finance."
        ),
    ],
    plot: Annotated[
        Path | None,
        typer.Option(
            help="Write the cost against the incumbent's and the cumulative cash to this file; none otherwise."
        ),
    ] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the year-by-year table to this CSV file.")] = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """The entrant's business case: a new plant's cash flows sold against an incumbent's price;
    NPV, IRR, peak funding and years to cost parity. Over uncertain ramps: a study with the
    "venture" stage (examples/studies/venture-ramp.toml)."""
    from .report.venture import csv_rows, print_venture, venture_figure, venture_result

    plot, csv = _plot_target(plot), _csv_target(csv)
    out = venture_result(venture_file)
    _show(out, plot, csv, venture_figure, csv_rows, print_venture, as_json)


@app.command()
@_one_line_errors
def upstream(
    route: Annotated[str, typer.Argument(help="Route, e.g. lfp-cathode.iron-phosphate.")],
    region: Annotated[str, typer.Option(help="Region the plant is in.")] = "china",
    year: Annotated[int, typer.Option(help="Calendar year of the input prices (2020-2035).")] = 2025,
    market: Annotated[str, typer.Option(help="Market scenario ahead of the price history: base, high, low.")] = "base",
    capacity_t: Annotated[
        float | None, typer.Option("--capacity-t", help="Plant size, t/yr (default: the reference plant's).")
    ] = None,
    utilization: Annotated[float | None, typer.Option(help="Share of capacity used, (0, 1].")] = None,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """The cost of a processed material made by a route (inputs, energy, labour, capital,
    overhead), in a region and a year, and in every region beside it."""
    from .errors import SpecError
    from .report.upstream import print_upstream, upstream_result

    if not 2020 <= year <= 2035:
        raise SpecError("--year", year, "a calendar year within 2020-2035")
    out = upstream_result(
        route, region, year, market_scenario=market, capacity_t_per_yr=capacity_t, utilization=utilization
    )
    if as_json:
        _echo_json(out)
    else:
        print_upstream(out)


@app.command()
@_one_line_errors
def report(
    target: Annotated[
        Path,
        typer.Argument(
            metavar="SPEC|PROJECT|BIDS|VENTURE|STUDY",
            help="A cell spec, storage project, bids or venture file (TOML), or a study's results folder.",
        ),
    ],
    html: Annotated[Path, typer.Option("--html", help="The report file to write (.html): one self-contained page.")],
    protocol: Annotated[str, typer.Option(help="Life test of a cell spec's report.")] = "0.5C/0.5C, 25degC, 100% DOD",
    c_rates: Annotated[str, typer.Option("--c-rates", help="Discharges of a cell spec's report.")] = "0.2,0.5,1,2",
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """One self-contained HTML file (no network needed to open it): the inputs, the results, the
    figures and the sources used. A cell spec's report holds its design, cost (with every region
    and scenario beside it and ten years of a new plant), discharges and life."""
    from .report.common import HTML_SUFFIXES, output_target, write_text
    from .report.html import kind_of, report_html

    path = output_target("--html", html, HTML_SUFFIXES)
    assert path is not None
    document = report_html(target, protocol=protocol, c_rates=c_rates)
    write_text(path, document)
    if as_json:
        _echo_json({"input": str(target), "kind": kind_of(target), "html": str(path), "bytes": len(document.encode())})
    else:
        typer.echo(f"html: {path}")


@app.command()
@_one_line_errors
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (localhost by default; 0.0.0.0 for every interface).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port, 1-65535.")] = 8000,
    library: Annotated[
        Path | None,
        typer.Option(help="Folder of built-in inputs (cells, projects, bids, studies); default: examples/."),
    ] = None,
    studies: Annotated[Path, typer.Option(help="Folder of stored studies the app lists and runs into.")] = Path(
        "out/studies"
    ),
    debug: Debug = False,
) -> None:
    """The web app: pages for the cell designer, cost explorer, life, storage project, tender and
    studies, and the JSON API (its schema at /docs and /openapi.json)."""
    import uvicorn

    from .errors import SpecError
    from .web.app import create_app
    from .web.library import default_library

    if not 1 <= port <= 65535:
        raise SpecError("--port", port, "a port within 1-65535")
    folder = library if library is not None else default_library()
    if not folder.is_dir():
        raise SpecError("--library", str(folder), "a folder of cellwright's examples (cells, storage, studies)")
    typer.echo(f"cellwright web app on http://{host}:{port} (Ctrl+C stops it)", err=True)
    uvicorn.run(create_app(folder, studies), host=host, port=port, log_level="warning")


def _register_study() -> None:
    from .cli_study import study_app  # it uses this module's helpers: imported once they exist

    app.add_typer(study_app, name="study")


if __name__ != "__main__":  # run as a script, the package's own module registers it
    _register_study()


def route(args: list[str]) -> list[str]:
    """The command line's arguments as the app takes them: ``life fit`` is ``life-fit`` (``life``
    takes a spec path, so ``fit`` cannot be its subcommand)."""
    return ["life-fit", *args[2:]] if args[:2] == ["life", "fit"] else list(args)


def main() -> None:
    try:
        app(args=route(sys.argv[1:]), prog_name="cellwright")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    from cellwright.cli import main as package_main

    package_main()
