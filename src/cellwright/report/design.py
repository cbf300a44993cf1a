"""A cell design as a result (``cellwright design``): the numbers, the bill of materials as a
table and a figure, and the sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import figure, text

MAIN_ROWS = (
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


def design_result(spec: Path | str | dict) -> dict[str, Any]:
    """The design of a cell spec (a file or its parsed table): ``cellwright design --json``'s
    object, with ``citations`` (the formatted references of its ``sources``)."""
    from ..cell import Cell

    cell = Cell.from_spec(spec)
    return {**cell.summary(), "citations": cell.citations()}


def outer_dimensions(row: dict) -> str:
    if row["format"] == "cylindrical":
        return f"{row['diameter_mm']:.1f} x {row['height_mm']:.1f} mm (diameter x height)"
    return f"{row['width_mm']:.1f} x {row['thickness_mm']:.1f} x {row['height_mm']:.1f} mm (W x T x H)"


def title(row: dict) -> str:
    return f"{row['name']}  ({row['chemistry']}, {row['format']}, {outer_dimensions(row)})"


def bom_rows(row: dict) -> list[dict[str, Any]]:
    """The bill of materials: component, mass (g), share of the cell's mass, area (m2)."""
    return [
        {
            "component": name,
            "mass_g": 1e3 * item["mass_kg"],
            "share": item["mass_kg"] / row["mass_kg"],
            "area_m2": item["area_m2"] or None,
        }
        for name, item in row["bom"].items()
        if item["mass_kg"]
    ]


def print_design(row: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=text(title(row)))
    table.add_column("Quantity")
    table.add_column("Value", justify="right")
    table.add_column("Unit")
    for key, label, unit, fmt in MAIN_ROWS:
        table.add_row(label, fmt.format(row[key]), unit)
    console.print(table)
    if not row.get("valid", True):
        console.print(text(f"Not a valid design: {row.get('invalid_reason')}"), style="bold red")

    bom = Table(title="Bill of materials")
    bom.add_column("Component")
    bom.add_column("Mass, g", justify="right")
    bom.add_column("Share", justify="right")
    bom.add_column("Area, m2", justify="right")
    for item in bom_rows(row):
        area = f"{item['area_m2']:.4f}" if item["area_m2"] else ""
        bom.add_row(
            text(item["component"].replace("_", " ")), f"{item['mass_g']:.1f}", f"{100 * item['share']:.1f} %", area
        )
    bom.add_row("total", f"{1e3 * row['mass_kg']:.1f}", "100.0 %", "")
    console.print(bom)
    console.print("Sources:", style="bold")
    for line in row["citations"]:
        console.print(f"  {line}", highlight=False, markup=False)


def bom_figure(row: dict) -> Any:
    """Mass of each component of the cell, largest on top, with its share of the cell's mass."""
    items = sorted(bom_rows(row), key=lambda r: r["mass_g"])
    fig, ax = figure(7, 1.2 + 0.32 * max(len(items), 1))
    y = range(len(items))
    ax.barh(y, [r["mass_g"] for r in items], color="tab:blue")
    ax.set_yticks(list(y), [r["component"].replace("_", " ") for r in items])
    for i, r in enumerate(items):
        ax.annotate(f" {100 * r['share']:.1f} %", (r["mass_g"], i), va="center", fontsize=8)
    ax.set_xlabel("Mass, g")
    ax.set_title(
        f"{row['name']}: bill of materials, {1e3 * row['mass_kg']:.4g} g, {row['specific_energy_Wh_kg']:.0f} Wh/kg"
    )
    ax.margins(x=0.15)
    return fig
