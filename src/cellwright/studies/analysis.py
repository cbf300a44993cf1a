"""Analysis of a study's results: percentiles, tornado, Sobol and Morris indices, Pareto
fronts, win probabilities.

A results table is ``dict[str, np.ndarray]`` of equal-length columns as the store reads them:
``variant`` (global row id; rows are put in variant order where order matters), the variable
keys, the outputs and ``valid``. Numbers keep the unit of their column; nothing returned holds
NaN or infinity (a statistic with no valid value is ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import SpecError
from .spec import Study

PERCENTILES = (5, 25, 50, 75, 95)
#: Columns that are not outputs.
META_COLUMNS = ("variant", "valid", "invalid_reason", "warnings")


def _ordered(table: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The table in variant order (as written when there is no ``variant`` column)."""
    if "variant" not in table:
        return {k: np.asarray(v) for k, v in table.items()}
    order = np.argsort(np.asarray(table["variant"]), kind="stable")
    return {k: np.asarray(v)[order] for k, v in table.items()}


def _valid(table: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    return np.asarray(table["valid"], dtype=bool) if "valid" in table else np.ones(n, dtype=bool)


def output_columns(table: Mapping[str, np.ndarray], study: Study | None = None) -> list[str]:
    """The numeric output columns: not a variable, not ``variant``/``valid``/reasons."""
    skip = set(META_COLUMNS) | (set(study.variables) if study is not None else set())
    return [k for k, v in table.items() if k not in skip and np.asarray(v).dtype.kind in "fiu"]


def _column(table: Mapping[str, np.ndarray], name: str) -> np.ndarray:
    if name not in table:
        raise SpecError("output", name, "a column of the results: " + ", ".join(output_columns(table)))
    return np.asarray(table[name], dtype=float)


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def percentiles(table: Mapping[str, np.ndarray], outputs: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per output: ``P5``, ``P25``, ``P50``, ``P75``, ``P95``, ``mean`` (column's unit) and
    ``n_valid``, over the valid rows with a finite value; ``None`` when there are none."""
    n = len(next(iter(table.values()))) if table else 0
    valid = _valid(table, n)
    out: dict[str, dict[str, Any]] = {}
    for name in outputs if outputs is not None else output_columns(table):
        y = _column(table, name)
        y = y[valid & np.isfinite(y)]
        row: dict[str, Any] = {"n_valid": int(y.size)}
        q = np.percentile(y, PERCENTILES) if y.size else [np.nan] * len(PERCENTILES)
        row.update({f"P{p}": _num(v) for p, v in zip(PERCENTILES, q, strict=True)})
        row["mean"] = _num(y.mean()) if y.size else None
        out[name] = row
    return out


def _complete(study: Study, y: np.ndarray, valid: np.ndarray, name: str, method: str) -> None:
    bad = ~valid | ~np.isfinite(y)
    if bad.any():
        raise SpecError(
            "variables",
            f"{int(bad.sum())} of {y.size} rows",
            f"{method} needs every row valid with a finite {name}; narrow the variables so every design is valid",
        )


def tornado(study: Study, table: Mapping[str, np.ndarray], output: str) -> list[dict[str, Any]]:
    """One-at-a-time swings of ``output`` (rows as :class:`~cellwright.studies.methods.TornadoPlan`
    lays them out), largest swing first.

    Each row: ``variable``, ``low`` and ``high`` (the variable's ends), ``base`` (output at
    the base case), ``output_low`` and ``output_high`` (output with the variable at its low and
    high end), ``swing`` = |output_high - output_low| (output's unit); an invalid row's output
    is ``None`` and its swing 0."""
    t = _ordered(table)
    y = _column(t, output)
    y = np.where(_valid(t, y.size) & np.isfinite(y), y, np.nan)
    k = len(study.variables)
    if y.size != 1 + 2 * k:
        raise SpecError("method", study.method, f"a tornado table has 1 + 2 x {k} rows; got {y.size}")
    rows = []
    for i, (key, var) in enumerate(study.variables.items()):
        lo, hi = y[1 + 2 * i], y[2 + 2 * i]
        swing = abs(hi - lo)
        rows.append(
            {
                "variable": key,
                "low": var.low,
                "high": var.high,
                "base": _num(y[0]),
                "output_low": _num(lo),
                "output_high": _num(hi),
                "swing": float(swing) if np.isfinite(swing) else 0.0,
            }
        )
    rows.sort(key=lambda r: -r["swing"])
    return rows


def sobol(study: Study, table: Mapping[str, np.ndarray], output: str) -> dict[str, dict[str, float | None]]:
    """First-order and total Sobol' indices of ``output`` per variable (``SALib.analyze.sobol``,
    bootstrap 95 % confidence): ``{variable: {S1, S1_conf, ST, ST_conf}}``, dimensionless;
    ``None`` when the output does not vary.

    Every row must be valid and finite (the estimator uses all of Saltelli's rows)."""
    from SALib.analyze import sobol as sobol_analyze

    from .methods import salib_problem

    t = _ordered(table)
    y = _column(t, output)
    _complete(study, y, _valid(t, y.size), output, "Sobol analysis")
    k = len(study.variables)
    assert study.samples is not None
    if y.size != study.samples * (k + 2):
        raise SpecError("method", study.method, f"a Sobol table of {study.samples * (k + 2)} rows; got {y.size}")
    if np.ptp(y) == 0:
        # no variance to share out: the indices are 0/0
        return {key: dict.fromkeys(("S1", "S1_conf", "ST", "ST_conf")) for key in study.variables}
    res = sobol_analyze.analyze(salib_problem(study), y, calc_second_order=False, seed=study.seed)
    return {
        key: {name: _num(res[name][j]) for name in ("S1", "S1_conf", "ST", "ST_conf")}
        for j, key in enumerate(study.variables)
    }


def morris(study: Study, table: Mapping[str, np.ndarray], output: str) -> dict[str, dict[str, float]]:
    """Morris elementary effects of ``output`` per variable (``SALib.analyze.morris``):
    ``{variable: {mu, mu_star, sigma, mu_star_conf}}`` in output units per full span of the
    variable's quantile (0 -> 1), so they rank variables whatever their units."""
    from SALib.analyze import morris as morris_analyze

    from .methods import MORRIS_LEVELS, plan, salib_problem

    t = _ordered(table)
    y = _column(t, output)
    _complete(study, y, _valid(t, y.size), output, "Morris analysis")
    unit = plan(study).unit  # type: ignore[attr-defined]  # a MorrisPlan (checked below)
    if len(unit) != y.size:
        raise SpecError("method", study.method, f"a Morris table of {len(unit)} rows; got {y.size}")
    res = morris_analyze.analyze(salib_problem(study), unit, y, num_levels=MORRIS_LEVELS, seed=study.seed)
    return {
        key: {name: float(res[name][j]) for name in ("mu", "mu_star", "sigma", "mu_star_conf")}
        for j, key in enumerate(study.variables)
    }


def pareto_front(
    table: Mapping[str, np.ndarray], objectives: Mapping[str, str], valid: np.ndarray | None = None
) -> np.ndarray:
    """Mask of the non-dominated rows for ``objectives`` ``{column: "min"|"max"}``.

    A row is dominated when another is at least as good in every objective and better in one;
    invalid rows and rows with a non-finite objective are never on the front. Identical rows
    on the front are all kept."""
    cols = []
    for name, sense in objectives.items():
        if sense not in ("min", "max"):
            raise SpecError(f"optimize.objectives.{name}", sense, "min or max")
        y = _column(table, name)
        cols.append(y if sense == "min" else -y)
    F = np.column_stack(cols)
    n = len(F)
    ok = np.isfinite(F).all(axis=1)
    ok &= valid if valid is not None else _valid(table, n)
    idx = np.flatnonzero(ok)
    if F.shape[1] == 2:
        return _pareto_2d(F, idx, n)
    # sort by the first objective (then the rest): a row can only be dominated by rows before it
    # or equal to it, so the candidates kept so far suffice
    order = idx[np.lexsort(F[idx].T[::-1])]
    front: list[int] = []
    for i in order:
        f = F[i]
        if front:
            P = F[front]
            if np.any(np.all(P <= f, axis=1) & np.any(P < f, axis=1)):
                continue
        front.append(i)
    mask = np.zeros(n, dtype=bool)
    mask[front] = True
    return mask


def _pareto_2d(F: np.ndarray, idx: np.ndarray, n: int) -> np.ndarray:
    """Two objectives in O(n log n): in lexicographic order, a row is dominated exactly when a
    row before its group of identical rows has a second objective no larger than its own."""
    order = idx[np.lexsort((F[idx, 1], F[idx, 0]))]
    f0, f1 = F[order, 0], F[order, 1]
    new_group = np.r_[True, (f0[1:] != f0[:-1]) | (f1[1:] != f1[:-1])] if order.size else np.zeros(0, bool)
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(order.size), 0))
    prefix_min = np.r_[np.inf, np.minimum.accumulate(f1)]  # prefix_min[k] = min(f1[:k])
    mask = np.zeros(n, dtype=bool)
    mask[order[prefix_min[group_start] > f1]] = True
    return mask


def win_probability(
    table: Mapping[str, np.ndarray],
    category: str,
    score: str | None = None,
    group: str | None = None,
    sense: str = "min",
) -> dict[str, float]:
    """Share of outcomes each category wins (e.g. each bid's probability of winning a tender).

    Without ``score``: column ``category`` holds the winner of each valid row. With ``score``
    and ``group``: rows are (scenario ``group``, ``category``) pairs; in each scenario the
    valid row with the lowest (``sense="min"``) or highest score wins. Shares sum to 1 over
    the categories seen; a scenario with no valid row counts for nobody."""
    cat = np.asarray(table[category]).astype(str)
    valid = _valid(table, cat.size)
    if score is None:
        winners = cat[valid]
        n = winners.size
    else:
        if group is None:
            raise SpecError("group", None, "a scenario column is needed with a score")
        s = _column(table, score)
        s = s if sense == "min" else -s
        ok = valid & np.isfinite(s)
        g = np.asarray(table[group])
        n = np.unique(g).size
        order = np.lexsort((s[ok], g[ok]))  # by group, then best score first
        gs = g[ok][order]
        first = np.r_[True, gs[1:] != gs[:-1]] if gs.size else np.zeros(0, bool)
        winners = cat[ok][order][first]
    names = np.unique(cat)
    return {str(c): (float(np.sum(winners == c)) / n if n else 0.0) for c in names}
