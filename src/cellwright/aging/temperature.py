"""An Arrhenius law on an aging model's cycle term, about the temperature of a datasheet rating.

The anchored cycle loss rate is multiplied by

    f(T) = exp(-Ea / R (1/T - 1/T_ref))        (T, T_ref in K; Ea in J/mol)

with T_ref the temperature of the rating the degradation scalar is anchored on, so f = 1 there
and the rating still holds. ``Ea`` is fitted to a second datasheet rating at another temperature
(:func:`cellwright.aging.anchor.fit_cycle_activation`) or taken from the chemistry preset.

Why: the NREL large-format LFP model's cycle term falls as the temperature rises (exp(+2,190/T),
about -18 kJ/mol), which the model's authors say balances its calendar term inside the cycling
tests (gasper2023) and which makes an anchored cell last longer at 45 degC than at 25 degC;
datasheets rate LFP storage cells at 45 degC for about half their 25 degC cycles (the EVE LF304:
1,800 vs 3,500 cycles at 1C/1C, eve-lf304-spec) and cycling data give a positive activation
energy (Wang et al. 2011: 31.5 kJ/mol at C/2, wang2011).
"""

from __future__ import annotations

import math

import numpy as np

#: Gas constant, J/(mol K).
R_J_PER_MOL_K = 8.314
#: Activation energies the law accepts (J/mol): from a cycle term that slows well below its
#: rating's temperature to one that speeds up faster than any SEI-growth data (50-100 kJ/mol)
#: beyond; our assumption, to refuse fits that no cell shows.
ACTIVATION_RANGE_J_PER_MOL = (-150e3, 250e3)
#: Smallest gap (K) between the temperatures of two ratings a law is fitted to: a smaller one
#: turns a rounding of the ratings into a large activation energy.
MIN_TEMPERATURE_GAP_K = 5.0


def cycle_factor(T_K: np.ndarray, activation_J_per_mol, reference_K) -> np.ndarray:
    """f(T) of the module docstring: ``T_K`` (N, M) sample temperatures; ``activation_J_per_mol``
    and ``reference_K`` one value or (N,)."""
    ea = np.asarray(activation_J_per_mol, dtype=float)
    ref = np.asarray(reference_K, dtype=float)
    if ea.ndim:
        ea, ref = ea[:, None], np.broadcast_to(ref, ea.shape[:1])[:, None]
    return np.exp(-ea / R_J_PER_MOL_K * (1.0 / T_K - 1.0 / ref))


def activation_from_factor(factor: float, T_K: float, reference_K: float) -> float:
    """The activation energy (J/mol) whose f(``T_K``) about ``reference_K`` is ``factor``."""
    return R_J_PER_MOL_K * math.log(factor) / (1.0 / reference_K - 1.0 / T_K)


def factor_from_activation(activation_J_per_mol: float, T_K: float, reference_K: float) -> float:
    """f(``T_K``) about ``reference_K`` for an activation energy (J/mol)."""
    return math.exp(-activation_J_per_mol / R_J_PER_MOL_K * (1.0 / T_K - 1.0 / reference_K))
