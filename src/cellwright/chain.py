"""The one pipeline: a batch of designs -> the stages asked for -> result columns.

:func:`run` takes the design engine's inputs over N designs (a structure of arrays, any mix of
formats; no ``Cell`` objects) and runs, in order, the stages named in ``stages``:

- ``design``: :func:`~cellwright.design.design_cells`, or, with a :class:`SizingTarget`,
  :func:`~cellwright.design.size_to_capacity` / :func:`~cellwright.design.size_to_energy`.
  Columns: every result of ``cellwright design --json`` (``capacity_Ah``, ``energy_Wh``,
  ``specific_energy_Wh_kg``, ``mass_kg``, ...).
- ``cost``: :func:`~cellwright.factory.cost.cell_cost` with ``costs`` (length N, or 1 for one
  plant for every design). Columns: the results of ``cellwright cost --json``
  (``cell_cost_usd_per_kWh``, ...).
- ``performance``: constant-current discharges from full charge with the SPMe or DFN
  (:class:`Performance`). Columns per C-rate r (formatted ``{r:g}``): ``capacity_{r}C_Ah`` and
  ``energy_{r}C_Wh`` (delivered to the lower cut-off voltage), ``mean_power_{r}C_W``,
  ``capacity_retention_{r}C`` (delivered over rated capacity), and with
  the thermal model ``max_temperature_{r}C_degC`` -- ``cellwright simulate --json``'s
  ``capacity_Ah``, ``energy_Wh``, ``mean_power_W``, ``max_temperature_degC`` at that rate.
- ``life``: cycles to end of life under a test protocol with the chemistry's aging model
  anchored on its datasheet rating (:class:`Life`). Columns as ``cellwright life --json``:
  ``cycles_to_eol``, ``efc_to_eol``, ``years_to_eol`` (NaN where not reached), and
  ``degradation_scalar``.
- ``storage``: a storage project (:class:`~cellwright.storage.project.Project`) built from each
  design's cells, as ``cellwright lcos`` builds it from one cell file (``spec`` gives the cells'
  chemistry and name). Columns: ``lcos_usd_per_MWh``, ``capex_usd``, ``energy_delivered_MWh``;
  a project that cannot be built (a rating out of the aging model's reach) makes its rows
  invalid with the reason.

Designs that are not valid (design or cost) skip the later stages, carry NaN there and keep
their reason (``"<field>: <what is wrong>"``). Identical design rows are simulated once
(``np.unique`` over the stacked inputs, then scattered back). Warnings -- a simulation that did
not finish, an aging model used outside its fitted range -- travel per row in ``warnings``
(``"; "``-joined).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from .aging.protocol import Protocol
from .design import DesignInputs, DesignResult, design_cells, size_to_capacity, size_to_energy
from .errors import SpecError
from .factory.cost import CostResult, cell_cost
from .factory.inputs import CostInputs

if TYPE_CHECKING:
    from .spec import CellSpec
    from .storage.project import Project

STAGES = ("design", "cost", "performance", "life", "storage")
MODELS = ("spme", "dfn")
TARGET_KINDS = ("capacity_Ah", "energy_Wh")
#: short chemistry names the chain accepts, and the preset each stands for
CHEMISTRY_ALIASES = {"lfp": "lfp-graphite"}
#: years an aging run lasts at most before end of life counts as not reached (as `cellwright life`)
LIFE_HORIZON_YEARS = 80.0


@dataclass(frozen=True)
class SizingTarget:
    """Size every design to a capacity (``kind="capacity_Ah"``, Ah) or an energy
    (``kind="energy_Wh"``, Wh) by solving ``free_dimension`` (``"height_mm"``, ``"width_mm"`` or
    ``"width_mm+height_mm"`` with ``aspect_ratio``, outer height over width)."""

    kind: str
    value: float
    free_dimension: str
    aspect_ratio: float = 3.0

    def __post_init__(self):
        if self.kind not in TARGET_KINDS:
            raise SpecError("target.kind", self.kind, "allowed: " + ", ".join(TARGET_KINDS))
        if not (np.isfinite(self.value) and self.value > 0):
            raise SpecError(f"target.{self.kind}", self.value, "a positive number")
        if not (np.isfinite(self.aspect_ratio) and self.aspect_ratio > 0):
            raise SpecError("target.aspect_ratio", self.aspect_ratio, "a positive number")


@dataclass(frozen=True)
class Performance:
    """Constant-current discharges at ``c_rates`` (1/h) with ``model`` ("spme" or "dfn"),
    isothermal at 25 degC or with the lumped thermal model."""

    model: str = "spme"
    c_rates: tuple[float, ...] = (1.0,)
    thermal: bool = False

    def __post_init__(self):
        if self.model not in MODELS:
            raise SpecError("performance.model", self.model, "allowed: " + ", ".join(MODELS))
        rates = tuple(float(r) for r in self.c_rates)
        if not rates or not all(np.isfinite(r) and 0 < r <= 20 for r in rates):
            raise SpecError("performance.c_rates", list(self.c_rates), "C-rates above 0 and at most 20")
        object.__setattr__(self, "c_rates", rates)


@dataclass(frozen=True)
class Life:
    """Cycles to ``eol`` (relative capacity) under ``protocol`` (e.g. "0.5C/0.5C, 25degC,
    100% DOD"), with ``model`` or the chemistry's aging model, anchored on its rating."""

    protocol: str | Protocol
    eol: float = 0.8
    model: str | None = None

    def __post_init__(self):
        if not (np.isfinite(self.eol) and 0.3 <= self.eol < 1.0):
            raise SpecError("life.eol", self.eol, "a relative capacity from 0.3 to below 1")


@dataclass
class ChainResult:
    """N rows: ``columns`` (name -> array of N), ``valid``, ``invalid_reason`` ("" when valid),
    ``warnings`` ("" or "; "-joined messages); and the stages' own results where run."""

    columns: dict[str, np.ndarray]
    valid: np.ndarray
    invalid_reason: np.ndarray
    warnings: np.ndarray
    design: DesignResult | None = None
    cost: CostResult | None = None

    def __len__(self) -> int:
        return self.valid.shape[0]


def run(
    inputs: DesignInputs,
    *,
    stages: Sequence[str] = ("design", "cost"),
    costs: CostInputs | None = None,
    materials: Mapping[str, str] | None = None,
    chemistry: str = "lfp",
    target: SizingTarget | None = None,
    performance: Performance | None = None,
    life: Life | None = None,
    project: Project | None = None,
    spec: CellSpec | None = None,
) -> ChainResult:
    """Run ``stages`` (among :data:`STAGES`; design always runs) on N designs.

    ``costs`` is required for the cost stage; ``materials`` (role -> material, as
    :attr:`cellwright.spec.Resolved.materials`) gives the performance stage its particle,
    transport and open-circuit data, by default the ``chemistry`` preset's; ``performance``
    and ``life`` set up those stages (``Performance()`` by default; ``life`` is required for
    the life stage).
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise SpecError("stages", unknown[0], "allowed: " + ", ".join(STAGES))
    chem = CHEMISTRY_ALIASES.get(chemistry, chemistry)
    if "cost" in stages and costs is None:
        raise SpecError("costs", None, "required for the cost stage")
    if "life" in stages and life is None:
        raise SpecError("life", None, "required for the life stage (a protocol)")
    if "storage" in stages and (project is None or spec is None):
        raise SpecError("project", None, "a storage project and the cells' spec for the storage stage")
    n = len(inputs)
    design = design_batch(inputs, target)
    columns: dict[str, np.ndarray] = dict(design.values)
    valid = design.valid.copy()
    reason = design.invalid_reason.astype(object)
    notes: list[list[str]] = [[] for _ in range(n)]
    cost = None
    if "cost" in stages:
        assert costs is not None
        if len(costs) not in (1, n):
            raise SpecError("costs", len(costs), f"cost inputs of length 1 or {n} (one per design)")
        cost = cell_cost(design, costs if len(costs) == n else costs.take(np.zeros(n, dtype=int)))
        columns.update(cost.values)
        newly = valid & ~cost.valid
        reason[newly] = cost.invalid_reason[newly]
        valid &= cost.valid
    if "performance" in stages:
        columns.update(_performance(inputs, design, valid, materials, chem, performance or Performance(), notes))
    if "life" in stages:
        assert life is not None
        columns.update(_life(valid, chem, life, notes))
    if "storage" in stages:
        assert project is not None and spec is not None
        mats = dict(materials) if materials is not None else preset_materials(chem)
        columns.update(_storage(inputs, design, valid, reason, project, spec, mats, notes))
    warnings = np.array(["; ".join(w) for w in notes], dtype=object)
    return ChainResult(columns, valid, reason, warnings, design, cost)


def _storage(
    inputs: DesignInputs,
    design: DesignResult,
    valid: np.ndarray,
    reason: np.ndarray,
    project: Project,
    spec: CellSpec,
    materials: dict[str, str],
    notes: list[list[str]],
) -> dict[str, np.ndarray]:
    """One project per distinct valid design (prepared together, aging runs shared by duty)."""
    from .cell import Cell
    from .spec import Resolved
    from .storage.project import age, evaluate_prepared, prepare_many

    n = len(inputs)
    out = {k: np.full(n, np.nan) for k in ("lcos_usd_per_MWh", "capex_usd", "energy_delivered_MWh")}
    rows = np.flatnonzero(valid)
    first, inverse = unique_rows(inputs, rows)
    if first.size == 0:
        return out
    cells = [Cell(Resolved(spec, inputs.take([i]), {}, None, materials), design.take([i])) for i in first]
    preps = prepare_many([project] * len(cells), cells)
    good = [j for j, pr in enumerate(preps) if not isinstance(pr, SpecError)]
    ready = [preps[j] for j in good]
    results = dict(zip(good, evaluate_prepared(ready, age(ready)), strict=True)) if ready else {}  # type: ignore[arg-type]
    for j in range(first.size):
        members = rows[inverse == j]
        r = results.get(j)
        if r is None:
            reason[members] = str(preps[j])
            valid[members] = False
            continue
        for key in out:
            out[key][members] = getattr(r, key)
        for i in members:
            notes[i].extend(r.warnings)
    return out


def design_batch(inputs: DesignInputs, target: SizingTarget | None = None) -> DesignResult:
    """The design stage: N designs, or N designs sized to ``target``."""
    if target is None:
        return design_cells(inputs)
    if target.kind == "energy_Wh":
        return size_to_energy(inputs, target.free_dimension, target.value * 3600.0, target.aspect_ratio)
    return size_to_capacity(inputs, target.free_dimension, target.value * 3600.0, target.aspect_ratio)


def preset_materials(chemistry: str) -> dict[str, str]:
    """The role -> material map of a chemistry preset (``"lfp-graphite"``)."""
    from .spec import parse_spec, resolve

    # the materials do not depend on the format or size: any buildable cell resolves them
    dims = {"width_mm": 100.0, "height_mm": 100.0, "thickness_mm": 10.0}
    return dict(resolve(parse_spec({"chemistry": chemistry, "format": "pouch", "dimensions": dims})).materials)


def unique_rows(inputs: DesignInputs, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Among ``rows`` (indices), the first of each group of identical designs, and for each
    of ``rows`` the index of its group in that list (``np.unique`` over the stacked inputs)."""
    if rows.size == 0:
        return rows, rows
    stacked = np.column_stack([np.asarray(getattr(inputs, f.name), dtype=float)[rows] for f in fields(inputs)])
    # compared bit for bit: unused dimensions are NaN, and NaN never equals NaN as a float
    bits = np.where(np.isnan(stacked), np.nan, stacked).view(np.int64)
    _, first, inverse = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    return rows[first], inverse.reshape(-1)


def _performance(
    inputs: DesignInputs,
    design: DesignResult,
    valid: np.ndarray,
    materials: Mapping[str, str] | None,
    chemistry: str,
    perf: Performance,
    notes: list[list[str]],
) -> dict[str, np.ndarray]:
    from .electrochem.from_design import from_design
    from .electrochem.rate import rate_capability

    n = len(inputs)
    rows = np.flatnonzero(valid)
    first, inverse = unique_rows(inputs, rows)
    names = {
        r: (
            f"capacity_{r:g}C_Ah",
            f"energy_{r:g}C_Wh",
            f"mean_power_{r:g}C_W",
            f"capacity_retention_{r:g}C",
            f"max_temperature_{r:g}C_degC",
        )
        for r in perf.c_rates
    }
    out = {k: np.full(n, np.nan) for r in perf.c_rates for k in names[r][: 5 if perf.thermal else 4]}
    if first.size == 0:
        return out
    params = from_design(
        inputs.take(first), design.take(first), materials if materials is not None else preset_materials(chemistry)
    )
    rc = rate_capability(params, perf.c_rates, thermal=perf.thermal, model=perf.model)
    for j, r in enumerate(perf.c_rates):
        ok = rc.valid[:, j]
        # delivered over rated capacity: what a thick or dense coating loses at this rate
        retention = rc.capacity_Ah[:, j] / (params.capacity / 3600.0)
        values = (
            rc.capacity_Ah[:, j],
            rc.energy_Wh[:, j],
            rc.mean_power_W[:, j],
            retention,
            rc.max_temperature_K[:, j] - 273.15,
        )
        for key, v in zip(names[r], values, strict=False):
            if key in out:
                out[key][rows] = np.where(ok, v, np.nan)[inverse]
        for u in np.flatnonzero(~ok):
            message = f"performance at {r:g}C ({perf.model}): {rc.reason[u, j]}"
            for i in rows[inverse == u]:
                notes[i].append(message)
    return out


def _life(valid: np.ndarray, chemistry: str, life: Life, notes: list[list[str]]) -> dict[str, np.ndarray]:
    """The aging models are of the chemistry, not of the design: one run serves every valid row."""
    from .aging.anchor import choose_model
    from .aging.protocol import parse_protocol, profile
    from .aging.simulate import simulate_life

    n = valid.shape[0]
    out = {k: np.full(n, np.nan) for k in ("cycles_to_eol", "efc_to_eol", "years_to_eol", "degradation_scalar")}
    proto = life.protocol if isinstance(life.protocol, Protocol) else parse_protocol(life.protocol)
    chosen = choose_model(chemistry, life.model)
    t, soc, temp = profile(proto)
    result = simulate_life(
        t,
        soc,
        temp,
        LIFE_HORIZON_YEARS,
        n_cells=1,
        degradation_scalar=np.array([chosen.scalar]),
        stop_below=life.eol - 0.005,
        **chosen.life_options,
    )
    efc = float(result.efc_to_eol(life.eol)[0])
    out["cycles_to_eol"][valid] = np.nan if proto.storage else efc / proto.dod
    out["efc_to_eol"][valid] = np.nan if proto.storage else efc
    out["years_to_eol"][valid] = float(result.years_to_eol(life.eol)[0])
    out["degradation_scalar"][valid] = chosen.scalar
    messages = list(result.warnings)  # with the fitted-range ones, as `cellwright life` prints them
    for i in np.flatnonzero(valid):
        notes[i].extend(messages)
    return out


__all__ = [
    "STAGES",
    "ChainResult",
    "Life",
    "Performance",
    "SizingTarget",
    "design_batch",
    "preset_materials",
    "run",
    "unique_rows",
]
