"""Fit a model to a user's aging data.

* :func:`fit_scalar`: the degradation scalar (all fade rates together) that best matches
  measured relative capacity, by a batched search (every candidate runs in one simulation).
* :func:`fit_rates`: the calendar and the cycle rate of the model separately (the scalars of
  its calendar and its cycle terms), by least squares (``scipy.optimize.least_squares``,
  trust-region reflective, on their logarithms) over one or more tests at once, e.g. a storage
  test and a cycling test; with standard errors from the Jacobian at the optimum.

Data: the duty the cell saw as a series ``t_s, soc, temperature_degC`` (a profile CSV read by
:func:`cellwright.aging.io.read_profile`, or a protocol expanded by
:func:`cellwright.aging.protocol.profile`), and the measurements ``time_days,
relative_capacity`` from a second CSV (:func:`read_measurements`), checked by
:func:`check_measurements`. Fit quality: RMSE and the largest error in percentage points. A
fit's ``warnings`` say where it should not be trusted (a scalar at the edge of the range
searched, errors that cannot be estimated, a duty outside the model's fitted range).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import checks
from ..errors import SpecError
from ..readers import read_csv
from .duty import check_duty
from .models import MODELS
from .simulate import simulate_life

#: Spread of the degradation scalar used for uncertainty bands when a source gives none: the
#: 15 % standard deviation BLAST-Lite's ``simulate_battery_life_distribution`` assumes [blast-lite].
DEFAULT_SCALAR_SPREAD = 0.15

#: Range searched for the degradation scalar (our assumption: 20x either way covers cells of one
#: chemistry; a fit at either end means the model or the duty does not describe the data).
SCALAR_RANGE = (0.1, 5.0)

#: Longest measured time span fitted (days): 30 years, longer than any aging test or field record.
MAX_FIT_DAYS = 30 * 365.0
#: Relative capacities accepted as measurements: above 0, up to 1.2 (a fresh cell may measure a
#: few per cent above its rating).
CAPACITY_RANGE = (0.0, 1.2)


@dataclass
class Fit:
    """The fitted degradation scalar and the fit's quality (percentage points of relative capacity)."""

    scalar: float
    rmse_points: float
    max_error_points: float
    n_points: int
    warnings: list[str] = field(default_factory=list)


def check_measurements(days, capacity, prefix: str = "") -> tuple[np.ndarray, np.ndarray]:
    """``days`` (d since the start of the test) and ``capacity`` (relative capacity) as checked
    1-D arrays of one length: finite, days >= 0 and strictly increasing up to ``MAX_FIT_DAYS``
    with the last > 0, capacities within ``CAPACITY_RANGE`` (percent is named as such)."""
    days = checks.as_finite(prefix + "days", days, ndim=1)
    capacity = checks.as_finite(prefix + "capacity", capacity, ndim=1)
    checks.same_shape((prefix + "days", prefix + "capacity"), days, capacity)
    checks.in_range(prefix + "days", days, 0.0, MAX_FIT_DAYS, f"days within 0-{MAX_FIT_DAYS:,.0f} (30 years)")
    if days.size > 1:
        checks.increasing(prefix + "days", days)
    if days[-1] <= 0.0:
        raise SpecError(prefix + "days", float(days[-1]), "a measurement after day 0")
    lo, hi = CAPACITY_RANGE
    bad = (capacity <= lo) | (capacity > hi)
    if bad.any():
        v = float(capacity[bad][0])
        hint = "; it looks like percent, give a fraction (0.95 for 95 %)" if hi < v <= 120.0 else ""
        raise SpecError(prefix + "capacity", v, f"a relative capacity within ({lo:g}, {hi:g}]{hint}")
    return days, capacity


def _one_duty(t_s, soc, temperature_degC, prefix: str = ""):
    """The duty of one tested cell, (M,) arrays, checked by :func:`~cellwright.aging.duty.check_duty`."""
    t_s, soc, temp, _ = check_duty(t_s, soc, temperature_degC, prefix=prefix)
    for name, x in (("soc", soc), ("temperature_degC", temp)):
        if x.ndim != 1:
            raise SpecError(prefix + name, f"shape {x.shape}", f"the duty of one cell, ({t_s.size},)")
    return t_s, soc, temp


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise SpecError("model", model, "allowed: " + ", ".join(MODELS))


