"""Full-cell open-circuit voltage from the electrode materials, and the nominal voltage.

The positive and negative open-circuit potentials (``data/ocp.csv``) are read at the
stoichiometries the cell's balance puts them at for a state of charge:

- positive: from ``x_discharged`` toward ``x_charged``; if the cell is short of lithium
  (lithium-inventory factor f < 1) its discharged end stays short of ``x_discharged`` by
  (1 - f) of the window;
- negative: from ``x_discharged`` upward by f / (N/P) of its window at full charge.

Nominal voltage: the mean open-circuit voltage over the discharge (energy over capacity at a
vanishing current) less the drop across the area-specific impedance at a C/3 current [batpac-v5].
BatPaC takes the open-circuit voltage at 50 % state of charge instead; for a two-plateau
positive (LMFP: Mn near 4.0 V, Fe near 3.4 V) that point lies on one plateau and misstates the
energy, while the mean holds for any curve.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import materials

SECONDS_PER_HOUR = 3600.0


def ocp_names() -> list[str]:
    """Active materials with an open-circuit-potential curve; a design refers to them by index."""
    return sorted(materials.ocp_tables())


def ocp_by_code(codes: np.ndarray, stoichiometry: np.ndarray) -> np.ndarray:
    """Open-circuit potential, V vs Li/Li+, for each design's material code."""
    out = np.empty_like(stoichiometry, dtype=float)
    tables = materials.ocp_tables()
    names = ocp_names()
    for code in np.unique(codes):
        sel = codes == code
        x, u, _ = tables[names[code]]
        out[sel] = np.interp(stoichiometry[sel], x, u)
    return out


def stoichiometries(soc, inp, li_factor):
    """Positive and negative lithiation fractions at state of charge ``soc`` (0..1)."""
    pos_window = inp.pos_x_discharged - inp.pos_x_charged
    neg_window = inp.neg_x_charged - inp.neg_x_discharged
    x_pos = inp.pos_x_discharged - (1.0 - li_factor) * pos_window - soc * li_factor * pos_window
    x_neg = inp.neg_x_discharged + soc * li_factor / inp.np_ratio * neg_window
    return x_pos, x_neg


def open_circuit_voltage(soc, inp, li_factor):
    """Full-cell open-circuit voltage, V, at state of charge ``soc`` (scalar or array over N)."""
    soc = np.broadcast_to(np.asarray(soc, dtype=float), inp.np_ratio.shape)
    x_pos, x_neg = stoichiometries(soc, inp, li_factor)
    return ocp_by_code(inp.pos_ocp, x_pos) - ocp_by_code(inp.neg_ocp, x_neg)


#: States of charge the mean open-circuit voltage is integrated over (trapezoid rule).
MEAN_OCV_SOC = np.linspace(0.0, 1.0, 41)


def mean_open_circuit_voltage(inp, li_factor):
    """Mean open-circuit voltage over a full discharge, V: (1/Q) integral of OCV dQ."""
    # summed point by point, in a fixed order: a design's result does not depend on its batch
    total = np.zeros(np.shape(inp.np_ratio))
    previous = open_circuit_voltage(MEAN_OCV_SOC[0], inp, li_factor)
    for a, b in itertools.pairwise(MEAN_OCV_SOC):
        current = open_circuit_voltage(b, inp, li_factor)
        total = total + 0.5 * (previous + current) * (b - a)
        previous = current
    return total


def nominal_voltage(inp, li_factor, areal_capacity):
    """Nominal voltage, V: the mean OCV over the discharge less the C/3 drop,
    ``areal_capacity`` (rated) in C/m2 per face.

    The drop is (Q_areal / 3 h) * ASI, independent of the electrode area [batpac-v5].
    """
    c3_current_density = areal_capacity / (3.0 * SECONDS_PER_HOUR)
    return mean_open_circuit_voltage(inp, li_factor) - c3_current_density * inp.asi
