"""Fit a model to a user's aging data: the degradation scalar that best matches measured
relative capacity, by a batched search (every candidate scalar runs in one simulation).

Data: the duty the cell saw as a series ``t_s, soc, temperature_C`` (a profile CSV read by
:func:`cellwright.aging.io.read_profile`, or a protocol expanded by
:func:`cellwright.aging.protocol.profile`), and the measurements ``time_days,
relative_capacity`` from a second CSV (:func:`read_measurements`). Fit quality: RMSE and the
largest error in percentage points.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SpecError
from .simulate import simulate_life

#: Spread of the degradation scalar used for uncertainty bands when a source gives none: the
#: 15 % standard deviation BLAST-Lite's ``simulate_battery_life_distribution`` assumes [blast-lite].
DEFAULT_SCALAR_SPREAD = 0.15

#: Range searched for the degradation scalar (our assumption: 20x either way covers cells of one
#: chemistry; a fit at either end means the model or the duty does not describe the data).
SCALAR_RANGE = (0.1, 5.0)


@dataclass
class Fit:
    scalar: float
    rmse_points: float
    max_error_points: float
    n_points: int


def read_measurements(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``time_days, relative_capacity`` columns; errors name the line."""
    path = Path(path)
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except FileNotFoundError:
        raise SpecError("data", str(path), "file not found") from None
    if not rows or not {"time_days", "relative_capacity"} <= set(rows[0]):
        raise SpecError(f"{path.name}: line 1", ",".join(rows[0]) if rows else "", "needs columns time_days, relative_capacity")
    t, q = [], []
    for line, row in enumerate(rows, start=2):
        try:
            t.append(float(row["time_days"]))
            q.append(float(row["relative_capacity"]))
        except ValueError:
            raise SpecError(f"{path.name}: line {line}", row, "numbers in time_days and relative_capacity") from None
    return np.array(t), np.array(q)


def fit_scalar(t_s, soc, temperature_C, days: np.ndarray, capacity: np.ndarray, model: str) -> Fit:
    """The degradation scalar (within ``SCALAR_RANGE``, log grid then refined) minimising the
    capacity RMSE."""
    years = float(days.max()) / 365.0 + 0.01
    lo, hi = SCALAR_RANGE
    for _ in range(3):
        scalars = np.geomspace(lo, hi, 24)
        life = simulate_life(t_s, soc, temperature_C, years, n_cells=scalars.size, degradation_scalar=scalars, model=model)
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
    return simulate_life(t_s, soc, temperature_C, years, n_cells=3, degradation_scalar=band_scalars(scalar, spread), model=model)
