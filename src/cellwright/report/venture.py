"""The entrant's business case as a result (``cellwright venture``): NPV, IRR, peak funding,
years to cost parity, the yearly table, and the figure of its cost against the incumbent's and
its cumulative cash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import figure, number, text


def venture_result(path: Path | str) -> dict[str, Any]:
    """``cellwright venture --json``'s object for a venture file."""
    from ..factory.venture import load_venture

    return load_venture(path)


def headline(d: dict) -> list[str]:
    m = 1e-6
    irr = number(d["irr"], "{:.1%}", "none (" + d.get("irr_reason", "") + ")")
    parity = number(d["years_to_cost_parity"], "year {:.0f}", d.get("years_to_cost_parity_reason", ""))
    cash = number(d["years_to_cash_positive"], "year {:.0f}", d.get("years_to_cash_positive_reason", ""))
    f = d["finance"]
    return [
        f"NPV at {f['discount_rate']:.0%} (real, pre-tax): USD {d['npv_usd'] * m:,.0f} M; IRR {irr}",
        f"peak funding: USD {d['peak_funding_usd'] * m:,.0f} M (capex USD {d['capex_usd'] * m:,.0f} M over {f['construction_years']} years of construction)",
        f"cost parity with the incumbent: {parity}; operating cash positive: {cash}",
        f"cumulative cash after {len(d['yearly'])} years of operation: USD {d['cumulative_cash_end_usd'] * m:,.0f} M",
    ]


def csv_rows(d: dict) -> list[dict[str, Any]]:
    return list(d["yearly"])


def print_venture(d: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    p, q = d["plant"], d["incumbent_plant"]
    console.print(text(f"{d['name']} — {d['cell']}"), style="bold")
    console.print(
        text(
            f"entrant: {p['archetype']}, {p['region']}, {p['annual_GWh']:g} GWh/yr from {p['start_year']}, scenario {p['scenario']}; "
            f"sells against: {q['archetype']}, {q['region']} (from {q['start_year']})"
        )
    )
    for line in headline(d):
        console.print(text("  " + line))
    t = Table(title="Year by year (USD M; costs and price USD/kWh)")
    for col in (
        "Year",
        "Calendar",
        "Yield",
        "Utilisation",
        "Output, GWh",
        "Cell cost",
        "Incumbent",
        "Price",
        "Cash flow",
        "Cumulative",
    ):
        t.add_column(col, justify="right")
    for y in d["yearly"]:
        t.add_row(
            str(y["year"]),
            str(y["calendar_year"]),
            f"{y['cell_yield']:.2f}",
            f"{y['utilization']:.3f}",
            f"{y['output_GWh']:.2f}",
            number(y["cell_cost_usd_per_kWh"], "{:,.1f}"),
            f"{y['incumbent_cost_usd_per_kWh']:.1f}",
            f"{y['price_usd_per_kWh']:.1f}",
            f"{y['cash_flow_usd'] / 1e6:,.0f}",
            f"{y['cumulative_cash_usd'] / 1e6:,.0f}",
        )
    console.print(t)


def venture_figure(d: dict) -> Any:
    """Left: the entrant's cell cost against the incumbent's and the price, by calendar year.
    Right: the cumulative cash, construction included, with the peak funding marked."""
    fig, (left, right) = figure(12, 4.6, ncols=2)
    years = [y["calendar_year"] for y in d["yearly"]]
    cost = [y["cell_cost_usd_per_kWh"] for y in d["yearly"]]
    inc = [y["incumbent_cost_usd_per_kWh"] for y in d["yearly"]]
    left.plot(years, cost, "o-", label="entrant's cell cost")
    left.plot(years, inc, "s--", label="incumbent's cell cost")
    left.plot(years, [y["price_usd_per_kWh"] for y in d["yearly"]], ":", color="k", label="price it sells at")
    top = 3.0 * max(inc)
    left.set_ylim(0, top)
    for x, c in zip(years, cost):
        if c > top:
            left.annotate(f"{c:,.0f}", (x, top), ha="center", va="top", fontsize=7)
    left.set_xlabel("Calendar year")
    left.set_ylabel("USD per good kWh")
    left.set_title("Cost against the incumbent (values off the axis written at its top)", fontsize=9)
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    c = d["construction"]["years"]
    first = years[0] - c
    cumulative = [-d["construction"]["capex_per_year_usd"] * (i + 1) / 1e6 for i in range(c)]
    cumulative += [y["cumulative_cash_usd"] / 1e6 for y in d["yearly"]]
    right.bar(range(first, years[-1] + 1), cumulative, color=["tab:red" if v < 0 else "tab:green" for v in cumulative])
    right.axhline(
        -d["peak_funding_usd"] / 1e6,
        color="k",
        ls=":",
        lw=1,
        label=f"peak funding, USD {d['peak_funding_usd'] / 1e6:,.0f} M",
    )
    right.set_xlabel("Calendar year (construction first)")
    right.set_ylabel("Cumulative cash, USD M")
    right.set_title(f"NPV USD {d['npv_usd'] / 1e6:,.0f} M at {d['finance']['discount_rate']:.0%}", fontsize=9)
    right.legend(fontsize=8, loc="lower left")
    right.grid(axis="y", alpha=0.3)
    fig.suptitle(d["name"], fontsize=11)
    return fig
