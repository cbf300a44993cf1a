"""Electrode assemblies: a stack of flat sheets, or a wound strip (jelly roll).

Both return the same quantities, so a format only has to say how much room its casing leaves.
Areas are in m2 (coated areas count both faces of a double-coated electrode), lengths in m.
"""

from __future__ import annotations

import numpy as np


def electrode_sizes(separator_size, sep_overhang, neg_overhang):
    """Negative and positive sizes from a separator size along one edge, m.

    The separator overhangs the negative, which overhangs the positive, on both edges.
    """
    neg = separator_size - 2.0 * sep_overhang
    return neg, neg - 2.0 * neg_overhang


def stacked(stack_thickness, sep_width, sep_height, inp, t_rep, tab_length):
    """A stack of bicell layers filling ``stack_thickness`` (m) behind separators of
    ``sep_width`` x ``sep_height`` (m).

    The number of layers is whole: N = floor(packing (T - t_Cu) / t_rep), with one extra
    negative foil closing the stack [batpac-v5]. Each positive foil carries a tab of the
    foil's own material, a third of the electrode width wide (assumption: typical of stacked
    cells; it only adds foil mass) and ``tab_length`` long.
    """
    layers = np.floor(inp.packing_factor * (stack_thickness - inp.neg_foil_thickness) / t_rep + 1e-9)
    layers = np.maximum(layers, 0.0)
    neg_w, pos_w = electrode_sizes(sep_width, inp.sep_overhang, inp.neg_overhang)
    neg_h, pos_h = electrode_sizes(sep_height, inp.sep_overhang, inp.neg_overhang)
    tab_area = tab_length * pos_w / 3.0
    return {
        "layers": layers,
        "electrode_width": pos_w,
        "electrode_length": pos_h,
        "pos_area": 2.0 * layers * pos_w * pos_h,
        "neg_area": 2.0 * layers * neg_w * neg_h,
        "al_area": layers * (pos_w * pos_h + tab_area),
        "cu_area": (layers + 1.0) * (neg_w * neg_h + tab_area),
        "sep_area": 2.0 * layers * sep_width * sep_height,
        "stack_volume": (layers * t_rep + inp.neg_foil_thickness) * sep_width * sep_height,
    }


def wound(strip_length, sep_height, inp, turns):
    """A wound strip of ``strip_length`` (m) between separators ``sep_height`` (m) wide.

    The positive and negative strips are taken as equally long (the negative's extra length
    at the two ends of the winding is under one turn); each foil carries an uncoated edge
    ``tab_margin`` wide for its tabs, as multi-tab and tabless windings do.
    """
    neg_h, pos_h = electrode_sizes(sep_height, inp.sep_overhang, inp.neg_overhang)
    return {
        "layers": turns,
        "electrode_width": pos_h,
        "electrode_length": strip_length,
        "pos_area": 2.0 * strip_length * pos_h,
        "neg_area": 2.0 * strip_length * neg_h,
        "al_area": strip_length * (pos_h + inp.tab_margin),
        "cu_area": strip_length * (neg_h + inp.tab_margin),
        "sep_area": 2.0 * strip_length * sep_height,
    }