def read_measurements(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``time_days`` [d] and ``relative_capacity`` [-] of an aging test's CSV, checked before
    any fit: times finite, from 0, strictly increasing and at most ``MAX_FIT_DAYS``;
    relative capacity within ``CAPACITY_RANGE``. Errors name the file's line and column."""
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
    if (bad := np.flatnonzero(t > MAX_FIT_DAYS)).size:
        raise SpecError(
            where(bad[0], "time_days"), float(t[bad[0]]), f"at most {MAX_FIT_DAYS:g} days (30 years) from the start"
        )
    lo, hi = CAPACITY_RANGE
    if (bad := np.flatnonzero((q <= lo) | (q > hi))).size:
        raise SpecError(
            where(bad[0], "relative_capacity"),
            float(q[bad[0]]),
            f"a fraction of the initial capacity within ({lo:g}, {hi:g}]"
            + ("; it looks like percent, give 0.95 for 95 %" if hi < q[bad[0]] <= 150 else ""),
        )
    return t, q


def fit_scalar(t_s, soc, temperature_degC, days: np.ndarray, capacity: np.ndarray, model: str) -> Fit:
    """The degradation scalar (within ``SCALAR_RANGE``, log grid then refined) minimising the
    capacity RMSE. The duty ``t_s`` (s), ``soc``, ``temperature_degC`` (degC) as in
    :func:`~cellwright.aging.simulate.simulate_life`; measurements as in :func:`check_measurements`."""
    _check_model(model)
    t_s, soc, temperature_degC = _one_duty(t_s, soc, temperature_degC)
    days, capacity = check_measurements(days, capacity)
    years = float(days.max()) / 365.0 + 0.01
    lo, hi = SCALAR_RANGE
    for _ in range(3):
        scalars = np.geomspace(lo, hi, 24)
        life = simulate_life(
            t_s, soc, temperature_degC, years, n_cells=scalars.size, degradation_scalar=scalars, model=model
        )
        pred = np.stack([np.interp(days, life.time_days, life.soh[:, i]) for i in range(scalars.size)])
        err = np.sqrt(np.mean((pred - capacity) ** 2, axis=1))
        best = int(np.argmin(np.where(np.isfinite(err), err, np.inf)))
        lo, hi = scalars[max(best - 1, 0)], scalars[min(best + 1, scalars.size - 1)]
    residual = pred[best] - capacity
    fit = Fit(float(scalars[best]), float(err[best] * 100.0), float(np.max(np.abs(residual)) * 100.0), int(days.size))
    fit.warnings = list(life.warnings)
    if at_range_edge(fit):
        fit.warnings.append(
            f"the best degradation scalar is at the edge of the range searched, {SCALAR_RANGE[0]:g}-{SCALAR_RANGE[1]:g}: "
            "this model under this duty does not describe the data"
        )
    return fit


def at_range_edge(fit: Fit) -> bool:
    """True when the fitted scalar sits at an end of ``SCALAR_RANGE`` (the search was cut off)."""
    lo, hi = SCALAR_RANGE
    return fit.scalar <= lo * 1.001 or fit.scalar >= hi * 0.999


def band_scalars(scalar: float = 1.0, spread: float = DEFAULT_SCALAR_SPREAD) -> np.ndarray:
    """scalar x (1 - 2 spread, 1, 1 + 2 spread), about the 2.5 / 50 / 97.5 % quantiles of a
    normal spread (kept positive): slowest, central and fastest fade."""
    return np.maximum(scalar * np.array([1.0 - 2.0 * spread, 1.0, 1.0 + 2.0 * spread]), 1e-3)


def band(
    t_s, soc, temperature_degC, years: float, model: str, scalar: float = 1.0, spread: float = DEFAULT_SCALAR_SPREAD
):
    """Relative capacity with a band: the three :func:`band_scalars` in one run."""
    spread = float(checks.in_range("spread", spread, 0.0, 0.45, "a relative spread within 0-0.45"))
    return simulate_life(
        t_s, soc, temperature_degC, years, n_cells=3, degradation_scalar=band_scalars(scalar, spread), model=model
    )


@dataclass
class Test:
    """One aging test: the duty (``t_s, soc, temperature_degC``, repeated) and the measured
    ``relative_capacity`` at ``days``; checked on creation (errors name the test's label)."""

    label: str
    t_s: np.ndarray
    soc: np.ndarray
    temperature_degC: np.ndarray
    days: np.ndarray
    capacity: np.ndarray

    def __post_init__(self):
        prefix = f"{self.label}: "
        self.t_s, self.soc, self.temperature_degC = _one_duty(self.t_s, self.soc, self.temperature_degC, prefix)
        self.days, self.capacity = check_measurements(self.days, self.capacity, prefix)


@dataclass
class RatesFit:
    """Fitted calendar and cycle scalars (1 = the published cell) with 1-sigma relative
    errors, and the fit quality per test (percentage points of relative capacity). An error or
    correlation that cannot be estimated (the tests do not tell the two rates apart) is None,
    with the reason in ``warnings``."""

    calendar_scalar: float
    cycle_scalar: float
    calendar_rel_error: float | None
    cycle_rel_error: float | None
    correlation: float | None
    rmse_points: float
    per_test: list
    at_bound: bool
    warnings: list[str] = field(default_factory=list)


def _predict(tests: list[Test], model: str, cal: np.ndarray, cyc: np.ndarray, warnings: list[str]) -> np.ndarray:
    """Predicted relative capacity at every measured point, (K candidates, all points): each
    test runs once with the K candidate (calendar, cycle) scalar pairs as K cells; the runs'
    warnings are added to ``warnings``."""
    out = []
    for test in tests:
        years = float(test.days.max()) / 365.0 + 0.01
        life = simulate_life(
            test.t_s,
            test.soc,
            test.temperature_degC,
            years,
            n_cells=cal.size,
            degradation_scalar=cal,
            cycle_scalar=cyc,
            model=model,
        )
        out.append(np.stack([np.interp(test.days, life.time_days, life.soh[:, k]) for k in range(cal.size)]))
        warnings += [w for w in life.warnings if w not in warnings]
    return np.concatenate(out, axis=1)


def fit_rates(tests: list[Test], model: str) -> RatesFit:
    """Calendar and cycle scalars of ``model`` that best match all ``tests`` together.

    The two are only separable when the tests stress time and throughput differently (a
    storage test with a cycling test, or cycling tests at different rates per day); the
    relative errors and their correlation say how well they are determined.
    """
    from scipy.optimize import least_squares

    _check_model(model)
    if not isinstance(tests, (list, tuple)) or not tests or not all(isinstance(t, Test) for t in tests):
        raise SpecError(
            "tests",
            f"{len(tests) if isinstance(tests, (list, tuple)) else type(tests).__name__}",
            "a list of one or more Test",
        )
    warnings: list[str] = []
    measured = np.concatenate([t.capacity for t in tests])
    h = 1e-4
    lo, hi = np.log(SCALAR_RANGE[0]), np.log(SCALAR_RANGE[1])
    memo: dict[tuple, tuple] = {}

    def both(x):
        key = tuple(np.round(x, 14))
        if key not in memo:
            cal = np.exp(np.array([x[0], x[0] + h, x[0]]))
            cyc = np.exp(np.array([x[1], x[1], x[1] + h]))
            pred = _predict(tests, model, cal, cyc, warnings)
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
    # a log-scalar's standard error is the scalar's relative error; a scalar the tests do not
    # load at all (a zero Jacobian column: the cycle scalar under storage alone) has none
    loaded = np.sqrt(np.sum(jac**2, axis=0)) > 1e-12
    jtj = jac.T @ jac
    with np.errstate(all="ignore"):
        if loaded.all() and abs(np.linalg.det(jtj)) >= 1e-300:
            cov = s2 * np.linalg.inv(jtj)
            corr = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
        else:
            cov, corr = np.diag(np.where(loaded, s2 / np.diag(jtj), np.nan)), np.nan
        se = np.sqrt(np.diag(cov))
    rel = [float(e) if np.isfinite(e) else None for e in se]
    correlation = float(corr) if np.isfinite(corr) else None
    for name, e in zip(("calendar", "cycle"), rel):
        if e is None:
            warnings.append(
                f"the {name} scalar's relative error cannot be estimated from these tests; add a storage test "
                "or a test at another cycling rate"
            )
    known = [e for e in rel if e is not None]
    if len(known) == len(rel) and max(known) > 0.5:
        warnings.append(
            "the tests do not tell the calendar and the cycle rate apart (relative error > 50 %); "
            "add a storage test or a test at another cycling rate"
        )
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
    if at_bound:
        warnings.append(
            f"a fitted scalar is at the edge of the range searched, {SCALAR_RANGE[0]:g}-{SCALAR_RANGE[1]:g}: "
            "this model under these duties does not describe the data"
        )
    return RatesFit(
        float(np.exp(sol.x[0])),
        float(np.exp(sol.x[1])),
        rel[0],
        rel[1],
        correlation,
        float(np.sqrt(np.mean(resid**2)) * 100.0),
        per_test,
        at_bound,
        warnings,
    )
