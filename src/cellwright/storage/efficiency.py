"""Efficiency chain of a battery storage plant, with explicit measurement points.

Energy flows through four boundaries, in discharge order::

    stored --(DC block)--> dc --(PCS)--> pcs_ac --(MV transformer)--> poi

* ``stored``: energy taken out of / put into the cells (the DC nameplate scale).
* ``dc``: DC terminals of the battery block (PCS DC input).
* ``pcs_ac``: low-voltage AC terminals of the PCS.
* ``poi``: high-voltage side of the step-up transformer, the point of interconnection.

Each stage has a one-way efficiency per direction. The DC block's round-trip efficiency is split
evenly (one-way = sqrt(RTE_dc)); PCS and transformer are given per direction. Transformer
efficiency here is the *load-dependent* part only; its no-load (core) loss is a time load.

Auxiliary loads (HVAC / liquid cooling, BMS and controls, transformer no-load loss) are a
**power drawn over time** [kW], not a fraction of energy. They are supplied from the grid side
(station service, metered at the POI), so they reduce the POI round-trip efficiency by
``P_aux x 24 h / cycles_per_day`` per cycle: the fewer the cycles, the worse they amortise [2].

References
----------
.. [1] NREL REopt.jl, ElectricStorage defaults: internal 0.975, inverter 0.96, rectifier 0.96.
.. [2] Camelot Energy Group (2026), "Round-trip efficiency is not a spec sheet number" (fixed
   standby draw amortises poorly over short or infrequent cycles; secondary).
.. [3] Viswanathan et al. (2022), PNNL-33283: LFP AC-AC RTE at the transformer 82.6 % (2021).
.. [4] NREL ATB 2024, utility-scale battery storage: RTE 85 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cellwright.storage import components
from cellwright.storage._checks import as_array, choice

#: Measurement points, in discharge order.
BOUNDARIES = ("stored", "dc", "pcs_ac", "poi")


@dataclass(frozen=True)
class Chain:
    """One-way efficiencies of each stage and direction (arrays broadcast over N projects).

    Attributes
    ----------
    dc_charge, dc_discharge : DC block (cells, busbars, DC cabling) [-]
    pcs_charge, pcs_discharge : power conversion system, rectifier / inverter mode [-]
    transformer_charge, transformer_discharge : MV transformer, load losses only [-]
    """

    dc_charge: np.ndarray
    dc_discharge: np.ndarray
    pcs_charge: np.ndarray
    pcs_discharge: np.ndarray
    transformer_charge: np.ndarray
    transformer_discharge: np.ndarray

    def stages(self, direction: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The three stage efficiencies (DC block, PCS, transformer) for ``charge``/``discharge``."""
        if direction == "charge":
            return self.dc_charge, self.pcs_charge, self.transformer_charge
        return self.dc_discharge, self.pcs_discharge, self.transformer_discharge


def chain(rte_dc=None, pcs_efficiency_charge=None, pcs_efficiency_discharge=None, transformer_efficiency=None) -> Chain:
    """Build an efficiency chain; ``None`` takes the default from the component table.

    Parameters
    ----------
    rte_dc : numeric, optional
        Round-trip efficiency of the DC block (cell/rack level) [-], in (0, 1]. Default
        0.975**2 = 0.9506 [1].
    pcs_efficiency_charge, pcs_efficiency_discharge : numeric, optional
        PCS one-way efficiency in rectifier / inverter mode [-]. Default 0.96 each [1].
    transformer_efficiency : numeric, optional
        Transformer one-way efficiency at load, both directions [-]. Default 0.99
        (cellwright-assumption).
    """
    if rte_dc is None:
        rte_dc = components.physical("dc_block", "efficiency_one_way") ** 2
    pcs_efficiency_charge = components.physical("pcs", "efficiency_charge", pcs_efficiency_charge)
    pcs_efficiency_discharge = components.physical("pcs", "efficiency_discharge", pcs_efficiency_discharge)
    transformer_efficiency = components.physical("transformer", "efficiency_one_way", transformer_efficiency)
    rte_dc = as_array("rte_dc", rte_dc, low=0, high=1, low_open=True)
    pc = as_array("pcs_efficiency_charge", pcs_efficiency_charge, low=0, high=1, low_open=True)
    pd = as_array("pcs_efficiency_discharge", pcs_efficiency_discharge, low=0, high=1, low_open=True)
    tx = as_array("transformer_efficiency", transformer_efficiency, low=0, high=1, low_open=True)
    dc = np.sqrt(rte_dc)
    return Chain(dc, dc, pc, pd, tx, tx)


def _factor(eff: Chain, boundary: str, direction: str) -> np.ndarray:
    """Product of the stage efficiencies between ``stored`` and ``boundary`` in one direction."""
    stages = eff.stages(direction)
    out = np.ones_like(stages[0])
    for stage in stages[: BOUNDARIES.index(boundary)]:
        out = out * stage
    return out


def energy_at(
    energy_kWh, from_boundary: str, to_boundary: str, direction: str = "discharge", eff: Chain | None = None
) -> np.ndarray:
    """Convert an energy measured at one boundary into the same flow measured at another.

    Parameters
    ----------
    energy_kWh : numeric
        Energy at ``from_boundary`` [kWh].
    from_boundary, to_boundary : str
        One of ``stored``, ``dc``, ``pcs_ac``, ``poi``.
    direction : str
        ``discharge`` (energy flows stored -> poi, losses make it smaller downstream) or
        ``charge`` (poi -> stored, smaller towards the cells).
    eff : Chain, optional
        Stage efficiencies; default ``chain()``.

    Returns
    -------
    energy_kWh at ``to_boundary`` [kWh]. Auxiliary loads are not included (they are a separate
    time load, see :func:`round_trip`).
    """
    choice("from_boundary", from_boundary, BOUNDARIES)
    choice("to_boundary", to_boundary, BOUNDARIES)
    choice("direction", direction, ("charge", "discharge"))
    eff = eff or chain()
    e = as_array("energy_kWh", energy_kWh, low=0)
    f_from = _factor(eff, from_boundary, direction)
    f_to = _factor(eff, to_boundary, direction)
    if direction == "discharge":  # stored x factor = energy at boundary
        return e / f_from * f_to
    return e * f_from / f_to  # charge: energy at boundary x factor = stored


