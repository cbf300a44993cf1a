"""Operation of a storage plant: the duty its cells see, and their state of health year by year.

Two ways to state the duty:

* a **daily cycle**: cycles per day at a depth of discharge and a C-rate (charge, rest,
  discharge, rest, evenly spread over the day), or
* an hourly (or any step) **dispatch profile** of power at the point of interconnection (POI),
  positive when discharging, converted to the cells' state of charge through the efficiency
  chain (:mod:`cellwright.storage.efficiency`).

Either becomes a one-day or one-year SOC and temperature series that
:func:`cellwright.aging.simulate.simulate_life` repeats for the project's life; the cells'
relative capacity is then read at each year's start. The SOC is that of the cells (fraction of
the DC nameplate), so an overbuilt plant runs its cells shallower.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import checks
from ..errors import SpecError
from . import efficiency as eff_mod
from ._checks import as_array


def daily_cycle(
    cycles_per_day: float,
    dod: float,
    c_rate: float,
    temperature_degC: float = 25.0,
    soc_mid: float = 0.5,
    step_s: float = 300.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One day of a storage duty as the cells see it: (time_s, soc, temperature_degC).

    Each cycle charges ``dod`` of the cells' capacity at ``c_rate`` [1/h], rests, discharges
    the same at the same rate and rests again, the rests filling the day evenly. The SOC window
    is centred on ``soc_mid``.
    """
    n = float(as_array("cycles_per_day", cycles_per_day, low=0, low_open=True, high=24))
    d = float(as_array("dod", dod, low=0, high=1, low_open=True))
    c = float(as_array("c_rate", c_rate, low=0, low_open=True))
    mid = float(as_array("soc_mid", soc_mid, low=d / 2, high=1 - d / 2))
    period = 24.0 / n
    active = 2.0 * d / c
    if active > period + 1e-9:
        raise SpecError(
            "cycles_per_day",
            n,
            f"at {c:g}C and {d:.0%} DOD a cycle takes {active:g} h; at most {24 / active:.2f} cycles a day fit",
        )
    rest = (period - active) / 2.0
    lo, hi = mid - d / 2, mid + d / 2
    t = np.arange(0.0, 86400.0 + step_s / 2, step_s)
    phase = np.mod(t / 3600.0, period)
    t_chg = d / c
    soc = np.where(
        phase < t_chg,
        lo + c * phase,
        np.where(phase < t_chg + rest, hi, np.where(phase < 2 * t_chg + rest, hi - c * (phase - t_chg - rest), lo)),
    )
    return t, soc, np.full_like(t, temperature_degC)


#: Shortest dispatch step [h]: one second. Finer steps are no plant's dispatch, and a profile
#: repeated for decades in steps of microseconds would never finish aging.
MIN_DISPATCH_STEP_H = 1.0 / 3600.0

#: Longest dispatch [h]: 50 years, as long as any project runs (a dispatch repeats over the
#: project's years; a longer one is most likely in seconds or minutes, not hours).
MAX_DISPATCH_H = 50 * 8766.0

#: Largest power at the POI [MW]: 100 GW, beyond any storage plant built or planned (the largest
#: are a few GW); a larger value is a unit slip (W or kW) and would overflow the energy balance.
MAX_DISPATCH_MW = 1e5

#: Cell temperatures a dispatch may give [degC], as for a project's ``operation.temperature_degC``.
DISPATCH_TEMPERATURE_degC = (-30.0, 70.0)


