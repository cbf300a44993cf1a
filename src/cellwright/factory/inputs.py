"""The cost model's input: prices, plant, region and policy as a structure of arrays over N.

Resolved from names (price set, region, archetype, scenario) at the edge by
:mod:`cellwright.factory.plant_spec`; the cost core sees only numbers. Money in USD, energy in
kWh, mass in kg, area in m2.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

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

    def __post_init__(self):
        """As :class:`~cellwright.batch.Batch`, except that a field given once (a scalar or
        length 1) is broadcast to N as a read-only view, not copied N times: most plant, region
        and policy fields are the same for every design, and N copies of each cost memory and
        time for nothing."""
        for f in fields(self):
            dtype = bool if f.name in self.BOOL_FIELDS else float
            setattr(self, f.name, np.atleast_1d(np.asarray(getattr(self, f.name), dtype=dtype)))
        n = max(getattr(self, f.name).shape[0] for f in fields(self))
        for f in fields(self):
            arr = getattr(self, f.name)
            if arr.shape[0] != n:
                if arr.shape[0] != 1:
                    raise ValueError(f"{type(self).__name__}.{f.name} has length {arr.shape[0]}, others {n}")
                setattr(self, f.name, np.broadcast_to(arr, (n,)))
        self._n = n

    def broadcast_to(self, n: int) -> CostInputs:
        """N plants from one (every field a read-only view), or these plants if there are N."""
        if self._n == n:
            return self
        if self._n != 1:
            raise ValueError(f"CostInputs of {self._n} plants cannot be broadcast to {n}")
        return CostInputs(**{k: np.broadcast_to(v, (n,)) for k, v in self.as_dict().items()})
