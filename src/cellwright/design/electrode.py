"""Electrode build-up: coating density, capacity per volume, N/P balance, lithium inventory.

All functions are vectorised over N designs and work in SI units (m, kg, C).
Method: BatPaC v5 [batpac-v5] (Knehr et al. 2022, ch. 3; restated in docs/cell-design.md §4):
solid mass per coating volume from the true densities of its components and the porosity,
capacity per coating volume from the active-material fraction, and a negative electrode that
carries N/P times the positive's areal capacity.
"""

from __future__ import annotations

import numpy as np

SECONDS_PER_HOUR = 3600.0


def coating_density(porosity, fractions, densities):
    """Solid mass per coating volume, kg/m3.

    rho_coat = (1 - porosity) / sum_i(w_i / rho_i)

    Parameters
    ----------
    porosity : array, 1
    fractions : sequence of arrays, mass fractions of the solid components (sum to 1)
    densities : sequence of arrays, true densities of the same components, kg/m3
    """
    specific_volume = sum(w / rho for w, rho in zip(fractions, densities))
    return (1.0 - porosity) / specific_volume


def volumetric_capacity(specific_capacity, active_fraction, density):
    """Reversible charge per coating volume, C/m3 (``specific_capacity`` in C/kg of active)."""
    return specific_capacity * active_fraction * density


def negative_thickness(pos_thickness, pos_volumetric_capacity, neg_volumetric_capacity, np_ratio):
    """Coating thickness of the negative, m, so its areal capacity is N/P times the positive's."""
    return pos_thickness * pos_volumetric_capacity * np_ratio / neg_volumetric_capacity


def lithium_inventory_factor(pos_first_cycle_efficiency, neg_first_cycle_efficiency, np_ratio):
    """Fraction of the positive's reversible capacity that the formed cell can cycle, 1.

    On the first charge the positive gives up ``Q_p / FCE_p`` of lithium; the negative's
    solid-electrolyte interphase keeps ``N/P * Q_p * (1/FCE_n - 1)`` of it. The cell cycles the
    smaller of the positive's reversible capacity and the lithium left:

        f = min(1, 1/FCE_p - N/P * (1/FCE_n - 1))

    With NMC (FCE about 0.88) the positive's own first-cycle loss covers the negative's and
    f = 1; with LFP (FCE about 0.97) against graphite the cell loses a few percent.
    """
    lithium_left = 1.0 / pos_first_cycle_efficiency - np_ratio * (1.0 / neg_first_cycle_efficiency - 1.0)
    return np.minimum(1.0, lithium_left)


def thickness_from_loading(loading, density):
    """Coating thickness per side, m, from a loading (kg/m2 of coating per side)."""
    return loading / density


def repeat_unit_thickness(pos_foil, neg_foil, separator, pos_coating, neg_coating):
    """Thickness of one bicell layer or one winding turn, m.

    A double-coated positive, a double-coated negative and two separators:
    t = t_Al + t_Cu + 2 (t_sep + L_pos + L_neg)   [batpac-v5]
    """
    return pos_foil + neg_foil + 2.0 * (separator + pos_coating + neg_coating)
