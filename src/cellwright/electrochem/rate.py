"""Rate capability and Ragone points: constant-current discharges from full charge at several
C-rates, all designs and all rates in one batched run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .parameters import SPMeParameters
from .protocols import Step
from .solve import Solution, simulate
from .spme import Mesh

DEFAULT_C_RATES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0)


@dataclass
class RateCapability:
    """(N, R) arrays: designs by C-rates."""

    c_rates: np.ndarray
    capacity_Ah: np.ndarray
    energy_Wh: np.ndarray
    mean_power_W: np.ndarray
    max_temperature_K: np.ndarray
    valid: np.ndarray
    reason: np.ndarray  # why a run is not valid ("" if it is)
    solution: Solution  # the underlying runs, N x R columns (design-major)


#: Least share of its rated capacity a discharge must deliver to count as one (cellwright
#: assumption): below it the cell is at its cut-off voltage within the first moments, and the
#: few mAh it delivers are the solver's first step, not a capacity.
MIN_DELIVERED = 0.01


def rate_capability(
    p: SPMeParameters, c_rates=DEFAULT_C_RATES, mesh: Mesh | None = None, thermal: bool = False, model: str = "spme"
) -> RateCapability:
    """Discharge every design at every C-rate to its lower cut-off voltage (isothermal, or
    with the lumped thermal model) with the SPMe or the DFN (``model``, see
    :func:`.solve.simulate`). A run that delivers no capacity, or whose results are not finite
    numbers, is not valid; ``reason`` says why."""
    rates = np.asarray(c_rates, dtype=float)
    n, r = len(p), rates.size
    batch = p.take(np.repeat(np.arange(n), r))
    # one step per run: a C-rate column of currents; the step's value is per-design
    currents = np.tile(rates, n) * batch.capacity / 3600.0
    sol = _discharge(batch, currents, mesh, thermal, model)
    cap = sol.discharge_capacity_Ah.reshape(n, r)
    energy = sol.discharge_energy_Wh.reshape(n, r)
    hours = np.where(cap > 0, cap / (np.tile(rates, n).reshape(n, r) * batch.capacity.reshape(n, r) / 3600.0), np.nan)
    # the hottest recorded temperature; NaN if any recorded one is not finite (NaN rows are
    # those after a run has ended)
    recorded = ~np.isnan(sol.time_s)
    temperature = np.where(recorded, sol.temperature_K, -np.inf)
    broken = (recorded & ~np.isfinite(sol.temperature_K)).any(axis=0)
    t_max = np.where(broken, np.nan, np.max(temperature, axis=0)).reshape(n, r)
    valid = sol.valid.reshape(n, r).copy()
    reason = np.array(sol.reason, dtype=object).reshape(n, r)
    power = energy / hours
    rated = batch.capacity.reshape(n, r) / 3600.0
    broken = valid & ~(np.isfinite(cap) & np.isfinite(energy) & np.isfinite(power))
    valid &= ~broken
    reason[broken] = "capacity, energy or power is not a finite number"
    empty = valid & ~(cap > MIN_DELIVERED * rated)
    valid &= ~empty
    for i, j in zip(*np.nonzero(empty), strict=True):
        reason[i, j] = (
            f"no capacity delivered: the cell reaches its cut-off voltage at once ({100 * cap[i, j] / rated[i, j]:.2g} % "
            "of its rated capacity; the voltage drop at this current exceeds the margin above cut-off)"
        )
    return RateCapability(rates, cap, energy, power, t_max, valid, reason, sol)


def _discharge(p: SPMeParameters, currents: np.ndarray, mesh: Mesh | None, thermal: bool, model: str) -> Solution:
    step = Step("current", 1.0, "A", until_voltage=None, text="rate capability")
    return simulate(p, [step], mesh=mesh, currents=currents, cutoff=p.V_min, thermal=thermal, model=model)
