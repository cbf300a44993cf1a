"""Run a protocol on N cells with the SPMe (default) or the DFN: voltage, current, state of
charge and surface stoichiometries over time; delivered capacity and energy; a validity flag.

Each protocol step advances every design with a fixed time step (its expected duration over
``steps_per_step``) until the design meets the step's end condition; the crossing is
interpolated between the last two steps, so results do not depend on the step size beyond the
discretisation error. A design whose electrolyte concentration falls below 2 % of its initial
value is flagged invalid: the SPMe's assumptions (no electrolyte depletion) no longer hold and
its capacity is not a number to trust. The DFN resolves depletion (its designs stay valid);
run the SPMe's invalid designs with ``model="dfn"``. A step for which the model finds no
voltage is retried four times shorter, down to the shortest step; there a DFN at its limiting
current (an electrode that cannot carry the current) ends the step as past its cut-off, and
any other failure ends the design, flagged invalid.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field, fields
from typing import cast

import numpy as np

from .dfn import DFN
from .parameters import SPMeParameters
from .protocols import Step, parse
from .spme import Mesh, SPMe

DEPLETION_FRACTION = 0.02
DEFAULT_TOL_V = 5e-4  # V: bend of the voltage curve allowed per step
FIRST_STEPS, MIN_STEPS, MAX_STEPS = 20000, 40, 20000  # first, largest and smallest step: duration / these


@dataclass
class Solution:
    """Results for N cells. Time series are (K, N) arrays, NaN after a design has finished."""

    time_s: np.ndarray
    voltage_V: np.ndarray
    current_A: np.ndarray
    soc: np.ndarray
    x_n_surf: np.ndarray
    x_p_surf: np.ndarray
    temperature_K: np.ndarray
    discharge_capacity_Ah: np.ndarray  # (N,) delivered in discharge steps
    discharge_energy_Wh: np.ndarray
    charge_capacity_Ah: np.ndarray
    valid: np.ndarray  # (N,) bool
    reason: list[str] = field(default_factory=list)

    def curve(self, i: int = 0) -> dict[str, np.ndarray]:
        keep = ~np.isnan(self.voltage_V[:, i])
        return {
            "time_s": self.time_s[keep, i],
            "voltage_V": self.voltage_V[keep, i],
            "current_A": self.current_A[keep, i],
            "soc": self.soc[keep, i],
            "temperature_K": self.temperature_K[keep, i],
        }


KEYS = ("t", "v", "i", "soc", "xn", "xp", "T")  # the recorded series


class _Recorder:
    """The recorded time series of ``simulate``: arrays (rows, N) per key of ``KEYS``, filled
    row by row (NaN for designs that have finished) in arrays with room to spare, grown by
    doubling; or, for a chunk of ``simulate_parallel``, in its columns ``cols`` of shared
    arrays ``out`` until those are full."""

    def __init__(self, n: int, out: dict | None = None, cols: slice | None = None):
        self.n, self.rows = n, 0
        if out is None:
            self.arrays = {k: np.empty((_initial_rows(n), n)) for k in KEYS}
        else:
            self.arrays = {k: out[k][:, cols] for k in KEYS}
        self.cap = next(iter(self.arrays.values())).shape[0]
        self.shared = out is not None

    def reserve(self, extra: int) -> None:
        if self.rows + extra <= self.cap:
            return
        cap = max(2 * self.cap, self.rows + extra)
        grown = {k: np.empty((cap, self.n)) for k in KEYS}
        for k in KEYS:
            grown[k][: self.rows] = self.arrays[k][: self.rows]
        self.arrays, self.cap, self.shared = grown, cap, False

    def record(self, alive: np.ndarray, values) -> None:
        self.reserve(1)
        for k, val in zip(KEYS, values):
            self.arrays[k][self.rows] = np.where(alive, val, np.nan)
        self.rows += 1

    def block(self, size: int) -> list[np.ndarray]:
        """Room for up to ``size`` rows, at least one (fill them, then add to ``rows``)."""
        if self.rows >= self.cap:
            self.reserve(size)
        size = min(size, self.cap - self.rows)
        return [self.arrays[k][self.rows : self.rows + size] for k in KEYS]

    def result(self) -> dict[str, np.ndarray]:
        """The rows recorded: views of the shared arrays, else trimmed copies."""
        return {k: a[: self.rows] if self.shared else a[: self.rows].copy() for k, a in self.arrays.items()}


def _initial_rows(n: int) -> int:
    """Rows first set aside for the record of N designs: 512 (room for most protocols, and
    only the rows written take memory), fewer for very large N (at most about 256 MB)."""
    return int(max(16, min(512, 2**28 // (8 * len(KEYS) * max(n, 1)))))


def _current_of(step: Step, p: SPMeParameters, voltage: np.ndarray, last: np.ndarray) -> np.ndarray:
    if step.kind == "rest":
        return np.zeros(len(p))
    if step.kind == "voltage":
        return last.copy()  # the hold starts from the current that brought the cell there
    if step.unit == "C":
        return step.value * p.capacity / 3600.0
    if step.unit == "A":
        return np.full(len(p), step.value)
    if step.unit == "W":
        return step.value / voltage
    raise ValueError(step)


MODELS = ("spme", "dfn")


def _model(name: str, p: SPMeParameters, mesh: Mesh | None, thermal: bool):
    if name not in MODELS:
        raise ValueError(f"model: {name!r} is not one of {', '.join(MODELS)}")
    if name == "dfn":
        if thermal:
            raise ValueError("thermal: the DFN is isothermal here; use model='spme' for a thermal simulation")
        return DFN(p, mesh)
    return SPMe(p, mesh)


def simulate(
    p: SPMeParameters,
    protocol: list[str] | list[Step] | str,
    mesh: Mesh | None = None,
    tol_V: float = DEFAULT_TOL_V,
    soc0: float = 1.0,
    currents: np.ndarray | None = None,
    cutoff: np.ndarray | None = None,
    thermal: bool = False,
    model: str = "spme",
    _recorder: _Recorder | None = None,
) -> Solution:
    """Run ``protocol`` on N cells from their initial state (stoichiometries ``x_n0``, ``x_p0``).

    ``currents`` and ``cutoff`` (arrays over N) override the first step's current and end
    voltage, so one call can run each design at its own rate (rate capability). With
    ``thermal`` a lumped energy balance heats the cell by its irreversible heat, I (OCV - V),
    and cools it to the ambient (``T``) through ``cooling`` (W/K); the exchange currents follow
    Arrhenius; isothermal otherwise. Each design
    takes its own time steps: the step grows on flat stretches and shrinks where the voltage
    bends (the deviation of each new voltage from the straight-line prediction of the two
    before is held near ``tol_V``), between 1/40 and 1/20000 of the step's expected duration.
    """
    if isinstance(protocol, str) or (protocol and isinstance(protocol[0], str)):
        steps = parse(protocol)
    else:
        steps = list(cast(list[Step], protocol))
    announce_compile(model, thermal)
    cell_model = _model(model, p, mesh, thermal)
    n = len(p)
    t = np.zeros(n)
    soc = np.full(n, soc0, dtype=float)
    v = cell_model.voltage(np.zeros(n))["voltage"]
    rec = _Recorder(n) if _recorder is None else _recorder
    dis_q = np.zeros(n)
    dis_e = np.zeros(n)
    chg_q = np.zeros(n)
    valid = np.ones(n, dtype=bool)
    broken = np.zeros(n, dtype=bool)
    ce0 = p.ce0

    def record(alive, tt, vv, ii, ss, xn, xp):  # NaN once finished
        rec.record(alive, (tt, vv, ii, ss, xn, xp, cell_model.T))

    last_current = np.zeros(n)
    parts = cell_model.voltage(np.zeros(n))
    record(np.ones(n, bool), t, v, np.zeros(n), soc, parts["x_n_surf"], parts["x_p_surf"])
    for k, step in enumerate(steps):
        cell_model.reset_history()  # BDF2 restarts at a step change
        current = _current_of(step, p, v, last_current)
        until_v = None if step.until_voltage is None else np.full(n, step.until_voltage)
        if k == 0 and currents is not None:
            current = np.asarray(currents, dtype=float)
            until_v = np.asarray(cutoff, dtype=float)
        if step.kind in ("current", "power"):
            if step.kind == "power":
                current = step.value / np.maximum(v, 1e-3)
            # the current is switched on at once: record the loaded voltage at the same time
            parts = cell_model.voltage(current)
            v = parts["voltage"]
            record(np.ones(n, bool), t, v, current, soc, parts["x_n_surf"], parts["x_p_surf"])
        if step.duration_s is not None:
            expected = np.full(n, step.duration_s)
        elif step.kind == "voltage":
            expected = np.full(n, 3600.0 * 2.0)
        else:
            expected = p.capacity / np.maximum(np.abs(current), 1e-12)
        dt_max, dt_min = expected / MIN_STEPS, expected / MAX_STEPS
        dt = expected / FIRST_STEPS
        ratio = None
        v_two_back = dt_prev = None
        alive = ~broken  # a design whose solver failed takes no further steps
        elapsed = np.zeros(n)
        jit = cell_model._jit
        if jit is not None:  # the per-step bookkeeping as one compiled pass (same numbers)
            v = np.array(v, dtype=float)  # updated in place from here
            dt = np.ascontiguousarray(dt, dtype=float)
            v_two_back, dt_prev, ratio_buf = np.zeros(n), np.zeros(n), np.zeros(n)
            frac, end = np.ones(n), np.zeros(n, dtype=bool)
            has_until = until_v is not None
            until_arr = np.ascontiguousarray(until_v, dtype=float) if has_until else v
            duration = np.nan if step.duration_s is None else float(step.duration_s)
            i_end = (
                np.full(n, np.nan)
                if step.until_current_C is None
                else np.ascontiguousarray(
                    np.broadcast_to(step.until_current_C * p.capacity / 3600.0, (n,)), dtype=float
                )
            )
            ce_limit = np.ascontiguousarray(np.broadcast_to(DEPLETION_FRACTION * ce0, (n,)), dtype=float)
            capacity = np.ascontiguousarray(np.broadcast_to(p.capacity, (n,)), dtype=float)
            dt_min = np.ascontiguousarray(dt_min, dtype=float)
            dt_max = np.ascontiguousarray(dt_max, dtype=float)
            have_two_back = False
        fixed = jit is not None and not thermal and cell_model._constant_D and step.kind in ("current", "rest")
        if fixed:  # the loop below as one compiled call (the same kernels, the same numbers)
            current = np.ascontiguousarray(np.broadcast_to(current, (n,)), dtype=float)
            _run_fixed(
                cell_model, jit, rec, n, dt, ratio_buf, v, alive, v_two_back, current, until_arr, has_until,
                duration, i_end, capacity, dt_prev, dt_min, dt_max, tol_V, elapsed, t, soc, dis_q, dis_e,
                chg_q, valid, ce_limit, last_current, frac, end,
            )  # fmt: skip
            continue
        for _ in range(MAX_STEPS):
            if not alive.any():
                break
            if step.kind == "power":
                current = step.value / np.maximum(v, 1e-3)
            if step.kind == "voltage":
                current = _solve_hold(cell_model, step.value, current, dt, ratio)
            if jit is not None:
                current = np.ascontiguousarray(np.broadcast_to(current, (n,)), dtype=float)
                state = cell_model.step(current, dt, ratio)
                parts = cell_model.voltage(current, state)
                v_new = parts["voltage"]
                partial = jit.advance(
                    alive, v, v_new, v_two_back, have_two_back, current, until_arr, has_until, duration, i_end,
                    capacity, dt, dt_prev, dt_min, dt_max, tol_V, elapsed, t, soc, dis_q, dis_e, chg_q,
                    valid, parts["ce_min"], ce_limit, last_current, frac, end, ratio_buf,
                )  # fmt: skip
                have_two_back = True
                if partial:  # designs that end inside this step stop at the crossing
                    part = frac < 1.0
                    for old, newer in zip((cell_model.cn, cell_model.cp, cell_model.ce), state):
                        newer[:, part] = old[:, part] + frac[part] * (newer[:, part] - old[:, part])
                cell_model.commit(state, alive)
                if thermal:
                    assert dt_prev is not None  # set with the compiled kernels
                    heat = current * (parts["ocv"] - v_new) - p.cooling * (cell_model.T - p.T)
                    cell_model.T = cell_model.T + np.where(
                        alive, frac * dt_prev * heat / (p.mass * p.heat_capacity), 0.0
                    )
                record(alive, t, v, current, soc, parts["x_n_surf"], parts["x_p_surf"])
                alive &= ~end
                ratio = ratio_buf
                continue
            v_start = v
            state = cell_model.step(current, dt, ratio)
            parts = cell_model.voltage(current, state)
            v_new = parts["voltage"]
            # a step with no finite voltage (the DFN past an exhausted electrode) is retried,
            # four times shorter, down to the shortest step; only there does it end the design
            retry = ~np.isfinite(v_new) & alive & (dt > dt_min * (1.0 + 1e-9))
            frac = np.ones(n)
            end = np.zeros(n, dtype=bool)
            if until_v is not None:
                below = np.where(current >= 0, v_new <= until_v, v_new >= until_v)
                end |= below
                with np.errstate(divide="ignore", invalid="ignore"):
                    f = (v - until_v) / (v - v_new)
                frac = np.where(below, np.clip(np.where(np.isnan(f), 1.0, f), 0.0, 1.0), frac)
                # past the cut-off with no voltage (the DFN's exhausted electrode): ends where it was
                v_new = np.where(below & np.isinf(v_new), v, v_new)
            if step.duration_s is not None:
                over = elapsed + dt >= step.duration_s
                frac = np.where(over & ~end, np.clip((step.duration_s - elapsed) / dt, 0.0, 1.0), frac)
                end |= over
            if step.until_current_C is not None:
                end |= np.abs(current) <= step.until_current_C * p.capacity / 3600.0
            # no voltage at the shortest step and no cut-off passed: the design ends, flagged
            failed = ~np.isfinite(v_new) & alive & ~end & ~retry
            broken |= failed
            end = (end | failed) & alive & ~retry
            stay = retry | failed  # no step taken: the state and the voltage stay
            if stay.any():
                frac = np.where(stay, 0.0, frac)
                v_new = np.where(stay, v, v_new)
                for old, newer in zip((cell_model.cn, cell_model.cp, cell_model.ce), state):
                    newer[:, stay] = old[:, stay]
            h = frac * dt
            partial = frac < 1.0
            if partial.any():  # designs that end inside this step stop at the crossing
                for old, newer in zip((cell_model.cn, cell_model.cp, cell_model.ce), state):
                    newer[:, partial] = old[:, partial] + frac[partial] * (newer[:, partial] - old[:, partial])
            cell_model.commit(state, alive)
            v_end = v + frac * (v_new - v)
            if thermal:
                heat = current * (parts["ocv"] - v_new) - p.cooling * (cell_model.T - p.T)
                cell_model.T = cell_model.T + np.where(alive, frac * dt * heat / (p.mass * p.heat_capacity), 0.0)
            q = current * h / 3600.0
            dis_q += np.where(alive & (current > 0), q, 0.0)
            dis_e += np.where(alive & (current > 0), current * 0.5 * (v + v_end) * h / 3600.0, 0.0)
            chg_q += np.where(alive & (current < 0), -q, 0.0)
            soc = soc - np.where(alive, current * h / p.capacity, 0.0)
            t = t + np.where(alive, h, 0.0)
            elapsed = elapsed + np.where(alive, h, 0.0)
            if model == "spme":
                depleted = parts["ce_min"] < DEPLETION_FRACTION * ce0
                valid &= ~(depleted & alive)
            v = np.where(alive, v_end, v)
            record(alive & ~retry, t, v, current, soc, parts["x_n_surf"], parts["x_p_surf"])
            last_current = np.where(alive, current, last_current)
            alive &= ~end
            # step-size control from the bend of the voltage curve: how far the new voltage
            # falls from the straight line through the two before
            if v_two_back is not None and dt_prev is not None:  # set together
                predicted = v_start + (dt / dt_prev) * (v_start - v_two_back)
                bend = np.abs(v_end - predicted)
                grow = np.clip(np.sqrt(tol_V / np.maximum(bend, 1e-12)), 0.5, 2.0)
            else:
                grow = np.full(n, 2.0)
            if retry.any() and v_two_back is not None and dt_prev is not None:  # a retried step leaves no history
                v_two_back, dt_prev = np.where(retry, v_two_back, v_start), np.where(retry, dt_prev, dt)
            else:
                v_two_back, dt_prev = v_start, dt
            dt_next = np.clip(np.where(retry, 0.25 * dt, dt * grow), dt_min, dt_max)
            ratio, dt = np.where(retry, 0.0, dt_next / dt), dt_next  # ratio 0: backward Euler
    stack = rec.result()
    not_finite = _not_finite(stack, {"capacity": dis_q, "energy": dis_e, "charge": chg_q})
    valid &= ~broken & (not_finite == "")
    reasons = [
        ""
        if ok
        else "no solution: the solver failed or an electrode cannot carry the current"
        if bad
        else f"not a finite number: {nf}"
        if nf
        else "electrolyte depleted: outside the SPMe's validity"
        for ok, bad, nf in zip(valid, broken, not_finite)
    ]
    return Solution(
        stack["t"],
        stack["v"],
        stack["i"],
        stack["soc"],
        stack["xn"],
        stack["xp"],
        stack["T"],
        dis_q,
        dis_e,
        chg_q,
        valid,
        reasons,
    )


def _not_finite(stack: dict[str, np.ndarray], totals: dict[str, np.ndarray]) -> np.ndarray:
    """Per design, the recorded series and totals that are not finite numbers ("" if none).

    A recorded row is NaN in every series once a design has finished, so a value that is not
    finite where the design's time is recorded is a failure of the model, not the end of a run."""
    recorded = ~np.isnan(stack["t"])
    names = {"t": "time", "v": "voltage", "soc": "state of charge", "T": "temperature"}
    bad = {name: (recorded & ~np.isfinite(stack[key])).any(axis=0) for key, name in names.items()}
    bad.update({name: ~np.isfinite(x) for name, x in totals.items()})
    out = np.full(stack["t"].shape[1], "", dtype=object)
    for i in np.flatnonzero(np.logical_or.reduce(list(bad.values()))):  # few designs, if any
        out[i] = ", ".join(name for name, b in bad.items() if b[i])
    return out


