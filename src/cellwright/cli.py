"""The command line: ``cellwright design SPEC.toml [--json]``.

Exit codes: 0 success; 2 the user's input is wrong (the message names the field, the value and
what is allowed); 1 an unexpected failure (``--debug`` shows the traceback).
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import math
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

if TYPE_CHECKING:
    from rich.text import Text

    from .aging.fit import Fit, RatesFit

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="cellwright: lithium-ion cells from materials to cost."
)

_MAIN_ROWS = (
    ("capacity_Ah", "Capacity", "Ah", "{:.2f}"),
    ("nominal_voltage_V", "Nominal voltage", "V", "{:.3f}"),
    ("energy_Wh", "Energy", "Wh", "{:.1f}"),
    ("mass_kg", "Mass", "kg", "{:.4g}"),
    ("volume_L", "Volume", "L", "{:.4g}"),
    ("specific_energy_Wh_kg", "Specific energy", "Wh/kg", "{:.1f}"),
    ("energy_density_Wh_L", "Energy density", "Wh/L", "{:.1f}"),
    ("cathode_thickness_um", "Cathode coating (per side)", "um", "{:.1f}"),
    ("anode_thickness_um", "Anode coating (per side)", "um", "{:.1f}"),
    ("cathode_loading_mg_cm2", "Cathode loading (per side)", "mg/cm2", "{:.2f}"),
    ("areal_capacity_mAh_cm2", "Areal capacity (per side)", "mAh/cm2", "{:.2f}"),
    ("cathode_area_m2", "Cathode coated area (both sides)", "m2", "{:.4g}"),
    ("electrode_width_mm", "Cathode width", "mm", "{:.1f}"),
    ("electrode_length_mm", "Cathode length (sheet, or strip of all rolls)", "mm", "{:.1f}"),
    ("layers", "Bicell layers / turns", "", "{:.1f}"),
    ("electrolyte_mL", "Electrolyte", "mL", "{:.1f}"),
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


def _plain(value):
    """``value`` in JSON's types: NumPy scalars and arrays become numbers and lists, paths and
    dates strings (ISO 8601), and a float that is not finite (NaN, infinity) becomes None (JSON
    has no such numbers)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray | np.generic):
        return _plain(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _echo_json(out: dict) -> None:
    """One JSON object on stdout, the one writer of every command: non-finite numbers (a
    threshold not reached, a value that could not be computed) are null, at any depth."""
    typer.echo(json.dumps(_plain(out), indent=2, allow_nan=False))


def _text(value) -> Text:
    """A user's string (a name from a spec, project or bids file) for a rich table or title:
    shown as written, never read as markup or emoji codes."""
    from rich.text import Text

    return Text(str(value))


#: File types a plot can be written as (Matplotlib's writers for these suffixes).
PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def _plot_target(plot: Path | None) -> Path | None:
    """The ``--plot`` path, checked before any work: a file (not a directory) with a suffix of
    :data:`PLOT_SUFFIXES`, in a folder that exists and can be written to."""
    from .errors import SpecError

    if plot is None:
        return None
    if plot.is_dir():
        raise SpecError("--plot", str(plot), "a file to write, not a directory")
    if plot.suffix.lower() not in PLOT_SUFFIXES:
        raise SpecError("--plot", str(plot), "a file name ending in " + ", ".join(PLOT_SUFFIXES))
    folder = plot.parent
    if not folder.is_dir():
        raise SpecError("--plot", str(plot), f"a file in a folder that exists ({str(folder)!r} does not)")
    if not os.access(folder, os.W_OK):
        raise SpecError("--plot", str(plot), f"a file in a folder that can be written to ({str(folder)!r} cannot)")
    return plot


def _write_plot(draw, path: Path) -> str | None:
    """Draw the plot into ``path``; the reason it could not be written, or None."""
    try:
        draw(path)
    except (OSError, ValueError) as exc:
        return str(getattr(exc, "strerror", None) or exc)
    return None


def _plot_failed(path: Path | None, reason: str) -> None:
    """The one-line error after the result has been printed: the plot asked for is missing."""
    from .errors import SpecError

    raise SpecError("--plot", str(path), f"could not be written ({reason}); the result above is complete")


def _warn(lines: list[str]) -> None:
    """A result's warnings (a model used outside its range, a value to look at), one line each
    on stderr; they stay in the result (and its JSON) too."""
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


def _check_number(option: str, value, low: float, high: float, allowed: str) -> None:
    """A number from the command line: finite and within [``low``, ``high``]."""
    from .errors import SpecError

    if value is not None and not (math.isfinite(value) and low <= value <= high):
        raise SpecError(option, value, allowed)


def _outer_dims(row: dict, fmt: str) -> str:
    if fmt == "cylindrical":
        return f"{row['diameter_mm']:.1f} x {row['height_mm']:.1f} mm (diameter x height)"
    return f"{row['width_mm']:.1f} x {row['thickness_mm']:.1f} x {row['height_mm']:.1f} mm (W x T x H)"


def _print_design(row: dict, citations: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title=_text(f"{row['name']}  ({row['chemistry']}, {row['format']}, {_outer_dims(row, row['format'])})")
    )
    table.add_column("Quantity")
    table.add_column("Value", justify="right")
    table.add_column("Unit")
    for key, label, unit, fmt in _MAIN_ROWS:
        table.add_row(label, fmt.format(row[key]), unit)
    console.print(table)

    bom = Table(title="Bill of materials")
    bom.add_column("Component")
    bom.add_column("Mass, g", justify="right")
    bom.add_column("Share", justify="right")
    bom.add_column("Area, m2", justify="right")
    for name, item in row["bom"].items():
        if not item["mass_kg"]:
            continue
        area = f"{item['area_m2']:.4f}" if item["area_m2"] else ""
        share = f"{100 * item['mass_kg'] / row['mass_kg']:.1f} %"
        bom.add_row(_text(name.replace("_", " ")), f"{1e3 * item['mass_kg']:.1f}", share, area)
    bom.add_row("total", f"{1e3 * row['mass_kg']:.1f}", "100.0 %", "")
    console.print(bom)
    console.print("Sources:", style="bold")
    for line in citations:
        console.print(f"  {line}", highlight=False, markup=False)


@app.command()
@_one_line_errors
def design(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML): chemistry, format, dimensions, overrides.")],
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Design a cell: capacity, voltage, mass, volume, energy density and bill of materials."""
    from .cell import Cell

    cell = Cell.from_spec(spec)
    row = cell.summary()
    if as_json:
        _echo_json(row)
    else:
        _print_design(row, cell.citations())


_COST_ROWS = (
    ("cell_cost_usd_per_kWh", "Cell cost", "USD/kWh", "{:.2f}"),
    ("materials_usd_per_kWh", "Materials", "USD/kWh", "{:.2f}"),
    ("conversion_usd_per_kWh", "Conversion", "USD/kWh", "{:.2f}"),
    ("cell_cost_usd", "Cost per cell", "USD", "{:.2f}"),
    ("plant_capex_usd", "Plant capex", "USD M", "{:,.0f}"),
    ("capex_usd_per_GWh", "Capex per GWh (nameplate)", "USD M/GWh", "{:.1f}"),
    ("energy_kWh_per_kWh", "Plant energy per kWh of cells", "kWh/kWh", "{:.1f}"),
    ("lce_kg_per_kWh", "Lithium carbonate equivalent bought", "kg/kWh", "{:.3f}"),
    ("output_GWh_per_yr", "Good output", "GWh/yr", "{:.1f}"),
)
_MILLIONS = {"plant_capex_usd", "capex_usd_per_GWh"}

#: Bounds of ``cost``'s numbers: years of operation (as a plant file's ``year``), nameplate
#: GWh/yr (a pilot line to the largest plants announced, with room), and the lithium
#: carbonate price, USD/kg (2015-2024 spot prices ran about 6-80; above 500 is a typo).
YEARS_OF_OPERATION = 50
GWH_RANGE = (0.01, 1000.0)
LCE_RANGE = (math.ulp(0.0), 500.0)


def _print_cost(row: dict, plant: dict, years: list | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = (
        f"{row['cell']}: {plant['archetype']} plant, {plant['annual_GWh']:g} GWh/yr, {plant['region']}, "
        f"prices {plant['prices']} ({plant['market_scenario']} market ahead), scenario {plant['scenario']}, "
        f"year {plant['year']} of operation ({plant['start_year'] + plant['year'] - 1})"
    )
    table = Table(title=_text(title))
    table.add_column("Quantity")
    table.add_column("Value", justify="right")
    table.add_column("Unit")
    for key, label, unit, fmt in _COST_ROWS:
        value = row[key] / 1e6 if key in _MILLIONS else row[key]
        table.add_row(label, fmt.format(value), unit)
    console.print(table)

    wf = Table(title="Cost waterfall, USD per good kWh")
    wf.add_column("Line")
    wf.add_column("USD/kWh", justify="right")
    wf.add_column("Running total", justify="right")
    wf.add_column("")
    total, scale = 0.0, 40.0 / max(row["cell_cost_usd_per_kWh"], 1e-9)
    for name, value in row["breakdown"].items():
        if abs(value) < 5e-4:
            continue
        total += value
        bar = ("█" if value >= 0 else "░") * max(1, round(abs(value) * scale))
        wf.add_row(_text(name.replace("_", " ")), f"{value:.2f}", f"{total:.2f}", bar)
    console.print(wf)
    if years:
        tr = Table(title="Year by year")
        for col in (
            "Year",
            "Calendar",
            "Cell yield",
            "Utilisation",
            "Cell cost, USD/kWh",
            "Materials",
            "Conversion",
            "Credit",
        ):
            tr.add_column(col, justify="right")
        for y in years:
            cost = y["cell_cost_usd_per_kWh"]
            tr.add_row(
                str(y["year"]),
                str(y["calendar_year"]),
                f"{y['cell_yield']:.3f}",
                f"{y['utilization']:.2f}",
                "no output" if cost is None else f"{cost:.2f}",
                "" if cost is None else f"{y['materials_usd_per_kWh']:.2f}",
                "" if cost is None else f"{y['conversion_usd_per_kWh']:.2f}",
                "" if cost is None else f"{y['breakdown']['credit']:.2f}",
            )
        console.print(tr)


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
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Cost of a good kWh: materials, conversion, plant capex, energy and lithium per kWh."""
    from .cell import Cell
    from .factory.evaluate import cost_of
    from .factory.plant_spec import load_plant

    _check_number("--year", year, 1, YEARS_OF_OPERATION, f"a year of operation within 1-{YEARS_OF_OPERATION}")
    _check_number("--gwh", gwh, *GWH_RANGE, f"a nameplate capacity within {GWH_RANGE[0]:g}-{GWH_RANGE[1]:g} GWh/yr")
    _check_number("--lce", lce, *LCE_RANGE, f"a price above 0 and at most {LCE_RANGE[1]:g} USD/kg")
    _check_number("--trajectory", trajectory_years, 0, YEARS_OF_OPERATION, f"0-{YEARS_OF_OPERATION} years")
    cell = Cell.from_spec(spec)
    plant = load_plant(
        plant_file,
        region=region,
        prices=prices,
        scenario=scenario,
        year=year,
        start_year=start_year,
        market_scenario=market,
        archetype=archetype,
        annual_GWh=gwh,
    )
    if lce is not None:
        plant = plant.model_copy(update={"commodities": {**plant.commodities, "lithium_carbonate_usd_per_kg": lce}})
    result = cost_of(cell, plant)
    row = {
        "cell": cell.spec.name,
        "calendar_year": plant.start_year + plant.year - 1,
        **result.row(0),
        "plant": plant.model_dump(),
    }
    years = None
    if trajectory_years > 0:
        from .factory.plant_spec import cost_inputs

        traj = cost_of(cell, plant, list(range(1, trajectory_years + 1)))
        ci = cost_inputs(cell.resolved, plant, list(range(1, trajectory_years + 1)))
        years = [
            {
                "year": i + 1,
                "calendar_year": plant.start_year + i,
                "cell_yield": float(ci.cell_yield[i]),
                "utilization": float(ci.utilization[i]),
                **traj.row(i),
            }
            for i in range(trajectory_years)
        ]
        for y in years:
            _explain(y, "cell_cost_usd_per_kWh", "the plant makes no cells that year")
        row["trajectory"] = years
    if as_json:
        _echo_json(row)
    else:
        _print_cost(row, row["plant"], years)


def _figure():
    """A new Matplotlib figure and axes (the file-only Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(7, 4.5))


def _save(fig, path: Path) -> None:
    """Write ``fig`` to ``path`` in the format its suffix names, then free it."""
    import matplotlib.pyplot as plt

    try:
        fig.tight_layout()
        fig.savefig(path, dpi=120, format=path.suffix.lower().lstrip("."))
    finally:
        plt.close(fig)


def _plot_rates(path: Path, title: str, rc, rows: list[dict]) -> None:
    """Terminal voltage against discharged capacity, one curve per C-rate; an invalid run's
    label gives its reason."""
    fig, ax = _figure()
    sol = rc.solution
    for j, row in enumerate(rows):
        curve = sol.curve(j)
        q = np.cumsum(np.r_[0.0, np.diff(curve["time_s"]) * curve["current_A"][1:] / 3600.0])
        label = f"{row['c_rate']:g}C" + ("" if row["valid"] else f" (invalid: {row['reason']})")
        ax.plot(q, curve["voltage_V"], label=label)
    ax.set_xlabel("Discharged capacity, Ah")
    ax.set_ylabel("Terminal voltage, V")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    _save(fig, path)


def _plot_life(
    path: Path,
    title: str,
    x: np.ndarray,
    xlabel: str,
    soh: np.ndarray,
    resistance: np.ndarray,
    eol: float,
    central: int,
) -> None:
    """Relative capacity (and relative resistance on a right axis, for models that grow it)
    against cycles or years; arrays (K, N) with the central cell in column ``central`` and any
    others drawn as the band's edges."""
    fig, ax = _figure()
    edges = [j for j in range(soh.shape[1]) if j != central]
    for k, j in enumerate(edges):
        ax.plot(x[:, j], soh[:, j], color="C0", ls="--", lw=0.8, label="band (scalar ±2σ)" if k == 0 else None)
    x, soh, resistance = x[:, central], soh[:, central], resistance[:, central]
    ax.plot(x, soh, color="C0", label="relative capacity")
    ax.axhline(eol, color="C0", ls=":", lw=1, label=f"end of life, {eol:.0%}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Relative capacity")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if np.any(resistance != 1.0):
        right = ax.twinx()
        right.plot(x, resistance, color="C3", label="relative resistance")
        right.set_ylabel("Relative resistance")
        more = right.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    ax.legend(handles, labels, loc="lower left")
    _save(fig, path)


#: Longest span ``life --profile`` simulates, years.
MAX_YEARS = 100.0
#: Span ``life --protocol`` runs a test for before it calls the end of life not reached, years.
LIFE_HORIZON_YEARS = 80.0

#: How long the first run of a model compiles its kernels (2-core machine, no cache on disk).

#: C-rates ``simulate`` runs: above 0 and at most this.
MAX_C_RATE = 50.0


def _c_rates(text: str) -> list[float]:
    """The ``--c-rates`` list: comma-separated finite numbers within (0, :data:`MAX_C_RATE`]."""
    from .errors import SpecError

    try:
        rates = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise SpecError("--c-rates", text, "comma-separated numbers, e.g. 0.5,1,2") from None
    if not rates or not all(math.isfinite(r) and 0.0 < r <= MAX_C_RATE for r in rates):
        raise SpecError("--c-rates", text, f"each C-rate a finite number > 0 and <= {MAX_C_RATE:g}")
    return rates


@app.command()
@_one_line_errors
def simulate(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML), as for `design`.")],
    c_rates: Annotated[
        str, typer.Option("--c-rates", help="Comma-separated C-rates for constant-current discharges.")
    ] = "0.5,1,2",
    plot: Annotated[
        Path | None,
        typer.Option(help="Write the discharge curves to this file (.png, .pdf or .svg); none otherwise."),
    ] = None,
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
    from .cell import Cell
    from .electrochem.from_design import from_cell
    from .electrochem.rate import rate_capability
    from .electrochem.solve import MODELS
    from .errors import SpecError

    rates = _c_rates(c_rates)
    if model not in MODELS:
        raise SpecError("--model", model, " or ".join(MODELS))
    if model == "dfn" and thermal:
        raise SpecError("--thermal", "with --model dfn", "the DFN is isothermal; use --model spme for a thermal run")
    plot_path = _plot_target(plot)
    label = model.upper() if model == "dfn" else "SPMe"
    cell = Cell.from_spec(spec)
    params = from_cell(cell)
    with np.errstate(all="ignore"):  # a run that is not finite is flagged invalid, with its reason
        rc = rate_capability(params, rates, thermal=thermal, model=model)
    nominal = float(params.capacity[0] / 3600.0)
    rows: list[dict[str, Any]] = []
    for j, rate in enumerate(rates):
        curve = rc.solution.curve(j)
        rows.append(
            {
                "c_rate": rate,
                "capacity_Ah": float(rc.capacity_Ah[0, j]),
                "energy_Wh": float(rc.energy_Wh[0, j]),
                "mean_power_W": float(rc.mean_power_W[0, j]),
                "max_temperature_degC": float(rc.max_temperature_K[0, j] - 273.15),
                "valid": bool(rc.valid[0, j]),
                "reason": rc.reason[0, j] or None,
                "curve": {k: [round(float(x), 6) for x in v[:: max(1, len(v) // 100)]] for k, v in curve.items()},
            }
        )
    failed = None
    if plot_path is not None:
        failed = _write_plot(
            lambda path: _plot_rates(path, f"{cell.spec.name}: {label} discharges", rc, rows), plot_path
        )
    shown = None if plot_path is None or failed else str(plot_path)
    if as_json:
        _echo_json(
            {"name": cell.spec.name, "model": model, "nominal_capacity_Ah": nominal, "plot": shown, "rates": rows}
        )
    else:
        _print_rates(cell.spec.name, label, thermal, float(params.V_min[0]), nominal, rows)
        if shown:
            typer.echo(f"plot: {shown}")
    if failed:
        _plot_failed(plot_path, failed)


def _number(value: float, fmt: str, missing: str = "n/a") -> str:
    """``value`` formatted, or ``missing`` when it is not a finite number."""
    return fmt.format(value) if math.isfinite(value) else missing


def _explain(out: dict, key: str, reason: str) -> None:
    """Beside a value that is not a finite number (null in JSON), ``<key>_reason`` says why."""
    value = out[key]
    if not all(v is not None and math.isfinite(v) for v in (value if isinstance(value, list) else [value])):
        out[f"{key}_reason"] = reason


def _print_rates(name: str, label: str, thermal: bool, v_min: float, nominal: float, rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    mode = "lumped thermal, still air" if thermal else "isothermal 25 degC"
    table = Table(title=_text(f"{name}: rate capability ({label}, {mode}, to {v_min:g} V)"))
    for col in ("C-rate", "Capacity, Ah", "of nominal", "Energy, Wh", "Mean power, W", "Max temp, degC", "Valid"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            f"{r['c_rate']:g}C",
            _number(r["capacity_Ah"], "{:.3f}"),
            _number(100 * r["capacity_Ah"] / nominal, "{:.1f} %"),
            _number(r["energy_Wh"], "{:.2f}"),
            _number(r["mean_power_W"], "{:.1f}"),
            _number(r["max_temperature_degC"], "{:.1f}"),
            "yes" if r["valid"] else "no",
        )
    console = Console()
    console.print(table)
    for r in rows:  # below the table, where a long reason is not wrapped into a narrow column
        if not r["valid"]:
            console.print(_text(f"  {r['c_rate']:g}C not valid: {r['reason']}"))


@app.command()
@_one_line_errors
def life(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML); its chemistry picks the aging model.")],
    protocol: Annotated[str | None, typer.Option(help='Test protocol, e.g. "0.5C/0.5C, 25degC, 100% DOD".')] = None,
    profile_csv: Annotated[
        Path | None, typer.Option("--profile", help="Duty cycle CSV: time_s, soc, temperature_degC.")
    ] = None,
    years: Annotated[
        float, typer.Option(help=f"Years to simulate a profile for (it repeats), above 0 and at most {MAX_YEARS:g}.")
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
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Cycle and calendar life: cycles to end of life under a protocol, or years under a profile.

    The model is anchored on the datasheet rating (the preset's, or --rated-cycles under
    --rated-protocol): its degradation scalar is set so the rated protocol gives the rated cycles.
    A second rating at another temperature (--second-rated-cycles under --second-rated-protocol)
    sets the activation energy of the cycle fade so that one holds too.
    """
    from .aging.anchor import choose_model
    from .aging.io import read_profile
    from .aging.models import MODELS
    from .aging.protocol import parse_protocol, profile
    from .aging.simulate import simulate_life
    from .cell import Cell
    from .errors import SpecError

    if (protocol is None) == (profile_csv is None):
        raise SpecError("--protocol/--profile", None, "give exactly one of them")
    if not (math.isfinite(eol) and 0.3 <= eol < 1.0):
        raise SpecError("--eol", eol, "a relative capacity from 0.3 to below 1")
    if profile_csv is not None:
        _check_number("--years", years, 0.0, MAX_YEARS, f"a number of years above 0 and at most {MAX_YEARS:g}")
        if years == 0.0:
            raise SpecError("--years", years, f"a number of years above 0 and at most {MAX_YEARS:g}")
    plot_path = _plot_target(plot)
    # the duty and the numbers are checked before the model is anchored (seconds on a first run)
    proto = parse_protocol(protocol) if protocol is not None else None
    duty = read_profile(profile_csv) if profile_csv is not None else None
    if eol_resistance is not None and not 1.0 < eol_resistance <= 10.0:
        raise SpecError("--eol-resistance", eol_resistance, "a relative resistance within (1, 10], e.g. 2 for doubled")
    cell = Cell.from_spec(spec)
    chosen = choose_model(
        cell.spec.chemistry,
        model_name,
        rated_cycles,
        rated_protocol,
        anchor=anchor,
        prefix="--",
        second_rated_cycles=second_rated_cycles,
        second_rated_protocol=second_rated_protocol,
    )
    model, scalar = chosen.model, chosen.scalar
    if eol_resistance is not None:
        from .aging.models import STEPS

        grows = [m for m, s in STEPS.items() if s.grows_resistance]
        if not STEPS[model].grows_resistance:
            raise SpecError(
                "--eol-resistance",
                eol_resistance,
                f"model {model} has no resistance growth; models with it: " + ", ".join(grows),
            )
    eol_label = f"{eol:.0%}" + (f" or resistance x{eol_resistance:g}" if eol_resistance is not None else "")
    from .aging.fit import band_scalars

    scalars, c = (band_scalars(scalar), 1) if band else (np.array([scalar]), 0)
    if proto is not None:
        t, soc, temp = profile(proto)
        stop_r = None if eol_resistance is None else eol_resistance + 0.005
        result = simulate_life(
            t,
            soc,
            temp,
            LIFE_HORIZON_YEARS,
            n_cells=scalars.size,
            degradation_scalar=scalars,
            stop_below=eol - 0.005,
            stop_resistance_above=stop_r,
            **chosen.life_options,
        )
        efc_all = result.efc_to_eol(eol, eol_resistance)
        cycles, efc = (np.full_like(efc_all, np.nan) if proto.storage else efc_all / proto.dod), float(efc_all[c])
        out: dict[str, Any] = {
            "name": cell.spec.name,
            "model": model,
            "protocol": protocol,
            "eol": eol,
            "eol_resistance": eol_resistance,
            "degradation_scalar": scalar,
            "cycle_activation_energy_J_per_mol": chosen.cycle_activation_J_per_mol,
            "anchored_on": chosen.anchored_on,
            "cycles_to_eol": float(cycles[c]),
            "efc_to_eol": efc,
            "years_to_eol": float(result.years_to_eol(eol, eol_resistance)[c]),
        }
        not_reached = f"end of life not reached in {LIFE_HORIZON_YEARS:g} years"
        no_cycles = "a storage test has no cycles"
        _explain(out, "cycles_to_eol", no_cycles if proto.storage else not_reached)
        _explain(out, "efc_to_eol", no_cycles if proto.storage else not_reached)
        _explain(out, "years_to_eol", not_reached)
        if proto.storage:
            beyond = f"> {LIFE_HORIZON_YEARS:g} (not reached in the years simulated)"
            lines = [f"years to {eol_label} in storage: " + _number(out["years_to_eol"], "{:.1f}", beyond)]
        elif math.isfinite(out["cycles_to_eol"]):
            lines = [
                f"cycles to {eol_label}: {out['cycles_to_eol']:,.0f} ({efc:,.0f} EFC, {out['years_to_eol']:.1f} years)"
            ]
        else:
            lines = [f"cycles to {eol_label}: not reached in {LIFE_HORIZON_YEARS:g} years"]
        if band:
            if proto.storage:
                yrs = result.years_to_eol(eol, eol_resistance)
                out["years_to_eol_band"] = [float(yrs[2]), float(yrs[0])]
                _explain(out, "years_to_eol_band", not_reached)
                lines.append(
                    "band (scalar ±2σ): "
                    + "-".join(_number(y, "{:.1f}", "not reached") for y in (yrs[2], yrs[0]))
                    + " years"
                )
            else:
                out["cycles_to_eol_band"] = [float(cycles[2]), float(cycles[0])]
                _explain(out, "cycles_to_eol_band", not_reached)
                lines.append(
                    "band (scalar ±2σ): "
                    + "-".join(_number(n, "{:,.0f}", "not reached") for n in (cycles[2], cycles[0]))
                    + " cycles"
                )
        if proto.storage:
            x, xlabel = np.repeat(result.time_days[:, None] / 365.0, scalars.size, axis=1), "Years in storage"
        else:
            x, xlabel = result.efc / proto.dod, f"Cycles at {proto.dod:.0%} DOD"
    else:
        assert duty is not None  # exactly one of --protocol and --profile
        t, soc, temp = duty
        result = simulate_life(
            t, soc, temp, years, n_cells=scalars.size, degradation_scalar=scalars, **chosen.life_options
        )
        step = max(1, len(result.time_days) // 200)
        to_eol = result.years_to_eol(eol, eol_resistance)
        out = {
            "name": cell.spec.name,
            "model": model,
            "profile": str(profile_csv),
            "eol": eol,
            "eol_resistance": eol_resistance,
            "degradation_scalar": scalar,
            "cycle_activation_energy_J_per_mol": chosen.cycle_activation_J_per_mol,
            "years_to_eol": float(to_eol[c]),
            "soh": {
                "time_years": [round(x / 365.0, 4) for x in result.time_days[::step]],
                "relative_capacity": [round(float(x), 5) for x in result.soh[::step, c]],
                "relative_resistance": [round(float(x), 5) for x in result.resistance[::step, c]],
            },
        }
        y = out["years_to_eol"]
        _explain(out, "years_to_eol", f"end of life not reached in the {years:g} years simulated")
        lines = [
            f"relative capacity after {years:g} years: {float(result.soh[-1, c]):.3f}",
            f"years to {eol_label}: " + ("not reached" if np.isnan(y) else f"{y:.1f}"),
        ]
        if band:
            out["relative_capacity_end_band"] = [float(result.soh[-1, 2]), float(result.soh[-1, 0])]
            lines.append(f"band (scalar ±2σ) after {years:g} years: {result.soh[-1, 2]:.3f}-{result.soh[-1, 0]:.3f}")
        x, xlabel = np.repeat(result.time_days[:, None] / 365.0, scalars.size, axis=1), "Years"
    out["warnings"] = result.warnings
    _warn(result.warnings)
    failed = None
    if plot_path is not None:
        title = f"{cell.spec.name}: {model}"
        failed = _write_plot(
            lambda path: _plot_life(path, title, x, xlabel, result.soh, result.resistance, eol, c), plot_path
        )
    out["plot"] = None if plot_path is None or failed else str(plot_path)
    if out["plot"]:
        lines.append(f"plot: {plot_path}")
    if as_json:
        _echo_json(out)
    else:
        on = (chosen.anchored_on or "").replace(" cycles, ", " cycles at ")
        anchored = f", anchored on {on} (scalar {scalar:.3f})" if scalar != 1.0 else ""
        typer.echo(f"{cell.spec.name} — aging model {model} ({MODELS[model].source}){anchored}")
        if chosen.cycle_activation_J_per_mol != 0.0:
            how = "fitted to the second rating" if chosen.second_rated_cycles is not None else "the chemistry's"
            typer.echo(
                f"  cycle fade x exp(-Ea/R (1/T - 1/T_ref)): Ea {chosen.cycle_activation_J_per_mol / 1e3:.1f} kJ/mol "
                f"({how}), T_ref {chosen.activation_reference_degC:g} degC"
            )
        for line in lines:
            typer.echo("  " + line)
    if failed:
        _plot_failed(plot_path, failed)


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
            _explain(out, key, apart)
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
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Levelized cost of storage of a project: plant, efficiency, aging, augmentation and LCOS."""
    from .storage.project import evaluate, load_project

    result = evaluate(load_project(project)).as_dict()
    _warn(result.get("warnings", []))
    if as_json:
        _echo_json(result)
    else:
        from .report.storage import print_project

        print_project(result)


@app.command()
@_one_line_errors
def tender(
    bids: Annotated[Path, typer.Argument(help=r"Bids file (TOML): a common \[project] table and \[\[bids]] tables.")],
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity/--no-sensitivity", help="Re-rank with each rule varied.")
    ] = True,
    as_json: AsJson = False,
    debug: Debug = False,
) -> None:
    """Rank suppliers' bids by LCOS under one duty and one published set of rules."""
    from .storage.tender import load_tender

    result = load_tender(bids, sensitivity=sensitivity).as_dict()
    _warn(result.get("warnings", []))
    if as_json:
        _echo_json(result)
    else:
        from .report.storage import print_tender

        print_tender(result)
    if not result["ranking"]:
        raise typer.Exit(2)


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
