"""The cost model's input: prices, plant, region and policy as a structure of arrays over N.

Resolved from names (price set, region, archetype, scenario) at the edge by
:mod:`cellwright.factory.plant_spec`; the cost core sees only numbers. Money in USD, energy in
kWh, mass in kg, area in m2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..batch import Batch, Column


@dataclass
class CostInputs(Batch):
    # --- material prices
    p_cathode_active: Column  # USD/kg
    p_cathode_conductive: Column
    p_cathode_binder: Column
    p_anode_active: Column
    p_anode_conductive: Column
    p_anode_binder: Column
    p_cathode_foil: Column  # USD/m2
    p_anode_foil: Column
    p_separator: Column
    p_electrolyte: Column  # USD/kg
    p_casing: Column  # USD/kg, can or pouch film
    p_lid: Column
    p_insulation: Column
    p_terminals: Column
    plus_usd: Column  # USD per cell: purchased-part fixed costs
    p_nmp: Column  # USD/kg
    nmp_per_binder: Column  # kg NMP per kg positive binder (0 for a water-based cathode)
    water_per_binder: Column  # kg water per kg negative binder (aqueous processing)
    li_cathode: Column  # kg Li per kg positive active
    li_anode: Column
    li_electrolyte: Column

    # --- plant
    annual_kWh: Column  # nameplate
    utilization: Column
    operating_days: Column
    cell_yield: Column
    y_electrode: Column
    y_foil: Column
    y_separator: Column
    y_electrolyte: Column
    conversion_multiplier: Column  # experience (Wright's law), 1 = mature
    scrap_recovery: Column  # share of the material value in scrap credited back (recycling)

    # --- region
    material_multiplier: Column  # on every material and purchased-part price
    labour_usd_per_h: Column
    building_usd_per_m2: Column
    equipment_multiplier: Column  # process capital relative to BatPaC's US basis
    construction_multiplier: Column  # building-and-support capital relative to US
    electricity_usd_per_kWh: Column
    heat_usd_per_kWh: Column
    cost_of_capital: Column
    energy_explicit: Column  # bool: energy as its own line (else inside variable overhead)

    # --- policy and trade
    premium_cathode: Column  # fraction added to the cathode active material price
    premium_materials: Column  # fraction added to every material (local-content rules)
    premium_anode: Column
    capex_multiplier: Column  # equipment under export controls
    credit_usd_per_kWh: Column  # production credit (US 45X)

    # --- options
    include_profit: Column  # bool
    include_warranty: Column  # bool

    BOOL_FIELDS: ClassVar[tuple[str, ...]] = ("energy_explicit", "include_profit", "include_warranty")
