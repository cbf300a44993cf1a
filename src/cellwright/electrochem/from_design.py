"""SPMe parameters from a designed cell: thicknesses, porosities, loadings and areas from the
design engine, particle sizes, transport, kinetics and open-circuit potentials from the
material library (``data/materials.csv``, ``data/ocp.csv``, ``data/electrolyte_transport.csv``).

Choices (documented assumptions):
- the facing area is the positive's coated area (both faces of every layer); the negative's
  overhang is not electrochemically active;
- the cell's rated capacity (the design's, with its ``capacity_utilization``) is the nominal
  capacity that defines a C-rate; the electrode area is scaled by that utilisation so the model's
  low-rate capacity matches the rating;
- stoichiometries at 100 % state of charge come from the design's balance (N/P, first-cycle
  lithium loss), as the design's open-circuit voltage does;
- Bruggeman exponent 1.5 for the electrolyte everywhere, none for the solid (its conductivity
  is the electrode's) [chen2020]; 298.15 K; the foils' lumped resistance
  (:func:`current_collector_resistance`) as the cell's series resistance;
- for a thermal simulation: the design's mass, a lumped heat capacity of 999 J/(kg K)
  [aboutenergy-lfp18650-bpx], and still-air cooling of 10 W/(m2 K) over the outer surface
  (assumption).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from .. import materials
from ..design import FORMATS, DesignInputs, DesignResult, electrode_build
from ..design.voltage import stoichiometries
from ..presets import TABLESS_FROM_DIAMETER_MM
from . import functions
from .parameters import F, SPMeParameters

if TYPE_CHECKING:
    from ..cell import Cell

BRUGGEMAN = 1.5
TEMPERATURE_K = 298.15
HEAT_CAPACITY = 999.0  # J/(kg K), lumped cell [aboutenergy-lfp18650-bpx]
HEAT_TRANSFER = 10.0  # W/(m2 K): still air, natural convection (assumption)


@cache
def _electrolyte_tables() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    text = (resources.files("cellwright") / "data" / "electrolyte_transport.csv").read_text(encoding="utf-8")
    rows: dict[str, list] = {}
    for r in csv.DictReader(text.splitlines()):
        rows.setdefault(r["material"], []).append(
            (float(r["c_mol_m3"]), float(r["conductivity_S_m"]), float(r["diffusivity_m2_s"]))
        )
    return {k: tuple(np.array(v).T) for k, v in rows.items()}


def _active_volume_fraction(porosity, fractions, densities):
    vol = [w / rho for w, rho in zip(fractions, densities)]
    return (1.0 - porosity) * vol[0] / sum(vol)


def from_cell(cell: Cell) -> SPMeParameters:
    """SPMe parameters of one designed cell (N = 1)."""
    return from_design(cell.resolved.inputs, cell.result, cell.resolved.materials)


def from_design(inp: DesignInputs, res: DesignResult, names: Mapping[str, str]) -> SPMeParameters:
    """SPMe parameters of N designed cells.

    ``inp`` and ``res`` are the design engine's inputs and results over N designs (any mix of
    formats); ``names`` is the role -> material map of the spec they were resolved from
    (:attr:`cellwright.spec.Resolved.materials`), the same for every design: particle sizes,
    transport, kinetics and open-circuit potentials are the materials' and so uniform across
    the batch. Designs that are not valid carry NaN parameters (do not simulate them).
    """
    eb = electrode_build(inp)
    pos = materials.get(names["cathode_active"])
    neg = materials.get(names["anode_active"])
    ely = names["electrolyte"]
    li = res["lithium_inventory_factor"]
    x_p100, x_n100 = stoichiometries(1.0, inp, li)
    c, kappa, de = _electrolyte_tables()[ely]
    ocp = materials.ocp_tables()
    return SPMeParameters(
        area=res["cathode_area_m2"] * inp.utilization,
        L_n=eb["neg_thickness"],
        L_s=inp.sep_thickness,
        L_p=inp.pos_thickness,
        eps_n=inp.neg_porosity,
        eps_s=inp.sep_porosity,
        eps_p=inp.pos_porosity,
        b_n=BRUGGEMAN,
        b_s=BRUGGEMAN,
        b_p=BRUGGEMAN,
        bs_n=0.0,
        bs_p=0.0,
        am_n=_active_volume_fraction(
            inp.neg_porosity,
            (inp.neg_active_fraction, inp.neg_conductive_fraction, inp.neg_binder_fraction),
            (inp.neg_active_density, inp.neg_conductive_density, inp.neg_binder_density),
        ),
        am_p=_active_volume_fraction(
            inp.pos_porosity,
            (inp.pos_active_fraction, inp.pos_conductive_fraction, inp.pos_binder_fraction),
            (inp.pos_active_density, inp.pos_conductive_density, inp.pos_binder_density),
        ),
        R_n=neg.si("particle_radius_um"),
        R_p=pos.si("particle_radius_um"),
        cmax_n=neg.si("theoretical_capacity_mAh_g") * inp.neg_active_density / F,
        cmax_p=pos.si("theoretical_capacity_mAh_g") * inp.pos_active_density / F,
        x_n0=x_n100,
        x_p0=x_p100,
        sigma_n=neg.si("conductivity_S_m"),
        sigma_p=pos.si("conductivity_S_m"),
        m_n=neg.si("exchange_current_prefactor"),
        m_p=pos.si("exchange_current_prefactor"),
        D_n=functions.constant(f"{neg.name}.D", neg.si("diffusivity_m2_s")),
        D_p=functions.constant(f"{pos.name}.D", pos.si("diffusivity_m2_s")),
        U_n=functions.register(f"{neg.name}.U", *ocp[neg.name][:2]),
        U_p=functions.register(f"{pos.name}.U", *ocp[pos.name][:2]),
        ce0=materials.get(ely).si("salt_concentration_mol_L"),
        t_plus=materials.get(ely).si("transference_number"),
        kappa=functions.register(f"{ely}.kappa", c, kappa),
        D_e=functions.register(f"{ely}.De", c, de),
        T=TEMPERATURE_K,
        R_contact=current_collector_resistance(inp, res, names),
        capacity=res["capacity_Ah"] * 3600.0,
        V_min=inp.v_min,
        V_max=inp.v_max,
        mass=res["mass_kg"],
        heat_capacity=HEAT_CAPACITY,
        cooling=HEAT_TRANSFER * _surface_area(res),
        E_j0_n=neg.si("exchange_current_activation_energy"),
        E_j0_p=pos.si("exchange_current_activation_energy"),
    )


def current_collector_resistance(inp: DesignInputs, res: DesignResult, names: Mapping[str, str]) -> np.ndarray:
    """Lumped ohmic resistance of both foils of N designs, ohm.

    Current collected uniformly along a sheet over a length l towards its tab meets, on
    average, the resistance l / (3 sigma w t) of the sheet (w its width, t its thickness), all
    sheets in parallel. Stacked cells (pouch, stacked prismatic, blade): l is the sheet height
    and w the layers times the sheet width. Prismatic jelly rolls collect along the uncoated
    edge (multi-tab): l is the strip's coated width, w the whole strip length. Cylinders of
    :data:`~cellwright.presets.TABLESS_FROM_DIAMETER_MM` or more are tabless (full-tab) and
    collect the same way, along the whole foil edge. Smaller cylinders are taken with one tab per
    foil at mid-strip (assumption: the common 18650/21700 build): two halves of the strip, each
    l = strip length / 2 long and the coated width wide. ``names`` gives the foils' materials
    (role -> material, as :func:`from_design`).
    """
    coated_width = res["electrode_width_mm"] * 1e-3
    length = res["electrode_length_mm"] * 1e-3
    tabless = (inp.format == FORMATS["cylindrical"]) & (inp.diameter * 1e3 >= TABLESS_FROM_DIAMETER_MM)
    cylindrical = (inp.format == FORMATS["cylindrical"]) & ~tabless
    wound = inp.wound & ~cylindrical
    path = np.where(cylindrical, 0.5 * length, np.where(wound, coated_width, length))
    across = np.where(cylindrical, 2.0 * coated_width, np.where(wound, length, coated_width * res["layers"]))
    total: np.ndarray | float = 0.0
    for foil, thickness in (
        (names["cathode_foil"], inp.pos_foil_thickness),
        (names["anode_foil"], inp.neg_foil_thickness),
    ):
        total = total + path / (3.0 * materials.get(foil).si("conductivity_S_m") * across * thickness)
    return np.asarray(total)


def _surface_area(res) -> np.ndarray:
    """Outer surface of the cell body, m2 (box, or cylinder), from the designed outer dimensions
    (a sized design's inputs leave the dimensions it chooses unset)."""
    width, thickness, height, diameter = (
        1e-3 * np.asarray(res[k], dtype=float) for k in ("width_mm", "thickness_mm", "height_mm", "diameter_mm")
    )
    box = 2.0 * (width * thickness + width * height + thickness * height)
    cylinder = np.pi * diameter * height + 0.5 * np.pi * diameter**2
    return np.where(np.isnan(diameter), box, cylinder)
