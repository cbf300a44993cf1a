"""The material library: properties and open-circuit potentials, each with its source.

Data: ``data/materials.csv`` (long table ``material, kind, property, value, unit, source,
note``) and ``data/ocp.csv`` (``material, stoichiometry, potential_V, source``). Values are
converted once to SI here; callers get SI floats and the citation keys they came from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from .errors import SpecError

#: Factor from a table unit to SI.
_TO_SI = {
    "g/cm3": 1000.0,  # kg/m3
    "mAh/g": 3600.0,  # C/kg  (1 mAh/g = 1 Ah/kg = 3600 C/kg)
    "um": 1e-6,
    "mm": 1e-3,
    "mol/L": 1000.0,  # mol/m3
    "V": 1.0,
    "1": 1.0,
    "m2/s": 1.0,
    "S/m": 1.0,
    "A/m2(m3/mol)^1.5": 1.0,
    "J/mol": 1.0,
}

KINDS = (
    "cathode_active",
    "anode_active",
    "conductive",
    "binder",
    "electrolyte",
    "separator",
    "foil",
    "casing",
)


@dataclass(frozen=True)
class Property:
    """One sourced value: ``si`` in SI units, ``value`` and ``unit`` as written in the table."""

    value: float
    unit: str
    source: str
    note: str = ""

    @property
    def si(self) -> float:
        return self.value * _TO_SI[self.unit]


@dataclass(frozen=True)
class Material:
    name: str
    kind: str
    properties: dict[str, Property] = field(default_factory=dict)

    def si(self, prop: str) -> float:
        """A property in SI units; a clear error if the material does not have it."""
        try:
            return self.properties[prop].si
        except KeyError:
            raise SpecError(f"{self.name}.{prop}", None, f"material {self.name!r} has no {prop!r}") from None

    def source(self, prop: str) -> str:
        return self.properties[prop].source


def _data_text(name: str) -> str:
    return (resources.files("cellwright") / "data" / name).read_text(encoding="utf-8")


@cache
def library() -> dict[str, Material]:
    """Every material in ``data/materials.csv``, by name."""
    mats: dict[str, Material] = {}
    for row in csv.DictReader(_data_text("materials.csv").splitlines()):
        name, kind = row["material"].strip(), row["kind"].strip()
        if kind not in KINDS:
            raise ValueError(f"materials.csv: {name}: unknown kind {kind!r}")
        if row["unit"] not in _TO_SI:
            raise ValueError(f"materials.csv: {name}.{row['property']}: unknown unit {row['unit']!r}")
        mat = mats.setdefault(name, Material(name, kind))
        if mat.kind != kind:
            raise ValueError(f"materials.csv: {name} is listed as both {mat.kind} and {kind}")
        mat.properties[row["property"].strip()] = Property(
            float(row["value"]), row["unit"].strip(), row["source"].strip(), row.get("note") or ""
        )
    return mats


def names(kind: str | None = None) -> list[str]:
    """Material names, optionally of one kind."""
    return sorted(n for n, m in library().items() if kind is None or m.kind == kind)


def get(name: str, kind: str | tuple[str, ...] | None = None, field_name: str = "material") -> Material:
    """Look up a material; an unknown name or a wrong kind is a :class:`SpecError`."""
    kinds = (kind,) if isinstance(kind, str) else kind
    mat = library().get(name)
    if mat is None or (kinds and mat.kind not in kinds):
        allowed = [n for n in names() if not kinds or library()[n].kind in kinds]
        raise SpecError(field_name, name, "allowed: " + ", ".join(allowed))
    return mat


@cache
def ocp_tables() -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """Open-circuit potential vs Li/Li+ per active material: (stoichiometry, potential_V, source)."""
    rows: dict[str, list[tuple[float, float]]] = {}
    srcs: dict[str, str] = {}
    for row in csv.DictReader(_data_text("ocp.csv").splitlines()):
        rows.setdefault(row["material"], []).append((float(row["stoichiometry"]), float(row["potential_V"])))
        srcs[row["material"]] = row["source"]
    out = {}
    for name, pts in rows.items():
        arr = np.array(sorted(pts))
        out[name] = (arr[:, 0], arr[:, 1], srcs[name])
    return out


def ocp(name: str, stoichiometry: np.ndarray | float) -> np.ndarray:
    """Open-circuit potential (V vs Li/Li+) of an active material at a lithiation fraction.

    Linear interpolation in the tabulated curve; outside the table the end values hold.
    """
    try:
        x, u, _ = ocp_tables()[name]
    except KeyError:
        raise SpecError("material", name, "no open-circuit-potential curve in data/ocp.csv") from None
    return np.interp(stoichiometry, x, u)
