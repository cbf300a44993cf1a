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

from dataclasses import dataclass, field

import numpy as np

from .. import checks
from ..errors import SpecError
from . import stressors
from .duty import MAX_SCALAR, MAX_WINDOWS, MAX_YEARS, TEMPERATURE_RANGE_degC, check_duty, per_cell
from .models import STEPS, split_scalar
from .ranges import duty_ranges, range_warnings
from .temperature import ACTIVATION_RANGE_J_PER_MOL, cycle_factor


@dataclass
class LifeResult:
    time_days: np.ndarray  # (K,)
    efc: np.ndarray  # (K, N)
    soh: np.ndarray  # (K, N) relative capacity q
    resistance: np.ndarray  # (K, N) relative resistance r
    #: where the duty leaves the model's fitted range, a cell ran out of capacity, a run was cut short
    warnings: list[str] = field(default_factory=list)

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
        return self._crossing(_capacity("threshold", threshold), days) / 365.0

    def efc_to(self, threshold: float) -> np.ndarray:
        """Equivalent full cycles until the relative capacity falls below ``threshold``."""
        return self._crossing(_capacity("threshold", threshold), self.efc)

    def years_to_resistance(self, factor: float) -> np.ndarray:
        """Years until the relative resistance first reaches ``factor`` (NaN if it does not)."""
        days = np.broadcast_to(self.time_days[:, None], self.soh.shape)
        return self._mirrored()._crossing(-_factor("factor", factor), days) / 365.0

    def efc_to_resistance(self, factor: float) -> np.ndarray:
        """Equivalent full cycles until the relative resistance first reaches ``factor``."""
        return self._mirrored()._crossing(-_factor("factor", factor), self.efc)

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


def _capacity(name: str, value) -> float:
    """A relative capacity within (0, 1]."""
    x = float(checks.in_range(name, value, 0.0, 1.0, "a relative capacity within (0, 1]"))
    if x == 0.0:
        raise SpecError(name, x, "a relative capacity within (0, 1]")
    return x


def _factor(name: str, value) -> float:
    """A relative resistance within [1, 1000]."""
    return float(checks.in_range(name, value, 1.0, 1e3, "a relative resistance within 1-1000"))


