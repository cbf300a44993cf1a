"""A processed material's cost as a result (``cellwright upstream``): the lines of its cost
per kg and per tonne, and the same route in every region beside it."""

from __future__ import annotations

from typing import Any

from .common import text

LINES = ("inputs", "energy", "labour", "capital", "overhead", "total")


def upstream_result(route: str, region: str = "china", year: int = 2025, **options: Any) -> dict[str, Any]:
    """``cellwright upstream --json``'s object: the route's cost in the region and year, and in
    every region (``by_region``, USD/kg)."""
    from ..factory.plant_spec import regions
    from ..upstream.process import dated_cost

    out = dated_cost(route, region, year, **options)
    out["by_region"] = {r: dated_cost(route, r, year, **options)["usd_per_kg"]["total"] for r in regions()}
    return out


def print_upstream(d: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(text(f"{d['route']}: {d['description']}"))
    t = Table(title=text(f"{d['route']} made in {d['region']}, {d['year']} prices"))
    for col in ("Line", "USD/kg", "USD/t"):
        t.add_column(col, justify="left" if col == "Line" else "right")
    for line in LINES:
        v = d["usd_per_kg"][line]
        t.add_row(line, f"{v:.3f}", f"{1e3 * v:,.0f}")
    console.print(t)
    prices = ", ".join(f"{k} {v:.3f}" for k, v in d["input_prices_usd_per_kg"].items())
    console.print(text(f"inputs at USD/kg: {prices}"))
    console.print(text("every region, USD/kg: " + ", ".join(f"{r} {v:.2f}" for r, v in d["by_region"].items())))
