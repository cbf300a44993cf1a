"""Why a design is not physically possible: reason codes shared by the formats and the engine.

Each design carries one integer code, 0 when it is valid; otherwise the first check it fails,
in the order of :data:`REASONS`. A code names the spec field a user would change and what is
wrong, so the batch path can report ``invalid_reason`` per design and the one-cell path can
raise a :class:`~cellwright.errors.SpecError` naming the field. Checks are vectorised:
:func:`first_failure` picks, per design, the first of a list of boolean masks that is True.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .. import materials
from ..errors import SpecError
from .inputs import BOM_COMPONENTS
from .voltage import ocp_names

#: Mass per outer volume above which a design is not a lithium-ion cell, kg/m3. Built cells weigh
#: 2-3 kg/L; only their metal parts (foils, can, terminals) are denser than 5 kg/L.
MAX_DENSITY = 5000.0

#: Relative slack on the volume and theoretical-capacity checks (rounding only).
SLACK = 1e-9

#: code -> (spec field to change, what is wrong). Code 0 is a valid design.
REASONS: tuple[tuple[str, str], ...] = (
    ("", ""),
    (
        "dimensions.width_mm",
        "a blade's width is its long side but it is below the height; are width and height swapped?",
    ),
    ("dimensions.thickness_mm", "too small: the casing leaves no room for one electrode layer or winding turn"),
    ("dimensions.diameter_mm", "too small: the can leaves no room for one winding turn around the core"),
    ("dimensions.width_mm", "too small: the casing leaves no room for the electrode's width"),
    (
        "dimensions.width_mm",
        "narrower than the flat-wound roll is thick: a roll as thick as the can (per jelly roll) does not fit; "
        "the width must exceed the thickness per roll (are width and thickness swapped?)",
    ),
    ("dimensions.height_mm", "too small: the casing's ends (lid, bottom, headspace, tabs) leave no electrode height"),
    (
        "anode.first_cycle_efficiency",
        "the negative's first-cycle loss takes all the lithium the positive gives (lithium-inventory factor <= 0); "
        "raise the first-cycle efficiency or lower anode.np_ratio",
    ),
    ("cathode.specific_capacity_mAh_g", "above the theoretical capacity of the cathode active material"),
    ("anode.specific_capacity_mAh_g", "above the theoretical capacity of the anode active material"),
    ("capacity_Ah", "zero, negative or not finite"),
    (
        "cell.asi_ohm_cm2",
        "the C/3 drop across the area-specific impedance (cathode areal capacity x ASI) takes the nominal voltage "
        "to or below the discharge cut-off voltage_min_V; lower the ASI or the cathode thickness",
    ),
    (
        "dimensions",
        "the electrodes and separators (with their pores), or the electrolyte, take more room than the casing's "
        "inner volume",
    ),
    *(("dimensions", f"negative {c.replace('_', ' ')} mass: the casing leaves no room for it") for c in BOM_COMPONENTS),
    ("dimensions", "mass per volume above 5 kg/L: denser than any lithium-ion cell"),
)

VALID = 0
BLADE_SWAPPED = 1
THICKNESS = 2
DIAMETER = 3
WIDTH = 4
ROLL_WIDER_THAN_CAN = 5
HEIGHT = 6
NO_LITHIUM = 7
CATHODE_ABOVE_THEORETICAL = 8
ANODE_ABOVE_THEORETICAL = 9
NO_CAPACITY = 10
VOLTAGE_BELOW_CUTOFF = 11
OVERFILLED = 12
NEGATIVE_MASS = {c: 13 + i for i, c in enumerate(BOM_COMPONENTS)}
TOO_DENSE = 13 + len(BOM_COMPONENTS)

#: ``REASON_TEXT[code]``: one line per code, ``"<field>: <what is wrong>"`` ("" for valid).
REASON_TEXT = np.array([f"{f}: {t}" if f else "" for f, t in REASONS], dtype=object)


def first_failure(checks: list[tuple[int, np.ndarray]], n: int) -> np.ndarray:
    """Per design, the code of the first mask in ``checks`` that is True; 0 where none is."""
    failing = [(code, bad) for code, bad in checks if bad.any()]
    if not failing:
        return np.zeros(n, dtype=np.int16)
    return np.select([bad for _, bad in failing], [code for code, _ in failing], VALID).astype(np.int16)


@cache
def theoretical_capacity_by_code() -> np.ndarray:
    """Theoretical specific capacity (C/kg) of each active material, by its open-circuit-potential
    code (the index a design carries in ``pos_ocp`` / ``neg_ocp``); NaN where not tabulated."""
    out = []
    for name in ocp_names():
        mat = materials.library().get(name)
        prop = mat.properties.get("theoretical_capacity_mAh_g") if mat is not None else None
        out.append(prop.si if prop is not None else np.nan)
    return np.array(out)


_FRACTION = (0.0, 1.0, True, True, "a fraction within 0-1")
_FRACTION_POSITIVE = (0.0, 1.0, False, True, "a fraction within (0, 1]")
_POSITIVE = (0.0, np.inf, False, True, "> 0")
_NON_NEGATIVE = (0.0, np.inf, True, True, ">= 0")
_POROSITY = (0.0, 1.0, True, False, "a porosity within [0, 1)")

#: DesignInputs fields and their domain: (low, high, low inclusive, high inclusive, allowed).
#: The outer dimensions are not here: NaN marks one a format does not use, and a dimension
#: too small for the format is a misfit with its reason, not a wrong argument.
INPUT_BOUNDS: dict[str, tuple[float, float, bool, bool, str]] = {
    **{
        f"{e}_{k}": _FRACTION
        for e in ("pos", "neg")
        for k in ("active_fraction", "conductive_fraction", "binder_fraction", "x_discharged", "x_charged")
    },
    **{f"{e}_first_cycle_efficiency": _FRACTION_POSITIVE for e in ("pos", "neg")},
    **{f: _POROSITY for f in ("pos_porosity", "neg_porosity", "sep_porosity")},
    **{
        f: _POSITIVE
        for f in (
            "pos_specific_capacity",
            "neg_specific_capacity",
            "pos_active_density",
            "neg_active_density",
            "pos_conductive_density",
            "neg_conductive_density",
            "pos_binder_density",
            "neg_binder_density",
            "pos_foil_density",
            "neg_foil_density",
            "pos_thickness",
            "pos_foil_thickness",
            "neg_foil_thickness",
            "sep_thickness",
            "sep_density",
            "ely_density",
            "np_ratio",
            "wall_thickness",
            "wall_density",
            "lid_density",
            "insulation_density",
            "pos_terminal_density",
            "neg_terminal_density",
            "v_min",
            "v_max",
        )
    },
    **{
        f: _NON_NEGATIVE
        for f in (
            "neg_overhang",
            "sep_overhang",
            "ely_excess",
            "bottom_thickness",
            "lid_thickness",
            "headspace",
            "clearance",
            "insulation_thickness",
            "terminal_mass_per_capacity",
            "core_diameter",
            "tab_margin",
            "seal_width",
            "pos_terminal_thickness",
            "neg_terminal_thickness",
            "asi",
        )
    },
    "packing_factor": _FRACTION_POSITIVE,
    "utilization": _FRACTION_POSITIVE,
    "jelly_rolls": (1.0, np.inf, True, True, ">= 1"),
}


def check_inputs(inp) -> None:
    """Refuse design inputs outside their domain before any work: a SpecError naming the first
    offending field (``DesignInputs.<field>``) and its value. Two reductions per field, so the
    check costs little beside the design itself."""
    for name, (lo, hi, lo_in, hi_in, allowed) in INPUT_BOUNDS.items():
        x = getattr(inp, name)
        x_min, x_max = x.min(), x.max()
        if _within(x_min, lo, hi, lo_in, hi_in) and _within(x_max, lo, hi, lo_in, hi_in):
            continue
        bad = ~_within(x, lo, hi, lo_in, hi_in)
        raise SpecError(f"DesignInputs.{name}", float(x[bad][0]), f"finite, {allowed}")
    below = ~(inp.v_min < inp.v_max)
    if below.any():
        raise SpecError("DesignInputs.v_min", float(inp.v_min[below][0]), "below v_max")


def _within(x, lo, hi, lo_inclusive, hi_inclusive):
    above_lo = (x >= lo) if lo_inclusive else (x > lo)
    below_hi = (x <= hi) if hi_inclusive else (x < hi)
    return np.isfinite(x) & above_lo & below_hi
