"""A thin object layer over the design engine: one spec, one designed cell, its sources."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .design import DesignResult, design_cells, size_to_capacity, size_to_energy
from .errors import SpecError
from .sources import cite
from .spec import CellSpec, Resolved, load_spec, parse_spec, resolve

#: Outer dimensions named in errors when the electrodes do not fit.
_FIT_HINT = {
    "cylindrical": "dimensions.diameter_mm",
    "pouch": "dimensions.thickness_mm",
    "prismatic": "dimensions.thickness_mm",
    "blade": "dimensions.thickness_mm",
}


@dataclass
class Cell:
    """A designed cell: the spec, the engine's inputs, the result (N = 1) and its sources."""

    resolved: Resolved
    result: DesignResult

    @classmethod
    def from_spec(cls, spec: str | Path | dict | CellSpec) -> Cell:
        if isinstance(spec, CellSpec):
            parsed = spec
        elif isinstance(spec, dict):
            parsed = parse_spec(spec)
        else:
            parsed = load_spec(spec)
        resolved = resolve(parsed)
        return cls(resolved, _design(resolved))

    @property
    def spec(self) -> CellSpec:
        return self.resolved.spec

    def summary(self) -> dict:
        """Results as a JSON-ready dict with unit-suffixed keys and the bill of materials."""
        row = self.result.row(0)
        row = {"name": self.spec.name, "chemistry": self.spec.chemistry, "format": self.spec.format, **row}
        row["sources"] = sorted(set(self.resolved.sources.values()) - {"spec", ""})
        return row

    def citations(self) -> list[str]:
        return cite(set(self.resolved.sources.values()) - {"spec", ""})


def _design(resolved: Resolved) -> DesignResult:
    spec, inp = resolved.spec, resolved.inputs
    if spec.target is None:
        result = design_cells(inp)
    else:
        ratio = spec.target.aspect_ratio or 3.0
        assert resolved.free_dimension is not None  # set by the resolver in target mode
        if spec.target.energy_Wh is not None:
            result = size_to_energy(inp, resolved.free_dimension, spec.target.energy_Wh * 3600.0, ratio)
        else:
            assert spec.target.capacity_Ah is not None  # Target holds exactly one of the two
            result = size_to_capacity(inp, resolved.free_dimension, spec.target.capacity_Ah * 3600.0, ratio)
    if not result.valid[0]:
        field = _FIT_HINT[spec.format]
        dims = spec.dimensions.model_dump(exclude_none=True)
        value = dims.get(field.split(".")[1])
        raise SpecError(field, value, "too small: the casing leaves no room for one electrode layer")
    if spec.target is not None:
        want = spec.target.capacity_Ah or spec.target.energy_Wh
        assert want is not None
        got = result["capacity_Ah"][0] if spec.target.capacity_Ah else result["energy_Wh"][0]
        if not np.isclose(got, want, rtol=1e-3):
            raise SpecError("target", want, f"not reachable in this format (got {got:.4g})")
    return result