def simulate_life(
    t_s: np.ndarray,
    soc: np.ndarray,
    temperature_degC: np.ndarray,
    years: float,
    n_cells: int | None = None,
    temperature_offset_degC: np.ndarray | float = 0.0,
    degradation_scalar: np.ndarray | float = 1.0,
    conserve_energy: bool = True,
    stop_below: float | None = None,
    model: str = "nrel-lfp-250ah",
    stop_resistance_above: float | None = None,
    cycle_scalar: np.ndarray | float | None = None,
    cycle_activation_J_per_mol: np.ndarray | float = 0.0,
    activation_reference_degC: np.ndarray | float = 25.0,
) -> LifeResult:
    """Repeat the profile until ``years`` have passed (or, with ``stop_below`` /
    ``stop_resistance_above``, until every cell has crossed that end of life).

    ``t_s`` (M,) sample times (s) shared by all cells. ``soc`` (fraction 0-1) and
    ``temperature_degC`` (degC) are (M,) for one duty cycle shared by ``n_cells`` cells, or (N, M)
    for a duty cycle per cell (limits in :mod:`cellwright.aging.duty`). Cells whose
    profiles close their windows at the same samples (the same profile, or e.g. daily cycles of
    different depth) are advanced as one vectorised batch, one output point per window; with
    several such groups the outputs are merged onto the union of their output times (linear
    interpolation between window ends, NaN after a group stopped).

    ``temperature_offset_degC`` (degC, one value or (N,)) is added to each cell's temperatures.
    ``degradation_scalar`` multiplies every loss increment (BLAST-Lite's degradation scalar);
    with ``cycle_scalar`` it multiplies the calendar terms only and ``cycle_scalar`` the cycle
    terms. ``cycle_activation_J_per_mol`` (J/mol, one value or (N,); 0 by default) multiplies
    the cycle terms by the Arrhenius factor of :mod:`cellwright.aging.temperature` about
    ``activation_reference_degC`` (degC), averaged over each window's samples as the models
    average their rates. ``years`` within (0, ``MAX_YEARS``]; a run longer than ``MAX_WINDOWS`` windows is
    refused before it starts (or, with an end of life to stop at, ends there with a warning).

    A cell whose relative capacity reaches 0 has nothing left to lose: its states hold and it
    reports 0. The result's ``warnings`` say where the duty leaves the model's fitted range and
    when a cell ran out of capacity.
    """
    if model not in STEPS:
        raise SpecError("model", model, "allowed: " + ", ".join(STEPS))
    t_s, soc, temp, n = check_duty(t_s, soc, temperature_degC, n_cells)
    years = float(checks.in_range("years", years, 0.0, MAX_YEARS, f"within (0, {MAX_YEARS:g}] years"))
    if years == 0.0:
        raise SpecError("years", years, f"within (0, {MAX_YEARS:g}] years")
    if stop_below is not None:
        _capacity("stop_below", stop_below)
    if stop_resistance_above is not None:
        _factor("stop_resistance_above", stop_resistance_above)
    offset = per_cell("temperature_offset_degC", temperature_offset_degC, n, -1e3, 1e3)
    scalar = _scalar("degradation_scalar", degradation_scalar, n)
    if cycle_scalar is not None:
        scalar = np.stack([scalar, _scalar("cycle_scalar", cycle_scalar, n)])
    activation = per_cell("cycle_activation_J_per_mol", cycle_activation_J_per_mol, n, *ACTIVATION_RANGE_J_PER_MOL)
    reference = per_cell("activation_reference_degC", activation_reference_degC, n, *TEMPERATURE_RANGE_degC)
    # (Ea, T_ref in K) per cell, or None: without a law every run is as before, bit for bit
    law = (activation, reference + 273.15) if np.any(activation != 0.0) else None
    T_degC = np.broadcast_to(temp, (n, t_s.size)) + offset[:, None]
    checks.temperature_degC("temperature_degC + temperature_offset_degC", T_degC, *TEMPERATURE_RANGE_degC)
    T_K = T_degC + 273.15
    socs = np.broadcast_to(soc, (n, t_s.size))
    stops = dict(years=years, stop_below=stop_below, stop_resistance_above=stop_resistance_above)
    if soc.ndim == 1:
        rows, row_of = soc[None, :], np.zeros(n, dtype=int)
    else:
        rows, row_of = np.unique(socs, axis=0, return_inverse=True)
    warnings = [f"{w}; the result is an extrapolation" for w in range_warnings(model, duty_ranges(t_s, rows, T_degC))]
    cuts_of_row = [tuple(stressors.breakpoints(t_s, r)) for r in rows]
    keys = sorted(set(cuts_of_row))
    group = np.array([keys.index(cuts_of_row[i]) for i in row_of.reshape(-1)])
    if len(keys) == 1:
        result = _simulate_shared(t_s, socs, list(keys[0]), T_K, scalar, law, conserve_energy, model, **stops)
        result.warnings[:0] = warnings
        return result
    parts = [
        _simulate_shared(
            t_s,
            socs[group == g],
            list(k),
            T_K[group == g],
            scalar[..., group == g],
            None if law is None else (law[0][group == g], law[1][group == g]),
            conserve_energy,
            model,
            **stops,
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
        warnings += [w for w in r.warnings if w not in warnings]
    return LifeResult(days, merged["efc"], merged["soh"], merged["resistance"], warnings)


def _scalar(name: str, value, n: int) -> np.ndarray:
    """A degradation scalar, one value or (n,): finite, > 0 and at most ``MAX_SCALAR``."""
    s = per_cell(name, value, n, 0.0, MAX_SCALAR)
    if not np.all(s > 0):
        raise SpecError(name, float(s.min()), f"greater than 0, at most {MAX_SCALAR:g}")
    return s


def _simulate_shared(
    t_s, socs, cuts, T_K, scalar, law, conserve_energy, model, years, stop_below, stop_resistance_above
) -> LifeResult:
    """Cells whose profiles share window ends ``cuts``: ``socs`` and ``T_K`` (N, M); ``scalar``
    (N,) or (2, N) (calendar, cycle); ``law``: (activation J/mol, reference K) per cell, or None."""
    n_cells = T_K.shape[0]
    stopping = stop_below is not None or stop_resistance_above is not None
    # time advanced per repetition of the profile: the gap from a window's last sample to the
    # next window's first is not simulated
    starts = np.concatenate([[0], np.asarray(cuts[:-1], dtype=int) + 1])
    advance_days = float(np.sum(t_s[cuts] - t_s[starts])) / 86400.0
    needed = years * 365.0 / advance_days * len(cuts)
    if not stopping and needed > MAX_WINDOWS:
        reach = MAX_WINDOWS / len(cuts) * advance_days / 365.0
        raise SpecError(
            "years",
            years,
            f"at most {reach:.3g} for this duty: it closes {len(cuts)} simulation window(s) every "
            f"{advance_days:.3g} days and a run is bounded at {MAX_WINDOWS:,} windows; give a longer or coarser profile",
        )
    laws = STEPS[model]
    states = laws.init(n_cells)
    q = np.ones(n_cells)
    alive = np.ones(n_cells, bool)
    t_days, efc = 0.0, np.zeros(n_cells)
    out_t, out_efc, out_q, out_r = [0.0], [efc.copy()], [q.copy()], [np.ones(n_cells)]
    warnings: list[str] = []
    while True:
        prior = 0
        for cut in cuts:
            seg_t = t_s[prior : cut + 1]
            raw = socs[:, prior : cut + 1]
            q_now = np.where(alive, q, 1.0)  # the stress on an emptied cell is not used
            if conserve_energy:  # swing about the window's first sample, / q, clipped
                seg = np.clip(raw[:, :1] + (raw - raw[:, :1]) / q_now[:, None], 0.0, 1.0)
            else:
                seg = raw
            st = stressors.window(seg_t, seg, q_now)
            if laws.uses_discharge_rate:
                # the current as the duty states it, relative to the nominal capacity (the
                # rescaled profile moves the same charge, so this is the fresh profile's rate)
                st["discharge_C"] = stressors.discharge_rate(seg_t, raw, 1.0)
            window_scalar = scalar
            if law is not None:
                f = cycle_factor(T_K[:, prior : cut + 1], *law)
                f = np.trapezoid(f, seg_t, axis=1) / (seg_t[-1] - seg_t[0])
                s_cal, s_cyc = split_scalar(scalar)
                window_scalar = np.stack(np.broadcast_arrays(s_cal, s_cyc * f))
            with np.errstate(all="ignore"):  # a non-finite state is caught below
                new = laws.step(states, st, seg_t, T_K[:, prior : cut + 1], window_scalar, seg)
                emptied = alive & ~((laws.capacity(new) > 0) & np.isfinite(laws.resistance(new)))
            t_days += float(st["delta_t_days"])
            efc = efc + np.where(alive, st["delta_efc"], 0.0)
            if emptied.any() and alive.all():
                warnings.append(
                    f"relative capacity reached 0 after {t_days / 365.0:.3g} years: the duty is far beyond "
                    "what the model describes; the cell holds at 0"
                )
            alive &= ~emptied
            # a cell with no capacity left keeps its last states and reports 0
            states = {k: np.where(alive, v, states[k]) for k, v in new.items()}
            q = np.where(alive, laws.capacity(states), 0.0)
            r = laws.resistance(states)
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
            if t_days / 365.0 > years or (stopping and ended.all()):
                return LifeResult(np.array(out_t), np.array(out_efc), np.array(out_q), np.array(out_r), warnings)
            if len(out_t) > MAX_WINDOWS:
                warnings.append(
                    f"stopped after {MAX_WINDOWS:,} simulation windows ({t_days / 365.0:.3g} years) "
                    "before every cell reached its end of life"
                )
                return LifeResult(np.array(out_t), np.array(out_efc), np.array(out_q), np.array(out_r), warnings)
