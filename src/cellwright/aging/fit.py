"""Fit a model to a user's aging data.

* :func:`fit_scalar`: the degradation scalar (all fade rates together) that best matches
  measured relative capacity, by a batched search (every candidate runs in one simulation).
* :func:`fit_rates`: the calendar and the cycle rate of the model separately (the scalars of
  its calendar and its cycle terms), by least squares (``scipy.optimize.least_squares``,
  trust-region reflective, on their logarithms) over one or more tests at once, e.g. a storage
  test and a cycling test; with standard errors from the Jacobian at the optimum.

Data: the duty the cell saw as a series ``t_s, soc, temperature_C`` (a profile CSV read by
:func:`cellwright.aging.io.read_profile`, or a protocol expanded by
:func:`cellwright.aging.protocol.profile`), and the measurements ``time_days,
relative_capacity`` from a second CSV (:func:`read_measurements`). Fit quality: RMSE and the
largest error in percentage points.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SpecError
from ..readers import read_csv
from .simulate import simulate_life

#: Spread of the degradation scalar used for uncertainty bands when a source gives none: the
#: 15 % standard deviation BLAST-Lite's ``simulate_battery_life_distribution`` assumes [blast-lite].
DEFAULT_SCALAR_SPREAD = 0.15

#: Range searched for the degradation scalar (our assumption: 20x either way covers cells of one
#: chemistry; a fit at either end means the model or the duty does not describe the data).
SCALAR_RANGE = (0.1, 5.0)

#: Longest aging test read [d]: 100 years. Published tests run for a few years; the bound keeps
#: a typo (days given in seconds, 1e9) from starting a simulation that would not end.
MAX_TEST_DAYS = 36525.0

#: Largest relative capacity read: a cell may measure above its rating early on (formation,
#: a conservative rating), but not by half again; above it the data are most likely in percent.
MAX_RELATIVE_CAPACITY = 1.5


@dataclass
class Fit:
    scalar: float
    rmse_points: float
    max_error_points: float
    n_points: int


def read_measurements(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``time_days`` [d] and ``relative_capacity`` [-] of an aging test's CSV, checked before
    any fit: times finite, from 0, strictly increasing and at most ``MAX_TEST_DAYS``;
    relative capacity within (0, ``MAX_RELATIVE_CAPACITY``]. Errors name the file's line and
    column."""
    path = Path(path)
    d = read_csv(path, ("time_days", "relative_capacity"), field="data")
    t, q = d["time_days"], d["relative_capacity"]

    def where(row: int, column: str) -> str:
        return f"{path.name}: line {d.line(row)}, column {column}"

    if (bad := np.flatnonzero(t < 0)).size:
        raise SpecError(where(bad[0], "time_days"), float(t[bad[0]]), "days since the start of the test, >= 0")
    if (bad := np.flatnonzero(np.diff(t) <= 0)).size:
        i = bad[0] + 1
        raise SpecError(where(i, "time_days"), float(t[i]), f"strictly increasing (previous row {t[i - 1]:g})")
    if (bad := np.flatnonzero(t > MAX_TEST_DAYS)).size:
        raise SpecError(
            where(bad[0], "time_days"), float(t[bad[0]]), f"at most {MAX_TEST_DAYS:g} days (100 years) from the start"
        )
    if (bad := np.flatnonzero((q <= 0) | (q > MAX_RELATIVE_CAPACITY))).size:
        raise SpecError(
            where(bad[0], "relative_capacity"),
            float(q[bad[0]]),
            f"a fraction of the initial capacity within (0, {MAX_RELATIVE_CAPACITY:g}]"
            + ("; it looks like percent, give 0.95 for 95 %" if 10 < q[bad[0]] <= 150 else ""),
        )
    return t, q


def fit_scalar(t_s, soc, temperature_C, days: np.ndarray, capacity: np.ndarray, model: str) -> Fit:
    """The degradation scalar (within ``SCALAR_RANGE``, log grid then refined) minimising the
    capacity RMSE."""
    years = float(days.max()) / 365.0 + 0.01
    lo, hi = SCALAR_RANGE
    for _ in range(3):
        scalars = np.geomspace(lo, hi, 24)
        life = simulate_life(
            t_s, soc, temperature_C, years, n_cells=scalars.size, degradation_scalar=scalars, model=model
        )
        pred = np.stack([np.interp(days, life.time_days, life.soh[:, i]) for i in range(scalars.size)])
        err = np.sqrt(np.mean((pred - capacity) ** 2, axis=1))
        best = int(np.argmin(err))
        lo, hi = scalars[max(best - 1, 0)], scalars[min(best + 1, scalars.size - 1)]
    residual = pred[best] - capacity
    return Fit(float(scalars[best]), float(err[best] * 100.0), float(np.max(np.abs(residual)) * 100.0), int(days.size))


def at_range_edge(fit: Fit) -> bool:
    """True when the fitted scalar sits at an end of ``SCALAR_RANGE`` (the search was cut off)."""
    lo, hi = SCALAR_RANGE
    return fit.scalar <= lo * 1.001 or fit.scalar >= hi * 0.999


