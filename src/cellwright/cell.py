"""A thin object layer over the design engine: one spec, one designed cell, its sources."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chain import SizingTarget, design_batch
from .design import DesignResult, validity
from .design.engine import nominal_voltage_V, rated_areal_capacity
from .design.voltage import ocp_names
from .errors import SpecError
from .sources import cite
from .spec import CellSpec, Resolved, load_spec, parse_spec, resolve


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
    target = None
    if spec.target is not None:
        ratio = spec.target.aspect_ratio or 3.0
        free = resolved.free_dimension or ""  # set in target mode by resolve()
        if spec.target.energy_Wh is not None:
            target = SizingTarget("energy_Wh", spec.target.energy_Wh, free, ratio)
        else:
            target = SizingTarget("capacity_Ah", float(spec.target.capacity_Ah or 0.0), free, ratio)
    result = design_batch(inp, target)
    if not result.valid[0]:
        raise _impossible(resolved, int(result.reason[0]))
    if spec.target is not None:
        want = float(spec.target.capacity_Ah or spec.target.energy_Wh or 0.0)
        got = result["capacity_Ah"][0] if spec.target.capacity_Ah else result["energy_Wh"][0]
        if not np.isclose(got, want, rtol=1e-3):
            raise SpecError("target", want, f"not reachable in this format (got {got:.4g})")
    return result


def _impossible(resolved: Resolved, code: int) -> SpecError:
    """The SpecError for a design that is not physically possible: the field to change, its
    value and what is wrong (:data:`cellwright.design.validity.REASONS`)."""
    spec, inp = resolved.spec, resolved.inputs
    field, allowed = validity.REASONS[code]
    dims = spec.dimensions.model_dump(exclude_none=True, exclude={"size"})
    value: object = dims.get(field.removeprefix("dimensions."), dims) if field.startswith("dimensions") else None
    if code == validity.NO_LITHIUM:
        li_factor, _ = rated_areal_capacity(inp)
        value = float(inp.neg_first_cycle_efficiency[0])
        allowed += (
            f" (factor {li_factor[0]:.3g} with cathode first-cycle efficiency {inp.pos_first_cycle_efficiency[0]:g})"
        )
    elif code in (validity.CATHODE_ABOVE_THEORETICAL, validity.ANODE_ABOVE_THEORETICAL):
        pos = code == validity.CATHODE_ABOVE_THEORETICAL
        ocp, q = (inp.pos_ocp, inp.pos_specific_capacity) if pos else (inp.neg_ocp, inp.neg_specific_capacity)
        value = float(q[0]) / 3600.0
        theoretical = validity.theoretical_capacity_by_code()[ocp[0]] / 3600.0
        allowed += f" ({ocp_names()[ocp[0]]}: {theoretical:.1f} mAh/g)"
    elif code == validity.VOLTAGE_BELOW_CUTOFF:
        value = float(inp.asi[0]) * 1e4
        allowed += f" (nominal voltage {nominal_voltage_V(inp)[0]:.3g} V, cut-off {inp.v_min[0]:g} V)"
    return SpecError(field, value, allowed)
