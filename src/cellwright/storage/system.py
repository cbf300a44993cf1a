"""Storage-system build-up: cells -> racks (clusters) -> containers -> PCS skids -> plant, and
its capital cost by component and cost set (region).

All functions are vectorised over N projects (NumPy broadcasting; one project is N = 1).

Choices, stated once
--------------------
* **Layout.** A rack (cluster) is ``cells_in_series`` cells in one string; a container holds
  ``racks_per_container`` racks. Defaults (416 s, 12 racks of 3.2 V / 314 Ah cells = 4,992 cells,
  5.016 MWh DC) reproduce the 20-ft liquid-cooled container of [1].
* **Whole units.** Containers are rounded *up* to whole containers (the integrator ships whole
  containers); racks and cells follow from the container count. PCS skids are rounded up to whole
  units of ``pcs_unit_MW`` AC (PCS rating = power / transformer efficiency).
* **Energy target boundary.** ``energy_boundary="poi"`` (default): the *usable* energy at the
  point of interconnection must be at least power x duration. Usable POI energy = DC nameplate x
  SOC window x one-way discharge efficiency of DC block, PCS and transformer
  (:mod:`cellwright.storage.efficiency`). The resulting extra DC nameplate is the **overbuild**
  ``dc_nameplate / rated``. With ``"dc"`` the DC nameplate itself must reach power x duration
  (the convention of Chinese system tenders, which quote CNY per Wh of DC capacity).
  Auxiliary loads are supplied from station service and do not enter the sizing; degradation
  and augmentation are not included (beginning of life).
* **Cost bases.** Each cost row multiplies DC nameplate kWh (cells, DC block hardware), rated
  kWh = power x duration (PNNL-style soft costs) or rated kW at the POI. Per-kWh and per-kW
  metrics divide the total by rated kWh and rated kW, as NREL ATB and PNNL report them.
* **Cell price** is an input [USD/kWh of cell nameplate]: from cellwright's factory model
  (``cellwright cost``) or a user value. The component table stores a reference cell price per
  cost set, consistent with its DC block hardware, for tests and examples.
* **Mass and footprint** cover battery containers and PCS skids (equipment plan area, no
  clearances, roads or substation); mass covers the battery containers only.

References
----------
.. [1] Guangzhou Rongjie (2025), 5 MWh 20 ft liquid-cooled container specification (secondary).
.. [2] Viswanathan et al. (2022), PNNL-33283, LFP cost line items (secondary transcription).
.. [3] NREL ATB 2024, utility-scale battery storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cellwright.storage import components
from cellwright.storage import efficiency as eff_mod
from cellwright.storage._checks import as_array, choice

ENERGY_BOUNDARIES = ("dc", "poi")


@dataclass(frozen=True)
class Layout:
    """Counts and energies of the DC side (arrays over N projects).

    cells, racks, containers [-]; container_energy_kWh, dc_nameplate_kWh [kWh].
    """

    cells: np.ndarray
    racks: np.ndarray
    containers: np.ndarray
    container_energy_kWh: np.ndarray
    dc_nameplate_kWh: np.ndarray


def container_energy_kWh(capacity_Ah, nominal_voltage_V, cells_in_series=416, racks_per_container=12):
    """DC nameplate energy of one container [kWh] = Ah x V x cells in series x racks / 1000."""
    q = as_array("capacity_Ah", capacity_Ah, low=0, low_open=True)
    v = as_array("nominal_voltage_V", nominal_voltage_V, low=0, low_open=True)
    s = as_array("cells_in_series", cells_in_series, low=1)
    r = as_array("racks_per_container", racks_per_container, low=1)
    return q * v * np.floor(s) * np.floor(r) / 1e3


def usable_fraction_poi(soc_window, eff: eff_mod.Chain) -> np.ndarray:
    """Usable energy at the POI per kWh of DC nameplate [-]: window x one-way discharge chain."""
    return soc_window * eff_mod.energy_at(1.0, "stored", "poi", "discharge", eff)


def layout(
    power_MW,
    duration_h,
    capacity_Ah,
    nominal_voltage_V,
    *,
    cells_in_series=416,
    racks_per_container=12,
    energy_boundary="poi",
    soc_window=None,
    eff=None,
) -> Layout:
    """Whole containers needed to meet power x duration at the chosen boundary.

    Parameters
    ----------
    power_MW, duration_h : numeric
        Rated power at the POI [MW] and duration at rated power [h], both > 0.
    capacity_Ah, nominal_voltage_V : numeric
        Cell capacity [Ah] and nominal voltage [V].
    cells_in_series, racks_per_container : int
        Layout; defaults give the 5.016 MWh 20-ft container [1].
    energy_boundary : {"poi", "dc"}
        Where power x duration must be met (see module notes).
    soc_window : numeric, optional
        Usable fraction of DC nameplate, in (0, 1]. Default 0.95 (cellwright-assumption).
    eff : efficiency.Chain, optional
        Stage efficiencies; default ``efficiency.chain()``.
    """
    p = as_array("power_MW", power_MW, low=0, low_open=True)
    d = as_array("duration_h", duration_h, low=0, low_open=True)
    choice("energy_boundary", energy_boundary, ENERGY_BOUNDARIES)
    soc_window = components.physical("dc_block", "soc_window", soc_window)
    w = as_array("soc_window", soc_window, low=0, high=1, low_open=True)
    eff = eff or eff_mod.chain()
    e_box = container_energy_kWh(capacity_Ah, nominal_voltage_V, cells_in_series, racks_per_container)
    rated_kWh = p * d * 1e3
    need_dc = rated_kWh if energy_boundary == "dc" else rated_kWh / usable_fraction_poi(w, eff)
    # small relative tolerance so an exact fit is not pushed up one container by rounding noise
    n = np.ceil(need_dc / e_box * (1 - 1e-12))
    racks = n * np.floor(as_array("racks_per_container", racks_per_container))
    cells = racks * np.floor(as_array("cells_in_series", cells_in_series))
    return Layout(cells, racks, n, e_box * np.ones_like(n), n * e_box)


@dataclass(frozen=True)
class StorageSystem:
    """A built-up storage plant (arrays over N projects).

    Attributes
    ----------
    cost_set : str
    power_MW, duration_h, rated_kWh : rated power, duration and power x duration
    energy_boundary : str, where the energy target is met ("poi" or "dc")
    cells, racks, containers, pcs_units : counts [-]
    dc_nameplate_kWh : DC nameplate energy [kWh]
    usable_poi_kWh : usable energy at the POI, beginning of life [kWh]
    overbuild : dc_nameplate_kWh / rated_kWh [-]
    mass_kg : dict by component (cells, container_hardware) and ``total`` [kg]
    footprint_m2 : dict (containers, pcs_skids) and ``total`` [m2]
    capex_usd : dict by component [USD]
    capex_total_usd [USD]; capex_usd_per_kWh [USD per rated kWh]; capex_usd_per_kW [USD per kW]
    fixed_om_usd_per_yr : fixed O&M where the cost set has it, else NaN [USD/yr]
    sources : citation keys of every table value used
    """

    cost_set: str
    power_MW: np.ndarray
    duration_h: np.ndarray
    rated_kWh: np.ndarray
    energy_boundary: str
    cells: np.ndarray
    racks: np.ndarray
    containers: np.ndarray
    pcs_units: np.ndarray
    dc_nameplate_kWh: np.ndarray
    usable_poi_kWh: np.ndarray
    overbuild: np.ndarray
    mass_kg: dict
    footprint_m2: dict
    capex_usd: dict
    capex_total_usd: np.ndarray
    capex_usd_per_kWh: np.ndarray
    capex_usd_per_kW: np.ndarray
    fixed_om_usd_per_yr: np.ndarray
    sources: list = field(default_factory=list)
    chain: eff_mod.Chain | None = None

    def round_trip(self, cycles_per_day, depth_of_discharge=1.0) -> eff_mod.RoundTrip:
        """RTE at DC, PCS AC and POI when each cycle discharges ``depth_of_discharge`` of the
        usable POI energy, ``cycles_per_day`` times a day, with this plant's auxiliary loads."""
        dod = as_array("depth_of_discharge", depth_of_discharge, low=0, high=1, low_open=True)
        aux = eff_mod.aux_power_kW(self.containers, self.power_MW)["total"]
        return eff_mod.round_trip(self.usable_poi_kWh * dod, cycles_per_day, aux, self.chain)