def read_dispatch(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A dispatch CSV: ``time_h`` [h] and ``power_MW`` [MW] at the POI (positive = discharge),
    optional ``temperature_degC`` [degC] of the cells. Returns (time_h, power_MW, temperature_degC or
    None). Every value must be a finite number, times increase in steps of at least one second,
    the plant discharges in some step and temperatures lie within ``DISPATCH_TEMPERATURE_degC``;
    a malformed file is a SpecError naming the line and column."""
    from ..aging.io import read_columns

    d = read_columns(path, ("time_h", "power_MW"), ("temperature_degC",), field="dispatch")
    name = Path(path).name
    t = d["time_h"]
    if (long := np.flatnonzero(t - t[0] > MAX_DISPATCH_H)).size:
        i = long[0]
        raise SpecError(
            f"{name}: line {d.line(i)}, column time_h", float(t[i]), f"hours within {MAX_DISPATCH_H:g} of the first row"
        )
    if (big := np.flatnonzero(np.abs(d["power_MW"]) > MAX_DISPATCH_MW)).size:
        i = big[0]
        raise SpecError(
            f"{name}: line {d.line(i)}, column power_MW", float(d["power_MW"][i]), f"MW within ±{MAX_DISPATCH_MW:g}"
        )
    if (short := np.flatnonzero(np.diff(t) < MIN_DISPATCH_STEP_H * (1 - 1e-6))).size:
        i = short[0] + 1
        raise SpecError(
            f"{name}: line {d.line(i)}, column time_h", float(t[i]), f"steps of at least 1 s after {t[i - 1]:g} h"
        )
    if not (d["power_MW"][:-1] > 0).any():  # the last row's power is not used (it ends the profile)
        raise SpecError(
            f"{name}: column power_MW", "no discharge", "a dispatch that discharges (power_MW > 0) in some step"
        )
    temp = d.get("temperature_degC")
    if temp is not None:
        low, high = DISPATCH_TEMPERATURE_degC
        if (bad := np.flatnonzero((temp < low) | (temp > high))).size:
            checks.temperature_degC(f"{name}: line {d.line(bad[0])}, column temperature_degC", temp[bad[0]], low, high)
    return t, d["power_MW"], temp


def dispatch_soc(
    time_h: np.ndarray,
    power_MW: np.ndarray,
    dc_nameplate_kWh: float,
    soc_window: float,
    eff: eff_mod.Chain | None = None,
) -> np.ndarray:
    """Cell SOC under a POI dispatch: power held over each step (the last step's power is not
    used), drawn from / put into the cells through the efficiency chain. The profile's SOC
    range is centred in the usable window (width ``soc_window`` about 0.5).

    ``time_h`` [h] strictly increasing over at most ``MAX_DISPATCH_H``, ``power_MW`` [MW] of the
    same shape within ±``MAX_DISPATCH_MW``;
    ``dc_nameplate_kWh`` [kWh] > 0; ``soc_window`` a fraction. Anything else is a SpecError
    naming the argument. A dispatch whose SOC swing exceeds the window is a SpecError naming
    the first hour at which the swing so far no longer fits.
    """
    time_h = checks.increasing("time_h", time_h)
    checks.in_range("time_h", time_h - time_h[0], 0.0, MAX_DISPATCH_H, f"hours within {MAX_DISPATCH_H:g} of the first")
    power_MW = checks.as_finite("power_MW", power_MW, ndim=1)
    checks.in_range("power_MW", power_MW, -MAX_DISPATCH_MW, MAX_DISPATCH_MW)
    checks.same_shape(("time_h", "power_MW"), time_h, power_MW)
    dc_nameplate_kWh = float(checks.positive("dc_nameplate_kWh", dc_nameplate_kWh))
    soc_window = float(checks.in_range("soc_window", soc_window, 0.0, 1.0, "a fraction within 0-1"))
    eff = eff or eff_mod.chain()
    p_kW = power_MW[:-1] * 1e3
    dt = np.diff(time_h)
    to_cells = np.where(
        p_kW > 0,
        p_kW / eff_mod.energy_at(1.0, "stored", "poi", "discharge", eff),
        p_kW * eff_mod.energy_at(1.0, "poi", "stored", "charge", eff),
    )
    dev = -np.concatenate([[0.0], np.cumsum(to_cells * dt)]) / dc_nameplate_kWh
    swing = np.maximum.accumulate(dev) - np.minimum.accumulate(dev)
    if swing[-1] > soc_window + 1e-9:
        i = int(np.argmax(swing > soc_window + 1e-9))
        raise SpecError(
            "dispatch",
            f"hour {time_h[i]:g}",
            f"needs a SOC swing of {swing[i]:.3f} of the cells by then, more than the usable "
            f"window {soc_window:.3f}; lower the power or raise the energy",
        )
    return 0.5 - (dev.max() + dev.min()) / 2.0 + dev


def yearly_soh(
    t_s: np.ndarray,
    soc: np.ndarray,
    temperature_degC: np.ndarray,
    years: int,
    model: str,
    degradation_scalar=1.0,
    cycle_activation_J_per_mol=0.0,
    activation_reference_degC=25.0,
) -> np.ndarray:
    """Relative capacity of the cells at the start of each year 0..years, (years + 1, N).

    ``soc`` and ``temperature_degC`` are (M,) for one duty or (N, M) for a duty per project; the
    profile repeats (it should span a whole number of days). The degradation scalar and the
    cycle terms' temperature law (activation energy J/mol about a reference in degC, see
    :mod:`cellwright.aging.temperature`) are one value or one per project.
    """
    from ..aging.simulate import simulate_life

    scal = np.atleast_1d(np.asarray(degradation_scalar, float))
    n = soc.shape[0] if np.ndim(soc) == 2 else scal.size
    life = simulate_life(
        t_s,
        soc,
        temperature_degC,
        float(years) + 0.01,
        n_cells=n,
        degradation_scalar=np.broadcast_to(scal, (n,)),
        model=model,
        cycle_activation_J_per_mol=cycle_activation_J_per_mol,
        activation_reference_degC=activation_reference_degC,
    )
    at = np.arange(years + 1) * 365.0
    out = np.empty((years + 1, n))
    for j in range(n):
        ok = np.isfinite(life.soh[:, j])
        out[:, j] = np.interp(at, life.time_days[ok], life.soh[ok, j])
    return out
