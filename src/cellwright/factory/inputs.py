"""The cost model's input: prices, plant, region and policy as a structure of arrays over N.

Resolved from names (price set, region, archetype, scenario) at the edge by
:mod:`cellwright.factory.plant_spec`; the cost core sees only numbers. Money in USD, energy in
kWh, mass in kg, area in m2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..batch import Batch


@dataclass
class CostInputs(Batch):
    # --- material prices
    p_cathode_active: np.ndarray  # USD/kg
    p_cathode_conductive: np.ndarray
    p_cathode_binder: np.ndarray
    p_anode_active: np.ndarray
    p_anode_conductive: np.ndarray
    p_anode_binder: np.ndarray
    p_cathode_foil: np.ndarray  # USD/m2
    p_anode_foil: np.ndarray
    p_separator: np.ndarray
    p_electrolyte: np.ndarray  # USD/kg
    p_casing: np.ndarray  # USD/kg, can or pouch film
    p_lid: np.ndarray
    p_insulation: np.ndarray
    p_terminals: np.ndarray
    plus_usd: np.ndarray  # USD per cell: purchased-part fixed costs
    p_nmp: np.ndarray  # USD/kg
    nmp_per_binder: np.ndarray  # kg NMP per kg positive binder (0 for a water-based cathode)
    water_per_binder: np.ndarray  # kg water per kg negative binder (aqueous processing)
    li_cathode: np.ndarray  # kg Li per kg positive active
    li_anode: np.ndarray
    li_electrolyte: np.ndarray

    # --- plant
    annual_kWh: np.ndarray  # nameplate
    utilization: np.ndarray
    operating_days: np.ndarray
    cell_yield: np.ndarray
    y_electrode: np.ndarray
    y_foil: np.ndarray
    y_separator: np.ndarray
    y_electrolyte: np.ndarray
    conversion_multiplier: np.ndarray  # experience (Wright's law), 1 = mature
    scrap_recovery: np.ndarray  # share of the material value in scrap credited back (recycling)

    # --- region
    material_multiplier: np.ndarray  # on every material and purchased-part price
    labour_usd_per_h: np.ndarray
    building_usd_per_m2: np.ndarray
    equipment_multiplier: np.ndarray  # process capital relative to BatPaC's US basis
    construction_multiplier: np.ndarray  # building-and-support capital relative to US
    electricity_usd_per_kWh: np.ndarray
    heat_usd_per_kWh: np.ndarray
    cost_of_capital: np.ndarray
    energy_explicit: np.ndarray  # bool: energy as its own line (else inside variable overhead)

    # --- policy and trade
    premium_cathode: np.ndarray  # fraction added to the cathode active material price
    premium_materials: np.ndarray  # fraction added to every material (local-content rules)
    premium_anode: np.ndarray
    capex_multiplier: np.ndarray  # equipment under export controls
    credit_usd_per_kWh: np.ndarray  # production credit (US 45X)

    # --- options
    include_profit: np.ndarray  # bool
    include_warranty: np.ndarray  # bool

    BOOL_FIELDS: ClassVar[tuple[str, ...]] = ("energy_explicit", "include_profit", "include_warranty")
