"""Anchor an aging model on a datasheet claim, and say when a duty leaves its fitted range.

A datasheet's "6,000 cycles to 80 % at 0.5P/0.5P, 25 degC, 100 % DOD" fixes the model's
degradation scalar (BLAST-Lite's ``degradation_scalar``, multiplying every loss rate): the
scalar whose cycles to end of life under the rated protocol equal the rating. Many candidate
scalars run as one batch; the answer is interpolated in log-log between them.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .models import MODELS
from .protocol import Protocol, parse_protocol, profile
from .simulate import simulate_life


def cycles_to_eol(proto: Protocol, eol: float, scalars: np.ndarray, max_years: float = 80.0, model: str = "nrel-lfp-250ah") -> np.ndarray:
    """Full cycles at the protocol's DOD until the relative capacity falls below ``eol``."""
    t, soc, temp = profile(proto)
    life = simulate_life(
        t, soc, temp, max_years, n_cells=len(scalars), degradation_scalar=scalars, stop_below=eol - 0.005, model=model
    )
    return life.efc_to(eol) / proto.dod


@cache
def anchor_scalar(rated_cycles: float, rated_protocol: str, eol: float = 0.8, model: str = "nrel-lfp-250ah") -> float:
    """Degradation scalar that makes the model meet ``rated_cycles`` under ``rated_protocol``
    (a coarse then a fine batch of candidates, each run as one batch)."""
    proto = parse_protocol(rated_protocol)
    lo, hi = 0.25, 2.5
    for _ in range(2):
        scalars = np.geomspace(lo, hi, 6)
        cycles = cycles_to_eol(proto, eol, scalars, model=model)
        ok = np.isfinite(cycles)
        if not ok.any() or not (cycles[ok].min() <= rated_cycles <= cycles[ok].max()):
            raise ValueError(
                f"rated cycles {rated_cycles:g} are out of this model's reach (scalars {lo:g}-{hi:g} give "
                f"{np.nanmin(cycles):.0f}-{np.nanmax(cycles):.0f} cycles)"
            )
        # cycles fall as the scalar grows: bracket, then interpolate log(scalar) on log(cycles)
        i = int(np.searchsorted(-cycles, -rated_cycles))
        lo, hi = scalars[max(i - 1, 0)], scalars[min(i, len(scalars) - 1)]
    order = np.argsort(np.log(cycles))
    return float(np.exp(np.interp(np.log(rated_cycles), np.log(cycles)[order], np.log(scalars)[order])))


def range_warnings(model: str, proto: Protocol) -> list[str]:
    """Where a protocol leaves the model's fitted range, one line each."""
    r = MODELS[model].fitted_range
    out = []
    lo, hi = r["temperature_degC"]
    if not lo <= proto.temperature_C <= hi:
        out.append(f"temperature {proto.temperature_C:g} degC is outside {model}'s fitted {lo:g}-{hi:g} degC")
    lo, hi = r["dod"]
    if not lo <= proto.dod <= hi:
        out.append(f"DOD {proto.dod:.0%} is outside {model}'s fitted {lo:.0%}-{hi:.0%}")
    if proto.charge_C > r["charge_C"][1]:
        out.append(f"charge {proto.charge_C:g}C is above {model}'s fitted {r['charge_C'][1]:g}C")
    if proto.discharge_C > r["discharge_C"][1]:
        out.append(f"discharge {proto.discharge_C:g}C is above {model}'s fitted {r['discharge_C'][1]:g}C")
    return out