def aux_power_kW(
    containers,
    power_MW,
    *,
    hvac_kW_per_container=None,
    controls_kW_per_container=None,
    transformer_no_load_fraction=None,
) -> dict[str, np.ndarray]:
    """Auxiliary (parasitic) loads as continuous power [kW], by kind.

    Parameters
    ----------
    containers : numeric
        Number of battery containers [-].
    power_MW : numeric
        Rated power, used as the transformer rating [MW ~ MVA at unity power factor].
    hvac_kW_per_container, controls_kW_per_container : numeric, optional
        Daily-average draw per container [kW]. Defaults 5 and 1 (cellwright-assumption).
    transformer_no_load_fraction : numeric, optional
        Core loss as a fraction of the rating [-]. Default 0.001 (cellwright-assumption).

    Returns
    -------
    dict with ``hvac``, ``controls``, ``transformer_no_load`` and ``total`` [kW].
    """
    hvac_kW_per_container = components.physical("container", "aux_hvac_power", hvac_kW_per_container)
    controls_kW_per_container = components.physical("container", "aux_controls_power", controls_kW_per_container)
    transformer_no_load_fraction = components.physical(
        "transformer", "no_load_loss_fraction", transformer_no_load_fraction
    )
    n = as_array("containers", containers, low=0)
    p = as_array("power_MW", power_MW, low=0, low_open=True)
    hvac = n * as_array("hvac_kW_per_container", hvac_kW_per_container, low=0)
    ctrl = n * as_array("controls_kW_per_container", controls_kW_per_container, low=0)
    core = p * 1e3 * as_array("transformer_no_load_fraction", transformer_no_load_fraction, low=0, high=1)
    return {"hvac": hvac, "controls": ctrl, "transformer_no_load": core, "total": hvac + ctrl + core}


@dataclass(frozen=True)
class RoundTrip:
    """Round-trip efficiencies at each boundary for a stated duty (arrays over N projects).

    Attributes
    ----------
    rte_dc : at the DC block terminals [-]
    rte_pcs_ac : at the PCS AC terminals, without auxiliaries [-]
    rte_poi_no_aux : at the POI, transformer load losses only [-]
    rte_poi : at the POI including auxiliary loads [-]
    energy_out_poi_kWh, energy_in_poi_kWh, aux_energy_kWh : per cycle [kWh]
    """

    rte_dc: np.ndarray
    rte_pcs_ac: np.ndarray
    rte_poi_no_aux: np.ndarray
    rte_poi: np.ndarray
    energy_out_poi_kWh: np.ndarray
    energy_in_poi_kWh: np.ndarray
    aux_energy_kWh: np.ndarray


def round_trip(energy_out_poi_kWh, cycles_per_day, aux_kW=0.0, eff: Chain | None = None) -> RoundTrip:
    """Round-trip efficiency at DC, PCS AC and POI for a daily duty.

    One cycle discharges ``energy_out_poi_kWh`` at the POI and recharges what that took out of
    the cells. Auxiliary power runs 24 h a day and is shared by the day's cycles:

    .. math::

        RTE_b = \\prod_{s<b} \\eta_{s,ch} \\eta_{s,dis}, \\qquad
        RTE_{POI} = \\frac{E_{out}}{E_{out} / RTE_{POI,no\\,aux} + P_{aux} \\cdot 24 / n_{cyc}}

    Parameters
    ----------
    energy_out_poi_kWh : numeric
        Energy delivered at the POI per cycle [kWh] (e.g. power_MW x duration_h x 1000).
    cycles_per_day : numeric
        Full cycles per day [1/day], > 0.
    aux_kW : numeric
        Continuous auxiliary load [kW] (see :func:`aux_power_kW`); 0 gives the chain alone.
    eff : Chain, optional
        Stage efficiencies; default ``chain()``.
    """
    eff = eff or chain()
    e_out = as_array("energy_out_poi_kWh", energy_out_poi_kWh, low=0, low_open=True)
    cyc = as_array("cycles_per_day", cycles_per_day, low=0, low_open=True)
    aux = as_array("aux_kW", aux_kW, low=0)
    rte = {b: _factor(eff, b, "charge") * _factor(eff, b, "discharge") for b in BOUNDARIES[1:]}
    e_in = e_out / rte["poi"]
    aux_e = aux * 24.0 / cyc
    shape = np.broadcast_shapes(e_out.shape, cyc.shape, aux.shape, *(np.shape(v) for v in rte.values()))

    def b(x):
        return np.broadcast_to(x, shape).astype(float)

    return RoundTrip(
        rte_dc=b(rte["dc"]),
        rte_pcs_ac=b(rte["pcs_ac"]),
        rte_poi_no_aux=b(rte["poi"]),
        rte_poi=b(e_out / (e_in + aux_e)),
        energy_out_poi_kWh=b(e_out),
        energy_in_poi_kWh=b(e_in),
        aux_energy_kWh=b(aux_e),
    )