def _kernels_used(model: str, thermal: bool) -> tuple | None:
    """The compiled kernels (Numba dispatchers) a run of ``model`` calls, or None without Numba."""
    from .spme import kernels

    jit = kernels()
    if jit is None:
        return None
    if model == "dfn":
        from . import _jit_dfn

        return (_jit_dfn.electrode_newton,)
    return (jit.step, jit.voltage, jit.advance if thermal else jit.run_constant)


_ANNOUNCE_LOCK = threading.Lock()
_ANNOUNCED: set[tuple[str, bool]] = set()  # said in this process (threads starting together say it once)


def announce_compile(model: str = "spme", thermal: bool = False) -> bool:
    """Say on stderr that this run compiles the kernels of ``model`` (tens of seconds), when
    they are neither loaded in this process nor in Numba's on-disk cache; returns whether it
    said so. The compiled code is then saved to that cache, so later runs load it. One line:
    ``cellwright: compiling the SPMe kernels once (cached in <dir> for later runs)...``"""
    used = _kernels_used(model, thermal)
    if used is None:
        return False
    with _ANNOUNCE_LOCK:
        if (model, thermal) in _ANNOUNCED or all(f.signatures for f in used):  # compiled or loaded here
            return False
        if kernels_compiled(model, thermal) is not False:  # on disk (or the cache unreadable)
            return False
        try:
            where = str(used[0]._cache._cache_path)
        except Exception:  # Numba's cache is not public API: name no directory then
            where = "Numba's cache"
        label = "DFN" if model == "dfn" else "SPMe"
        _ANNOUNCED.add((model, thermal))
        print(f"cellwright: compiling the {label} kernels once (cached in {where} for later runs)...", file=sys.stderr)
        sys.stderr.flush()
        return True


