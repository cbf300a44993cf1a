"""Cell spec files (TOML) -> validated specs -> the design engine's SI arrays.

A spec names a chemistry preset and a format and gives the outer dimensions; any other key
overrides the preset. Keys carry their unit. Unknown keys, wrong types and absurd values are
:class:`~cellwright.errors.SpecError`s that name the field, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import materials, presets
from .design.inputs import FORMATS, DesignInputs
from .design.voltage import ocp_names
from .errors import SpecError
from .readers import read_toml

#: The models of every user file (cell, plant, project, bids): unknown keys are errors, and
#: values are not coerced, so ``"173.9"`` (text) or ``true`` is not taken for a number;
#: NaN and infinity are not numbers a user means. Integers are numbers.
STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
Length_mm = Field(default=None, gt=0, le=3000)
Coating_um = Field(default=None, gt=0, le=1000)
Fraction = Field(default=None, ge=0, le=1)
Porosity = Field(default=None, gt=0, lt=0.9)


class Dimensions(BaseModel):
    model_config = STRICT
    width_mm: float | None = Length_mm
    thickness_mm: float | None = Length_mm
    height_mm: float | None = Length_mm
    diameter_mm: float | None = Length_mm
    size: str | None = Field(default=None, pattern=r"^\d{4,5}$")

    @model_validator(mode="after")
    def _named_cylinder(self):
        """A cylinder named by its size code: 18650 -> 18 x 65.0 mm, 4680 -> 46 x 80 mm.

        Datasheet cells are a few tenths of a millimetre larger than their code; give
        ``diameter_mm`` and ``height_mm`` for those.
        """
        if self.size is not None:
            code = self.size
            self.diameter_mm = self.diameter_mm or float(code[:2])
            self.height_mm = self.height_mm or (float(code[2:]) / 10.0 if len(code) == 5 else float(code[2:]))
        return self


class Electrode(BaseModel):
    model_config = STRICT
    material: str | None = None
    thickness_um: float | None = Coating_um
    loading_mg_cm2: float | None = Field(default=None, gt=0, le=100)
    porosity: float | None = Porosity
    active_fraction: float | None = Field(default=None, gt=0, le=1)
    conductive: str | None = None
    conductive_fraction: float | None = Fraction
    binder: str | None = None
    binder_fraction: float | None = Fraction
    specific_capacity_mAh_g: float | None = Field(default=None, gt=0, le=4200)
    active_density_g_cm3: float | None = Field(default=None, gt=0.5, le=10)
    first_cycle_efficiency: float | None = Field(default=None, gt=0.3, le=1)
    foil: str | None = None
    foil_thickness_um: float | None = Field(default=None, gt=0, le=100)


class Cathode(Electrode):
    max_thickness_um: float | None = Coating_um


class Anode(Electrode):
    np_ratio: float | None = Field(default=None, ge=1.0, le=2.0)
    overhang_mm: float | None = Field(default=None, ge=0, le=20)

    @model_validator(mode="after")
    def _anode_follows_balance(self):
        for key in ("thickness_um", "loading_mg_cm2"):
            if getattr(self, key) is not None:
                raise ValueError(f"{key} is set by the N/P ratio; set anode.np_ratio instead")
        return self


class Separator(BaseModel):
    model_config = STRICT
    material: str | None = None
    thickness_um: float | None = Field(default=None, gt=0, le=200)
    porosity: float | None = Porosity
    overhang_mm: float | None = Field(default=None, ge=0, le=20)


class Electrolyte(BaseModel):
    model_config = STRICT
    material: str | None = None
    excess_fraction: float | None = Field(default=None, ge=0, le=0.5)
    density_g_cm3: float | None = Field(default=None, gt=0.5, le=3)


class Casing(BaseModel):
    model_config = STRICT
    construction: Literal["wound", "stacked"] | None = None
    material: str | None = None
    wall_thickness_mm: float | None = Field(default=None, gt=0, le=10)
    bottom_thickness_mm: float | None = Field(default=None, ge=0, le=20)
    lid_material: str | None = None
    lid_thickness_mm: float | None = Field(default=None, ge=0, le=30)
    headspace_mm: float | None = Field(default=None, ge=0, le=100)
    clearance_mm: float | None = Field(default=None, ge=0, le=20)
    insulation: str | None = None
    insulation_thickness_mm: float | None = Field(default=None, ge=0, le=5)
    terminal_mass_g_per_Ah: float | None = Field(default=None, ge=0, le=10)
    core_diameter_mm: float | None = Field(default=None, ge=0, le=50)
    jelly_rolls: int | None = Field(default=None, ge=1, le=16)
    packing_factor: float | None = Field(default=None, gt=0.5, le=1)
    tab_margin_mm: float | None = Field(default=None, ge=0, le=50)
    seal_width_mm: float | None = Field(default=None, ge=0, le=30)
    pos_terminal_material: str | None = None
    neg_terminal_material: str | None = None
    pos_terminal_thickness_mm: float | None = Field(default=None, ge=0, le=10)
    neg_terminal_thickness_mm: float | None = Field(default=None, ge=0, le=10)


class CellSection(BaseModel):
    model_config = STRICT
    asi_ohm_cm2: float | None = Field(default=None, ge=0, le=500)
    capacity_utilization: float | None = Field(default=None, gt=0.3, le=1)
    voltage_min_V: float | None = Field(default=None, gt=0.5, le=5)
    voltage_max_V: float | None = Field(default=None, gt=0.5, le=5)


class Target(BaseModel):
    model_config = STRICT
    energy_Wh: float | None = Field(default=None, gt=0, le=1e5)
    capacity_Ah: float | None = Field(default=None, gt=0, le=1e4)
    aspect_ratio: float | None = Field(default=None, ge=1, le=20)
    max_cathode_thickness_um: float | None = Coating_um

    @model_validator(mode="after")
    def _one_target(self):
        if (self.energy_Wh is None) == (self.capacity_Ah is None):
            raise ValueError("give exactly one of energy_Wh or capacity_Ah")
        return self


class CellSpec(BaseModel):
    """A cell spec: chemistry preset, format, dimensions, and overrides."""

    model_config = STRICT
    name: str = "cell"
    chemistry: str
    format: Literal["pouch", "prismatic", "blade", "cylindrical"]
    dimensions: Dimensions = Dimensions()
    cathode: Cathode = Cathode()
    anode: Anode = Anode()
    separator: Separator = Separator()
    electrolyte: Electrolyte = Electrolyte()
    casing: Casing = Casing()
    cell: CellSection = CellSection()
    target: Target | None = None


#: What a value of the wrong type should be, by pydantic error type.
_TYPE_WANTED = {
    "float_type": "a number (not text in quotes, nor true/false)",
    "int_type": "a whole number (not text in quotes, nor true/false)",
    "finite_number": "a finite number",
    "string_type": "text (in quotes)",
    "bool_type": "true or false",
    "list_type": "a list [...]",
    "dict_type": "a table",
    "model_type": "a table",
}


def _section(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model of the table at ``loc`` within ``root``; the key of a dict of tables is stepped over."""
    model: Any = root
    parts = [str(p) for p in loc]
    while parts:
        fields = getattr(model, "model_fields", {})
        if parts[0] not in fields:
            return None
        model = _unwrap(fields[parts.pop(0)].annotation)
        if get_origin(model) is dict:
            if not parts:
                return None
            parts.pop(0)
            model = _unwrap(get_args(model)[1])
    return model if hasattr(model, "model_fields") else None


