"""The command line: ``cellwright design SPEC.toml [--json]``.

Exit codes: 0 success; 2 the user's input is wrong (the message names the field, the value and
what is allowed); 1 an unexpected failure (``--debug`` shows the traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="cellwright: lithium-ion cells from materials to cost.")

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


def _fail(exc: BaseException, debug: bool) -> None:
    from .errors import SpecError

    if debug:
        raise exc
    code = 2 if isinstance(exc, SpecError) else 1
    prefix = "error" if code == 2 else "unexpected failure"
    typer.echo(f"{prefix}: {exc}", err=True)
    raise typer.Exit(code)


def _outer_dims(row: dict, fmt: str) -> str:
    if fmt == "cylindrical":
        return f"{row['diameter_mm']:.1f} x {row['height_mm']:.1f} mm (diameter x height)"
    return f"{row['width_mm']:.1f} x {row['thickness_mm']:.1f} x {row['height_mm']:.1f} mm (W x T x H)"


def _print_design(row: dict, citations: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{row['name']}  ({row['chemistry']}, {row['format']}, {_outer_dims(row, row['format'])})")
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
        bom.add_row(name.replace("_", " "), f"{1e3 * item['mass_kg']:.1f}", share, area)
    bom.add_row("total", f"{1e3 * row['mass_kg']:.1f}", "100.0 %", "")
    console.print(bom)
    console.print("Sources:", style="bold")
    for line in citations:
        console.print(f"  {line}", highlight=False, markup=False)


@app.command()
def design(
    spec: Annotated[Path, typer.Argument(help="Cell spec file (TOML): chemistry, format, dimensions, overrides.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback on failure.")] = False,
) -> None:
    """Design a cell: capacity, voltage, mass, volume, energy density and bill of materials."""
    try:
        from .cell import Cell

        cell = Cell.from_spec(spec)
        row = cell.summary()
        if as_json:
            typer.echo(json.dumps(row, indent=2))
        else:
            _print_design(row, cell.citations())
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure gets a one-line message
        _fail(exc, debug)


@app.callback()
def _root() -> None:
    """cellwright: the lithium-ion value chain, LFP first."""


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
