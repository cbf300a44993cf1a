"""The design engine: N designs in, capacity, voltage, mass, volume and bill of materials out.

``design_cells`` runs the steps in order, each a pure vectorised function:
electrode build-up (:mod:`.electrode`) -> geometry of the format (:mod:`.pouch`,
:mod:`.prismatic`, :mod:`.cylindrical`) -> capacity and voltage (:mod:`.voltage`) -> bill of
materials. Designs of different formats can share one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import cylindrical, electrode, pouch, prismatic, validity, voltage
from .inputs import BOM_COMPONENTS, FORMATS, DesignInputs
from .validity import REASON_TEXT, REASONS

_GEOMETRY = {
    FORMATS["pouch"]: pouch.fill,
    FORMATS["prismatic"]: prismatic.fill,
    FORMATS["blade"]: prismatic.fill,
    FORMATS["cylindrical"]: cylindrical.fill,
}


@dataclass
class DesignResult:
    """Results for N designs: arrays keyed by unit-suffixed names, and the bill of materials.

    ``valid`` is False where the design is not physically possible (a can too small for one
    layer, a roll wider than its can, capacity above the active material's theoretical one, a
    nominal voltage at or below the cut-off, more material than the casing holds, a negative
    mass, ...); those designs carry NaN in every result, and ``reason`` the code of the first
    check they fail (:data:`~cellwright.design.validity.REASONS`; 0 when valid).
    ``invalid_reason`` gives it as text, ``"<spec field>: <what is wrong>"``.
    """

    values: dict[str, np.ndarray]
    bom_mass_kg: dict[str, np.ndarray]
    bom_area_m2: dict[str, np.ndarray]
    valid: np.ndarray
    reason: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))

    def __post_init__(self):
        if self.reason.shape != self.valid.shape:  # not given: valid or "no capacity"
            self.reason = np.where(self.valid, validity.VALID, validity.NO_CAPACITY).astype(np.int16)

    @property
    def invalid_reason(self) -> np.ndarray:
        """Per design, why it is not valid (``"<spec field>: <what is wrong>"``), "" where valid."""
        return REASON_TEXT[self.reason]

    def invalid_field(self, i: int = 0) -> str:
        """The spec field to change to make design ``i`` possible ("" when it is valid)."""
        return REASONS[int(self.reason[i])][0]

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
            self.reason[index],
        )

    def row(self, i: int = 0) -> dict:
        """Design ``i`` as plain Python numbers, with its bill of materials."""
        out = {k: _plain(v[i]) for k, v in self.values.items()}
        out["valid"] = bool(self.valid[i])
        out["invalid_reason"] = REASON_TEXT[self.reason[i]] or None
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


def _solid_volume(mass, density):
    """Volume (m3) of a part of ``mass`` (kg) and ``density`` (kg/m3); 0 where it has no density."""
    return np.divide(mass, density, out=np.zeros_like(mass), where=density > 0)


class _Subset:
    """The designs at ``index`` of a DesignInputs, read-only: a field is indexed when a format
    first reads it, so a format pays for the few fields it uses, not for all of them."""

    def __init__(self, inp: DesignInputs, index: np.ndarray):
        self._inp, self._index = inp, index

    def __getattr__(self, name: str) -> np.ndarray:
        value = getattr(self._inp, name)[self._index]
        setattr(self, name, value)
        return value

    def __len__(self) -> int:
        return self._index.shape[0]


def _geometry(inp: DesignInputs, t_rep: np.ndarray) -> dict[str, np.ndarray]:
    codes = np.unique(inp.format)
    if codes.size == 1:
        return _GEOMETRY[int(codes[0])](inp, t_rep)
    out: dict[str, np.ndarray] = {}
    for code in codes:
        sel = np.flatnonzero(inp.format == code)
        part = _GEOMETRY[int(code)](_Subset(inp, sel), t_rep[sel])
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


def geometry(inp: DesignInputs) -> dict[str, np.ndarray]:
    """The formats' geometry of N designs (areas m2, lengths m, masses kg, ``misfit`` codes),
    before any validity check: what the casing leaves for the electrodes."""
    return _geometry(inp, electrode_build(inp)["t_rep"])


def rated_areal_capacity(inp: DesignInputs, pos_qv=None) -> tuple[np.ndarray, np.ndarray]:
    """Lithium-inventory factor (1) and rated charge per positive face (C/m2) of N designs:
    the formed (lithium-limited) capacity of the coating times its utilisation."""
    if pos_qv is None:
        pos_qv = electrode_build(inp)["pos_qv"]
    li_factor = electrode.lithium_inventory_factor(
        inp.pos_first_cycle_efficiency, inp.neg_first_cycle_efficiency, inp.np_ratio
    )
    return li_factor, pos_qv * inp.pos_thickness * li_factor * inp.utilization


def nominal_voltage_V(inp: DesignInputs) -> np.ndarray:
    """Nominal voltage (V) of N designs; it does not depend on the outer dimensions."""
    li_factor, areal_capacity = rated_areal_capacity(inp)
    return voltage.nominal_voltage(inp, li_factor, areal_capacity)


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
        materials (kg and m2 per component). ``valid`` and ``reason`` flag each design that is
        not physically possible; its results are NaN.

    Raises
    ------
    SpecError
        An input outside its domain (not finite, a negative thickness, a porosity of 1, ...),
        naming the field (:func:`~cellwright.design.validity.check_inputs`).
    """
    validity.check_inputs(inp)
    # a design that does not fit divides by zero areas and masses; it is flagged with its
    # reason, not warned about on stderr
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if len(inp) <= CHUNK:
            return _design_cells(inp)
        return _design_chunked(inp)