def _unwrap(annotation):
    """``X | None`` -> ``X``."""
    if get_origin(annotation) in (Union, UnionType):
        return next(a for a in get_args(annotation) if a is not type(None))
    return annotation


def spec_error(exc: ValidationError, root: type | None = None, prefix: str = "") -> SpecError:
    """The first problem pydantic found in a user's file, as a one-line SpecError naming the
    field (``prefix`` + its dotted path), the value and what is allowed; an unknown key lists
    the keys its section of ``root`` (the validated model, default :class:`CellSpec`) allows."""
    err = exc.errors()[0]
    loc = prefix + (".".join(str(p) for p in err["loc"]) or "spec")
    value = err.get("input")
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        model = _section(root or CellSpec, err["loc"][:-1])
        allowed = ", ".join(model.model_fields) if model is not None else "see the documentation"
        return SpecError(loc, value, "unknown key; allowed: " + allowed)
    if err["type"] == "missing":
        return SpecError(loc, None, "required")
    if err["type"] == "literal_error":
        return SpecError(loc, value, msg.replace("Input should be", "allowed:"))
    if err["type"] in _TYPE_WANTED:
        return SpecError(loc, value if not isinstance(value, dict) else "{...}", _TYPE_WANTED[err["type"]])
    return SpecError(loc, value if not isinstance(value, dict) else "{...}", msg.removeprefix("Value error, "))


