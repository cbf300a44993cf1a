"""Rich tables for storage projects (``cellwright lcos``) and tenders (``cellwright tender``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

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
    c.print("[bold]Rules (reproduce with the same bids file):[/bold]")
    for line in d["rules"]:
        c.print(_t(f"  {line}"))