def build(
    power_MW,
    duration_h,
    *,
    cell_capacity_Ah,
    cell_voltage_V,
    cell_mass_kg,
    cell_price_usd_per_kWh,
    cost_set="united-states",
    energy_boundary="poi",
    cells_in_series=416,
    racks_per_container=12,
    soc_window=None,
    pcs_unit_MW=None,
    eff=None,
) -> StorageSystem:
    """Build up a storage plant from a cell and price it with a cost set.

    Parameters
    ----------
    power_MW, duration_h : numeric
        Rated power at the POI [MW], duration at rated power [h].
    cell_capacity_Ah, cell_voltage_V, cell_mass_kg : numeric
        The cell: capacity [Ah], nominal voltage [V], mass [kg].
    cell_price_usd_per_kWh : numeric
        Price of the cells [USD per kWh of cell nameplate], >= 0.
    cost_set : str
        Name of a cost set in ``storage_components.csv`` (``components.cost_sets()``).
    energy_boundary : {"poi", "dc"}
        Where power x duration must be met.
    cells_in_series, racks_per_container : int
        Layout (defaults: the 5.016 MWh 20-ft container).
    soc_window : numeric, optional
        Usable fraction of DC nameplate; default from the table (0.95, assumption).
    pcs_unit_MW : numeric, optional
        AC rating of one PCS/MV skid [MW]; default from the table (5, assumption).
    eff : efficiency.Chain, optional
        Stage efficiencies; default ``efficiency.chain()``.

    Returns
    -------
    StorageSystem
    """
    costs = components.cost_set(cost_set)
    eff = eff or eff_mod.chain()
    soc_window = components.physical("dc_block", "soc_window", soc_window)
    pcs_unit_MW = components.physical("pcs", "unit_power", pcs_unit_MW)
    lay = layout(
        power_MW,
        duration_h,
        cell_capacity_Ah,
        cell_voltage_V,
        cells_in_series=cells_in_series,
        racks_per_container=racks_per_container,
        energy_boundary=energy_boundary,
        soc_window=soc_window,
        eff=eff,
    )
    p = as_array("power_MW", power_MW, low=0, low_open=True)
    d = as_array("duration_h", duration_h, low=0, low_open=True)
    m_cell = as_array("cell_mass_kg", cell_mass_kg, low=0, low_open=True)
    price = as_array("cell_price_usd_per_kWh", cell_price_usd_per_kWh, low=0)
    unit = as_array("pcs_unit_MW", pcs_unit_MW, low=0, low_open=True)
    w = as_array("soc_window", soc_window, low=0, high=1, low_open=True)

    rated_kWh = p * d * 1e3
    rated_kW = p * 1e3
    qty = {"dc_kWh": lay.dc_nameplate_kWh, "rated_kWh": rated_kWh, "rated_kW": rated_kW}
    capex = {"cells": price * lay.dc_nameplate_kWh}
    sources = []
    for comp, row in costs.items():
        if row["basis"] not in qty:
            raise ValueError(f"storage_components.csv: unknown basis {row['basis']!r} for {cost_set}.{comp}")
        capex[comp] = row["value"] * qty[row["basis"]]
        sources.append(row["source"])
    shape = np.broadcast_shapes(*(np.shape(v) for v in capex.values()), np.shape(p), np.shape(m_cell))
    capex = {k: np.broadcast_to(v, shape).astype(float) for k, v in capex.items()}
    total = sum(capex.values())

    om_rows = components.rows(cost_set, "fixed_om")
    if om_rows:
        om = sum(r["value"] * qty[r["basis"]] for r in om_rows.values())
        sources += [r["source"] for r in om_rows.values()]
    else:
        om = np.full(shape, np.nan)

    pcs_units = np.ceil(p / eff.transformer_discharge / unit * (1 - 1e-12))
    box_area = components.physical("container", "length") * components.physical("container", "width")
    footprint = {
        "containers": lay.containers * box_area,
        "pcs_skids": pcs_units * components.physical("pcs", "skid_area"),
    }
    footprint["total"] = footprint["containers"] + footprint["pcs_skids"]
    mass = {
        "cells": lay.cells * m_cell,
        "container_hardware": lay.containers * components.physical("container", "hardware_mass"),
    }
    mass["total"] = mass["cells"] + mass["container_hardware"]
    for comp, par in (
        ("container", "length"),
        ("container", "width"),
        ("container", "hardware_mass"),
        ("pcs", "unit_power"),
        ("pcs", "skid_area"),
        ("dc_block", "soc_window"),
    ):
        sources.append(components.physical_source(comp, par))

    def b(x):
        return np.broadcast_to(x, shape).astype(float)

    return StorageSystem(
        cost_set=cost_set,
        power_MW=b(p),
        duration_h=b(d),
        rated_kWh=b(rated_kWh),
        energy_boundary=energy_boundary,
        cells=b(lay.cells),
        racks=b(lay.racks),
        containers=b(lay.containers),
        pcs_units=b(pcs_units),
        dc_nameplate_kWh=lay.dc_nameplate_kWh,
        usable_poi_kWh=lay.dc_nameplate_kWh * usable_fraction_poi(w, eff),
        overbuild=lay.dc_nameplate_kWh / rated_kWh,
        mass_kg=mass,
        footprint_m2=footprint,
        capex_usd=capex,
        capex_total_usd=total,
        capex_usd_per_kWh=total / rated_kWh,
        capex_usd_per_kW=total / rated_kW,
        fixed_om_usd_per_yr=om,
        sources=sorted(set(sources)),
        chain=eff,
    )


def reference_cell_price(cost_set: str) -> float:
    """The cell price stored with a cost set [USD/kWh], consistent with its DC block hardware."""
    components.cost_set(cost_set)  # validates the name
    return components.rows(cost_set, "reference_price")["cells"]["value"]