def kernels_compiled(model: str = "spme", thermal: bool = False) -> bool | None:
    """Whether the compiled kernels a run of ``model`` uses are in Numba's on-disk cache, fresh
    for their source: False means the first run compiles them (tens of seconds). None when the
    run uses no compiled kernels (no Numba, or ``CELLWRIGHT_NUMBA=0``) or the cache cannot be
    read."""
    used = _kernels_used(model, thermal)
    if used is None:
        return None
    try:
        return all(bool(f._cache._cache_file._load_index()) for f in used)
    except Exception:  # Numba's cache is not public API: when it changes, say nothing
        return None


ROWS = 512  # time steps at most per call of the compiled loop


def _run_fixed(model, jit, rec, n, dt, ratio, v, alive, v_two_back, current, *args):
    """One protocol step at a fixed current through ``_jit.run_constant``: the time steps of
    the loop in ``simulate`` (for at most ``MAX_STEPS`` steps), recorded into ``rec``."""
    step_args, voltage_args = model.constant_args(current)
    sets = ((model.cn, model.cp, model.ce),) + tuple(
        (np.empty_like(model.cn), np.empty_like(model.cp), np.empty_like(model.ce)) for _ in range(2)
    )
    ic, ip, inew, have_prev, have_two_back = 0, 1, 2, False, False
    scratch = [np.empty(n) for _ in range(5)]
    temp = np.ascontiguousarray(np.broadcast_to(model.T, (n,)), dtype=float)
    done = 0
    while done < MAX_STEPS:
        bufs = rec.block(min(ROWS, MAX_STEPS - done))
        rows, ic, ip, inew, have_prev, have_two_back, finished = jit.run_constant(
            sets, ic, ip, inew, have_prev, dt, ratio, step_args, voltage_args, *scratch,
            alive, v, v_two_back, have_two_back, current, *args, temp, *bufs, bufs[0].shape[0],
        )  # fmt: skip
        done += rows
        rec.rows += rows
        if finished:
            break
    model.cn, model.cp, model.ce = sets[ic]
    model._prev = list(sets[ip]) if have_prev else None


