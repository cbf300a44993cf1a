"""The design engine's input: a structure of arrays over N designs, in SI units.

Names, presets and spec files are resolved into this at the edge (:mod:`cellwright.spec`); the
engine sees only numbers. Every field is a float64 array of shape (N,) except the integer codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..batch import Batch

#: Cell formats and their integer codes.
FORMATS = {"pouch": 0, "prismatic": 1, "blade": 2, "cylindrical": 3}
FORMAT_NAMES = {v: k for k, v in FORMATS.items()}

#: Bill-of-materials components, in the order they are reported.
BOM_COMPONENTS = (
    "cathode_active",
    "cathode_conductive",
    "cathode_binder",
    "cathode_foil",
    "anode_active",
    "anode_conductive",
    "anode_binder",
    "anode_foil",
    "separator",
    "electrolyte",
    "casing",
    "lid",
    "terminals",
    "insulation",
)


@dataclass
class DesignInputs(Batch):
    """N cell designs. Units are SI unless the field says otherwise."""

    # --- format and outer dimensions (m); unused dimensions are NaN
    format: np.ndarray  # int code, see FORMATS
    wound: np.ndarray  # bool: jelly roll(s) rather than a stack (prismatic, blade)
    width: np.ndarray
    thickness: np.ndarray
    height: np.ndarray
    diameter: np.ndarray

    # --- positive electrode (cathode)
    pos_specific_capacity: np.ndarray  # C/kg of active material, reversible
    pos_active_fraction: np.ndarray
    pos_active_density: np.ndarray  # kg/m3
    pos_conductive_fraction: np.ndarray
    pos_conductive_density: np.ndarray
    pos_binder_fraction: np.ndarray
    pos_binder_density: np.ndarray
    pos_porosity: np.ndarray
    pos_thickness: np.ndarray  # coating per side, m
    pos_first_cycle_efficiency: np.ndarray
    pos_x_discharged: np.ndarray  # lithiation fraction at 0 % SOC
    pos_x_charged: np.ndarray  # lithiation fraction at 100 % SOC
    pos_foil_thickness: np.ndarray
    pos_foil_density: np.ndarray
    pos_ocp: np.ndarray  # int index into the OCP material list

    # --- negative electrode (anode)
    neg_specific_capacity: np.ndarray
    neg_active_fraction: np.ndarray
    neg_active_density: np.ndarray
    neg_conductive_fraction: np.ndarray
    neg_conductive_density: np.ndarray
    neg_binder_fraction: np.ndarray
    neg_binder_density: np.ndarray
    neg_porosity: np.ndarray
    neg_first_cycle_efficiency: np.ndarray
    neg_x_discharged: np.ndarray
    neg_x_charged: np.ndarray
    neg_foil_thickness: np.ndarray
    neg_foil_density: np.ndarray
    neg_ocp: np.ndarray
    np_ratio: np.ndarray  # negative / positive reversible areal capacity
    neg_overhang: np.ndarray  # m, beyond the positive on each edge

    # --- separator and electrolyte
    sep_thickness: np.ndarray
    sep_porosity: np.ndarray
    sep_density: np.ndarray  # of the solid skeleton
    sep_overhang: np.ndarray  # m, beyond the negative on each edge
    ely_density: np.ndarray
    ely_excess: np.ndarray  # free electrolyte as a fraction of the electrode-stack volume

    # --- casing
    wall_thickness: np.ndarray  # can wall, or pouch laminate
    wall_density: np.ndarray
    bottom_thickness: np.ndarray  # can bottom (0 for pouch)
    lid_thickness: np.ndarray  # lid plate / cap assembly (0 for pouch)
    lid_density: np.ndarray
    headspace: np.ndarray  # inner height above and below the separator: tabs, insulators
    clearance: np.ndarray  # gap between stack and wall on each side, incl. insulation
    insulation_thickness: np.ndarray
    insulation_density: np.ndarray
    terminal_mass_per_capacity: np.ndarray  # kg/C: terminals, posts, tab connectors (can formats)
    core_diameter: np.ndarray  # cylindrical mandrel hole; flat-wound central gap
    jelly_rolls: np.ndarray  # rolls side by side in a prismatic can (float, integer-valued)
    packing_factor: np.ndarray  # stack thickness used / available
    tab_margin: np.ndarray  # uncoated foil strip carrying the tabs, m
    seal_width: np.ndarray  # pouch seal margin
    pos_terminal_thickness: np.ndarray  # pouch terminal strips
    neg_terminal_thickness: np.ndarray
    pos_terminal_density: np.ndarray
    neg_terminal_density: np.ndarray

    # --- voltage
    asi: np.ndarray  # area-specific impedance for the nominal-voltage drop, ohm m2
    utilization: np.ndarray  # rated capacity / formed capacity of the positive, 1
    v_min: np.ndarray  # discharge cut-off, V
    v_max: np.ndarray  # charge cut-off, V

    INT_FIELDS: ClassVar[tuple[str, ...]] = ("format", "pos_ocp", "neg_ocp")
    BOOL_FIELDS: ClassVar[tuple[str, ...]] = ("wound",)
