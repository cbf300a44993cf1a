"""Prismatic aluminium cans (wound or stacked) and long thin prismatics (blade type).

The can's walls, bottom and lid leave an inner cavity; a clearance on each side holds the
insulating wrap; the headspace holds tabs, their welds to the terminals and the insulators. In a
prismatic can the lid and the headspace are at the top; a blade is a long tube closed by an end
cap at each short end, and its tabs leave the stack at both ends, so its lids and headspace lie
along the width. The stack or the jelly rolls fill what is left:

- stacked: sheets of the full cavity width and height, layers through the thickness;
- wound: ``jelly_rolls`` flat-wound rolls side by side through the thickness, each a
  racetrack (a rectangle with two half-round ends) round a flat central gap.
"""

from __future__ import annotations

import numpy as np

from . import stack, validity
from .inputs import FORMATS


def _cavity(inp):
    """Separator width and height and the stack thickness the can leaves, m."""
    blade = inp.format == FORMATS["blade"]
    side = 2.0 * (inp.wall_thickness + inp.clearance)
    thickness = inp.thickness - side
    ends = inp.bottom_thickness + inp.lid_thickness + inp.headspace
    blade_ends = 2.0 * inp.lid_thickness + inp.headspace
    sep_width = np.where(blade, inp.width - blade_ends, inp.width - side)
    sep_height = np.where(blade, inp.height - 2.0 * (inp.bottom_thickness + inp.clearance), inp.height - ends)
    return sep_width, thickness, sep_height


def _casing_mass(inp):
    """Can (walls and bottom) and lid(s) mass, kg."""
    blade = inp.format == FORMATS["blade"]
    w_in = inp.width - 2.0 * inp.wall_thickness
    t_in = inp.thickness - 2.0 * inp.wall_thickness
    body = inp.height - inp.lid_thickness
    can = inp.width * inp.thickness * body - w_in * t_in * (body - inp.bottom_thickness)
    h_in = inp.height - 2.0 * inp.bottom_thickness
    tube_length = inp.width - 2.0 * inp.lid_thickness
    tube = (inp.height * inp.thickness - h_in * t_in) * tube_length
    lids = np.where(blade, 2.0 * inp.height, inp.width) * inp.thickness * inp.lid_thickness
    return np.where(blade, tube, can) * inp.wall_density, lids * inp.lid_density


def _flat_wound(inp, t_rep, roll_width, stack_thickness, sep_height):
    rolls = np.maximum(inp.jelly_rolls, 1.0)
    t_roll = inp.packing_factor * stack_thickness / rolls
    straight = np.maximum(roll_width - t_roll, 0.0)
    racetrack = t_roll * straight + np.pi * t_roll**2 / 4.0
    core = inp.core_diameter * straight + np.pi * inp.core_diameter**2 / 4.0
    strip = np.maximum(racetrack - core, 0.0) / t_rep
    turns = np.maximum((t_roll - inp.core_diameter) / (2.0 * t_rep), 0.0)
    geo = stack.wound(rolls * strip, sep_height, inp, turns)
    geo["stack_volume"] = rolls * racetrack * sep_height
    # a roll's round ends are t_roll across: a cavity narrower than that cannot hold it
    geo["misfit"] = validity.first_failure(
        [
            (validity.THICKNESS, ~(turns >= 1.0)),
            (validity.WIDTH, ~(roll_width > 0)),
            (validity.ROLL_WIDER_THAN_CAN, ~(roll_width >= t_roll)),
            (validity.HEIGHT, ~(geo["electrode_width"] > 0)),
        ],
        turns.size,
    )
    return geo


def _stacked(inp, t_rep, sep_width, stack_thickness, sep_height):
    geo = stack.stacked(stack_thickness, sep_width, sep_height, inp, t_rep, inp.tab_margin)
    geo["misfit"] = validity.first_failure(
        [
            (validity.THICKNESS, ~(geo["layers"] >= 1.0)),
            (validity.WIDTH, ~(geo["electrode_width"] > 0)),
            (validity.HEIGHT, ~(geo["electrode_length"] > 0)),
        ],
        sep_width.size,
    )
    return geo


def _assembly(inp, t_rep, *cavity):
    """Wound or stacked electrode assembly per design; only the kinds present are computed."""
    wound = np.asarray(inp.wound, dtype=bool)
    if wound.all():
        return _flat_wound(inp, t_rep, *cavity)
    if not wound.any():
        return _stacked(inp, t_rep, *cavity)
    wound_geo, stacked_geo = _flat_wound(inp, t_rep, *cavity), _stacked(inp, t_rep, *cavity)
    return {k: np.where(wound, wound_geo[k], stacked_geo[k]) for k in wound_geo}


def fill(inp, t_rep):
    """Fill a prismatic or blade can of outer ``width`` x ``thickness`` x ``height``; SI, over N."""
    sep_width, stack_thickness, sep_height = _cavity(inp)
    geo = _assembly(inp, t_rep, sep_width, stack_thickness, sep_height)

    geo["can_mass"], geo["lid_mass"] = _casing_mass(inp)
    geo["terminal_mass"] = np.zeros_like(inp.height)
    wrap_area = 2.0 * (sep_width + stack_thickness) * sep_height + sep_width * stack_thickness
    geo["insulation_mass"] = wrap_area * inp.insulation_thickness * inp.insulation_density
    geo["volume"] = inp.width * inp.thickness * inp.height
    blade = inp.format == FORMATS["blade"]
    if blade.any():
        # a blade's width is its long side (its tabs leave at both short ends): a swapped pair
        # of dimensions would otherwise design a different, smaller cell without a word
        swapped = blade & ~(inp.width >= inp.height)
        geo["misfit"] = np.where(swapped, validity.BLADE_SWAPPED, geo["misfit"]).astype(geo["misfit"].dtype)
    return geo
