"""Study files: the schema, each variable form, and a SpecError naming the field for every
mistake."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cellwright.errors import SpecError
from cellwright.studies.spec import load_study, parse_study

ISSUE_EXAMPLE = """
name = "LFP storage cell: coating x porosity x region"
cell = "../lfp-280ah-prismatic.toml"
stages = ["design", "cost"]
method = "grid"
[variables]
"cathode.thickness_um" = { range = [60, 120], steps = 25 }
"cathode.porosity" = { values = [0.25, 0.30, 0.35] }
"plant.region" = { values = ["china", "united-states"] }
"""


def study(variables: dict, method: str = "random", **extra):
    extra.setdefault("samples", 16 if method in ("random", "lhs", "sobol", "morris") else None)
    if extra["samples"] is None:
        del extra["samples"]
    return parse_study({"name": "t", "method": method, "variables": variables, **extra}, Path("/base"))


def field_of(exc_info) -> str:
    return exc_info.value.field


def test_issue_example_parses(tmp_path):
    (tmp_path / "studies").mkdir()
    path = tmp_path / "studies" / "s.toml"
    path.write_text(ISSUE_EXAMPLE)
    s = load_study(path)
    assert s.method == "grid" and s.stages == ["design", "cost"] and s.seed == 0 and s.chunk_size == 20_000
    assert s.cell == tmp_path / "studies" / "../lfp-280ah-prismatic.toml"
    assert s.base_dir == tmp_path / "studies"
    t = s.variables["cathode.thickness_um"]
    np.testing.assert_allclose(t.levels(), np.linspace(60, 120, 25))
    assert t.levels()[1] == pytest.approx(62.5)
    assert list(s.variables["plant.region"].levels()) == ["china", "united-states"]
    assert s.performance.model == "spme" and s.performance.c_rates == [1.0] and s.life.eol == 0.8


def test_bare_list_is_values_and_tornado_ends():
    v = study({"x": [3, 1, 2]}).variables["x"]
    assert v.kind == "values"
    assert (v.low, v.nominal, v.high) == (1, 2, 3)
    r = study({"x": {"range": [10, 20]}}).variables["x"]
    assert (r.low, r.nominal, r.high) == (10, 15, 20)
    s = study({"x": ["a", "b", "c"]}).variables["x"]
    assert (s.low, s.nominal, s.high) == ("a", "a", "c")
    n = study({"x": {"range": [10, 20], "nominal": 12}}).variables["x"]
    assert n.nominal == 12


U = np.array([0.01, 0.2, 0.5, 0.8, 0.99])


@pytest.mark.parametrize(
    ("raw", "reference"),
    [
        ({"distribution": "uniform", "low": 2, "high": 6}, stats.uniform(2, 4)),
        ({"distribution": "normal", "mean": 5, "sd": 2}, stats.norm(5, 2)),
        ({"distribution": "normal", "mean": 5, "sd": 2, "low": 4}, stats.truncnorm(-0.5, np.inf, 5, 2)),
        ({"distribution": "triangular", "low": 0, "mode": 1, "high": 4}, stats.triang(0.25, 0, 4)),
        ({"distribution": "lognormal", "median": 20, "sigma": 0.3}, stats.lognorm(0.3, scale=20)),
    ],
)
def test_continuous_distributions_invert_their_cdf(raw, reference):
    v = study({"x": raw}).variables["x"]
    x = v.from_unit(U)
    np.testing.assert_allclose(x, reference.ppf(U), rtol=1e-12)
    np.testing.assert_allclose(reference.cdf(x), U, rtol=1e-9)
    assert v.nominal == pytest.approx(reference.median())
    assert v.low == pytest.approx(reference.ppf(0.05)) and v.high == pytest.approx(reference.ppf(0.95))


def test_lognormal_median_and_mean():
    v = study({"x": {"distribution": "lognormal", "median": 20, "sigma": 0.5}}).variables["x"]
    x = v.from_unit((np.arange(200_000) + 0.5) / 200_000)
    assert np.median(x) == pytest.approx(20, rel=1e-4)
    assert x.mean() == pytest.approx(20 * math.exp(0.5**2 / 2), rel=2e-3)


def test_truncated_normal_stays_within_bounds():
    v = study({"x": {"distribution": "normal", "mean": 0, "sd": 1, "low": -0.5, "high": 2}}).variables["x"]
    x = v.from_unit(np.linspace(0, 1, 1001))
    assert x.min() == pytest.approx(-0.5) and x.max() == pytest.approx(2.0)


def test_discrete_weights_give_shares():
    v = study({"x": {"distribution": "discrete", "values": ["a", "b", "c"], "weights": [1, 1, 2]}}).variables["x"]
    x = v.from_unit((np.arange(4000) + 0.5) / 4000)
    assert [np.mean(x == c) for c in "abc"] == [0.25, 0.25, 0.5]
    assert list(v.levels()) == ["a", "b", "c"]


def test_values_from_unit_equal_shares_and_range_linear():
    v = study({"x": [10, 20, 30, 40]}).variables["x"]
    assert list(v.from_unit(np.array([0.0, 0.249, 0.25, 0.74, 0.99, 1.0]))) == [10, 10, 20, 30, 40, 40]
    r = study({"x": {"range": [2, 4]}}).variables["x"]
    np.testing.assert_allclose(r.from_unit(np.array([0, 0.25, 1])), [2, 2.5, 4])


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"range": [5, 5], "steps": 3}, 'variables."x".range'),
        ({"range": [6, 5]}, 'variables."x".range'),
        ({"range": [1, 2, 3]}, 'variables."x".range'),
        ({"range": [1, "2"]}, 'variables."x".range'),
        ({"range": [1, math.nan]}, 'variables."x".range'),
        ({"range": [1, 2], "steps": 1}, 'variables."x".steps'),
        ({"range": [1, 2], "steps": 2.5}, 'variables."x".steps'),
        ({"range": [1, 2], "step": 3}, 'variables."x".step'),
        ({"values": []}, 'variables."x".values'),
        ({"values": [1, "a"]}, 'variables."x".values'),
        ({"values": [1, 1]}, 'variables."x".values'),
        ([1.0, math.inf], 'variables."x"'),
        ({"values": [1, 2], "range": [1, 2]}, 'variables."x"'),
        ({}, 'variables."x"'),
        ("uniform", 'variables."x"'),
        ({"distribution": "gamma", "low": 1}, 'variables."x".distribution'),
        ({"distribution": "uniform", "low": 2, "high": 1}, 'variables."x".high'),
        ({"distribution": "uniform", "low": 2}, 'variables."x".high'),
        ({"distribution": "uniform", "low": 2, "high": 3, "sd": 1}, 'variables."x".sd'),
        ({"distribution": "normal", "mean": 2, "sd": 0}, 'variables."x".sd'),
        ({"distribution": "normal", "mean": 2, "sd": 1, "low": 3, "high": 3}, 'variables."x".high'),
        ({"distribution": "normal", "mean": 0, "sd": 1, "low": 100}, 'variables."x".low'),
        ({"distribution": "triangular", "low": 0, "mode": 5, "high": 4}, 'variables."x".mode'),
        ({"distribution": "triangular", "low": 4, "mode": 4, "high": 4}, 'variables."x".high'),
        ({"distribution": "lognormal", "median": -1, "sigma": 0.2}, 'variables."x".median'),
        ({"distribution": "lognormal", "median": 1, "sigma": 0}, 'variables."x".sigma'),
        ({"distribution": "lognormal", "mean": 1, "sd": 0.2}, 'variables."x".mean'),
        ({"distribution": "discrete", "values": [1, 2], "weights": [1]}, 'variables."x".weights'),
        ({"distribution": "discrete", "values": [1, 2], "weights": [-1, 2]}, 'variables."x".weights'),
        ({"distribution": "discrete", "values": [1, 2], "weights": [0, 0]}, 'variables."x".weights'),
        ({"values": [1, 2], "nominal": 3}, 'variables."x".nominal'),
        ({"range": [1, 2], "nominal": 3}, 'variables."x".nominal'),
        ({"distribution": "normal", "mean": 2, "sd": True}, 'variables."x".sd'),
    ],
)
def test_bad_variable_names_its_field(raw, field):
    with pytest.raises(SpecError) as e:
        study({"x": raw})
    assert field_of(e) == field
    assert "\n" not in str(e.value)


def test_grid_needs_levels():
    with pytest.raises(SpecError) as e:
        study({"x": {"distribution": "normal", "mean": 1, "sd": 1}}, method="grid")
    assert field_of(e) == 'variables."x".distribution'
    with pytest.raises(SpecError) as e:
        study({"x": {"range": [1, 2]}}, method="grid")
    assert field_of(e) == 'variables."x".steps'
    s = study({"x": {"distribution": "discrete", "values": [1, 2]}, "y": {"range": [0, 1], "steps": 3}}, method="grid")
    assert list(s.variables["x"].levels()) == [1, 2]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"method": "anneal"}, "method"),
        ({"method": "random", "samples": None}, "samples"),
        ({"method": "lhs", "samples": None}, "samples"),
        ({"method": "random", "samples": 0}, "samples"),
        ({"method": "sobol", "samples": 100}, "samples"),
        ({"method": "grid", "samples": 10}, "samples"),
        ({"method": "tornado", "samples": 10}, "samples"),
        ({"method": "nsga2"}, "optimize"),
        ({"method": "nsga2", "optimize": {"objectives": {"a": "least"}}}, "optimize.objectives.a"),
        ({"method": "nsga2", "optimize": {"objectives": {}}}, "optimize.objectives"),
        (
            {"method": "nsga2", "optimize": {"objectives": {"a": "min"}, "constraints": ["a < 3"]}},
            "optimize.constraints",
        ),
        ({"method": "nsga2", "optimize": {"objectives": {"a": "min"}, "population": 2}}, "optimize.population"),
        ({"method": "random", "samples": 4, "seed": -1}, "seed"),
        ({"method": "random", "samples": 4, "chunk_size": 0}, "chunk_size"),
        ({"method": "random", "samples": 4, "stages": ["design", "price"]}, "stages.1"),
        ({"method": "random", "samples": 4, "stages": ["design", "design"]}, "stages"),
        ({"method": "random", "samples": 4, "stages": []}, "stages"),
        ({"method": "random", "samples": 4, "performance": {"model": "p2d"}}, "performance.model"),
        ({"method": "random", "samples": 4, "performance": {"c_rates": [0]}}, "performance.c_rates"),
        ({"method": "random", "samples": 4, "life": {"eol": 1.2}}, "life.eol"),
        ({"method": "random", "samples": 4, "colour": "red"}, "colour"),
        ({"method": "random", "samples": 4, "base_dir": "/"}, "base_dir"),
        ({"method": "random", "samples": "4"}, "samples"),
    ],
)
def test_bad_study_names_its_field(extra, field):
    data = {"name": "t", "variables": {"x": {"range": [0, 1], "steps": 3}}, **extra}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(SpecError) as e:
        parse_study(data, Path("."))
    assert field_of(e) == field


def test_nsga2_constraints_parse():
    s = parse_study(
        {
            "name": "t",
            "method": "nsga2",
            "variables": {"x": {"range": [0, 1]}},
            "optimize": {"objectives": {"a": "min", "b": "max"}, "constraints": ["a <= 3", "c>=-1.5e2"]},
        },
        Path("."),
    )
    assert s.optimize is not None
    assert s.optimize.parsed_constraints == [("a", "<=", 3.0), ("c", ">=", -150.0)]


def test_missing_variables():
    for bad in (None, {}, [1, 2]):
        data = {"name": "t", "method": "grid"}
        if bad is not None:
            data["variables"] = bad
        with pytest.raises(SpecError) as e:
            parse_study(data, Path("."))
        assert field_of(e) == "variables"


scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.text(max_size=5),
    st.booleans(),
)
param_values = st.one_of(scalars, st.lists(scalars, max_size=4))
variable = st.one_of(
    st.lists(scalars, max_size=4),
    st.dictionaries(
        st.sampled_from(
            [
                "values",
                "range",
                "steps",
                "distribution",
                "low",
                "high",
                "mean",
                "sd",
                "mode",
                "median",
                "sigma",
                "weights",
                "nominal",
                "step",
            ]
        ),
        st.one_of(param_values, st.sampled_from(["uniform", "normal", "triangular", "lognormal", "discrete", "beta"])),
        max_size=5,
    ),
    scalars,
)


@settings(max_examples=400, deadline=None)
@given(raw=variable, method=st.sampled_from(["grid", "random", "tornado"]))
def test_fuzz_bad_variable_is_a_spec_error_naming_it(raw, method):
    try:
        s = study({"cathode.thickness_um": raw}, method=method)
    except SpecError as exc:
        assert exc.field.startswith('variables."cathode.thickness_um"'), exc.field
        assert "\n" not in str(exc)
        return
    v = s.variables["cathode.thickness_um"]
    x = v.from_unit(np.array([0.0, 0.3, 1.0]))
    if x.dtype.kind == "f":
        assert np.isfinite(x).all()
    if method == "grid":
        assert len(v.levels()) >= 1


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(
        st.sampled_from(["name", "method", "samples", "seed", "chunk_size", "stages", "optimize", "cell", "oops"]),
        param_values,
        max_size=6,
    )
)
def test_fuzz_bad_study_is_a_spec_error(data):
    try:
        parse_study({**data, "variables": {"x": [1, 2]}}, Path("."))
    except SpecError as exc:
        assert exc.field and "\n" not in str(exc)


def test_study_pickles_and_dumps_to_json(tmp_path):
    import json
    import pickle

    path = tmp_path / "s.toml"
    path.write_text(
        ISSUE_EXAMPLE.replace('"grid"', '"random"\nsamples = 8')
        + '"li" = { distribution = "lognormal", median = 12, sigma = 0.4 }\n'
    )
    s = load_study(path)
    again = pickle.loads(pickle.dumps(s))
    u = np.array([0.1, 0.9])
    np.testing.assert_array_equal(again.variables["li"].from_unit(u), s.variables["li"].from_unit(u))
    d = json.loads(json.dumps(s.model_dump(mode="json"), allow_nan=False))
    assert d["variables"]["cathode.thickness_um"]["range"] == [60.0, 120.0]