def band_scalars(scalar: float = 1.0, spread: float = DEFAULT_SCALAR_SPREAD) -> np.ndarray:
    """scalar x (1 - 2 spread, 1, 1 + 2 spread), about the 2.5 / 50 / 97.5 % quantiles of a
    normal spread (kept positive): slowest, central and fastest fade."""
    return np.maximum(scalar * np.array([1.0 - 2.0 * spread, 1.0, 1.0 + 2.0 * spread]), 1e-3)


def band(t_s, soc, temperature_C, years: float, model: str, scalar: float = 1.0, spread: float = DEFAULT_SCALAR_SPREAD):
    """Relative capacity with a band: the three :func:`band_scalars` in one run."""
    return simulate_life(
        t_s, soc, temperature_C, years, n_cells=3, degradation_scalar=band_scalars(scalar, spread), model=model
    )


@dataclass
class Test:
    """One aging test: the duty (``t_s, soc, temperature_C``, repeated) and the measured
    ``relative_capacity`` at ``days``."""

    label: str
    t_s: np.ndarray
    soc: np.ndarray
    temperature_C: np.ndarray
    days: np.ndarray
    capacity: np.ndarray


@dataclass
class RatesFit:
    """Fitted calendar and cycle scalars (1 = the published cell) with 1-sigma relative
    errors, and the fit quality per test (percentage points of relative capacity)."""

    calendar_scalar: float
    cycle_scalar: float
    calendar_rel_error: float
    cycle_rel_error: float
    correlation: float
    rmse_points: float
    per_test: list
    at_bound: bool


def _predict(tests: list[Test], model: str, cal: np.ndarray, cyc: np.ndarray) -> np.ndarray:
    """Predicted relative capacity at every measured point, (K candidates, all points): each
    test runs once with the K candidate (calendar, cycle) scalar pairs as K cells."""
    out = []
    for test in tests:
        years = float(test.days.max()) / 365.0 + 0.01
        life = simulate_life(
            test.t_s,
            test.soc,
            test.temperature_C,
            years,
            n_cells=cal.size,
            degradation_scalar=cal,
            cycle_scalar=cyc,
            model=model,
        )
        out.append(np.stack([np.interp(test.days, life.time_days, life.soh[:, k]) for k in range(cal.size)]))
    return np.concatenate(out, axis=1)


def fit_rates(tests: list[Test], model: str) -> RatesFit:
    """Calendar and cycle scalars of ``model`` that best match all ``tests`` together.

    The two are only separable when the tests stress time and throughput differently (a
    storage test with a cycling test, or cycling tests at different rates per day); the
    relative errors and their correlation say how well they are determined.
    """
    from scipy.optimize import least_squares

    measured = np.concatenate([t.capacity for t in tests])
    h = 1e-4
    lo, hi = np.log(SCALAR_RANGE[0]), np.log(SCALAR_RANGE[1])
    memo: dict[tuple, tuple] = {}

    def both(x):
        key = tuple(np.round(x, 14))
        if key not in memo:
            cal = np.exp(np.array([x[0], x[0] + h, x[0]]))
            cyc = np.exp(np.array([x[1], x[1], x[1] + h]))
            pred = _predict(tests, model, cal, cyc)
            memo.clear()
            memo[key] = (pred[0] - measured, np.stack([(pred[1] - pred[0]) / h, (pred[2] - pred[0]) / h], axis=1))
        return memo[key]

    sol = least_squares(
        lambda x: both(x)[0],
        x0=np.zeros(2),
        jac=lambda x: both(x)[1],
        bounds=([lo, lo], [hi, hi]),
        method="trf",
        x_scale=1.0,
        xtol=1e-6,
        ftol=1e-10,
    )
    resid, jac = both(sol.x)
    dof = max(measured.size - 2, 1)
    s2 = float(resid @ resid) / dof
    jtj = jac.T @ jac
    if abs(np.linalg.det(jtj)) < 1e-300:
        cov = np.full((2, 2), np.inf)
    else:
        cov = s2 * np.linalg.inv(jtj)
    se = np.sqrt(np.abs(np.diag(cov)))
    corr = float(cov[0, 1] / (se[0] * se[1])) if np.all(np.isfinite(se)) and np.all(se > 0) else float("nan")
    per_test, start = [], 0
    for t in tests:
        r = resid[start : start + t.days.size]
        per_test.append(
            {
                "test": t.label,
                "n_points": int(t.days.size),
                "rmse_points": float(np.sqrt(np.mean(r**2)) * 100.0),
                "max_error_points": float(np.max(np.abs(r)) * 100.0),
            }
        )
        start += t.days.size
    at_bound = bool(np.any(np.isclose(sol.x, [lo, lo], atol=1e-3)) or np.any(np.isclose(sol.x, [hi, hi], atol=1e-3)))
    # a log-scalar's standard error is the scalar's relative error
    return RatesFit(
        float(np.exp(sol.x[0])),
        float(np.exp(sol.x[1])),
        float(se[0]),
        float(se[1]),
        corr,
        float(np.sqrt(np.mean(resid**2)) * 100.0),
        per_test,
        at_bound,
    )
