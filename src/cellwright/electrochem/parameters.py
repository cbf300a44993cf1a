"""Parameters of the single particle model with electrolyte, as a structure of arrays over N.

Built from a cellwright design (:func:`from_cell`) or read from a PyBaMM-derived parameter file
(:func:`from_json`, the fixtures in ``tests/fixtures/electrochem``). SI units. Functions of
concentration (open-circuit potentials, diffusivities, electrolyte conductivity and
diffusivity) are integer codes into :mod:`.functions` tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..batch import Batch, Column
from . import functions

F = 96485.33212  # C/mol
R_GAS = 8.314462618  # J/(mol K)


@dataclass
class SPMeParameters(Batch):
    area: Column  # electrode facing area (both faces of every double-coated layer), m2
    L_n: Column  # negative coating thickness, m
    L_s: Column
    L_p: Column
    eps_n: Column  # electrolyte volume fraction (porosity)
    eps_s: Column
    eps_p: Column
    b_n: Column  # Bruggeman exponents
    b_s: Column
    b_p: Column
    bs_n: Column  # Bruggeman exponents of the solid (conductivity x (1 - porosity)^bs)
    bs_p: Column
    am_n: Column  # active-material volume fraction
    am_p: Column
    R_n: Column  # particle radius, m
    R_p: Column
    cmax_n: Column  # mol/m3
    cmax_p: Column
    x_n0: Column  # initial stoichiometry (fraction of cmax)
    x_p0: Column
    sigma_n: Column  # solid conductivity, S/m
    sigma_p: Column
    m_n: Column  # exchange-current prefactor, A/m2 (m3/mol)^1.5
    m_p: Column
    D_n: Column  # code: solid diffusivity (m2/s) vs stoichiometry
    D_p: Column
    U_n: Column  # code: open-circuit potential (V) vs stoichiometry
    U_p: Column
    ce0: Column  # mol/m3
    t_plus: Column
    kappa: Column  # code: electrolyte conductivity (S/m) vs c_e (mol/m3)
    D_e: Column  # code: electrolyte diffusivity (m2/s) vs c_e
    T: Column  # initial (and ambient) temperature, K
    R_contact: Column  # ohm
    capacity: Column  # nominal capacity, C (1C current = capacity / 3600 s)
    V_min: Column
    V_max: Column
    # lumped thermal model (used when a simulation asks for it; isothermal otherwise)
    mass: Column = 0.0  # kg
    heat_capacity: Column = 1000.0  # J/(kg K)
    cooling: Column = 0.0  # heat-transfer coefficient x surface area, W/K
    E_j0_n: Column = 0.0  # activation energies of the exchange currents, J/mol
    E_j0_p: Column = 0.0

    INT_FIELDS: ClassVar[tuple[str, ...]] = ("D_n", "D_p", "U_n", "U_p", "kappa", "D_e")


def _table(key: str, spec: dict, x_key: str, y_key: str) -> int:
    if "constant_m2_s" in spec:
        return functions.constant(key, spec["constant_m2_s"])
    return functions.register(key, spec[x_key], spec[y_key])


def _ocp(key: str, spec: dict) -> int:
    fine = spec.get("fine")
    if fine:
        return functions.register(key, fine["stoichiometry"], fine["potential_V"])
    return functions.register(key, spec["stoichiometry"], spec["potential_V"])


def from_json(path: str | Path) -> SPMeParameters:
    """Parameters from a JSON file in the fixture schema (PyBaMM parameter sets, tabulated)."""
    d = json.loads(Path(path).read_text(encoding="utf-8"))
    name = d["name"]
    n, p, s, e = d["negative"], d["positive"], d["separator"], d["electrolyte"]

    def diff(side, spec):
        if "constant_m2_s" in spec:
            return functions.constant(f"{name}.{side}.D", spec["constant_m2_s"])
        return functions.register(f"{name}.{side}.D", spec["x"], spec["value_m2_s"])

    def j0_prefactor(spec):
        return spec["exchange_current"]["m_ref"]

    return SPMeParameters(
        area=d["electrode_area_m2"] * d.get("number_of_electrode_pairs_connected_in_parallel", 1),
        L_n=n["thickness_m"],
        L_s=s["thickness_m"],
        L_p=p["thickness_m"],
        eps_n=n["porosity"],
        eps_s=s["porosity"],
        eps_p=p["porosity"],
        b_n=n["bruggeman"],
        b_s=s["bruggeman"],
        b_p=p["bruggeman"],
        bs_n=n.get("bruggeman_electrode", 0.0),
        bs_p=p.get("bruggeman_electrode", 0.0),
        am_n=n["active_volume_fraction"],
        am_p=p["active_volume_fraction"],
        R_n=n["particle_radius_m"],
        R_p=p["particle_radius_m"],
        cmax_n=n["max_concentration_mol_m3"],
        cmax_p=p["max_concentration_mol_m3"],
        x_n0=n["initial_stoichiometry"],
        x_p0=p["initial_stoichiometry"],
        sigma_n=n["conductivity_S_m"],
        sigma_p=p["conductivity_S_m"],
        m_n=j0_prefactor(n),
        m_p=j0_prefactor(p),
        D_n=diff("n", n["diffusivity"]),
        D_p=diff("p", p["diffusivity"]),
        U_n=_ocp(f"{name}.n.U", n["ocp"]),
        U_p=_ocp(f"{name}.p.U", p["ocp"]),
        ce0=e["initial_concentration_mol_m3"],
        t_plus=e["cation_transference_number"],
        kappa=functions.register(f"{name}.kappa", e["conductivity"]["c_mol_m3"], e["conductivity"]["value_S_m"]),
        D_e=functions.register(f"{name}.De", e["diffusivity"]["c_mol_m3"], e["diffusivity"]["value_m2_s"]),
        T=d["temperature_K"],
        R_contact=d.get("contact_resistance_ohm", 0.0),
        capacity=d["nominal_capacity_Ah"] * 3600.0,
        V_min=d["lower_cutoff_V"],
        V_max=d["upper_cutoff_V"],
        E_j0_n=n["exchange_current"].get("activation_energy_J_mol", 0.0),
        E_j0_p=p["exchange_current"].get("activation_energy_J_mol", 0.0),
    )
