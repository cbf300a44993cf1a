"""Results as HTML: one fragment per result (tables and the figure as inline SVG), shared by the
self-contained report file (``cellwright report ... --html OUT.html``) and the web app's pages.

A report file needs no network to open: its style is inline, its figures are SVG with the text
drawn as paths, and it carries no script. Everything from the user's files (names, TOML text) is
escaped.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from ..errors import SpecError
from .common import figure_svg, number

#: What ``cellwright report`` takes, as its input names it.
KINDS = ("spec", "project", "bids", "venture", "study")
#: The discharges and the life test a cell spec's report runs.
REPORT_C_RATES = "0.2,0.5,1,2"
REPORT_PROTOCOL = "0.5C/0.5C, 25degC, 100% DOD"

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1280px;padding:1rem 2rem;color:#1d232a}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d5d9e0;padding:.25rem .6rem;text-align:right;vertical-align:top}
th{background:#eef1f5}td.l,th.l{text-align:left}
.fig svg{max-width:100%;height:auto}.cols{display:flex;flex-wrap:wrap;gap:0 2rem;align-items:flex-start}
pre{background:#f5f6f8;padding:.6rem;overflow:auto;font-size:.8rem;max-height:24rem}
.warn{color:#8a4b00}.bad{color:#a00}.muted{color:#667}
ol.sources{font-size:.85rem}
"""


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str, str]], cls: str = "") -> str:
    """An HTML table: ``columns`` as (key, heading, format) where format is a ``str.format``
    pattern for numbers, or ``"text"``; left-aligned text, right-aligned numbers."""
    head = "".join(f'<th class="{"l" if fmt == "text" else ""}">{escape(h)}</th>' for _, h, fmt in columns)
    body = []
    for row in rows:
        cells = []
        for key, _, fmt in columns:
            value = row.get(key)
            if fmt == "text" or not isinstance(value, int | float) or isinstance(value, bool):
                shown = "" if value is None else ("yes" if value is True else "no" if value is False else str(value))
                cells.append(f'<td class="l">{escape(shown)}</td>')
            else:
                cells.append(f"<td>{escape(number(float(value), fmt, ''))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def quantities(
    row: Mapping[str, Any], spec: Iterable[tuple[str, str, str, str]], scale: Mapping[str, float] | None = None
) -> str:
    """A two-column table of quantities: (key, label, unit, format) rows of ``row``."""
    scale = scale or {}
    body = []
    for key, label, unit, fmt in spec:
        value = row.get(key)
        shown = number(None if value is None else float(value) * scale.get(key, 1.0), fmt)
        body.append(
            f'<tr><td class="l">{escape(label)}</td><td data-key="{escape(key)}">{escape(shown)}</td>'
            f'<td class="l">{escape(unit)}</td></tr>'
        )
    return f'<table><thead><tr><th class="l">Quantity</th><th>Value</th><th class="l">Unit</th></tr></thead><tbody>{"".join(body)}</tbody></table>'


def figure_block(fig: Any, caption: str = "") -> str:
    cap = f"<figcaption class=muted>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="fig">{figure_svg(fig)}{cap}</figure>'


def lines(items: Iterable[str], cls: str = "") -> str:
    items = list(items)
    return f'<ul class="{cls}">' + "".join(f"<li>{escape(x)}</li>" for x in items) + "</ul>" if items else ""


def design_section(d: dict, figures: bool = True) -> str:
    from .design import MAIN_ROWS, bom_figure, bom_rows, title

    bom = table(
        bom_rows(d),
        [
            ("component", "Component", "text"),
            ("mass_g", "Mass, g", "{:.1f}"),
            ("share", "Share", "{:.1%}"),
            ("area_m2", "Area, m2", "{:.4f}"),
        ],
    )
    fig = figure_block(bom_figure(d)) if figures else ""
    verdict = (
        "" if d.get("valid", True) else f"<p class=bad>Not a valid design: {escape(str(d.get('invalid_reason')))}</p>"
    )
    return (
        f"<h2>Design: {escape(title(d))}</h2>{verdict}<div class=cols><div>{quantities(d, MAIN_ROWS)}</div>"
        f"<div><h3>Bill of materials</h3>{bom}</div><div>{fig}</div></div>"
    )