def parse_spec(data: dict) -> CellSpec:
    """Validate a spec given as a dict (as read from TOML)."""
    try:
        return CellSpec.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc) from None


def load_spec(path: str | Path) -> CellSpec:
    """Read and validate a TOML spec file."""
    return parse_spec(read_toml(path, "spec"))


# --------------------------------------------------------------------------- resolution


@dataclass
class Resolved:
    """A spec turned into engine inputs (N = 1), with the sources of every value used."""

    spec: CellSpec
    inputs: DesignInputs
    sources: dict[str, str] = field(default_factory=dict)  # parameter -> citation key
    free_dimension: str | None = None  # target mode: the dimension to solve for
    materials: dict[str, str] = field(default_factory=dict)  # bill-of-materials role -> material


class _Params:
    """Merged preset + spec values for one section, recording where each came from."""

    def __init__(self, section: str, preset: dict[str, presets.Sourced], spec: BaseModel, sources: dict):
        self.section, self.sources = section, sources
        self.values = {k: (v.value, v.source) for k, v in preset.items()}
        for k, v in spec.model_dump(exclude_none=True).items():
            self.values[k] = (v, "spec")

    def get(self, key: str, default=None):
        if key not in self.values:
            if default is None:
                raise SpecError(f"{self.section}.{key}", None, "required (not in the preset)")
            return default
        value, source = self.values[key]
        self.sources[f"{self.section}.{key}"] = source
        return value

    def has(self, key: str) -> bool:
        return key in self.values


def _material(params: _Params, key: str, kind, default=None) -> materials.Material:
    name = params.get(key, default)
    mat = materials.get(name, kind, f"{params.section}.{key}")
    return mat


def _mat_prop(params: _Params, mat: materials.Material, prop: str, override_key: str, scale: float, sources):
    if params.has(override_key):
        return params.get(override_key) * scale
    sources[f"{mat.name}.{prop}"] = mat.source(prop)
    return mat.si(prop)


def _electrode(section: str, params: _Params, kind: str, sources: dict, roles: dict) -> dict:
    p = params
    am = _material(p, "material", kind)
    cond = _material(p, "conductive", "conductive", "carbon-black")
    binder = _material(p, "binder", "binder")
    foil = _material(p, "foil", "foil")
    fractions = {k: p.get(f"{k}_fraction") for k in ("active", "conductive", "binder")}
    total = sum(fractions.values())
    if abs(total - 1.0) > 1e-6:
        raise SpecError(
            f"{section}.active_fraction + conductive_fraction + binder_fraction", round(total, 6), "must sum to 1"
        )
    pre = "pos" if section == "cathode" else "neg"
    roles.update(
        {
            f"{section}_active": am.name,
            f"{section}_conductive": cond.name,
            f"{section}_binder": binder.name,
            f"{section}_foil": foil.name,
        }
    )
    out = {
        f"{pre}_specific_capacity": _mat_prop(
            p, am, "specific_capacity_mAh_g", "specific_capacity_mAh_g", 3600.0, sources
        ),
        f"{pre}_first_cycle_efficiency": _mat_prop(
            p, am, "first_cycle_efficiency", "first_cycle_efficiency", 1.0, sources
        ),
        f"{pre}_active_fraction": fractions["active"],
        f"{pre}_active_density": _mat_prop(p, am, "density_g_cm3", "active_density_g_cm3", 1000.0, sources),
        f"{pre}_conductive_fraction": fractions["conductive"],
        f"{pre}_conductive_density": cond.si("density_g_cm3"),
        f"{pre}_binder_fraction": fractions["binder"],
        f"{pre}_binder_density": binder.si("density_g_cm3"),
        f"{pre}_porosity": p.get("porosity"),
        f"{pre}_x_discharged": am.si("x_discharged"),
        f"{pre}_x_charged": am.si("x_charged"),
        f"{pre}_foil_thickness": p.get("foil_thickness_um") * 1e-6,
        f"{pre}_foil_density": foil.si("density_g_cm3"),
    }
    names = ocp_names()
    if am.name not in names:
        raise SpecError(f"{section}.material", am.name, "has no open-circuit-potential curve")
    out[f"{pre}_ocp"] = names.index(am.name)
    for m in (cond, binder, foil):
        sources[f"{m.name}.density_g_cm3"] = m.source("density_g_cm3")
    sources[f"{am.name}.ocp"] = materials.ocp_tables()[am.name][2]
    return out


