"""Study analysis on synthetic functions with known answers: Sobol' indices of the Ishigami
function and of a linear model, Morris effects of a linear model, tornado swings, Pareto fronts,
percentiles, win probabilities; and the figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.report import study as report
from cellwright.studies import analysis
from cellwright.studies.methods import plan
from cellwright.studies.spec import parse_study


def make(variables: dict, method: str, **extra):
    return parse_study({"name": "t", "method": method, "variables": variables, **extra}, Path("."))


def run(study, f) -> dict[str, np.ndarray]:
    """Evaluate ``f(values) -> outputs`` chunk by chunk; rows shuffled as a store might return
    them (analysis must put them back in variant order)."""
    p = plan(study)
    parts = []
    for wave in p.waves():
        for c in wave:
            out = f(c.values)
            p.tell(c, out)
            parts.append({"variant": c.variant, **c.values, **out})
    table = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    order = np.random.default_rng(0).permutation(len(table["variant"]))
    return {k: v[order] for k, v in table.items()}


PI = [-math.pi, math.pi]


def ishigami(v):
    x1, x2, x3 = v["x1"], v["x2"], v["x3"]
    return {"y": np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)}


def test_sobol_indices_of_the_ishigami_function():
    a, b = 7.0, 0.1
    V1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    V2 = a**2 / 8
    V13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    V = V1 + V2 + V13
    S1 = [V1 / V, V2 / V, 0.0]
    ST = [(V1 + V13) / V, V2 / V, V13 / V]  # 0.558, 0.442, 0.244
    s = make({"x1": {"range": PI}, "x2": {"range": PI}, "x3": {"range": PI}}, "sobol", samples=4096, seed=1)
    res = analysis.sobol(s, run(s, ishigami), "y")
    for j, key in enumerate(["x1", "x2", "x3"]):
        r = res[key]
        assert r["S1"] == pytest.approx(S1[j], abs=max(2 * r["S1_conf"], 0.02)), key
        assert r["ST"] == pytest.approx(ST[j], abs=max(2 * r["ST_conf"], 0.02)), key
        assert 0 < r["S1_conf"] < 0.1 and 0 < r["ST_conf"] < 0.1


def test_sobol_indices_of_a_linear_model():
    # y = a + 2b + 3c with independent U(0, 1): S1 = ST = w^2 / sum(w^2)
    s = make({k: {"range": [0, 1]} for k in "abc"}, "sobol", samples=2048, seed=4)
    res = analysis.sobol(s, run(s, lambda v: {"y": v["a"] + 2 * v["b"] + 3 * v["c"]}), "y")
    for key, w in zip("abc", (1, 4, 9), strict=True):
        assert res[key]["S1"] == pytest.approx(w / 14, abs=0.02)
        assert res[key]["ST"] == pytest.approx(w / 14, abs=0.02)


def test_sobol_needs_every_row_valid():
    s = make({k: {"range": [0, 1]} for k in "ab"}, "sobol", samples=64)
    t = run(s, lambda v: {"y": v["a"], "valid": v["b"] < 0.9})
    with pytest.raises(SpecError):
        analysis.sobol(s, t, "y")


def test_morris_of_a_linear_model_ranks_and_measures_it():
    # ranges of widths 1, 2 and 0.5: the effect of a full span is coefficient x width
    v = {"a": {"range": [0, 1]}, "b": {"range": [0, 2]}, "c": {"range": [10, 10.5]}, "d": ["p", "q"]}
    s = make(v, "morris", samples=20, seed=3)
    res = analysis.morris(s, run(s, lambda x: {"y": 1 * x["a"] - 5 * x["b"] + 4 * x["c"]}), "y")
    assert res["a"]["mu_star"] == pytest.approx(1.0)
    assert res["b"]["mu_star"] == pytest.approx(10.0) and res["b"]["mu"] == pytest.approx(-10.0)
    assert res["c"]["mu_star"] == pytest.approx(2.0)
    assert res["d"]["mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert all(res[k]["sigma"] == pytest.approx(0.0, abs=1e-9) for k in "abcd")
    assert sorted(res, key=lambda k: -res[k]["mu_star"]) == ["b", "c", "a", "d"]


def test_tornado_swings_of_a_linear_model():
    v = {"a": {"range": [0, 10]}, "b": {"range": [1, 2]}, "c": {"distribution": "uniform", "low": 0, "high": 100}}
    s = make(v, "tornado")
    rows = analysis.tornado(s, run(s, lambda x: {"y": 2 * x["a"] - 30 * x["b"] + 0.0 * x["c"]}), "y")
    assert [r["variable"] for r in rows] == ["b", "a", "c"]
    base = 2 * 5 - 30 * 1.5
    b, a, c = rows
    assert b["base"] == pytest.approx(base) and b["swing"] == pytest.approx(30)
    assert b["output_low"] == pytest.approx(base + 15) and b["output_high"] == pytest.approx(base - 15)
    assert a["swing"] == pytest.approx(20) and c["swing"] == 0
    assert (c["low"], c["high"]) == (pytest.approx(5), pytest.approx(95))


def test_pareto_front_of_a_known_set():
    # (cost min, energy max)
    cost = np.array([1, 2, 3, 4, 2, 3, 1, 5, np.nan, 0.5])
    energy = np.array([1, 3, 4, 4, 2, 3, 1, 9, 20, 100])
    valid = np.array([True] * 9 + [False])
    mask = analysis.pareto_front({"cost": cost, "energy": energy, "valid": valid}, {"cost": "min", "energy": "max"})
    # rows 0 and 6 tie (both kept); 2 (3, 4) dominates 3 (4, 4), 1 dominates 4, 2 dominates 5; 8 is NaN, 9 invalid
    np.testing.assert_array_equal(np.flatnonzero(mask), [0, 1, 2, 6, 7])


def test_pareto_front_matches_brute_force():
    rng = np.random.default_rng(2)
    F = rng.random((400, 3))
    t = {"f0": F[:, 0], "f1": F[:, 1], "f2": F[:, 2]}
    mask = analysis.pareto_front(t, {"f0": "min", "f1": "max", "f2": "min"})
    G = F * [1, -1, 1]
    brute = np.array([not np.any(np.all(G <= g, axis=1) & np.any(G < g, axis=1)) for g in G])
    np.testing.assert_array_equal(mask, brute)
    assert 5 < mask.sum() < 400


def test_percentiles():
    y = np.arange(101, dtype=float)
    y_with_bad = np.r_[y, 1e9, np.nan]
    valid = np.r_[np.ones(101, bool), False, True]
    out = analysis.percentiles(
        {"y": y_with_bad, "valid": valid, "z": np.full(103, np.nan), "name": np.array(["a"] * 103)}
    )
    assert out["y"] == {"n_valid": 101, "P5": 5.0, "P25": 25.0, "P50": 50.0, "P75": 75.0, "P95": 95.0, "mean": 50.0}
    assert out["z"]["n_valid"] == 0 and out["z"]["P50"] is None and out["z"]["mean"] is None
    assert "name" not in out


def test_win_probability():
    t = {"winner": np.array(["A", "B", "A", "A", "C"]), "valid": np.array([True, True, True, True, False])}
    assert analysis.win_probability(t, "winner") == {"A": 0.75, "B": 0.25, "C": 0.0}
    # 3 scenarios x 2 bids; lowest LCOS wins; scenario 2's bid B is invalid
    t2 = {
        "scenario": np.array([0, 0, 1, 1, 2, 2]),
        "bid": np.array(["A", "B", "A", "B", "A", "B"]),
        "lcos": np.array([10.0, 9.0, 8.0, 12.0, 11.0, 1.0]),
        "valid": np.array([True, True, True, True, True, False]),
    }
    w = analysis.win_probability(t2, "bid", score="lcos", group="scenario")
    assert w == pytest.approx({"A": 2 / 3, "B": 1 / 3})
    w_max = analysis.win_probability(t2, "bid", score="lcos", group="scenario", sense="max")
    assert w_max == pytest.approx({"A": 2 / 3, "B": 1 / 3})


PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("method", ["tornado", "sobol", "morris", "random", "grid", "nsga2"])
def test_plot_each_method(tmp_path, method):
    v = {"a": {"range": [0, 1], "steps": 4}, "b": {"range": [1, 2], "steps": 3}}
    extra: dict = {"samples": 32} if method in ("sobol", "morris", "random") else {}
    if method == "nsga2":
        extra = {"optimize": {"objectives": {"y": "min", "z": "max"}, "population": 8, "generations": 3}}
    s = make(v, method, **extra)
    t = run(s, lambda x: {"y": x["a"] + 2 * x["b"], "z": x["a"] * x["b"]})
    path = report.plot(s, t, tmp_path / "f.png")
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 5000


def test_summary_table_matches_percentiles():
    s = make({"a": {"range": [0, 1]}}, "random", samples=500)
    t = run(s, lambda x: {"y": 3 * x["a"]})
    rows = report.summary_table(s, t)
    assert [r["output"] for r in rows] == ["y"]  # the variable "a" is not an output
    assert rows[0]["P50"] == pytest.approx(3 * np.median(t["a"]))
    assert rows[0]["n_valid"] == 500


@pytest.mark.parametrize("k", [2, 3])
def test_pareto_front_with_ties_matches_brute_force(k):
    # coarse integer values: many ties and identical rows (both fast 2-D and general paths)
    rng = np.random.default_rng(k)
    F = rng.integers(0, 6, size=(300, k)).astype(float)
    t = {f"f{j}": F[:, j] for j in range(k)}
    mask = analysis.pareto_front(t, {f"f{j}": "min" for j in range(k)})
    brute = np.array([not np.any(np.all(F <= f, axis=1) & np.any(F < f, axis=1)) for f in F])
    np.testing.assert_array_equal(mask, brute)


def test_sobol_of_a_constant_output_is_none():
    s = make({k: {"range": [0, 1]} for k in "ab"}, "sobol", samples=64)
    res = analysis.sobol(s, run(s, lambda v: {"y": np.zeros(len(v["a"]))}), "y")
    assert res["a"] == {"S1": None, "S1_conf": None, "ST": None, "ST_conf": None}
