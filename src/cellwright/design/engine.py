"""The design engine: N designs in, capacity, voltage, mass, volume and bill of materials out.

``design_cells`` runs the steps in order, each a pure vectorised function:
electrode build-up (:mod:`.electrode`) -> geometry of the format (:mod:`.pouch`,
:mod:`.prismatic`, :mod:`.cylindrical`) -> capacity and voltage (:mod:`.voltage`) -> bill of
materials. Designs of different formats can share one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cylindrical, electrode, pouch, prismatic, voltage
from .inputs import FORMATS, DesignInputs

_GEOMETRY = {
    FORMATS["pouch"]: pouch.fill,
    FORMATS["prismatic"]: prismatic.fill,
    FORMATS["blade"]: prismatic.fill,
    FORMATS["cylindrical"]: cylindrical.fill,
}

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
class DesignResult:
    """Results for N designs: arrays keyed by unit-suffixed names, and the bill of materials.

    ``valid`` is False where the electrodes do not fit the format (a can too small for one
    layer); those designs carry NaN in every result.
    """

    values: dict[str, np.ndarray]
    bom_mass_kg: dict[str, np.ndarray]
    bom_area_m2: dict[str, np.ndarray]
    valid: np.ndarray

    def __getitem__(self, key: str) -> np.ndarray:
        return self.values[key]

    def __len__(self) -> int:
        return self.valid.shape[0]

    def take(self, index) -> DesignResult:
        """The designs at ``index`` (a boolean mask or integer indices)."""
        return DesignResult(
            {k: v[index] for k, v in self.values.items()},
            {k: v[index] for k, v in self.bom_mass_kg.items()},
            {k: v[index] for k, v in self.bom_area_m2.items()},
            self.valid[index],
        )

    def row(self, i: int = 0) -> dict:
        """Design ``i`` as plain Python numbers, with its bill of materials."""
        out = {k: _plain(v[i]) for k, v in self.values.items()}
        out["bom"] = {
            c: {"mass_kg": _plain(self.bom_mass_kg[c][i]), "area_m2": _plain(self.bom_area_m2[c][i])}
            for c in BOM_COMPONENTS
        }
        return out


def _plain(x):
    x = x.item() if hasattr(x, "item") else x
    if isinstance(x, float) and np.isnan(x):
        return None
    return x


def _geometry(inp: DesignInputs, t_rep: np.ndarray) -> dict[str, np.ndarray]:
    codes = np.unique(inp.format)
    if codes.size == 1:
        return _GEOMETRY[int(codes[0])](inp, t_rep)
    out: dict[str, np.ndarray] = {}
    for code in codes:
        sel = inp.format == code
        part = _GEOMETRY[int(code)](inp.take(sel), t_rep[sel])
        for k, v in part.items():
            if k not in out:
                out[k] = np.zeros(len(inp), dtype=v.dtype)
            out[k][sel] = v
    return out


def electrode_build(inp: DesignInputs) -> dict[str, np.ndarray]:
    """Coating densities (kg/m3), capacities per coating volume (C/m3), the negative's coating
    thickness (m) and the bicell/turn thickness (m) of N designs."""
    pos_rho = electrode.coating_density(
        inp.pos_porosity,
        (inp.pos_active_fraction, inp.pos_conductive_fraction, inp.pos_binder_fraction),
        (inp.pos_active_density, inp.pos_conductive_density, inp.pos_binder_density),
    )
    neg_rho = electrode.coating_density(
        inp.neg_porosity,
        (inp.neg_active_fraction, inp.neg_conductive_fraction, inp.neg_binder_fraction),
        (inp.neg_active_density, inp.neg_conductive_density, inp.neg_binder_density),
    )
    pos_qv = electrode.volumetric_capacity(inp.pos_specific_capacity, inp.pos_active_fraction, pos_rho)
    neg_qv = electrode.volumetric_capacity(inp.neg_specific_capacity, inp.neg_active_fraction, neg_rho)
    neg_thickness = electrode.negative_thickness(inp.pos_thickness, pos_qv, neg_qv, inp.np_ratio)
    t_rep = electrode.repeat_unit_thickness(
        inp.pos_foil_thickness, inp.neg_foil_thickness, inp.sep_thickness, inp.pos_thickness, neg_thickness
    )
    return {
        "pos_rho": pos_rho,
        "neg_rho": neg_rho,
        "pos_qv": pos_qv,
        "neg_qv": neg_qv,
        "neg_thickness": neg_thickness,
        "t_rep": t_rep,
    }


def design_cells(inp: DesignInputs) -> DesignResult:
    """Design N cells that fill their formats' outer dimensions.

    Parameters
    ----------
    inp : DesignInputs
        Structure of arrays over N designs, SI units.

    Returns
    -------
    DesignResult
        ``capacity_Ah``, ``nominal_voltage_V``, ``energy_Wh``, ``mass_kg``, ``volume_L``,
        ``specific_energy_Wh_kg``, ``energy_density_Wh_L``, electrode thicknesses (um) and
        areas (m2, both faces), layer or turn count, outer dimensions (mm) and the bill of
        materials (kg and m2 per component).
    """
    eb = electrode_build(inp)
    pos_rho, neg_rho, pos_qv = eb["pos_rho"], eb["neg_rho"], eb["pos_qv"]
    neg_thickness, t_rep = eb["neg_thickness"], eb["t_rep"]
    geo = _geometry(inp, t_rep)

    li_factor = electrode.lithium_inventory_factor(
        inp.pos_first_cycle_efficiency, inp.neg_first_cycle_efficiency, inp.np_ratio
    )
    # rated charge per positive face, C/m2: formed (lithium-limited) capacity times utilisation
    areal_capacity = pos_qv * inp.pos_thickness * li_factor * inp.utilization
    capacity = geo["pos_area"] * areal_capacity
    v_nom = voltage.nominal_voltage(inp, li_factor, areal_capacity)

    pos_coating = geo["pos_area"] * inp.pos_thickness * pos_rho  # kg of solids
    neg_coating = geo["neg_area"] * neg_thickness * neg_rho
    sep_volume = geo["sep_area"] * inp.sep_thickness
    electrolyte_volume = (
        geo["pos_area"] * inp.pos_thickness * inp.pos_porosity
        + geo["neg_area"] * neg_thickness * inp.neg_porosity
        + sep_volume * inp.sep_porosity
        + inp.ely_excess * geo["stack_volume"]
    )
    zeros = np.zeros(len(inp))
    bom_mass = {
        "cathode_active": pos_coating * inp.pos_active_fraction,
        "cathode_conductive": pos_coating * inp.pos_conductive_fraction,
        "cathode_binder": pos_coating * inp.pos_binder_fraction,
        "cathode_foil": geo["al_area"] * inp.pos_foil_thickness * inp.pos_foil_density,
        "anode_active": neg_coating * inp.neg_active_fraction,
        "anode_conductive": neg_coating * inp.neg_conductive_fraction,
        "anode_binder": neg_coating * inp.neg_binder_fraction,
        "anode_foil": geo["cu_area"] * inp.neg_foil_thickness * inp.neg_foil_density,
        "separator": sep_volume * (1.0 - inp.sep_porosity) * inp.sep_density,
        "electrolyte": electrolyte_volume * inp.ely_density,
        "casing": geo["can_mass"],
        "lid": geo["lid_mass"],
        "terminals": geo["terminal_mass"] + inp.terminal_mass_per_capacity * capacity,
        "insulation": geo["insulation_mass"],
    }
    bom_area = {c: zeros for c in BOM_COMPONENTS}
    bom_area.update(
        cathode_active=geo["pos_area"],
        anode_active=geo["neg_area"],
        cathode_foil=geo["al_area"],
        anode_foil=geo["cu_area"],
        separator=geo["sep_area"],
    )
    mass = sum(bom_mass.values())
    energy_Wh = capacity * v_nom / 3600.0
    volume_L = geo["volume"] * 1e3

    valid = geo["fits"] & (capacity > 0) & np.isfinite(capacity)
    values = {
        "capacity_Ah": capacity / 3600.0,
        "nominal_voltage_V": v_nom,
        "energy_Wh": energy_Wh,
        "mass_kg": mass,
        "volume_L": volume_L,
        "specific_energy_Wh_kg": energy_Wh / mass,
        "energy_density_Wh_L": energy_Wh / volume_L,
        "cathode_thickness_um": inp.pos_thickness * 1e6,
        "anode_thickness_um": neg_thickness * 1e6,
        "cathode_loading_mg_cm2": inp.pos_thickness * pos_rho * 100.0,
        "anode_loading_mg_cm2": neg_thickness * neg_rho * 100.0,
        "areal_capacity_mAh_cm2": areal_capacity / 3.6e4,
        "cathode_area_m2": geo["pos_area"],
        "anode_area_m2": geo["neg_area"],
        "electrode_width_mm": geo["electrode_width"] * 1e3,
        "electrode_length_mm": geo["electrode_length"] * 1e3,
        "layers": geo["layers"],
        "electrolyte_mL": electrolyte_volume * 1e6,
        "lithium_inventory_factor": li_factor,
        "width_mm": inp.width * 1e3,
        "thickness_mm": inp.thickness * 1e3,
        "height_mm": inp.height * 1e3,
        "diameter_mm": inp.diameter * 1e3,
    }
    if not valid.all():
        bad = ~valid
        for arr in (*values.values(), *bom_mass.values()):
            arr[bad] = np.nan
    return DesignResult(values, bom_mass, bom_area, valid)