#: Designs per pass. Every result is elementwise in the designs, so N designs are made in
#: chunks written into the result arrays: the temporaries of a chunk are reused from the
#: allocator's heap (and mostly stay in cache) instead of being mapped and zeroed afresh for
#: every expression over N.
CHUNK = 32768


def _design_chunked(inp: DesignInputs) -> DesignResult:
    n = len(inp)
    fields = inp.as_dict()
    out: DesignResult | None = None
    layout: list[tuple[str, str, int]] = []  # (table, key, output index): shared arrays stay shared
    arrays: list[np.ndarray] = []
    for start in range(0, n, CHUNK):
        part = slice(start, min(start + CHUNK, n))
        r = _design_cells(DesignInputs(**{k: v[part] for k, v in fields.items()}))
        tables = {"values": r.values, "bom_mass_kg": r.bom_mass_kg, "bom_area_m2": r.bom_area_m2}
        tables["_"] = {"valid": r.valid, "reason": r.reason}
        seen: dict[int, int] = {}
        chunk_layout = []
        for name, table in tables.items():
            for key, x in table.items():
                chunk_layout.append((name, key, seen.setdefault(id(x), len(seen))))
                if start == 0 and len(arrays) < len(seen):
                    arrays.append(np.empty(n, dtype=x.dtype))
                arrays[seen[id(x)]][part] = x
        if start == 0:
            layout = chunk_layout
        elif chunk_layout != layout:  # the engine shares arrays between results the same way each time
            raise AssertionError("design_cells: chunks differ in which results share an array")
    tables = {}
    for name, key, i in layout:
        tables.setdefault(name, {})[key] = arrays[i]
    out = DesignResult(
        tables["values"], tables["bom_mass_kg"], tables["bom_area_m2"], tables["_"]["valid"], tables["_"]["reason"]
    )
    return out


def _design_cells(inp: DesignInputs) -> DesignResult:
    eb = electrode_build(inp)
    pos_rho, neg_rho, pos_qv = eb["pos_rho"], eb["neg_rho"], eb["pos_qv"]
    neg_thickness, t_rep = eb["neg_thickness"], eb["t_rep"]
    geo = _geometry(inp, t_rep)

    li_factor, areal_capacity = rated_areal_capacity(inp, pos_qv)
    capacity = geo["pos_area"] * areal_capacity
    v_nom = voltage.nominal_voltage(inp, li_factor, areal_capacity)

    pos_coating_volume = geo["pos_area"] * inp.pos_thickness
    neg_coating_volume = geo["neg_area"] * neg_thickness
    pos_coating = pos_coating_volume * pos_rho  # kg of solids
    neg_coating = neg_coating_volume * neg_rho
    sep_volume = geo["sep_area"] * inp.sep_thickness
    free_electrolyte = inp.ely_excess * geo["stack_volume"]
    electrolyte_volume = (
        pos_coating_volume * inp.pos_porosity
        + neg_coating_volume * inp.neg_porosity
        + sep_volume * inp.sep_porosity
        + free_electrolyte
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

    # room the electrode assembly takes (coatings with their pores, foils, separators) against
    # the room the casing's walls, lids and insulation leave. The free electrolyte is checked on
    # its own: presets calibrate it (up to 15 % of the stack volume) to match cell masses, more
    # than a tall can's spare room, so it is only required to fit the inner volume.
    assembly = (
        pos_coating_volume
        + neg_coating_volume
        + geo["al_area"] * inp.pos_foil_thickness
        + geo["cu_area"] * inp.neg_foil_thickness
        + sep_volume
    )
    inner = (
        geo["volume"]
        - _solid_volume(geo["can_mass"], inp.wall_density)
        - _solid_volume(geo["lid_mass"], inp.lid_density)
        - _solid_volume(geo["insulation_mass"], inp.insulation_density)
    )
    theoretical = validity.theoretical_capacity_by_code()
    checks = [
        (validity.NO_LITHIUM, ~(li_factor > 0)),
        # NaN (not tabulated) compares False: not checked
        (
            validity.CATHODE_ABOVE_THEORETICAL,
            inp.pos_specific_capacity > theoretical[inp.pos_ocp] * (1 + validity.SLACK),
        ),
        (validity.ANODE_ABOVE_THEORETICAL, inp.neg_specific_capacity > theoretical[inp.neg_ocp] * (1 + validity.SLACK)),
        (validity.NO_CAPACITY, ~((capacity > 0) & np.isfinite(capacity))),
        (validity.VOLTAGE_BELOW_CUTOFF, ~(v_nom > inp.v_min)),
        (validity.OVERFILLED, ~(np.maximum(assembly, electrolyte_volume) <= inner * (1.0 + validity.SLACK))),
        *((validity.NEGATIVE_MASS[c], ~(bom_mass[c] >= 0)) for c in BOM_COMPONENTS),
        (validity.TOO_DENSE, ~(mass <= validity.MAX_DENSITY * geo["volume"])),
    ]
    # the format's own misfit (which dimension is too small) comes first: it explains the rest
    reason = np.where(geo["misfit"] != validity.VALID, geo["misfit"], validity.first_failure(checks, len(inp)))
    valid = reason == validity.VALID
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
    return DesignResult(values, bom_mass, bom_area, valid, reason)
