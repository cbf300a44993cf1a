"""Storage projects (``cellwright lcos``) and tenders (``cellwright tender``) as results: rich
tables, the LCOS breakdown with the plant's yearly state, the tender's bids side by side with
the reason for each rank, and their rows for CSV."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .common import figure

TERM_LABELS = {
    "capex": "Capital",
    "om": "Fixed O&M",
    "charging": "Charging energy",
    "replacement": "Augmentation / replacement",
    "end_of_life": "End of life",
}


def _t(value) -> Text:
    """Text shown as written: names and messages from the user's files are never read as rich
    markup (``[b]``, ``[link=...]``) or emoji codes."""
    return Text(str(value))


def print_project(d: dict, console: Console | None = None) -> None:
    """A project result (``ProjectResult.as_dict()``)."""
    c = console or Console()
    s, rte, ag, conv = d["system"], d["rte"], d["aging"], d["conventions"]
    t = Table(title=_t(f"{d['name']}: plant"), show_header=False)
    t.add_column(justify="left")
    t.add_column(justify="left")
    price = f"USD {s['cell_price_usd_per_kWh']:.1f}/kWh" if s["cell_price_usd_per_kWh"] is not None else "price"
    t.add_row("Cell", _t(f"{s['cell']} ({s['cell_capacity_Ah']:.0f} Ah), {price}: {s['cell_price_source']}"))
    t.add_row("DC block", f"USD {s['dc_block_price_usd_per_kWh']:.1f}/kWh of nameplate (cells and DC hardware)")
    t.add_row("Rated", f"{s['power_MW']:g} MW x {s['duration_h']:g} h at the POI ({conv['sizing_boundary']} sizing)")
    t.add_row("Containers / cells", f"{s['containers']:,} / {s['cells']:,}")
    t.add_row(
        "DC nameplate / usable at POI",
        f"{s['dc_nameplate_MWh']:,.1f} / {s['usable_poi_MWh']:,.1f} MWh (overbuild x{s['overbuild']:.3f})",
    )
    t.add_row("Footprint / mass", f"{s['footprint_m2']:,.0f} m2 / {s['mass_t']:,.0f} t")
    t.add_row(
        "Capex", f"USD {d['capex_usd'] / 1e6:,.1f} M = USD {s['capex_usd_per_kWh']:,.0f}/kWh ({s['cost_set']} cost set)"
    )
    t.add_row(
        "Round trip: DC / PCS AC / POI",
        f"{rte['dc']:.1%} / {rte['pcs_ac']:.1%} / {rte['poi']:.1%} (aux {rte['aux_kW']:,.0f} kW)",
    )
    anchored = f", anchored on {ag['anchored_on']}" if ag["anchored_on"] else ""
    t.add_row("Aging", _t(f"{ag['model']}{anchored}; cells at {ag['cell_soh_end']:.1%} after {conv['years']} years"))
    aug = d["yearly"]["augmented_MWh"]
    t.add_row(
        "Augmentation", f"{conv['augmentation']['strategy']}: {sum(aug):,.1f} MWh added over {conv['years']} years"
    )
    c.print(t)
    b = Table(
        title=_t(
            f"LCOS {d['lcos_usd_per_MWh']:,.1f} USD/MWh ({conv['dollars']}, {conv['discount_rate']:.1%}/yr, "
            f"energy {conv['energy_boundary']})"
        )
    )
    b.add_column("Term")
    b.add_column("USD/MWh", justify="right")
    for k, v in d["breakdown"].items():
        b.add_row(TERM_LABELS.get(k, k), f"{v:,.2f}")
    b.add_row("[bold]Total[/bold]", f"[bold]{d['lcos_usd_per_MWh']:,.2f}[/bold]")
    c.print(b)
    c.print(
        _t(
            f"Energy delivered: {d['energy_delivered_MWh']:,.0f} MWh over {conv['years']} years; charging at USD "
            f"{conv['charging_price_usd_per_MWh']:g}/MWh ({'included' if conv['include_charging'] else 'excluded'}); "
            f"{conv['discharged_energy']} discharged energy; end of life {conv['end_of_life'].replace('_', ' ')}."
        )
    )


def print_tender(d: dict, console: Console | None = None) -> None:
    """A tender result (``tender.evaluate_tender(...).as_dict()``)."""
    c = console or Console()
    t = Table(title=_t(f"{d['name']}: ranking by LCOS"))
    for col in (
        "Rank",
        "Bid",
        "LCOS, USD/MWh",
        "DC block, USD/kWh",
        "Warranty",
        "Cells at end",
        "Augmented, MWh",
        "RTE at POI",
    ):
        t.add_column(col, justify="left" if col in ("Bid", "Warranty") else "right")
    for b in d["ranking"]:
        t.add_row(
            str(b["rank"]),
            _t(b["name"]),
            f"{b['lcos_usd_per_MWh']:,.1f}",
            f"{b['dc_block_price_usd_per_kWh']:,.1f}",
            _t(b["warranty"]),
            f"{b['cell_soh_end']:.1%}",
            f"{b['augmented_MWh']:,.0f}",
            f"{b['rte_poi']:.1%}",
        )
    c.print(t)
    for line in d["why"]:
        c.print(_t(line))
    if d["invalid"]:
        c.print("[bold]Invalid bids (not ranked):[/bold]")
        for b in d["invalid"]:
            c.print(_t(f"  {b['name']}: {b['error']}"))
    if d["sensitivity"]:
        s = Table(title="Sensitivity of the ranking to the rules")
        s.add_column("Rule changed")
        s.add_column("Ranking (best first)")
        s.add_column("Same as base", justify="center")
        for v in d["sensitivity"]:
            s.add_row(_t(v["rule"]), _t(" > ".join(v["order"])), "yes" if v["same_as_base"] else "NO")
        c.print(s)
    loc = d.get("localisation")
    if loc:
        c.print("[bold]Localisation and origin rules, each against the ranking by LCOS:[/bold]")
        for line in loc["lines"]:
            c.print(_t(f"  {line}"))
        cost = loc["lcos_cost_usd_per_MWh"]
        together = " > ".join(loc["ranking_under_rules"]) or "no bid qualifies"
        extra = "" if cost is None else f" (the buyer pays {cost:+.1f} USD/MWh against the best bid by LCOS)"
        c.print(_t(f"  All rules together (first reading of each): {together}{extra}"))
    c.print("[bold]Rules (reproduce with the same bids file):[/bold]")
    for line in d["rules"]:
        c.print(_t(f"  {line}"))


def project_csv_rows(d: dict) -> list[dict[str, Any]]:
    """``lcos --csv``: one row per year of the project (``yearly``)."""
    yearly = d["yearly"]
    return [{k: yearly[k][i] for k in yearly} for i in range(len(yearly["year"]))]


def tender_csv_rows(d: dict) -> list[dict[str, Any]]:
    """``tender --csv``: one row per ranked bid with its LCOS terms, then the invalid bids."""
    rows = [
        {k: v for k, v in b.items() if k != "breakdown"}
        | {f"lcos_term_{k}_usd_per_MWh": v for k, v in b["breakdown"].items()}
        for b in d["ranking"]
    ]
    keys = list(rows[0]) if rows else ["rank", "name"]
    rows += [{k: None for k in keys} | {"name": b["name"], "error": b["error"]} for b in d["invalid"]]
    return [{k: r.get(k) for k in [*keys, "error"]} for r in rows]


def lcos_figure(d: dict) -> Any:
    """Left: the LCOS by term (USD/MWh). Right: the cells' state of health at the start of each
    year and the energy added by augmentation that year."""
    fig, (left, right) = figure(12, 4.6, ncols=2)
    terms = [(TERM_LABELS.get(k, k), v) for k, v in d["breakdown"].items()]
    start = 0.0
    for i, (_, v) in enumerate(terms):
        left.bar(i, v, bottom=start, color="tab:blue" if v >= 0 else "tab:green")
        start += v
    left.bar(len(terms), d["lcos_usd_per_MWh"], color="0.3")
    left.set_xticks(range(len(terms) + 1), [n for n, _ in terms] + ["LCOS"], rotation=30, ha="right", fontsize=8)
    left.set_ylabel("USD per MWh delivered")
    conv = d["conventions"]
    left.set_title(
        f"LCOS {d['lcos_usd_per_MWh']:,.1f} USD/MWh ({conv['dollars']}, {conv['discount_rate']:.1%}/yr)", fontsize=10
    )
    left.grid(axis="y", alpha=0.3)
    y = d["yearly"]
    right.plot(y["year"], y["cell_soh_start"], "o-", ms=3, label="cells' state of health at the start of the year")
    right.set_ylabel("Relative capacity")
    right.set_xlabel("Year of operation")
    added = right.twinx()
    added.bar(y["year"], y["augmented_MWh"], color="tab:orange", alpha=0.5, label="augmentation, MWh")
    added.set_ylabel("Augmentation, MWh")
    right.set_zorder(added.get_zorder() + 1)  # the line over the bars
    right.patch.set_visible(False)
    handles = right.get_legend_handles_labels()
    more = added.get_legend_handles_labels()
    right.legend(handles[0] + more[0], handles[1] + more[1], fontsize=8, loc="lower left")
    right.set_title(f"{conv['augmentation']['strategy']} augmentation over {conv['years']} years", fontsize=10)
    fig.suptitle(d["name"], fontsize=11)
    return fig


def tender_figure(d: dict) -> Any:
    """Left: each ranked bid's LCOS stacked by term, best first, with its rank. Right: each
    term's difference from the winner, the reason for each rank in numbers. Below: the reasons
    in words (the result's ``why``) and the bids that were not ranked."""
    import textwrap

    from .common import figure_grid

    ranking = d["ranking"]
    notes = [*d["why"], *(f"Not ranked: {b['name']}: {b['error']}" for b in d["invalid"])]
    wrapped = [textwrap.fill(n, 140) for n in notes]
    lines = sum(w.count("\n") + 1 for w in wrapped)
    fig, axes = figure_grid(12, 4.4 + 0.17 * lines, [["bids", "diff"], ["notes", "notes"]], [4.2, 0.17 * lines + 0.1])
    ax, diff, text_ax = axes["bids"], axes["diff"], axes["notes"]
    terms = list(ranking[0]["breakdown"]) if ranking else []
    bottoms = [0.0] * len(ranking)
    width = 0.8 / max(len(ranking) - 1, 1)
    for k, term in enumerate(terms):
        values = [b["breakdown"][term] for b in ranking]
        ax.bar(range(len(ranking)), values, bottom=bottoms, color=f"C{k}", label=TERM_LABELS.get(term, term))
        bottoms = [b + v for b, v in zip(bottoms, values)]
        for i, b in enumerate(ranking[1:]):
            diff.bar(
                k + (i - (len(ranking) - 2) / 2) * width,
                b["breakdown"][term] - ranking[0]["breakdown"][term],
                width=width,
                color=f"C{k}",
                edgecolor="k",
                lw=0.5,
                hatch=["", "//", "..", "xx", "\\\\"][i % 5],
            )
    for i, b in enumerate(ranking):
        ax.annotate(
            f"#{b['rank']}: {b['lcos_usd_per_MWh']:,.1f}",
            (i, b["lcos_usd_per_MWh"]),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ax.set_xticks(range(len(ranking)), [b["name"] for b in ranking])
    ax.set_ylabel("LCOS, USD/MWh")
    ax.set_title(f"{d['name']}: bids ranked by LCOS", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.12)
    diff.axhline(0, color="k", lw=0.8)
    diff.set_xticks(range(len(terms)), [TERM_LABELS.get(t, t) for t in terms], rotation=20, ha="right", fontsize=8)
    diff.set_ylabel(f"USD/MWh more than {ranking[0]['name']}" if ranking else "USD/MWh")
    order = ", ".join(
        f"{['plain', 'hatched //', 'dotted', 'crossed', 'hatched'][i % 5]}: {b['name']}"
        for i, b in enumerate(ranking[1:])
    )
    diff.set_title(f"Why: each term against the winner ({order})", fontsize=9)
    diff.grid(axis="y", alpha=0.3)
    text_ax.axis("off")
    text_ax.text(0, 1, "\n".join(wrapped), fontsize=7.5, va="top", ha="left", transform=text_ax.transAxes)
    return fig