def cost_section(d: dict, figures: bool = True) -> str:
    from .cost import COST_ROWS, MILLIONS, cost_figure, title, waterfall_rows

    out = [f"<h2>Cost: {escape(title(d))}</h2>", quantities(d, COST_ROWS, {k: 1e-6 for k in MILLIONS})]
    out.append("<h3>Cost waterfall, USD per good kWh</h3>")
    out.append(
        table(
            waterfall_rows(d),
            [
                ("line", "Line", "text"),
                ("usd_per_kWh", "USD/kWh", "{:.2f}"),
                ("running_total_usd_per_kWh", "Running total", "{:.2f}"),
            ],
        )
    )
    if d.get("trajectory"):
        out.append("<h3>Year by year</h3>")
        out.append(
            table(
                d["trajectory"],
                [
                    ("year", "Year", "{:.0f}"),
                    ("calendar_year", "Calendar", "{:.0f}"),
                    ("cell_yield", "Cell yield", "{:.3f}"),
                    ("utilization", "Utilisation", "{:.2f}"),
                    ("cell_cost_usd_per_kWh", "Cell cost, USD/kWh", "{:.2f}"),
                    ("materials_usd_per_kWh", "Materials", "{:.2f}"),
                    ("conversion_usd_per_kWh", "Conversion", "{:.2f}"),
                ],
            )
        )
    if d.get("comparison"):
        out.append("<h3>The same cell with one choice changed</h3>")
        out.append(
            table(
                d["comparison"],
                [
                    ("varied", "Changed", "text"),
                    ("value", "To", "text"),
                    ("cell_cost_usd_per_kWh", "Cell cost, USD/kWh", "{:.2f}"),
                    ("materials_usd_per_kWh", "Materials", "{:.2f}"),
                    ("conversion_usd_per_kWh", "Conversion", "{:.2f}"),
                    ("reason", "No cost because", "text"),
                ],
            )
        )
    if figures:
        out.append(figure_block(cost_figure(d)))
    return "".join(out)


def rates_section(d: dict, figures: bool = True) -> str:
    from .performance import discharge_figure, label, mode

    rows = [{**r, "share": r["capacity_Ah"] / d["nominal_capacity_Ah"], "c": f"{r['c_rate']:g}C"} for r in d["rates"]]
    out = [
        f"<h2>Rate capability: {escape(d['name'])} ({label(d)}, {mode(d)}, to {d['cutoff_V']:g} V)</h2>",
        table(
            rows,
            [
                ("c", "C-rate", "text"),
                ("capacity_Ah", "Capacity, Ah", "{:.3f}"),
                ("share", "Of nominal", "{:.1%}"),
                ("energy_Wh", "Energy, Wh", "{:.2f}"),
                ("mean_power_W", "Mean power, W", "{:.1f}"),
                ("max_temperature_degC", "Max temp, degC", "{:.1f}"),
                ("valid", "Valid", "text"),
                ("reason", "Not valid because", "text"),
            ],
        ),
    ]
    if figures:
        out.append(figure_block(discharge_figure(d)))
    return "".join(out)


def life_section(d: dict, figures: bool = True) -> str:
    from .life import heading, life_figure

    out = [f"<h2>Life: {escape(d['name'])}</h2>", "<p>" + "<br>".join(escape(x) for x in heading(d)) + "</p>"]
    out.append(lines(d["lines"]))
    out.append(lines(d["warnings"], "warn"))
    if figures:
        out.append(figure_block(life_figure(d)))
    return "".join(out)


def project_section(d: dict, figures: bool = True) -> str:
    from .storage import TERM_LABELS, lcos_figure

    s, rte, conv = d["system"], d["rte"], d["conventions"]
    plant = [
        {"q": "Cell", "v": f"{s['cell']} ({s['cell_capacity_Ah']:.0f} Ah): {s['cell_price_source']}"},
        {
            "q": "Rated",
            "v": f"{s['power_MW']:g} MW x {s['duration_h']:g} h at the POI ({conv['sizing_boundary']} sizing)",
        },
        {"q": "DC nameplate / usable at POI", "v": f"{s['dc_nameplate_MWh']:,.1f} / {s['usable_poi_MWh']:,.1f} MWh"},
        {
            "q": "Capex",
            "v": f"USD {d['capex_usd'] / 1e6:,.1f} M = USD {s['capex_usd_per_kWh']:,.0f}/kWh ({s['cost_set']} cost set)",
        },
        {"q": "Round trip: DC / PCS AC / POI", "v": f"{rte['dc']:.1%} / {rte['pcs_ac']:.1%} / {rte['poi']:.1%}"},
        {"q": "Cells at the end", "v": f"{d['aging']['cell_soh_end']:.1%} after {conv['years']} years"},
    ]
    terms = [{"term": TERM_LABELS.get(k, k), "v": v} for k, v in d["breakdown"].items()]
    out = [
        f"<h2>Storage project: {escape(d['name'])}: LCOS {d['lcos_usd_per_MWh']:,.1f} USD/MWh</h2>",
        table(plant, [("q", "Plant", "text"), ("v", "", "text")]),
        table(
            terms + [{"term": "LCOS", "v": d["lcos_usd_per_MWh"]}],
            [("term", "Term", "text"), ("v", "USD/MWh", "{:,.2f}")],
        ),
        lines(d.get("warnings", []), "warn"),
    ]
    if figures:
        out.append(figure_block(lcos_figure(d)))
    return "".join(out)