def _solve_hold(model: SPMe, target_v: float, guess: np.ndarray, dt: np.ndarray, ratio) -> np.ndarray:
    """Current that holds the terminal voltage at ``target_v`` over the next step (secant; a
    current with no finite voltage, e.g. one a DFN electrode cannot carry, is halved towards
    the last one that had one)."""
    i0 = guess
    i1 = guess - 0.01 * model.p.capacity / 3600.0
    f0 = model.voltage(i0, model.step(i0, dt, ratio))["voltage"] - target_v
    for _ in range(6):
        f1 = model.voltage(i1, model.step(i1, dt, ratio))["voltage"] - target_v
        bad = ~np.isfinite(f1)
        if bad.any():
            i1 = np.where(bad, 0.5 * (i0 + i1), i1)
            f1 = np.where(bad, model.voltage(i1, model.step(i1, dt, ratio))["voltage"] - target_v, f1)
        with np.errstate(invalid="ignore"):  # a voltage still not finite: that current is kept
            denom = np.where(np.abs(f1 - f0) < 1e-12, 1e-12, f1 - f0)
            i2 = i1 - f1 * (i1 - i0) / denom
        i0, f0, i1 = i1, f1, np.where(np.isfinite(i2), i2, i1)
    return i1


CHUNK = 1000  # designs per simulate call in simulate_parallel: the state stays in cache


