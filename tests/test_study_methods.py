"""Sampling plans: row counts and order, laziness, determinism per seed, stratification, and
NSGA-II on an analytic bi-objective problem."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from cellwright.errors import SpecError
from cellwright.studies.methods import MAX_MATERIALISED_ROWS, Chunk, plan
from cellwright.studies.spec import parse_study


def make(variables: dict, method: str, **extra):
    return parse_study({"name": "t", "method": method, "variables": variables, **extra}, Path("."))


def rows(p) -> dict[str, np.ndarray]:
    """Every chunk of a one-wave plan, concatenated, with the ids checked."""
    waves = list(p.waves())
    assert len(waves) == 1
    chunks = list(waves[0])
    assert [c.id for c in chunks] == list(range(len(chunks)))
    out = {"variant": np.concatenate([c.variant for c in chunks])}
    for key in chunks[0].values:
        out[key] = np.concatenate([c.values[key] for c in chunks])
    return out


GRID = {"a": {"range": [0, 1], "steps": 3}, "b": [10, 20], "c": {"values": ["x", "y"]}}


def test_grid_count_and_order():
    p = plan(make(GRID, "grid", chunk_size=5))
    assert p.n_total == 12
    r = rows(p)
    np.testing.assert_array_equal(r["variant"], np.arange(12))
    expected = list(itertools.product([0.0, 0.5, 1.0], [10, 20], ["x", "y"]))
    assert list(zip(r["a"], r["b"], r["c"], strict=True)) == expected
    assert r["c"].dtype.kind == "U" and r["b"].dtype == np.int64


@pytest.mark.parametrize("chunk_size", [1, 5, 7, 12, 1000])
def test_grid_rows_do_not_depend_on_chunk_size(chunk_size):
    ref = rows(plan(make(GRID, "grid", chunk_size=3)))
    r = rows(plan(make(GRID, "grid", chunk_size=chunk_size)))
    for key in ref:
        np.testing.assert_array_equal(r[key], ref[key])


def test_grid_of_1e8_rows_is_lazy():
    s = make({"a": {"range": [0, 1], "steps": 10_000}, "b": {"range": [5, 6], "steps": 10_000}}, "grid")
    p = plan(s)
    assert p.n_total == 10**8
    wave = next(p.waves())
    assert len(wave) == 5000 and wave.ids == range(5000)
    last = wave[-1]
    assert isinstance(last, Chunk) and last.id == 4999
    assert last.variant[-1] == 10**8 - 1
    assert last.values["a"][-1] == 1.0 and last.values["b"][-1] == 6.0
    mid = wave[2500]  # row 5e7 -> a at level 5000, b at level 0
    assert mid.variant[0] == 5 * 10**7
    assert mid.values["a"][0] == pytest.approx(5000 / 9999) and mid.values["b"][0] == 5.0


RANDOM = {"x": {"distribution": "normal", "mean": 3, "sd": 2}, "y": ["p", "q", "r", "s"], "z": {"range": [1, 2]}}


def test_random_is_deterministic_per_seed_and_order_free():
    a = plan(make(RANDOM, "random", samples=1000, chunk_size=300, seed=7))
    b = plan(make(RANDOM, "random", samples=1000, chunk_size=300, seed=7))
    c = plan(make(RANDOM, "random", samples=1000, chunk_size=300, seed=8))
    wa, wb, wc = next(a.waves()), next(b.waves()), next(c.waves())
    assert len(wa) == 4 and len(wa[3]) == 100
    # chunk 2 is the same whether made first or after the others (as on another worker)
    for key in RANDOM:
        np.testing.assert_array_equal(wb[2].values[key], [ch for ch in wa][2].values[key])
    assert not np.array_equal(wa[0].values["x"], wc[0].values["x"])


def test_random_draws_follow_their_distribution():
    r = rows(plan(make(RANDOM, "random", samples=200_000, chunk_size=50_000, seed=1)))
    x = r["x"]
    # 5 standard errors of the mean and of the sd
    assert abs(x.mean() - 3) < 5 * 2 / np.sqrt(x.size)
    assert abs(x.std() - 2) < 5 * 2 / np.sqrt(2 * x.size)
    shares = [np.mean(r["y"] == v) for v in "pqrs"]
    assert max(abs(s - 0.25) for s in shares) < 5 * np.sqrt(0.25 * 0.75 / x.size)
    assert 1 <= r["z"].min() and r["z"].max() <= 2


def test_lhs_is_stratified_and_seeded():
    n = 500
    s = make({"a": {"range": [0, 1]}, "b": {"distribution": "normal", "mean": 0, "sd": 1}}, "lhs", samples=n, seed=3)
    r = rows(plan(s))
    # one row in each of the n equal strata of each variable
    assert sorted(np.floor(r["a"] * n).astype(int)) == list(range(n))
    assert sorted(np.floor(stats.norm.cdf(r["b"]) * n).astype(int)) == list(range(n))
    again = rows(
        plan(
            make(
                {"a": {"range": [0, 1]}, "b": {"distribution": "normal", "mean": 0, "sd": 1}}, "lhs", samples=n, seed=3
            )
        )
    )
    np.testing.assert_array_equal(again["a"], r["a"])


def test_materialised_sample_limit():
    with pytest.raises(SpecError) as e:
        plan(make({"a": {"range": [0, 1]}}, "lhs", samples=MAX_MATERIALISED_ROWS + 1))
    assert e.value.field == "samples"


def test_sobol_and_morris_row_counts():
    v = {"a": {"range": [0, 1]}, "b": {"range": [0, 1]}, "c": {"distribution": "uniform", "low": 0, "high": 1}}
    p = plan(make(v, "sobol", samples=64, chunk_size=50))
    assert p.n_total == 64 * 5 and rows(p)["a"].size == 320
    m = plan(make(v, "morris", samples=10, seed=2, chunk_size=7))
    r = rows(m)
    assert m.n_total == 40 and r["a"].size == 40
    # each trajectory step moves exactly one variable
    X = np.column_stack([r[k] for k in v]).reshape(10, 4, 3)
    moved = (np.abs(np.diff(X, axis=1)) > 1e-12).sum(axis=2)
    assert (moved == 1).all()


def test_morris_distribution_levels_are_interior_quantiles():
    m = plan(make({"a": {"distribution": "normal", "mean": 0, "sd": 1}, "b": {"range": [0, 3]}}, "morris", samples=20))
    r = rows(m)
    np.testing.assert_allclose(np.unique(r["a"]), stats.norm.ppf([1 / 8, 3 / 8, 5 / 8, 7 / 8]))
    np.testing.assert_allclose(np.unique(r["b"]), [0, 1, 2, 3])


def test_tornado_layout():
    v = {"a": {"range": [0, 10]}, "b": [1, 2, 3], "c": {"distribution": "uniform", "low": 0, "high": 100}}
    r = rows(plan(make(v, "tornado", chunk_size=4)))
    np.testing.assert_allclose(r["a"], [5, 0, 10, 5, 5, 5, 5])
    np.testing.assert_array_equal(r["b"], [2, 2, 2, 1, 3, 2, 2])
    np.testing.assert_allclose(r["c"], [50, 50, 50, 50, 50, 5, 95])


def nsga(seed=0, chunk_size=15, constraints=("f1 <= 1",)):
    return make(
        {"x": {"range": [-5, 5]}, "label": ["u", "v"]},
        "nsga2",
        seed=seed,
        chunk_size=chunk_size,
        optimize={
            "objectives": {"f1": "min", "f2": "min"},
            "constraints": list(constraints),
            "population": 40,
            "generations": 40,
        },
    )


def run_nsga(study):
    """Schaffer's problem f1 = x^2, f2 = (x - 2)^2 (Pareto set x in [0, 2]); rows with x < 0.1
    are invalid."""
    p = plan(study)
    seen = []
    for wave in p.waves():
        ids = [c.id for c in wave]
        for c in wave:
            x = c.values["x"]
            seen.append(x.copy())
            p.tell(c, {"f1": x**2, "f2": (x - 2) ** 2, "valid": x >= 0.1, "extra": np.zeros(len(x))})
        assert ids == sorted(ids)
    return p, np.concatenate(seen)


def test_nsga2_finds_the_constrained_front():
    p, seen = run_nsga(nsga())
    assert seen.size == p.n_total == 40 * 40
    X = p.result.X[:, 0] * 10 - 5  # quantile -> x
    # feasible front: valid (x >= 0.1), f1 = x^2 <= 1 and Pareto-optimal (x in [0, 2]) -> [0.1, 1]
    assert X.min() >= 0.1 - 1e-9 and X.max() <= 1 + 1e-9
    assert X.max() - X.min() > 0.7  # spread over the front, not collapsed to one point
    assert p.result.G[:, :-1].max() <= 0


def test_nsga2_is_deterministic_per_seed():
    _, a = run_nsga(nsga(seed=5))
    _, b = run_nsga(nsga(seed=5))
    _, c = run_nsga(nsga(seed=6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_nsga2_names_a_missing_output():
    p = plan(nsga(constraints=("cycles >= 3000",)))
    wave = next(p.waves())
    with pytest.raises(SpecError) as e:
        p.tell(wave[0], {"f1": np.zeros(15), "f2": np.zeros(15)})
    assert e.value.field == "optimize.constraints" and e.value.value == "cycles"


def test_each_variable_crosses_every_sample_and_keeps_its_draw_across_chunks():
    data = {
        "name": "crn",
        "method": "random",
        "samples": 300,
        "seed": 5,
        "chunk_size": 7,  # chunks split samples' rows on purpose
        "variables": {
            "plant.year": {"values": [1, 2, 3], "each": True},
            "plant.utilization": {"distribution": "uniform", "low": 0.6, "high": 0.9},
        },
    }
    study = parse_study(data, Path("."))
    p = plan(study)
    assert p.n_total == 900
    rows = [c for wave in p.waves() for c in wave]
    sample = np.concatenate([c.values["sample"] for c in rows])
    year = np.concatenate([c.values["plant.year"] for c in rows])
    util = np.concatenate([c.values["plant.utilization"] for c in rows])
    assert np.array_equal(sample, np.repeat(np.arange(300), 3))
    assert np.array_equal(year, np.tile([1, 2, 3], 300))
    assert np.array_equal(util[0::3], util[1::3]) and np.array_equal(util[0::3], util[2::3])
    assert len(np.unique(util)) == 300
    big = plan(parse_study({**data, "chunk_size": 1000}, Path(".")))
    assert np.array_equal(np.concatenate([c.values["plant.utilization"] for w in big.waves() for c in w]), util)


def test_each_needs_a_sampling_method():
    data = {"name": "x", "method": "grid", "variables": {"plant.year": {"values": [1, 2], "each": True}}}
    with pytest.raises(SpecError) as exc:
        parse_study(data, Path("."))
    assert exc.value.field == 'variables."plant.year".each'