def tender_section(d: dict, figures: bool = True) -> str:
    from .storage import tender_figure

    out = [
        f"<h2>Tender: {escape(d['name'])}</h2>",
        table(
            d["ranking"],
            [
                ("rank", "Rank", "{:.0f}"),
                ("name", "Bid", "text"),
                ("lcos_usd_per_MWh", "LCOS, USD/MWh", "{:,.1f}"),
                ("dc_block_price_usd_per_kWh", "DC block, USD/kWh", "{:,.1f}"),
                ("warranty", "Warranty", "text"),
                ("cell_soh_end", "Cells at end", "{:.1%}"),
                ("augmented_MWh", "Augmented, MWh", "{:,.0f}"),
                ("rte_poi", "RTE at POI", "{:.1%}"),
            ],
            cls="ranking",
        ),
        "<h3>Why each bid ranks where it does</h3>",
        lines(d["why"], "why"),
    ]
    if d["invalid"]:
        out.append("<h3>Not ranked</h3>" + lines((f"{b['name']}: {b['error']}" for b in d["invalid"]), "bad"))
    if d.get("sensitivity"):
        rows = [{**v, "order": " > ".join(v["order"])} for v in d["sensitivity"]]
        out.append("<h3>Sensitivity of the ranking to the rules</h3>")
        out.append(
            table(
                rows,
                [
                    ("rule", "Rule changed", "text"),
                    ("order", "Ranking (best first)", "text"),
                    ("same_as_base", "Same as base", "text"),
                ],
            )
        )
    loc = d.get("localisation")
    if loc:
        out.append("<h3>Localisation and origin rules</h3>" + lines(loc["lines"], "localisation"))
        together = " > ".join(loc["ranking_under_rules"]) or "no bid qualifies"
        cost = (
            ""
            if loc["lcos_cost_usd_per_MWh"] is None
            else f" (the buyer pays {loc['lcos_cost_usd_per_MWh']:+.1f} USD/MWh against the best bid by LCOS)"
        )
        out.append(f"<p>All rules together: {escape(together)}{escape(cost)}</p>")
    out.append("<h3>Rules</h3>" + lines(d["rules"]))
    if figures and d["ranking"]:
        out.append(figure_block(tender_figure(d)))
    return "".join(out)


def venture_section(d: dict, figures: bool = True) -> str:
    from .venture import headline, venture_figure

    cols = [
        ("year", "Year", "{:.0f}"),
        ("calendar_year", "Calendar", "{:.0f}"),
        ("cell_yield", "Yield", "{:.2f}"),
        ("utilization", "Utilisation", "{:.3f}"),
        ("output_GWh", "Output, GWh", "{:.2f}"),
        ("cell_cost_usd_per_kWh", "Cell cost, USD/kWh", "{:,.1f}"),
        ("incumbent_cost_usd_per_kWh", "Incumbent, USD/kWh", "{:.1f}"),
        ("price_usd_per_kWh", "Price, USD/kWh", "{:.1f}"),
        ("cash_flow_usd", "Cash flow, USD", "{:,.0f}"),
        ("cumulative_cash_usd", "Cumulative, USD", "{:,.0f}"),
    ]
    out = [f"<h2>Venture: {escape(d['name'])}</h2>", lines(headline(d)), table(d["yearly"], cols)]
    if figures:
        out.append(figure_block(venture_figure(d)))
    return "".join(out)


def study_section(study: Any, table_: dict, output: str | None = None, figures: bool = True) -> str:
    from .study import study_figure, summary_table

    rows = summary_table(study, table_)
    cols = [("output", "Output", "text")] + [(k, k, "{:.4g}") for k in (rows[0] if rows else {}) if k != "output"]
    n = len(next(iter(table_.values())))
    out = [
        f"<h2>Study: {escape(str(getattr(study, 'name', '')))} ({escape(study.method)}, {n:,} rows)</h2>",
        table(rows, cols),
    ]
    if figures:
        out.append(figure_block(study_figure(study, table_, output), study_caption(study, table_)))
    return "".join(out)