def resolve(spec: CellSpec) -> Resolved:
    """Turn a validated spec into engine inputs for one design."""
    chem = presets.chemistry(spec.chemistry)
    sources: dict[str, str] = {}
    roles: dict[str, str] = {}
    P = {
        s: _Params(s, chem.get(s, {}), getattr(spec, s), sources)
        for s in ("cathode", "anode", "separator", "electrolyte", "cell")
    }
    casing = _Params(
        "casing",
        presets.casing_defaults(spec.chemistry, spec.format, spec.dimensions.diameter_mm),
        spec.casing,
        sources,
    )

    x = _electrode("cathode", P["cathode"], "cathode_active", sources, roles)
    x.update(_electrode("anode", P["anode"], "anode_active", sources, roles))

    # Positive coating thickness: a thickness, a loading, or the preset's, capped in target mode.
    pc = P["cathode"]
    if spec.cathode.loading_mg_cm2 is not None and spec.cathode.thickness_um is not None:
        raise SpecError(
            "cathode.loading_mg_cm2", spec.cathode.loading_mg_cm2, "give thickness_um or loading_mg_cm2, not both"
        )
    if spec.cathode.loading_mg_cm2 is not None:
        from .design.electrode import coating_density, thickness_from_loading

        rho = coating_density(
            x["pos_porosity"],
            (x["pos_active_fraction"], x["pos_conductive_fraction"], x["pos_binder_fraction"]),
            (x["pos_active_density"], x["pos_conductive_density"], x["pos_binder_density"]),
        )
        x["pos_thickness"] = thickness_from_loading(spec.cathode.loading_mg_cm2 * 1e-2, rho)  # mg/cm2 -> kg/m2
    else:
        x["pos_thickness"] = pc.get("thickness_um") * 1e-6
    if spec.target is not None:
        cap = spec.target.max_cathode_thickness_um or pc.get("max_thickness_um")
        x["pos_thickness"] = min(x["pos_thickness"], cap * 1e-6)

    pa = P["anode"]
    x["np_ratio"] = pa.get("np_ratio")
    x["neg_overhang"] = pa.get("overhang_mm") * 1e-3

    ps = P["separator"]
    sep = _material(ps, "material", "separator")
    x["sep_thickness"] = ps.get("thickness_um") * 1e-6
    x["sep_porosity"] = ps.get("porosity")
    x["sep_overhang"] = ps.get("overhang_mm") * 1e-3
    x["sep_density"] = sep.si("density_g_cm3")
    sources[f"{sep.name}.density_g_cm3"] = sep.source("density_g_cm3")

    pe = P["electrolyte"]
    ely = _material(pe, "material", "electrolyte")
    x["ely_density"] = _mat_prop(pe, ely, "density_g_cm3", "density_g_cm3", 1000.0, sources)
    x["ely_excess"] = pe.get("excess_fraction")

    x["asi"] = P["cell"].get("asi_ohm_cm2") * 1e-4
    x["utilization"] = P["cell"].get("capacity_utilization", 1.0)
    x["v_min"] = P["cell"].get("voltage_min_V")
    x["v_max"] = P["cell"].get("voltage_max_V")
    if x["v_min"] >= x["v_max"]:
        raise SpecError("cell.voltage_min_V", x["v_min"], f"must be below voltage_max_V ({x['v_max']})")

    c = casing
    x["wound"] = c.get("construction", "stacked") == "wound"
    if spec.format == "cylindrical" and not x["wound"]:
        raise SpecError("casing.construction", "stacked", "cylindrical cells are wound")
    if spec.format == "pouch" and x["wound"]:
        raise SpecError("casing.construction", "wound", "pouch cells are stacked here")
    wall = _material(c, "material", "casing")
    lid = _material(c, "lid_material", "casing", wall.name)
    ins = _material(c, "insulation", "casing", "PET")
    for m in (wall, lid, ins):
        sources[f"{m.name}.density_g_cm3"] = m.source("density_g_cm3")
    zero = 0.0
    x.update(
        wall_thickness=c.get("wall_thickness_mm") * 1e-3,
        wall_density=wall.si("density_g_cm3"),
        bottom_thickness=c.get("bottom_thickness_mm", zero) * 1e-3,
        lid_thickness=c.get("lid_thickness_mm", zero) * 1e-3,
        lid_density=lid.si("density_g_cm3"),
        headspace=c.get("headspace_mm", zero) * 1e-3,
        clearance=c.get("clearance_mm", zero) * 1e-3,
        insulation_thickness=c.get("insulation_thickness_mm", zero) * 1e-3,
        insulation_density=ins.si("density_g_cm3"),
        terminal_mass_per_capacity=c.get("terminal_mass_g_per_Ah", zero) * 1e-3 / 3600.0,
        core_diameter=c.get("core_diameter_mm", zero) * 1e-3,
        jelly_rolls=float(c.get("jelly_rolls", 1)),
        packing_factor=c.get("packing_factor"),
        tab_margin=c.get("tab_margin_mm", zero) * 1e-3,
        seal_width=c.get("seal_width_mm", zero) * 1e-3,
        pos_terminal_thickness=c.get("pos_terminal_thickness_mm", zero) * 1e-3,
        neg_terminal_thickness=c.get("neg_terminal_thickness_mm", zero) * 1e-3,
    )
    pos_t = _material(c, "pos_terminal_material", "casing", "Al-terminal")
    neg_t = _material(c, "neg_terminal_material", "casing", "Cu-terminal")
    roles.update(
        separator=sep.name,
        electrolyte=ely.name,
        casing=wall.name,
        lid=lid.name,
        insulation=ins.name,
        pos_terminal=pos_t.name,
        neg_terminal=neg_t.name,
    )
    x["pos_terminal_density"] = pos_t.si("density_g_cm3")
    x["neg_terminal_density"] = neg_t.si("density_g_cm3")

    free = _dimensions(spec, x)
    x["format"] = FORMATS[spec.format]
    return Resolved(spec, DesignInputs(**x), sources, free, roles)


