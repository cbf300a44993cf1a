"""Stacked pouch cells, by BatPaC's geometry [batpac-v5; nelson2012 eqs. 3.36-3.39].

Bicell layers fill the cell thickness inside the laminate: N = packing (T - 2 t_lam - t_Cu) /
t_rep, whole. Around the positive electrode (W x L) the negative adds ``neg_overhang`` on each
edge, the separator is as wide as the negative and ``sep_overhang`` longer at each end, and each
foil carries an uncoated tab 1.2 T long. The cell is the negative plus a folded edge on each
side wide, and the electrode plus, at each end, the internal tab, the feedthrough and the
external weld tab long. The laminate is one formed and one flat half with a seal margin; the
terminals are a feedthrough strip plus an internal tab as wide as the electrode less 2 mm on
each side. The electrolyte fills the pores plus ``ely_excess`` of T x W x L.
"""

from __future__ import annotations

import numpy as np

from . import validity

# BatPaC v5 method constants (Battery Design sheet; nelson2012 §3): mm unless stated.
TAB_LENGTH_PER_THICKNESS = 1.2  # internal tab length / cell thickness
FEEDTHROUGH = 5e-3  # terminal feedthrough through the seal, m
WELD_TAB = 8e-3  # external weld tab, m
FOLD = 1e-3  # folded laminate edge on each side, m
TERMINAL_STRIP_LENGTH = 13e-3  # weld tab + feedthrough, m
TERMINAL_STRIP_WIDTH_NARROW, TERMINAL_STRIP_WIDTH_WIDE = 40e-3, 50e-3  # electrode <= / > 84 mm
TERMINAL_WIDE_ELECTRODE = 84e-3
TAB_INSET = 2e-3  # internal tab narrower than the electrode by this on each side, m
TAB_END_GAP = 2e-3  # internal tab length = 1.2 T - (0.1 T + this), m
NEG_TAB_SHORTER = 1e-3  # negative foil tab shorter so the foil ends line up, m


def _tab_length(thickness):
    return TAB_LENGTH_PER_THICKNESS * thickness


def whole_layer_thickness(inp, t_rep):
    """Cell thickness (m) nudged so the layer count is whole (rounded to nearest, at least 1)."""
    raw = inp.packing_factor * (inp.thickness - 2.0 * inp.wall_thickness - inp.neg_foil_thickness) / t_rep
    layers = np.maximum(np.rint(raw), 1.0)
    return layers * t_rep / inp.packing_factor + 2.0 * inp.wall_thickness + inp.neg_foil_thickness


def fill(inp, t_rep):
    """Fill a pouch of outer ``width`` x ``thickness`` x ``height`` (length); SI, arrays over N."""
    T = inp.thickness
    layers = np.floor(inp.packing_factor * (T - 2.0 * inp.wall_thickness - inp.neg_foil_thickness) / t_rep + 1e-9)
    layers = np.maximum(layers, 0.0)
    tab = _tab_length(T)
    W = inp.width - 2.0 * inp.neg_overhang - 2.0 * FOLD
    L = inp.height - 2.0 * (tab + FEEDTHROUGH + WELD_TAB)
    W_neg, L_neg = W + 2.0 * inp.neg_overhang, L + 2.0 * inp.neg_overhang
    L_sep = L_neg + 2.0 * inp.sep_overhang

    # one formed half (W + 2T + seal) and one flat half (W + seal), over the sealed length
    sealed_length = inp.height - 2.0 * WELD_TAB
    laminate_area = ((inp.width + 2.0 * T + inp.seal_width) + (inp.width + inp.seal_width)) * sealed_length

    strip_width = np.where(W > TERMINAL_WIDE_ELECTRODE, TERMINAL_STRIP_WIDTH_WIDE, TERMINAL_STRIP_WIDTH_NARROW)
    # a pouch thinner than 1.82 mm or an electrode narrower than 4 mm leaves no internal tab
    internal_tab = np.maximum(tab - 0.1 * T - TAB_END_GAP, 0.0) * np.maximum(W - 2.0 * TAB_INSET, 0.0)
    terminal_area = TERMINAL_STRIP_LENGTH * strip_width + internal_tab
    terminals = terminal_area * (
        inp.pos_terminal_thickness * inp.pos_terminal_density + inp.neg_terminal_thickness * inp.neg_terminal_density
    )
    zero = np.zeros_like(T)
    return {
        "layers": layers,
        "electrode_width": W,
        "electrode_length": L,
        "pos_area": 2.0 * layers * W * L,
        "neg_area": 2.0 * layers * W_neg * L_neg,
        "al_area": layers * W * (L + tab),
        "cu_area": (layers + 1.0) * W_neg * (L_neg + tab - NEG_TAB_SHORTER),
        "sep_area": 2.0 * layers * W_neg * L_sep,
        "stack_volume": T * W * L,
        "can_mass": laminate_area * inp.wall_thickness * inp.wall_density,
        "lid_mass": zero,
        "terminal_mass": terminals,
        "insulation_mass": zero,
        "volume": inp.width * T * inp.height,
        "misfit": validity.first_failure(
            [(validity.THICKNESS, ~(layers >= 1.0)), (validity.WIDTH, ~(W > 0)), (validity.HEIGHT, ~(L > 0))], T.size
        ),
    }
