"""Study files (TOML) -> a validated :class:`Study`.

A study names its inputs (``cell``, ``plant``, ``prices``, ``project``, ``tender``, ``venture``), the
``stages`` to run, a ``method`` and its ``variables``. A variable is addressed by the key its
file uses (``"cathode.thickness_um"``; whether that key exists is checked by the model, not
here) and is given as one of:

- a list: ``[0.25, 0.30]`` or ``{ values = [0.25, 0.30] }`` (numbers, text or true/false);
- a range: ``{ range = [lo, hi], steps = n }`` (``steps`` is needed only by ``grid``: ``n``
  evenly spaced levels including both ends; the sampling methods draw uniformly in [lo, hi]);
- a distribution ``{ distribution = NAME, ... }`` with the parameters, in the variable's unit:

  ============== ========================================================================
  ``uniform``    ``low``, ``high``
  ``normal``     ``mean``, ``sd``; optional ``low`` and/or ``high`` truncate it
  ``triangular`` ``low``, ``mode``, ``high``
  ``lognormal``  ``median`` (> 0) and ``sigma``, the standard deviation of ln(x)
                 (so the mean is ``median * exp(sigma**2 / 2)``)
  ``discrete``   ``values`` and optional ``weights`` (relative, default equal)
  ============== ========================================================================

Any variable may also give ``nominal``: its value in the tornado's base case (default: the
middle of a list, the midpoint of a range, the median of a distribution). A tornado moves each
variable to its ``low`` and ``high``: the ends of a list (smallest and largest number; first
and last text) or range, the 5th and 95th percentiles of a distribution.

Anything wrong is a :class:`~cellwright.errors.SpecError` naming the field as written, e.g.
``variables."cathode.thickness_um".range``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, InstanceOf, ValidationError, field_validator, model_validator
from scipy import stats

from ..errors import SpecError
from ..readers import read_toml
from ..spec import spec_error

STAGES = ("design", "cost", "performance", "life", "storage", "tender", "venture")
METHODS = ("grid", "random", "lhs", "sobol", "morris", "tornado", "nsga2")
#: Methods that draw ``samples`` rows (or base samples / trajectories) and need it.
SAMPLED = ("random", "lhs", "sobol", "morris")
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (required parameters, optional parameters)
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "triangular": (("low", "mode", "high"), ()),
    "lognormal": (("median", "sigma"), ()),
    "discrete": (("values",), ("weights",)),
}
#: Most levels or values one variable may list (a grid of them is a product, so more is a typo).
MAX_LEVELS = 1_000_000
#: Largest number of rows a study may ask for.
MAX_ROWS = 10**12
#: A tornado's ends for a distribution: these percentiles.
TORNADO_PERCENTILES = (5.0, 95.0)

_FORMS = (
    "a list [...], { values = [...] }, { range = [lo, hi], steps = n } or "
    "{ distribution = " + "|".join(DISTRIBUTIONS) + ", ... }"
)


def _name(key: str) -> str:
    return f'variables."{key}"'


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _number(field_name: str, x: object) -> float:
    if not _is_number(x):
        raise SpecError(field_name, x, "a finite number (not text in quotes, nor true/false)")
    return float(x)  # type: ignore[arg-type]  # checked by _is_number


def _list_values(field_name: str, raw: object) -> tuple:
    """A non-empty list of distinct numbers, texts or booleans (one kind)."""
    if not isinstance(raw, list) or not raw:
        raise SpecError(field_name, raw, "a non-empty list [...] of numbers, texts or true/false")
    if len(raw) > MAX_LEVELS:
        raise SpecError(field_name, f"{len(raw)} values", f"at most {MAX_LEVELS:,}")
    if all(isinstance(v, bool) for v in raw):
        pass
    elif all(isinstance(v, str) for v in raw):
        pass
    elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw):
        bad = next((v for v in raw if not math.isfinite(v)), None)
        if bad is not None:
            raise SpecError(field_name, bad, "finite numbers")
    else:
        raise SpecError(field_name, raw, "values of one kind: all numbers, all texts or all true/false")
    if len(set(raw)) != len(raw):
        dup = next(v for i, v in enumerate(raw) if v in raw[:i])
        raise SpecError(field_name, dup, "each value once")
    return tuple(raw)


def _as_array(values: tuple) -> np.ndarray:
    if all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, str) for v in values):
        return np.array(values, dtype=str)
    if all(isinstance(v, int) for v in values):
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Variable:
    """One study variable: a list of values, a range or a distribution (see the module text).

    ``key`` is the address as written in the study file; values are in that key's unit.
    """

    key: str
    kind: Literal["values", "range", "distribution"]
    values: tuple = ()
    range: tuple[float, float] | None = None
    steps: int | None = None
    distribution: str | None = None
    params: Mapping[str, float] = field(default_factory=dict)
    weights: tuple[float, ...] | None = None
    nominal_given: Any = None
    #: random and lhs: every sample is evaluated at each of this variable's levels (common
    #: random numbers, so differences between its levels are taken on the same draw)
    each: bool = False

    @property
    def label(self) -> str:
        """The variable's name in error messages: ``variables."<key>"``."""
        return _name(self.key)

    @property
    def is_continuous(self) -> bool:
        """True for a range or a continuous distribution (no finite list of levels)."""
        return self.kind == "range" or (self.kind == "distribution" and self.distribution != "discrete")

    @property
    def is_text(self) -> bool:
        """True when the values are texts (or booleans): no order, no arithmetic."""
        return bool(self.values) and not _is_number(self.values[0])

    @cached_property
    def _array(self) -> np.ndarray:
        return _as_array(self.values)

    @cached_property
    def _cum_weights(self) -> np.ndarray:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, dtype=float)
        cum = np.cumsum(w) / w.sum()
        cum[-1] = 1.0
        return cum

    def scipy_distribution(self) -> Any:
        """The continuous distribution as a frozen ``scipy.stats`` object (distribution kind only)."""
        p = self.params
        match self.distribution:
            case "uniform":
                return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
            case "normal":
                lo = (p["low"] - p["mean"]) / p["sd"] if "low" in p else -np.inf
                hi = (p["high"] - p["mean"]) / p["sd"] if "high" in p else np.inf
                return stats.truncnorm(lo, hi, loc=p["mean"], scale=p["sd"])
            case "triangular":
                width = p["high"] - p["low"]
                return stats.triang((p["mode"] - p["low"]) / width, loc=p["low"], scale=width)
            case "lognormal":
                return stats.lognorm(p["sigma"], scale=p["median"])
        raise ValueError(f"{self.key}: no continuous distribution ({self.kind}, {self.distribution})")

    def levels(self) -> np.ndarray:
        """The grid levels: the listed values, or ``linspace(lo, hi, steps)`` of a range.

        A continuous distribution, or a range without ``steps``, has no levels: SpecError.
        """
        if self.kind == "values" or self.distribution == "discrete":
            return self._array
        if self.kind == "range":
            if self.steps is None:
                raise SpecError(self.label + ".steps", None, "required by method 'grid' (an integer >= 2)")
            assert self.range is not None
            return np.linspace(self.range[0], self.range[1], self.steps)
        raise SpecError(
            self.label + ".distribution",
            self.distribution,
            "method 'grid' needs levels: give values, a range with steps, or a discrete distribution",
        )

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Values at the quantiles ``u`` in [0, 1] (the inverse CDF).

        A list: the value ``floor(u * k)`` of k (equal shares); a range: uniform between its
        ends; a discrete distribution: by cumulative weight; a continuous one: ``ppf(u)``, with
        ``u`` kept within [1e-12, 1 - 1e-12] so an unbounded tail gives a finite value.
        """
        u = np.asarray(u, dtype=float)
        if self.kind == "values":
            k = len(self.values)
            return self._array[np.clip(np.floor(u * k).astype(np.int64), 0, k - 1)]
        if self.kind == "range":
            assert self.range is not None
            lo, hi = self.range
            return lo + np.clip(u, 0.0, 1.0) * (hi - lo)
        if self.distribution == "discrete":
            idx = np.searchsorted(self._cum_weights, u, side="right")
            return self._array[np.clip(idx, 0, len(self.values) - 1)]
        return self.scipy_distribution().ppf(np.clip(u, 1e-12, 1 - 1e-12))

    def _end(self, which: int) -> Any:
        if self.kind == "range":
            assert self.range is not None
            return self.range[which]
        if self.kind == "values":
            if self.is_text:
                return self.values[-which]  # first (which=0) or last (which=1)
            return max(self.values) if which else min(self.values)
        return self.from_unit(np.array([TORNADO_PERCENTILES[which] / 100.0]))[0].item()

    @property
    def low(self) -> Any:
        """The tornado's low end (a scalar in the variable's unit, or a text)."""
        return self._end(0)

    @property
    def high(self) -> Any:
        """The tornado's high end."""
        return self._end(1)

    @property
    def nominal(self) -> Any:
        """The tornado's base value: ``nominal`` if given, else the middle value of a list
        (the lower median of numbers, the first text), the midpoint of a range or the median of
        a distribution."""
        if self.nominal_given is not None:
            return self.nominal_given
        if self.kind == "range":
            assert self.range is not None
            return 0.5 * (self.range[0] + self.range[1])
        if self.kind == "values":
            if self.is_text:
                return self.values[0]
            ordered = sorted(self.values)
            return ordered[(len(ordered) - 1) // 2]
        return self.from_unit(np.array([0.5]))[0].item()


def _check_keys(field_name: str, raw: Mapping, allowed: tuple[str, ...]) -> None:
    for k in raw:
        if k not in allowed:
            raise SpecError(f"{field_name}.{k}", raw[k], "unknown key; allowed: " + ", ".join(allowed))


def _nominal(var: Variable, raw: Mapping) -> Variable:
    if "nominal" not in raw:
        return var
    name = var.label + ".nominal"
    value = raw["nominal"]
    if var.kind == "values" or var.distribution == "discrete":
        same_kind = [
            v
            for v in var.values
            if isinstance(v, str) == isinstance(value, str) and isinstance(v, bool) == isinstance(value, bool)
        ]
        if value not in same_kind:
            raise SpecError(name, value, "one of the variable's values: " + ", ".join(map(repr, var.values)))
    else:
        x = _number(name, value)
        lo, hi = var.range if var.range is not None else var.scipy_distribution().support()
        if not lo <= x <= hi:
            raise SpecError(name, value, f"within the variable's range [{lo}, {hi}]")
    return replace(var, nominal_given=value)


def _each(name: str, raw: Mapping) -> bool:
    each = raw.get("each", False)
    if not isinstance(each, bool):
        raise SpecError(name + ".each", each, "true or false")
    return each


def parse_variable(key: str, raw: object) -> Variable:
    """One entry of ``[variables]`` -> a :class:`Variable`; SpecError naming the field if wrong."""
    name = _name(key)
    if not isinstance(key, str) or not key.strip():
        raise SpecError("variables", key, 'keys are the addresses of inputs, e.g. "cathode.thickness_um"')
    if isinstance(raw, list):
        return Variable(key, "values", values=_list_values(name, raw))
    if not isinstance(raw, Mapping):
        raise SpecError(name, raw, _FORMS)
    forms = ["distribution"] if "distribution" in raw else [f for f in ("values", "range") if f in raw]
    if len(forms) != 1:
        raise SpecError(name, dict(raw) if len(repr(raw)) < 100 else "{...}", "exactly one of: " + _FORMS)
    form = forms[0]
    if form == "values":
        _check_keys(name, raw, ("values", "nominal", "each"))
        values = _list_values(name + ".values", raw["values"])
        return _nominal(Variable(key, "values", values=values, each=_each(name, raw)), raw)
    if form == "range":
        _check_keys(name, raw, ("range", "steps", "nominal", "each"))
        rng = raw["range"]
        if not isinstance(rng, list) or len(rng) != 2 or not all(_is_number(v) for v in rng):
            raise SpecError(name + ".range", rng, "[lo, hi]: two finite numbers with lo < hi")
        lo, hi = float(rng[0]), float(rng[1])
        if not lo < hi:
            raise SpecError(name + ".range", rng, "[lo, hi] with lo < hi")
        steps = raw.get("steps")
        if steps is not None and (
            not isinstance(steps, int) or isinstance(steps, bool) or not 2 <= steps <= MAX_LEVELS
        ):
            raise SpecError(name + ".steps", steps, f"an integer from 2 to {MAX_LEVELS:,} (levels including both ends)")
        if raw.get("each") is True and steps is None:
            raise SpecError(name + ".steps", None, "required with each = true (the levels each sample is run at)")
        return _nominal(Variable(key, "range", range=(lo, hi), steps=steps, each=_each(name, raw)), raw)
    dist = raw["distribution"]
    if not isinstance(dist, str) or dist not in DISTRIBUTIONS:
        raise SpecError(name + ".distribution", dist, "one of: " + ", ".join(DISTRIBUTIONS))
    required, optional = DISTRIBUTIONS[dist]
    _check_keys(name, raw, ("distribution", *required, *optional, "nominal"))
    for param in required:
        if param not in raw:
            raise SpecError(
                f"{name}.{param}",
                None,
                f"required by distribution '{dist}' (parameters: " + ", ".join(required + optional) + ")",
            )
    if dist == "discrete":
        values = _list_values(name + ".values", raw["values"])
        weights = raw.get("weights")
        if weights is not None:
            if not isinstance(weights, list) or len(weights) != len(values):
                raise SpecError(name + ".weights", weights, f"a list of {len(values)} numbers, one per value")
            w = [_number(name + ".weights", x) for x in weights]
            if min(w) < 0 or sum(w) <= 0:
                raise SpecError(name + ".weights", weights, "non-negative numbers with a positive sum")
            weights = tuple(w)
        return _nominal(Variable(key, "distribution", values=values, distribution=dist, weights=weights), raw)
    p = {k: _number(f"{name}.{k}", raw[k]) for k in required + optional if k in raw}
    if dist == "uniform" and not p["low"] < p["high"]:
        raise SpecError(name + ".high", p["high"], f"greater than low ({p['low']})")
    if dist == "normal":
        if p["sd"] <= 0:
            raise SpecError(name + ".sd", p["sd"], "a standard deviation > 0")
        if "low" in p and "high" in p and not p["low"] < p["high"]:
            raise SpecError(name + ".high", p["high"], f"greater than low ({p['low']})")
    if dist == "triangular":
        if not p["low"] < p["high"]:
            raise SpecError(name + ".high", p["high"], f"greater than low ({p['low']})")
        if not p["low"] <= p["mode"] <= p["high"]:
            raise SpecError(name + ".mode", p["mode"], f"within [low, high] = [{p['low']}, {p['high']}]")
    if dist == "lognormal":
        if p["median"] <= 0:
            raise SpecError(name + ".median", p["median"], "a median > 0 (a lognormal value is positive)")
        if not 0 < p["sigma"] <= 10:
            raise SpecError(name + ".sigma", p["sigma"], "the standard deviation of ln(x): > 0 and at most 10")
    var = Variable(key, "distribution", distribution=dist, params=p)
    if dist == "normal":
        d = var.scipy_distribution()
        mass = stats.norm.cdf(d.b) - stats.norm.cdf(d.a)
        if not mass > 1e-9:
            raise SpecError(
                name + ".low" if "low" in p else name + ".high",
                p.get("low", p.get("high")),
                "a truncation that keeps some of the distribution (within a few sd of the mean)",
            )
    return _nominal(var, raw)


# --------------------------------------------------------------------------- the study file

Stage = Literal["design", "cost", "performance", "life", "storage", "tender", "venture"]
STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
_CONSTRAINT = re.compile(r"^\s*([^\s<>=]+)\s*(<=|>=)\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*$")


class PerformanceSection(BaseModel):
    """``[performance]``: the discharge model, its C-rates and whether it is thermal."""

    model_config = STRICT
    model: Literal["spme", "dfn"] = "spme"
    c_rates: list[float] = Field(default_factory=lambda: [1.0], min_length=1, max_length=20)
    thermal: bool = False

    @field_validator("c_rates")
    @classmethod
    def _rates(cls, rates: list[float]) -> list[float]:
        for c in rates:
            if not 0 < c <= 20:
                raise ValueError(f"C-rates > 0 and at most 20; got {c}")
        return rates


class LifeSection(BaseModel):
    """``[life]``: the cycling protocol (None: the model's default) and end of life, a
    fraction of the initial capacity."""

    model_config = STRICT
    protocol: str | None = None
    eol: float = Field(default=0.8, gt=0.3, lt=1.0)


class OptimizeSection(BaseModel):
    """``[optimize]`` (NSGA-II): objectives ``{column = "min"|"max"}`` over output columns,
    constraints ``"column <= value"`` or ``"column >= value"``, population and generations."""

    model_config = STRICT
    objectives: dict[str, Literal["min", "max"]] = Field(min_length=1, max_length=10)
    constraints: list[str] = Field(default_factory=list, max_length=50)
    population: int = Field(default=40, ge=4, le=100_000)
    generations: int = Field(default=20, ge=1, le=100_000)

    @field_validator("constraints")
    @classmethod
    def _constraints(cls, constraints: list[str]) -> list[str]:
        for c in constraints:
            if _CONSTRAINT.match(c) is None:
                raise ValueError(f'constraints are "column <= number" or "column >= number"; got {c!r}')
        return constraints

    @property
    def parsed_constraints(self) -> list[tuple[str, str, float]]:
        """The constraints as ``(column, "<=" or ">=", value)``."""
        out = []
        for c in self.constraints:
            m = _CONSTRAINT.match(c)
            assert m is not None
            out.append((m.group(1), m.group(2), float(m.group(3))))
        return out


class Study(BaseModel):
    """A validated study file. Paths (``cell``, ``plant``, ``project``, ``tender``, ``venture``) are
    relative to ``base_dir``, the study file's folder, and are given here joined to it."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, arbitrary_types_allowed=True)
    name: str = Field(min_length=1, max_length=200)
    cell: Path | None = Field(default=None, strict=False)
    plant: Path | None = Field(default=None, strict=False)
    prices: str | None = None
    project: Path | None = Field(default=None, strict=False)
    tender: Path | None = Field(default=None, strict=False)
    venture: Path | None = Field(default=None, strict=False)
    stages: list[Stage] = Field(default_factory=lambda: list[Stage](["design", "cost"]), min_length=1)
    method: Literal["grid", "random", "lhs", "sobol", "morris", "tornado", "nsga2"]
    samples: int | None = Field(default=None, ge=1, le=10**9)
    seed: int = Field(default=0, ge=0, lt=2**63)
    chunk_size: int = Field(default=20_000, ge=1, le=10_000_000)
    variables: dict[str, InstanceOf[Variable]]
    performance: PerformanceSection = Field(default_factory=PerformanceSection)
    life: LifeSection = Field(default_factory=LifeSection)
    optimize: OptimizeSection | None = None
    base_dir: Path

    @model_validator(mode="after")
    def _paths(self):
        for key in ("cell", "plant", "project", "tender", "venture"):
            p = getattr(self, key)
            if p is not None and not p.is_absolute():
                setattr(self, key, self.base_dir / p)
        return self

    @field_validator("stages")
    @classmethod
    def _stages_once(cls, stages: list[str]) -> list[str]:
        if len(set(stages)) != len(stages):
            raise ValueError("each stage once")
        return stages


def _check_method(study: Study) -> None:
    """What a method needs: samples, levels, an [optimize] table."""
    m = study.method
    if m in SAMPLED and study.samples is None:
        what = {
            "random": "rows",
            "lhs": "rows",
            "sobol": "base samples N (rows = N * (variables + 2))",
            "morris": "trajectories (rows = trajectories * (variables + 1))",
        }[m]
        raise SpecError("samples", None, f"required by method '{m}': the number of {what}")
    if m not in SAMPLED and study.samples is not None:
        raise SpecError("samples", study.samples, f"not used by method '{m}'; remove it")
    if m == "sobol":
        n = study.samples
        assert n is not None
        if n & (n - 1):
            raise SpecError("samples", n, "a power of 2 for method 'sobol' (Sobol' sequences balance at powers of 2)")
    if m == "morris" and study.samples is not None and study.samples < 2:
        raise SpecError("samples", study.samples, "at least 2 trajectories for method 'morris'")
    if m == "tornado":
        for v in study.variables.values():
            if v.kind == "values" and len(v.values) < 2:
                raise SpecError(v.label, list(v.values), "a tornado needs at least two values (low and high)")
    if m == "grid":
        total = 1
        for v in study.variables.values():
            total *= len(v.levels())
        if total > MAX_ROWS:
            raise SpecError("variables", f"{total:.3g} grid rows", f"at most {MAX_ROWS:.0e}")
    crossed = [v for v in study.variables.values() if v.each]
    if crossed and m not in ("random", "lhs"):
        raise SpecError(crossed[0].label + ".each", True, "only with method 'random' or 'lhs'")
    if crossed and len(crossed) == len(study.variables):
        raise SpecError(crossed[0].label + ".each", True, "at least one variable must be sampled (each = false)")
    if m == "nsga2":
        if study.optimize is None:
            raise SpecError(
                "optimize", None, "required by method 'nsga2': objectives, constraints, population, generations"
            )
    # with another method, [optimize] names the objectives of the Pareto front `study plot` draws


def parse_study(data: dict, base_dir: Path) -> Study:
    """Validate a study given as a dict (as read from TOML); paths are relative to ``base_dir``."""
    if not isinstance(data, Mapping):
        raise SpecError("study", data, "a table")
    data = dict(data)
    if "base_dir" in data:
        raise SpecError("base_dir", data["base_dir"], "unknown key; the study file's folder is used")
    raw_vars = data.pop("variables", None)
    if raw_vars is None:
        raise SpecError("variables", None, "required: a [variables] table")
    if not isinstance(raw_vars, Mapping) or not raw_vars:
        raise SpecError("variables", raw_vars, "a [variables] table with at least one variable")
    variables = {key: parse_variable(key, raw) for key, raw in raw_vars.items()}
    try:
        study = Study.model_validate({**data, "variables": variables, "base_dir": Path(base_dir)})
    except ValidationError as exc:
        raise spec_error(exc, Study) from None
    _check_method(study)
    return study


def load_study(path: str | Path) -> Study:
    """Read and validate a TOML study file; its paths are relative to its folder."""
    path = Path(path)
    return parse_study(read_toml(path, "study"), path.parent)
