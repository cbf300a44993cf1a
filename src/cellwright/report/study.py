"""Figures and summary tables of a study's results (``cellwright study plot``).

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot state, no display):
tornado bars, Sobol' S1/ST bars and Morris mu* bars with confidence error bars, a Pareto
scatter with its front highlighted, and histograms with the CDF and the P5/P50/P95 lines.
:func:`plot` picks the figure by the study's method.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..studies import analysis
from ..studies.spec import Study

#: Most outputs drawn as histograms in one figure.
MAX_HISTOGRAMS = 6


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _fmt(x: Any) -> str:
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def tornado_figure(rows: list[dict[str, Any]], output: str) -> Any:
    """Horizontal bars from the base case to the output at each variable's low (blue) and high
    (orange) end, largest swing on top (rows from :func:`analysis.tornado`)."""
    fig = _figure(8, 1.2 + 0.45 * max(len(rows), 1))
    ax = fig.add_subplot()
    base = next((r["base"] for r in rows if r["base"] is not None), 0.0) or 0.0
    for i, r in enumerate(reversed(rows)):
        for end, color in (("low", "tab:blue"), ("high", "tab:orange")):
            y = r[f"output_{end}"]
            if y is not None:
                ax.barh(i, y - base, left=base, color=color, label=end if i == 0 else None)
    ax.set_yticks(range(len(rows)), [f"{r['variable']}\n{_fmt(r['low'])} .. {_fmt(r['high'])}" for r in reversed(rows)])
    ax.axvline(base, color="k", lw=0.8)
    ax.set_xlabel(output)
    ax.set_title(f"Tornado of {output} (base {_fmt(base)})")
    ax.legend(loc="lower right", title="variable at")
    return fig


def sensitivity_figure(indices: Mapping[str, Mapping[str, float | None]], output: str, kind: str) -> Any:
    """Bars of Sobol' S1 and ST (``kind="sobol"``) or Morris mu* (``kind="morris"``) per
    variable, with their 95 % confidence as error bars."""
    names = list(indices)
    x = np.arange(len(names))
    fig = _figure(max(6, 1 + 0.8 * len(names)), 4.5)
    ax = fig.add_subplot()
    if kind == "sobol":
        for shift, key, label in ((-0.2, "S1", "first order S1"), (0.2, "ST", "total ST")):
            vals = [indices[n][key] or 0.0 for n in names]
            err = [indices[n][key + "_conf"] or 0.0 for n in names]
            ax.bar(x + shift, vals, width=0.4, yerr=err, capsize=3, label=label)
        ax.set_ylabel("Sobol' index (share of variance)")
        ax.legend()
        ax.set_title(f"Sobol' indices of {output} (95 % confidence)")
    else:
        vals = [indices[n]["mu_star"] or 0.0 for n in names]
        err = [indices[n]["mu_star_conf"] or 0.0 for n in names]
        ax.bar(x, vals, yerr=err, capsize=3)
        ax.set_ylabel(f"Morris mu* of {output} (per full span)")
        ax.set_title(f"Morris screening of {output} (95 % confidence)")
    ax.set_xticks(x, names, rotation=30, ha="right")
    return fig


def pareto_figure(table: Mapping[str, np.ndarray], objectives: Mapping[str, str]) -> Any:
    """The first two objectives of every valid row, the non-dominated ones (over all the
    objectives) highlighted and joined."""
    names = list(objectives)[:2]
    front = analysis.pareto_front(table, objectives)
    valid = analysis._valid(table, len(front))
    fig = _figure(7, 5)
    ax = fig.add_subplot()
    x = np.asarray(table[names[0]], dtype=float)
    y = np.asarray(table[names[-1]], dtype=float) if len(names) > 1 else np.zeros_like(x)
    ax.scatter(x[valid & ~front], y[valid & ~front], s=6, color="0.7", label="dominated")
    order = np.argsort(x[front])
    ax.plot(x[front][order], y[front][order], "o-", color="tab:red", ms=4, label="Pareto front")
    ax.set_xlabel(f"{names[0]} ({objectives[names[0]]})")
    if len(names) > 1:
        ax.set_ylabel(f"{names[1]} ({objectives[names[1]]})")
    ax.set_title(f"Pareto front: {int(front.sum())} of {int(valid.sum())} valid rows")
    ax.legend()
    return fig


def distribution_figure(table: Mapping[str, np.ndarray], outputs: list[str]) -> Any:
    """Per output: a histogram of the valid finite values, the empirical CDF on a second axis
    and the P5, P50 and P95 lines."""
    outputs = outputs[:MAX_HISTOGRAMS]
    stats = analysis.percentiles(table, outputs)
    cols = min(len(outputs), 2) or 1
    rows = -(-len(outputs) // cols) or 1
    fig = _figure(6 * cols, 3.6 * rows)
    n = len(next(iter(table.values())))
    valid = analysis._valid(table, n)
    for i, name in enumerate(outputs):
        ax = fig.add_subplot(rows, cols, i + 1)
        y = np.asarray(table[name], dtype=float)
        y = np.sort(y[valid & np.isfinite(y)])
        if y.size:
            ax.hist(y, bins=min(50, max(5, int(np.sqrt(y.size)))), color="tab:blue", alpha=0.6)
            cdf = ax.twinx()
            cdf.plot(y, np.arange(1, y.size + 1) / y.size, color="k", lw=1)
            cdf.set_ylim(0, 1)
            cdf.set_ylabel("CDF")
            # labels at staggered heights so that close percentiles stay readable
            for (p, style), h in zip((("P5", ":"), ("P50", "--"), ("P95", ":")), (0.96, 0.88, 0.80), strict=True):
                ax.axvline(stats[name][p], color="tab:red", ls=style, lw=1)
                ax.annotate(
                    f" {p}", (stats[name][p], h), xycoords=("data", "axes fraction"), fontsize=8, color="tab:red"
                )
        ax.set_xlabel(name)
        ax.set_ylabel("rows")
        ax.set_title(f"{name}: {stats[name]['n_valid']:,} valid")
    return fig


def plot(study: Study, table: dict[str, np.ndarray], path: str | Path, output: str | None = None) -> Path:
    """Draw the study's figure (:func:`study_figure`) into ``path`` (format from its suffix,
    e.g. .png, .svg, .pdf) and return it."""
    path = Path(path)
    study_figure(study, table, output).savefig(path, dpi=120)
    return path


def study_figure(study: Study, table: dict[str, np.ndarray], output: str | None = None) -> Any:
    """The study's figure: tornado, Sobol or Morris indices of ``output`` (default: the first
    output column), the Pareto front of a study with [optimize] objectives, else histograms and
    CDFs of the outputs."""
    outputs = analysis.output_columns(table, study)
    if output is None and outputs:
        output = outputs[0]
    method = study.method
    if method in ("tornado", "sobol", "morris") and output is None:
        raise ValueError("the results hold no numeric output column")
    if method == "tornado":
        assert output is not None
        fig = tornado_figure(analysis.tornado(study, table, output), output)
    elif method == "sobol":
        assert output is not None
        fig = sensitivity_figure(analysis.sobol(study, table, output), output, "sobol")
    elif method == "morris":
        assert output is not None
        fig = sensitivity_figure(analysis.morris(study, table, output), output, "morris")
    elif study.optimize is not None:  # NSGA-II, or any study naming its objectives
        fig = pareto_figure(table, study.optimize.objectives)
    else:
        fig = distribution_figure(table, [output] if output and output not in outputs else outputs)
    return fig


def summary_table(study: Study | None, table: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
    """Rows for printing: per output, ``output``, ``n_valid``, ``P5`` ... ``P95`` and ``mean``
    (``None`` where no row is valid)."""
    stats = analysis.percentiles(table, analysis.output_columns(table, study))
    return [{"output": name, **row} for name, row in stats.items()]


def load_results(directory: str | Path) -> tuple[Any, dict[str, np.ndarray], dict[str, Any]]:
    """A stored study's parsed study, its results table and its manifest; a folder that holds
    none is a SpecError naming ``DIR``."""
    from ..errors import SpecError
    from ..studies.runner import load_stored_study
    from ..studies.store import MANIFEST, StudyStore

    directory = Path(directory)
    if not (directory / MANIFEST).is_file():
        raise SpecError("DIR", str(directory), "a study's results folder (the --out of `study run`)")
    store = StudyStore(directory)
    study = load_stored_study(store)
    table = store.read_all()
    if not table:
        raise SpecError("DIR", str(directory), "holds no study results yet")
    return study, table, store.manifest()
