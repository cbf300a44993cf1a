"""The stress ranges a duty covers, and where they leave an aging model's fitted range.

Out-of-range use of an empirical model is a warning, not an error: the warnings are returned as
lines (and carried on :class:`~cellwright.aging.simulate.LifeResult`), the caller prints them.
"""

from __future__ import annotations

import numpy as np
import rainflow

from ..errors import SpecError
from .duty import check_duty
from .models import MODELS
from .protocol import Protocol


def protocol_ranges(proto: Protocol) -> dict[str, tuple[float, float]]:
    """The stress ranges a protocol covers: temperature (degC), DOD, charge and discharge C-rate."""
    return {
        "temperature_degC": (proto.temperature_degC, proto.temperature_degC),
        "dod": (proto.dod, proto.dod),
        "charge_C": (proto.charge_C, proto.charge_C),
        "discharge_C": (proto.discharge_C, proto.discharge_C),
    }


def profile_ranges(t_s: np.ndarray, soc: np.ndarray, temperature_degC: np.ndarray) -> dict[str, tuple[float, float]]:
    """The stress ranges a time series covers: sample temperatures (degC), the rainflow cycles'
    depths (ASTM E1049-85), and the charge and discharge rates (|dSOC/dt| in 1/h, rates below
    0.01/h being rests). ``soc`` and ``temperature_degC`` (M,) or (N, M) per cell, checked as in
    :func:`~cellwright.aging.duty.check_duty`."""
    t_s, soc, temp, _ = check_duty(t_s, soc, temperature_degC)
    return duty_ranges(t_s, np.unique(np.atleast_2d(soc), axis=0), temp)


def duty_ranges(t_s: np.ndarray, soc_rows: np.ndarray, temperature_degC: np.ndarray) -> dict:
    """:func:`profile_ranges` of checked arrays: ``soc_rows`` (R, M), one row per distinct duty."""
    depths = [c[0] for row in soc_rows for c in rainflow.extract_cycles(row)] or [0.0]
    rate = np.diff(soc_rows, axis=1) / (np.diff(t_s) / 3600.0)
    charge, discharge = rate[rate > 1e-2], -rate[rate < -1e-2]
    return {
        "temperature_degC": (float(np.min(temperature_degC)), float(np.max(temperature_degC))),
        "dod": (float(min(depths)), float(max(depths))),
        "charge_C": (float(charge.min()) if charge.size else 0.0, float(charge.max()) if charge.size else 0.0),
        "discharge_C": (
            float(discharge.min()) if discharge.size else 0.0,
            float(discharge.max()) if discharge.size else 0.0,
        ),
    }


def range_warnings(model: str, proto: Protocol | dict) -> list[str]:
    """Where a duty (a protocol, or the ranges of :func:`profile_ranges`) leaves the model's
    fitted range, one line each. For DOD the deepest cycle is compared with the range; a duty
    without cycles (storage) is compared in temperature only."""
    if model not in MODELS:
        raise SpecError("model", model, "allowed: " + ", ".join(MODELS))
    duty = protocol_ranges(proto) if isinstance(proto, Protocol) else proto
    r = MODELS[model].fitted_range
    out = []
    lo, hi = r["temperature_degC"]
    t_lo, t_hi = duty["temperature_degC"]
    if t_lo < lo or t_hi > hi:
        shown = f"{t_lo:g}" if t_lo == t_hi else f"{t_lo:g}-{t_hi:g}"
        out.append(f"temperature {shown} degC is outside {model}'s fitted {lo:g}-{hi:g} degC")
    deepest = duty["dod"][1]
    if (isinstance(proto, Protocol) and proto.storage) or deepest == 0.0:
        return out
    lo, hi = r["dod"]
    if not lo - 1e-9 <= deepest <= hi + 1e-9:
        out.append(f"DOD {deepest:.0%} is outside {model}'s fitted {lo:.0%}-{hi:.0%}")
    for key, word in (("charge_C", "charge"), ("discharge_C", "discharge")):
        if duty[key][1] > r[key][1] + 1e-9:
            out.append(f"{word} {duty[key][1]:g}C is above {model}'s fitted {r[key][1]:g}C")
    return out