def study_caption(study: Any, table_: dict) -> str:
    """What the study's figure shows, in words (its text is drawn as paths)."""
    from ..studies import analysis

    if study.method in ("tornado", "sobol", "morris"):
        return f"{study.method} of the first output"
    if study.optimize is not None:
        front = analysis.pareto_front(table_, study.optimize.objectives)
        valid = analysis._valid(table_, len(front))
        names = " and ".join(study.optimize.objectives)
        return f"Pareto front: {int(front.sum())} of {int(valid.sum())} valid rows ({names})"
    return "distribution of each output, with P5, P50 and P95"


def sources_section(keys: Iterable[str]) -> str:
    from ..sources import bibliography, format_reference

    known = bibliography()
    items = [f"<li><b>[{escape(k)}]</b> {escape(format_reference(k))}</li>" for k in sorted(set(keys)) if k in known]
    return f"<h2>Sources</h2><ol class=sources>{''.join(items)}</ol>" if items else ""


def document(title: str, inputs: Sequence[tuple[str, str]], sections: Sequence[str], sources: Iterable[str]) -> str:
    """A whole self-contained HTML file: the inputs (name, text) shown as written, the result
    sections, the sources used."""
    from .. import __version__

    made = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    inp = "".join(f"<h3>{escape(name)}</h3><pre>{escape(textual)}</pre>" for name, textual in inputs)
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class=muted>cellwright {escape(__version__)}, {made}</p>"
        + "".join(sections)
        + f"<h2>Inputs</h2>{inp}"
        + sources_section(sources)
        + "</body></html>\n"
    )


def kind_of(path: Path) -> str:
    """What a report input is: a study's results folder, or a TOML file that is a bids file
    (``[[bids]]``), a venture (``cell`` and a ``[plant]`` table), a storage project
    (``power_MW`` and ``cell``) or else a cell spec."""
    path = Path(path)
    if path.is_dir():
        return "study"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(
            "INPUT",
            str(path),
            "a cell spec, project or bids file (TOML), or a study's results folder; it does not exist",
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError("INPUT", str(path), f"a readable TOML file ({exc})") from None
    if "bids" in data:
        return "bids"
    if "plant" in data and "cell" in data and isinstance(data["plant"], dict):
        return "venture"
    if "power_MW" in data and "cell" in data:
        return "project"
    return "spec"


def report_html(path: Path, protocol: str = REPORT_PROTOCOL, c_rates: str = REPORT_C_RATES) -> str:
    """The report of a cell spec (design, cost in its default plant with the comparison and a
    10-year trajectory, discharges at ``c_rates``, life under ``protocol``), a storage project,
    a bids file or a study's results folder, as one self-contained HTML document."""
    from .cost import cost_result
    from .design import design_result
    from .life import life_result
    from .performance import rate_result

    path = Path(path)
    kind = kind_of(path)
    if kind == "study":
        from .study import load_results

        study, results, manifest = load_results(path)
        sections = [study_section(study, results)]
        inputs = [("study file", manifest.get("study_text", ""))]
        return document(
            f"Study report: {getattr(study, 'name', path.name)}", inputs, sections, manifest.get("sources", [])
        )
    textual = path.read_text(encoding="utf-8")
    if kind == "spec":
        d = design_result(path)
        cost = cost_result(path, compare=True, trajectory_years=10)
        rates = rate_result(path, c_rates)
        life = life_result(path, protocol)
        sections = [design_section(d), cost_section(cost), rates_section(rates), life_section(life)]
        return document(
            f"Cell report: {d['name']}", [(path.name, textual)], sections, [*d["sources"], *cost["sources"]]
        )
    if kind == "project":
        from ..storage.project import evaluate, load_project

        p = evaluate(load_project(path)).as_dict()
        return document(
            f"Storage project report: {p['name']}", [(path.name, textual)], [project_section(p)], p.get("sources", [])
        )
    if kind == "venture":
        from .venture import venture_result

        v = venture_result(path)
        return document(f"Venture report: {v['name']}", [(path.name, textual)], [venture_section(v)], [])
    from ..storage.tender import load_tender

    t = load_tender(path).as_dict()
    return document(f"Tender report: {t['name']}", [(path.name, textual)], [tender_section(t)], [])
