"""State of health over years for N cells under a repeated SOC/temperature profile.

The algorithm follows BLAST-Lite's general path [blast-lite] so the two agree: windows from
rainflow turning points (:func:`stressors.breakpoints`, computed once on the profile; the step
from a window's last sample to the next window's first is not simulated, as in BLAST), each
window's SOC swing about its first sample rescaled by 1/q so the energy throughput is conserved
as the cell fades (SOC clipped to [0, 1]), the profile repeated until the time limit, states
advanced with virtual time (one forward step at the virtual abscissa). Every cell is advanced together;
cells may differ in temperature offset and degradation scalar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import stressors
from .models import STEPS


@dataclass
class LifeResult:
    time_days: np.ndarray  # (K,)
    efc: np.ndarray  # (K, N)
    soh: np.ndarray  # (K, N) relative capacity q
    resistance: np.ndarray  # (K, N) relative resistance r

    def _crossing(self, threshold: float, x: np.ndarray) -> np.ndarray:
        """x (K, N) interpolated where q first falls below ``threshold`` (NaN if it does not)."""
        below = self.soh < threshold
        first = np.where(below.any(axis=0), below.argmax(axis=0), -1)
        out = np.full(self.soh.shape[1], np.nan)
        ok = first > 0
        i, k = first[ok], np.arange(self.soh.shape[1])[ok]
        q0, q1 = self.soh[i - 1, k], self.soh[i, k]
        out[ok] = x[i - 1, k] + (q0 - threshold) / (q0 - q1) * (x[i, k] - x[i - 1, k])
        return out

    def years_to(self, threshold: float) -> np.ndarray:
        """Years until the relative capacity first falls below ``threshold`` (NaN if it does not)."""
        days = np.broadcast_to(self.time_days[:, None], self.soh.shape)
        return self._crossing(threshold, days) / 365.0

    def efc_to(self, threshold: float) -> np.ndarray:
        """Equivalent full cycles until the relative capacity falls below ``threshold``."""
        return self._crossing(threshold, self.efc)

    def years_to_resistance(self, factor: float) -> np.ndarray:
        """Years until the relative resistance first reaches ``factor`` (NaN if it does not)."""
        mirrored = LifeResult(self.time_days, self.efc, -self.resistance, self.resistance)
        days = np.broadcast_to(self.time_days[:, None], self.soh.shape)
        return mirrored._crossing(-factor, days) / 365.0


def simulate_life(
    t_s: np.ndarray,
    soc: np.ndarray,
    temperature_C: np.ndarray,
    years: float,
    n_cells: int = 1,
    temperature_offset_C: np.ndarray | float = 0.0,
    degradation_scalar: np.ndarray | float = 1.0,
    conserve_energy: bool = True,
    stop_below: float | None = None,
    model: str = "nrel-lfp-250ah",
) -> LifeResult:
    """Repeat the profile until ``years`` have passed (or, with ``stop_below``, until every cell's
    relative capacity is below it); one output point per window."""
    t_s = np.asarray(t_s, dtype=float)
    soc0 = np.asarray(soc, dtype=float)
    T_K = np.asarray(temperature_C, dtype=float)[None, :] + 273.15 + np.broadcast_to(np.asarray(temperature_offset_C, float), (n_cells,))[:, None]
    scalar = np.broadcast_to(np.asarray(degradation_scalar, float), (n_cells,))
    cuts = stressors.breakpoints(t_s, soc0)
    laws = STEPS[model]
    states = laws.init(n_cells)
    q = np.ones(n_cells)
    t_days, efc = 0.0, np.zeros(n_cells)
    out_t, out_efc, out_q, out_r = [0.0], [efc.copy()], [q.copy()], [np.ones(n_cells)]
    while True:
        prior = 0
        for cut in cuts:
            seg_t = t_s[prior : cut + 1]
            raw = np.broadcast_to(soc0[prior : cut + 1], (n_cells, cut + 1 - prior))
            if conserve_energy:  # swing about the window's first sample, / q, clipped
                seg = np.clip(raw[:, :1] + (raw - raw[:, :1]) / q[:, None], 0.0, 1.0)
            else:
                seg = raw
            st = stressors.window(seg_t, seg, q)
            states = laws.step(states, st, seg_t, T_K[:, prior : cut + 1], scalar, seg)
            q = laws.capacity(states)
            t_days += st["delta_t_days"]
            efc = efc + st["delta_efc"]
            out_t.append(t_days)
            out_efc.append(efc.copy())
            out_q.append(q.copy())
            out_r.append(laws.resistance(states))
            prior = cut + 1
            if t_days / 365.0 > years or (stop_below is not None and np.all(q < stop_below)):
                return LifeResult(np.array(out_t), np.array(out_efc), np.array(out_q), np.array(out_r))
