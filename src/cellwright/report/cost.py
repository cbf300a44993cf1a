"""A cell's cost in a plant as a result (``cellwright cost``): the numbers, the waterfall by
cost line, the year-by-year trajectory, and the same cell in every region, market scenario and
policy scenario beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError
from .common import explain, figure, source_keys, text

COST_ROWS = (
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
MILLIONS = {"plant_capex_usd", "capex_usd_per_GWh"}

#: Bounds of ``cost``'s numbers: years of operation (as a plant file's ``year``), nameplate
#: GWh/yr (a pilot line to the largest plants announced, with room), and the lithium
#: carbonate price, USD/kg (2015-2024 spot prices ran about 6-80; above 500 is a typo).
YEARS_OF_OPERATION = 50
GWH_RANGE = (0.01, 1000.0)
LCE_RANGE = (5e-324, 500.0)

#: What the comparison varies, one at a time, the rest of the plant as given, and what it shows.
COMPARED = ("region", "market_scenario", "scenario")
COMPARED_COLUMNS = ("cell_cost_usd_per_kWh", "materials_usd_per_kWh", "conversion_usd_per_kWh")


def check_number(option: str, value, low: float, high: float, allowed: str) -> None:
    """A number from the command line or a request: finite and within [``low``, ``high``]."""
    if value is not None and not (np.isfinite(value) and low <= value <= high):
        raise SpecError(option, value, allowed)


def check_cost_options(year=None, gwh=None, lce=None, trajectory_years=0) -> None:
    check_number("--year", year, 1, YEARS_OF_OPERATION, f"a year of operation within 1-{YEARS_OF_OPERATION}")
    check_number("--gwh", gwh, *GWH_RANGE, f"a nameplate capacity within {GWH_RANGE[0]:g}-{GWH_RANGE[1]:g} GWh/yr")
    check_number("--lce", lce, *LCE_RANGE, f"a price above 0 and at most {LCE_RANGE[1]:g} USD/kg")
    check_number("--trajectory", trajectory_years, 0, YEARS_OF_OPERATION, f"0-{YEARS_OF_OPERATION} years")


def _plant(plant_file: Path | None, lce: float | None, overrides: dict[str, Any]):
    from ..factory.plant_spec import load_plant

    plant = load_plant(plant_file, **overrides)
    if lce is not None:
        plant = plant.model_copy(update={"commodities": {**plant.commodities, "lithium_carbonate_usd_per_kg": lce}})
    return plant


def cost_result(
    spec: Path | str | dict,
    plant_file: Path | None = None,
    *,
    lce: float | None = None,
    trajectory_years: int = 0,
    compare: bool = False,
    **overrides: Any,
) -> dict[str, Any]:
    """``cellwright cost --json``'s object for a cell spec (a file or its table) in a plant (a
    plant file or the default plant) with ``overrides`` of its fields (``region``, ``prices``,
    ``scenario``, ``year``, ``start_year``, ``market_scenario``, ``archetype``, ``annual_GWh``)
    and the lithium carbonate price ``lce`` (USD/kg). ``trajectory_years`` adds years 1..N of
    operation; ``compare`` adds the cell cost in every region, market scenario and policy
    scenario (``comparison``), each row with the reason where it has no cost."""
    from ..cell import Cell
    from ..factory.evaluate import cost_of
    from ..factory.plant_spec import cost_inputs, regions, scenarios
    from ..factory.prices import price_sets

    check_cost_options(overrides.get("year"), overrides.get("annual_GWh"), lce, trajectory_years)
    cell = Cell.from_spec(spec)
    plant = _plant(plant_file, lce, overrides)
    result = cost_of(cell, plant)
    row: dict[str, Any] = {
        "cell": cell.spec.name,
        "calendar_year": plant.start_year + plant.year - 1,
        **result.row(0),
        "plant": plant.model_dump(),
    }
    if trajectory_years > 0:
        span = list(range(1, trajectory_years + 1))
        traj, ci = cost_of(cell, plant, span), cost_inputs(cell.resolved, plant, span)
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
            explain(y, "cell_cost_usd_per_kWh", "the plant makes no cells that year")
        row["trajectory"] = years
    if compare:
        from ..factory.commodities import scenarios as market_scenarios

        choices = {
            "region": list(regions()),
            "market_scenario": list(market_scenarios()),
            "scenario": list(scenarios()["scenarios"]),
        }
        base = plant.model_dump(exclude_defaults=False)
        comparison = []
        for field in COMPARED:
            for choice in choices[field]:
                entry: dict[str, Any] = {"varied": field, "value": choice, "base": choice == base[field]}
                try:
                    other = cost_of(cell, plant.model_validate({**base, field: choice})).row(0)
                    entry.update({k: other[k] for k in COMPARED_COLUMNS})
                except (SpecError, ValueError) as exc:
                    entry.update(cell_cost_usd_per_kWh=None, reason=str(exc).splitlines()[0])
                comparison.append(entry)
        row["comparison"] = comparison
    keys = source_keys(regions().get(plant.region, {})) | source_keys(scenarios())
    ps = price_sets().get(plant.prices)
    if ps is not None:
        for table in (ps.materials, ps.purchased, ps.commodities):
            keys |= {k.strip() for price in table.values() for k in price.source.split(";") if k.strip()}
        keys |= source_keys(ps.indexed) | source_keys(ps.derived)
    row["sources"] = sorted(keys)
    return row


def title(row: dict) -> str:
    p = row["plant"]
    return (
        f"{row['cell']}: {p['archetype']} plant, {p['annual_GWh']:g} GWh/yr, {p['region']}, "
        f"prices {p['prices']} ({p['market_scenario']} market ahead), scenario {p['scenario']}, "
        f"year {p['year']} of operation ({p['start_year'] + p['year'] - 1})"
    )


def waterfall_rows(row: dict) -> list[dict[str, Any]]:
    """The cost lines, USD per good kWh, with their running total (lines under 0.0005 left out)."""
    out, total = [], 0.0
    for name, value in row["breakdown"].items():
        if abs(value) < 5e-4:
            continue
        total += value
        out.append({"line": name, "usd_per_kWh": value, "running_total_usd_per_kWh": total})
    return out


def csv_rows(row: dict) -> list[dict[str, Any]]:
    """``--csv``: the waterfall, or with a trajectory one row per year of operation."""
    if row.get("trajectory"):
        return [
            {k: v for k, v in y.items() if k not in ("breakdown", "valid", "invalid_reason")} | y["breakdown"]
            for y in row["trajectory"]
        ]
    return waterfall_rows(row)


def print_cost(row: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=text(title(row)))
    table.add_column("Quantity")
    table.add_column("Value", justify="right")
    table.add_column("Unit")
    for key, label, unit, fmt in COST_ROWS:
        value = row[key] / 1e6 if key in MILLIONS else row[key]
        table.add_row(label, fmt.format(value), unit)
    console.print(table)

    wf = Table(title="Cost waterfall, USD per good kWh")
    wf.add_column("Line")
    wf.add_column("USD/kWh", justify="right")
    wf.add_column("Running total", justify="right")
    wf.add_column("")
    scale = 40.0 / max(row["cell_cost_usd_per_kWh"], 1e-9)
    for line in waterfall_rows(row):
        value = line["usd_per_kWh"]
        bar = ("█" if value >= 0 else "░") * max(1, round(abs(value) * scale))
        wf.add_row(
            text(line["line"].replace("_", " ")), f"{value:.2f}", f"{line['running_total_usd_per_kWh']:.2f}", bar
        )
    console.print(wf)
    if row.get("trajectory"):
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
        for y in row["trajectory"]:
            cost = y["cell_cost_usd_per_kWh"]
            ok = cost is not None and np.isfinite(cost)
            tr.add_row(
                str(y["year"]),
                str(y["calendar_year"]),
                f"{y['cell_yield']:.3f}",
                f"{y['utilization']:.2f}",
                f"{cost:.2f}" if ok else "no output",
                f"{y['materials_usd_per_kWh']:.2f}" if ok else "",
                f"{y['conversion_usd_per_kWh']:.2f}" if ok else "",
                f"{y['breakdown']['credit']:.2f}" if ok else "",
            )
        console.print(tr)
    if row.get("comparison"):
        cmp = Table(title="The same cell with one choice changed (USD/kWh)")
        for col in ("Changed", "To", "Cell cost", "Materials", "Conversion", ""):
            cmp.add_column(col, justify="left" if col in ("Changed", "To", "") else "right")
        for c in row["comparison"]:
            cost = c["cell_cost_usd_per_kWh"]
            cmp.add_row(
                c["varied"].replace("_", " "),
                text(c["value"] + (" (as given)" if c["base"] else "")),
                "" if cost is None else f"{cost:.2f}",
                "" if cost is None else f"{c['materials_usd_per_kWh']:.2f}",
                "" if cost is None else f"{c['conversion_usd_per_kWh']:.2f}",
                text(c.get("reason", "")),
            )
        console.print(cmp)


def waterfall_figure(row: dict, ax: Any = None) -> Any:
    """Each cost line as a floating bar from the running total before it to the one after,
    ending in the cell cost; credits (negative lines) hatched."""
    fig = None
    if ax is None:
        fig, ax = figure(8, 4.8)
    lines = waterfall_rows(row)
    start = 0.0
    for i, line in enumerate(lines):
        value = line["usd_per_kWh"]
        ax.bar(
            i, value, bottom=start, color="tab:blue" if value >= 0 else "tab:green", hatch="" if value >= 0 else "//"
        )
        start += value
    ax.bar(len(lines), row["cell_cost_usd_per_kWh"], color="0.3")
    ax.set_xticks(
        range(len(lines) + 1),
        [ln["line"].replace("_", " ") for ln in lines] + ["cell cost"],
        rotation=60,
        ha="right",
        fontsize=8,
    )
    ax.set_ylabel("USD per good kWh")
    ax.set_title(f"Cost waterfall: {row['cell_cost_usd_per_kWh']:.2f} USD/kWh ({row['calendar_year']})", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return fig if fig is not None else ax.figure


def comparison_figure(row: dict, ax: Any = None) -> Any:
    """Materials and conversion, stacked, for each region, market scenario and policy scenario
    (the plant's own choice marked with *); a choice that gives no cost is left empty."""
    fig = None
    if ax is None:
        fig, ax = figure(8, 4.8)
    entries = row.get("comparison") or []
    labels, x, gap = [], [], 0
    for i, c in enumerate(entries):
        if i and c["varied"] != entries[i - 1]["varied"]:
            gap += 1
        x.append(i + gap)
        labels.append(f"{c['value']}{'*' if c['base'] else ''}")
        if c["cell_cost_usd_per_kWh"] is not None:
            ax.bar(i + gap, c["materials_usd_per_kWh"], color="tab:blue", label="materials" if i == 0 else None)
            ax.bar(
                i + gap,
                c["conversion_usd_per_kWh"],
                bottom=c["materials_usd_per_kWh"],
                color="tab:orange",
                label="conversion" if i == 0 else None,
            )
    ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("USD per good kWh")
    ax.set_title("Region | market ahead | policy (* as given)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig if fig is not None else ax.figure


def cost_figure(row: dict) -> Any:
    """The waterfall and, where the result has one, the comparison beside it."""
    if not row.get("comparison"):
        return waterfall_figure(row)
    fig, (left, right) = figure(13, 5, ncols=2)
    waterfall_figure(row, left)
    comparison_figure(row, right)
    fig.suptitle(row["cell"], fontsize=11)
    return fig