_DIMS = {
    "cylindrical": ("diameter_mm", "height_mm"),
    "pouch": ("width_mm", "thickness_mm", "height_mm"),
    "prismatic": ("width_mm", "thickness_mm", "height_mm"),
    "blade": ("width_mm", "thickness_mm", "height_mm"),
}


def _dimensions(spec: CellSpec, x: dict) -> str | None:
    """Fill the outer dimensions (m); in target mode return the one left to solve for."""
    needed = _DIMS[spec.format]
    given = spec.dimensions.model_dump(exclude_none=True)
    if given.pop("size", None) is not None and spec.format != "cylindrical":
        raise SpecError(
            "dimensions.size", spec.dimensions.size, "a size code names a cylindrical cell (18650, 21700, 4680)"
        )
    for key in given:
        if key not in needed:
            raise SpecError(
                f"dimensions.{key}", given[key], f"not a dimension of a {spec.format} cell; give " + ", ".join(needed)
            )
    missing = [k for k in needed if k not in given]
    free = None
    if spec.target is None:
        if missing:
            raise SpecError(f"dimensions.{missing[0]}", None, f"required for a {spec.format} cell (or give a [target])")
    else:
        fixed = "diameter_mm" if spec.format == "cylindrical" else "thickness_mm"
        if fixed in missing:
            raise SpecError(f"dimensions.{fixed}", None, "required in target mode: the dimension the design keeps")
        if len(missing) > 1 and spec.format != "pouch" and spec.target.aspect_ratio is None:
            raise SpecError(
                "target.aspect_ratio", None, f"required when both {missing[0]} and {missing[1]} are to be found"
            )
        if len(missing) == 0:
            raise SpecError("dimensions", given, "in target mode leave out the dimension(s) to solve for")
        free = "+".join(missing)
    for key in ("width_mm", "thickness_mm", "height_mm", "diameter_mm"):
        x[key.removesuffix("_mm")] = given.get(key, np.nan) * 1e-3
    return free
