"""Cylindrical cells (18650, 21700, 4680 or any diameter x height): a spiral jelly roll in a
deep-drawn can closed by a cap assembly.

Geometry: the roll fills the annulus between the mandrel hole and the can's inner wall less a
clearance; its strip length is the annulus area over the winding-turn thickness, times the
packing factor (separator start and end wraps, winding tension). The separator height is the
can's inner height less the headspace (cap assembly, crimp, insulators, tabs) [chen2020 gives
the LG M50 roll: 1.58 m x 65 mm].
"""

from __future__ import annotations

import numpy as np

from . import stack, validity


def fill(inp, t_rep):
    """Fill a cylinder of outer ``diameter`` x ``height``; SI units, arrays over N."""
    r_out = inp.diameter / 2.0
    r_in = r_out - inp.wall_thickness
    r_roll = r_in - inp.clearance
    r_core = inp.core_diameter / 2.0
    annulus = np.pi * (r_roll**2 - r_core**2)
    strip = np.maximum(inp.packing_factor * annulus / t_rep, 0.0)
    turns = np.maximum((r_roll - r_core) / t_rep, 0.0)
    sep_height = inp.height - inp.bottom_thickness - inp.lid_thickness - inp.headspace

    geo = stack.wound(strip, sep_height, inp, turns)
    geo["sep_area"] = geo["sep_area"] + 2.0 * (2.0 * np.pi * r_roll) * sep_height  # outer wrap
    geo["stack_volume"] = annulus * sep_height

    body_height = inp.height - inp.lid_thickness
    can = np.pi * (r_out**2 - r_in**2) * (body_height - inp.bottom_thickness) + np.pi * r_out**2 * inp.bottom_thickness
    geo["can_mass"] = can * inp.wall_density
    geo["lid_mass"] = np.pi * r_out**2 * inp.lid_thickness * inp.lid_density
    geo["terminal_mass"] = np.zeros_like(inp.height)
    wrap_area = 2.0 * np.pi * r_roll * sep_height + 2.0 * np.pi * r_roll**2
    geo["insulation_mass"] = wrap_area * inp.insulation_thickness * inp.insulation_density
    geo["volume"] = np.pi * r_out**2 * inp.height
    geo["misfit"] = validity.first_failure(
        [(validity.DIAMETER, ~(r_roll > r_core + t_rep)), (validity.HEIGHT, ~(geo["electrode_width"] > 0))],
        r_out.size,
    )
    return geo
