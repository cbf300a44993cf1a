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
        days = np.broadcast_to(self.time_days[:, None], self.soh.shape)
        return self._mirrored()._crossing(-factor, days) / 365.0

    def efc_to_resistance(self, factor: float) -> np.ndarray:
        """Equivalent full cycles until the relative resistance first reaches ``factor``."""
        return self._mirrored()._crossing(-factor, self.efc)

    def _mirrored(self) -> LifeResult:
        return LifeResult(self.time_days, self.efc, -self.resistance, self.resistance)

    def years_to_eol(self, capacity: float, resistance_factor: float | None = None) -> np.ndarray:
        """Years to end of life: capacity below ``capacity`` or, if given, resistance at
        ``resistance_factor``, whichever comes first (NaN if neither is reached)."""
        out = self.years_to(capacity)
        if resistance_factor is not None:
            out = np.fmin(out, self.years_to_resistance(resistance_factor))
        return out

    def efc_to_eol(self, capacity: float, resistance_factor: float | None = None) -> np.ndarray:
        """Equivalent full cycles to end of life, as :meth:`years_to_eol`."""
        out = self.efc_to(capacity)
        if resistance_factor is not None:
            out = np.fmin(out, self.efc_to_resistance(resistance_factor))
        return out


def simulate_life(
    t_s: np.ndarray,
    soc: np.ndarray,
    temperature_C: np.ndarray,
    years: float,
    n_cells: int | None = None,
    temperature_offset_C: np.ndarray | float = 0.0,
    degradation_scalar: np.ndarray | float = 1.0,
    conserve_energy: bool = True,
    stop_below: float | None = None,
    model: str = "nrel-lfp-250ah",
    stop_resistance_above: float | None = None,
    cycle_scalar: np.ndarray | float | None = None,
) -> LifeResult:
    """Repeat the profile until ``years`` have passed (or, with ``stop_below`` /
    ``stop_resistance_above``, until every cell has crossed that end of life).

    ``t_s`` (M,) sample times shared by all cells. ``soc`` and ``temperature_C`` are (M,) for one
    duty cycle shared by ``n_cells`` cells, or (N, M) for a duty cycle per cell. Cells whose
    profiles close their windows at the same samples (the same profile, or e.g. daily cycles of
    different depth) are advanced as one vectorised batch, one output point per window; with
    several such groups the outputs are merged onto the union of their output times (linear
    interpolation between window ends, NaN after a group stopped).

    ``degradation_scalar`` multiplies every loss increment (BLAST-Lite's degradation scalar);
    with ``cycle_scalar`` it multiplies the calendar terms only and ``cycle_scalar`` the cycle
    terms.
    """
    t_s = np.asarray(t_s, dtype=float)
    soc = np.asarray(soc, dtype=float)
    temp = np.asarray(temperature_C, dtype=float)
    n = n_cells if n_cells is not None else (soc.shape[0] if soc.ndim == 2 else temp.shape[0] if temp.ndim == 2 else 1)
    if (soc.ndim == 2 and soc.shape[0] != n) or (temp.ndim == 2 and temp.shape[0] != n):
        raise ValueError(
            f"per-cell profiles have {soc.shape[0] if soc.ndim == 2 else temp.shape[0]} rows for {n} cells"
        )
    offset = np.broadcast_to(np.asarray(temperature_offset_C, float), (n,))
    scalar = np.broadcast_to(np.asarray(degradation_scalar, float), (n,))
    if cycle_scalar is not None:
        scalar = np.stack([scalar, np.broadcast_to(np.asarray(cycle_scalar, float), (n,))])
    T_K = np.broadcast_to(temp, (n, t_s.size)) + 273.15 + offset[:, None]
    socs = np.broadcast_to(soc, (n, t_s.size))
    stops = dict(years=years, stop_below=stop_below, stop_resistance_above=stop_resistance_above)
    if soc.ndim == 1:
        rows, row_of = soc[None, :], np.zeros(n, dtype=int)
    else:
        rows, row_of = np.unique(socs, axis=0, return_inverse=True)
    cuts_of_row = [tuple(stressors.breakpoints(t_s, r)) for r in rows]
    keys = sorted(set(cuts_of_row))
    group = np.array([keys.index(cuts_of_row[i]) for i in row_of.reshape(-1)])
    if len(keys) == 1:
        return _simulate_shared(t_s, socs, list(keys[0]), T_K, scalar, conserve_energy, model, **stops)
    parts = [
        _simulate_shared(
            t_s, socs[group == g], list(k), T_K[group == g], scalar[..., group == g], conserve_energy, model, **stops
        )
        for g, k in enumerate(keys)
    ]
    days = np.unique(np.concatenate([r.time_days for r in parts]))
    merged = {k: np.full((days.size, n), np.nan) for k in ("efc", "soh", "resistance")}
    for g, r in enumerate(parts):
        for k, arr in merged.items():
            src = getattr(r, k)
            arr[:, group == g] = np.stack(
                [np.interp(days, r.time_days, src[:, j], right=np.nan) for j in range(src.shape[1])], axis=1
            )
    return LifeResult(days, merged["efc"], merged["soh"], merged["resistance"])


def _simulate_shared(
    t_s, socs, cuts, T_K, scalar, conserve_energy, model, years, stop_below, stop_resistance_above
) -> LifeResult:
    """Cells whose profiles share window ends ``cuts``: ``socs`` and ``T_K`` (N, M); ``scalar``
    (N,) or (2, N) (calendar, cycle)."""
    n_cells = T_K.shape[0]
    laws = STEPS[model]
    states = laws.init(n_cells)
    q = np.ones(n_cells)
    t_days, efc = 0.0, np.zeros(n_cells)
    out_t, out_efc, out_q, out_r = [0.0], [efc.copy()], [q.copy()], [np.ones(n_cells)]
    while True:
        prior = 0
        for cut in cuts:
            seg_t = t_s[prior : cut + 1]
            raw = socs[:, prior : cut + 1]
            if conserve_energy:  # swing about the window's first sample, / q, clipped
                seg = np.clip(raw[:, :1] + (raw - raw[:, :1]) / q[:, None], 0.0, 1.0)
            else:
                seg = raw
            st = stressors.window(seg_t, seg, q)
            if laws.uses_discharge_rate:
                # the current as the duty states it, relative to the nominal capacity (the
                # rescaled profile moves the same charge, so this is the fresh profile's rate)
                st["discharge_C"] = stressors.discharge_rate(seg_t, raw, 1.0)
            states = laws.step(states, st, seg_t, T_K[:, prior : cut + 1], scalar, seg)
            q = laws.capacity(states)
            r = laws.resistance(states)
            t_days += float(st["delta_t_days"])
            efc = efc + st["delta_efc"]
            out_t.append(t_days)
            out_efc.append(efc.copy())
            out_q.append(q.copy())
            out_r.append(r)
            prior = cut + 1
            ended = np.zeros(n_cells, bool)  # a cell ends at whichever end of life it reaches first
            if stop_below is not None:
                ended |= q < stop_below
            if stop_resistance_above is not None:
                ended |= r > stop_resistance_above
            if t_days / 365.0 > years or (
                (stop_below is not None or stop_resistance_above is not None) and ended.all()
            ):
                return LifeResult(np.array(out_t), np.array(out_efc), np.array(out_q), np.array(out_r))