def simulate_parallel(p: SPMeParameters, protocol, workers: int = 2, **kwargs) -> Solution:
    """:func:`simulate` with the designs split over ``workers`` threads (the compiled kernels,
    and NumPy inside its array operations, release the interpreter lock, so large batches use
    several cores), in chunks of about ``CHUNK`` designs: a chunk's state, rather than the whole
    batch's, streams through memory at each step. Each chunk records its time series straight
    into its columns of the result (a copy only for a record longer than the rows set aside).
    Designs are independent: the result is the same as :func:`simulate`'s."""
    from concurrent.futures import ThreadPoolExecutor

    n = len(p)
    if workers <= 1 or n < 2 * workers:
        return simulate(p, protocol, **kwargs)
    pieces = workers * max(1, -(-n // (CHUNK * workers)))
    chunks = np.array_split(np.arange(n), pieces)
    # the chunks record into their columns of shared arrays (no copies when they fit)
    out = {k: np.empty((_initial_rows(n), n)) for k in KEYS}
    recs = [_Recorder(len(idx), out=out, cols=slice(idx[0], idx[-1] + 1)) for idx in chunks]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda c: simulate(p.take(c[0]), protocol, _recorder=c[1], **kwargs), zip(chunks, recs)))
    if not all(r.shared for r in recs):
        return _merge(parts)
    k = max(r.rows for r in recs)
    for r in recs:  # rows after a chunk's last are NaN
        for a in r.arrays.values():
            a[r.rows : k] = np.nan
    flat = ("discharge_capacity_Ah", "discharge_energy_Wh", "charge_capacity_Ah", "valid")
    values = {f: np.concatenate([getattr(s, f) for s in parts]) for f in flat}
    values |= {f.name: out[key][:k] for f, key in zip(fields(Solution), KEYS)}  # the (K, N) series
    return Solution(**values, reason=[r for s in parts for r in s.reason])


def _merge(parts: list[Solution]) -> Solution:
    k = max(s.time_s.shape[0] for s in parts)

    def pad(a):
        out = np.full((k, a.shape[1]), np.nan)
        out[: a.shape[0]] = a
        return out

    series = ("time_s", "voltage_V", "current_A", "soc", "x_n_surf", "x_p_surf", "temperature_K")
    flat = ("discharge_capacity_Ah", "discharge_energy_Wh", "charge_capacity_Ah", "valid")
    values = {f: np.concatenate([pad(getattr(s, f)) for s in parts], axis=1) for f in series}
    values.update({f: np.concatenate([getattr(s, f) for s in parts]) for f in flat})
    return Solution(**values, reason=[r for s in parts for r in s.reason])
