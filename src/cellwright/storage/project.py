"""A storage project from end to end: cell -> plant -> duty -> aging -> augmentation -> LCOS.

This is the one place the storage chain is wired (the CLI's ``lcos`` and ``tender`` call it):

1. the cell is designed from its spec (:class:`cellwright.cell.Cell`); its price is the
   project's ``cell_price_usd_per_kWh``, the cost set's delivered cell price
   (``cell_price_from = "cost-set"``) or, by default, cellwright's own cost of a good kWh at
   the default plant (a mature incumbent in China, ``cellwright cost``);
2. the plant is built up and priced (:func:`cellwright.storage.system.build`);
3. the duty (a daily cycle or a dispatch CSV at the POI) becomes the cells' SOC profile
   (:mod:`cellwright.storage.operation`), which drives the chemistry's aging model anchored on
   its datasheet rating (:func:`cellwright.aging.anchor.choose_model`);
4. the augmentation strategy keeps the plant at its rated energy (:mod:`.augmentation`);
5. yearly cash flows and energies go into the Schmidt et al. 2019 LCOS (:mod:`.lcos`).

Conventions, each a field of the project file with its default documented in :class:`Finance`
and the README: real dollars at an 8 %/yr real discount rate, charging cost included, energy
measured at the point of interconnection (POI), gross discharged energy, decommissioning cost
after the last year, no salvage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from pydantic import BaseModel, Field, PrivateAttr, ValidationError

from ..errors import SpecError
from ..readers import read_toml
from ..spec import STRICT, CellSpec, load_spec, parse_spec, spec_error
from . import augmentation as aug
from . import components, operation, system
from . import efficiency as eff_mod
from .lcos import LcosConventions, lcos

if TYPE_CHECKING:
    from ..aging.anchor import ChosenModel
    from ..cell import Cell

BOUNDARY_LABELS = {
    "dc": "DC block terminals",
    "pcs_ac": "AC at the PCS terminals",
    "poi": "AC at the point of interconnection",
}


class Operation(BaseModel):
    """How the plant runs: a daily cycle, or a dispatch CSV (``time_h, power_MW`` at the POI)."""

    model_config = STRICT
    cycles_per_day: float = Field(default=1.0, ge=0.01, le=12)
    depth_of_discharge: float = Field(
        default=1.0, gt=0, le=1, description="share of the rated energy delivered per cycle"
    )
    temperature_degC: float = Field(
        default=25.0, ge=-30, le=70, description="cell temperature (a liquid-cooled container holds it near 25 degC)"
    )
    availability: float = Field(default=1.0, gt=0, le=1, description="share of cycles the plant is available for")
    dispatch: str | None = Field(
        default=None,
        description="CSV with time_h, power_MW (+ = discharge) at the POI, optional temperature_degC; repeats",
    )


class Aging(BaseModel):
    """The aging model (default: the cell chemistry's) and the datasheet rating it is anchored on."""

    model_config = STRICT
    model: str | None = None
    rated_cycles: float | None = Field(default=None, gt=0, le=100000)
    rated_protocol: str | None = None
    rated_eol: float | None = Field(default=None, gt=0, lt=1)
    second_rated_cycles: float | None = Field(
        default=None, gt=0, le=100000, description="a second rating at another temperature (cycles)"
    )
    second_rated_protocol: str | None = Field(
        default=None, description="its protocol; the cycle fade's temperature dependence is fitted to both"
    )
    anchor: bool = True
    degradation: bool = True
    guaranteed_soh_end: float | None = Field(
        default=None, gt=0, le=1, description="supplier's guaranteed cell SOH at guarantee_years"
    )
    guarantee_years: int = Field(default=20, ge=1, le=40)


class Augmentation(BaseModel):
    model_config = STRICT
    strategy: Literal["none", "periodic", "threshold", "replace"] = "threshold"
    overbuild: float = Field(
        default=0.0, ge=0, le=1, description="extra energy built at the start, as a share of the rated energy"
    )
    interval_years: int = Field(default=5, ge=1, le=40)
    threshold: float = Field(default=1.0, gt=0, le=1.5)
    cost_decline_per_yr: float = Field(default=0.05, ge=0, lt=1)


class Finance(BaseModel):
    """LCOS conventions. Defaults: Schmidt et al. 2019's real LCOS at 8 %/yr (the base rate
    docs/storage-and-lcos.md §1.1 attributes to the paper), charging at USD 30/MWh
    (cellwright-assumption: an off-peak wholesale price, the worked example of
    docs/storage-and-lcos.md §5), energy at the POI."""

    model_config = STRICT
    discount_rate: float = Field(default=0.08, gt=-1, lt=1)
    inflation_rate: float = Field(default=0.0, gt=-1, lt=1)
    dollars: Literal["real", "nominal"] = "real"
    include_charging: bool = True
    charging_price_usd_per_MWh: float = Field(default=30.0, ge=-1000, le=10000)
    energy_boundary: Literal["dc", "pcs_ac", "poi"] = "poi"
    discharged_energy: Literal["gross", "net"] = "gross"
    end_of_life: Literal["after_last_year", "in_last_year", "exclude"] = "after_last_year"
    construction_years: int = Field(default=1, ge=1, le=5)
    fixed_om_pct_of_capex: float | None = Field(
        default=None, ge=0, le=20, description="instead of the cost set's fixed O&M"
    )
    salvage_fraction: float = Field(
        default=0.0, ge=0, le=1, description="share of the initial DC block price recovered at the end"
    )


class Project(BaseModel):
    """A storage project file (TOML). Paths are relative to the file."""

    model_config = STRICT
    name: str = "storage project"
    cell: str = Field(description="cell spec file (TOML), as for `cellwright design`")
    # lower bounds: a plant of 100 kW for 6 minutes is already far below the cost sets'
    # containers; 5e-324 MW or h gave an infinite LCOS or blamed a C-rate the file never set
    power_MW: float = Field(ge=0.1, le=10000)
    duration_h: float = Field(ge=0.1, le=24)
    years: int = Field(default=20, ge=1, le=40)
    cost_set: str = "united-states"
    sizing_boundary: Literal["dc", "poi"] = Field(default="poi", description="where power x duration must be met")
    cell_price_usd_per_kWh: float | None = Field(default=None, ge=0, le=1000)
    cell_price_from: Literal["factory", "cost-set"] = Field(
        default="factory",
        description="without cell_price_usd_per_kWh: cellwright's own cell cost, or the cost set's delivered cell price",
    )
    dc_block_price_usd_per_kWh: float | None = Field(
        default=None,
        gt=0,
        le=2000,
        description="cells and DC block hardware per kWh of DC nameplate, instead of cell price + cost set",
    )
    rte_dc: float | None = Field(
        default=None, gt=0.5, le=1, description="DC block round-trip efficiency (default: the component table's)"
    )
    operation: Operation = Field(default_factory=Operation)
    aging: Aging = Field(default_factory=Aging)
    augmentation: Augmentation = Field(default_factory=Augmentation)
    finance: Finance = Field(default_factory=Finance)
    _base_dir: str = PrivateAttr(default=".")
    #: the cell spec as :func:`check_files` read it, with the path it was read from
    _cell_spec: tuple[Path, CellSpec] | None = PrivateAttr(default=None)

    @property
    def base_dir(self) -> str:
        """The folder the project's relative paths are taken from."""
        return self._base_dir

    def path(self, name: str) -> Path:
        p = Path(name)
        return p if p.is_absolute() else Path(self.base_dir) / p

    def cell_spec(self) -> CellSpec:
        """The project's cell spec, read from its file once (:func:`check_files` keeps it)."""
        path = self.path(self.cell)
        if self._cell_spec is None or self._cell_spec[0] != path:
            self._cell_spec = (path, load_spec(path))
        return self._cell_spec[1]


def parse_project(data: dict, base_dir: str | Path = ".", prefix: str = "") -> Project:
    """Validate a project given as a dict (as read from TOML); relative paths are taken from
    ``base_dir``. Errors name the field as ``prefix`` + its dotted path."""
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, Project, prefix) from None
    project._base_dir = str(base_dir)
    return project


def load_project(path: str | Path) -> Project:
    """Read and validate a project file, and the cell spec and dispatch files it names, before
    any work starts."""
    project = parse_project(read_toml(path, "project"), Path(path).parent)
    check_files(project)
    return project


def check_files(p: Project, dispatch: bool = True, protocol_field: str = "aging.rated_protocol") -> None:
    """Read and check what a project names before any work starts: its cell spec (errors name
    ``cell``), its aging model and rated protocol (errors name ``aging.model`` and
    ``protocol_field``) and, if ``dispatch``, its dispatch CSV. Quick: no design, no aging."""
    from ..aging.anchor import choose_model
    from ..aging.protocol import parse_protocol

    spec = parse_spec(read_toml(p.path(p.cell), "cell"))
    p._cell_spec = (p.path(p.cell), spec)
    a = p.aging
    chosen = choose_model(
        spec.chemistry,
        a.model,
        a.rated_cycles,
        a.rated_protocol,
        anchor=False,
        second_rated_cycles=a.second_rated_cycles,
        second_rated_protocol=a.second_rated_protocol,
    )
    if chosen.rated_protocol is not None:
        try:
            parse_protocol(chosen.rated_protocol)
        except SpecError as exc:
            raise SpecError(protocol_field, exc.value, exc.allowed) from None
    if dispatch and p.operation.dispatch is not None:
        operation.read_dispatch(p.path(p.operation.dispatch))


@dataclass
class ProjectResult:
    """One evaluated project; money in real (year-0) USD unless the conventions say nominal."""

    name: str
    lcos_usd_per_MWh: float
    capex_usd: float
    energy_delivered_MWh: float
    breakdown: dict
    system: dict
    rte: dict
    yearly: dict
    aging: dict
    conventions: dict
    sources: list = field(default_factory=list)
    #: why the result may not be what it seems (a negative charging price, an LCOS that is not
    #: positive or outside ``PLAUSIBLE_LCOS_USD_PER_MWH``); one line each
    warnings: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


#: LCOS range [USD/MWh] outside which a result is flagged. Published LCOS of utility-scale
#: lithium-ion plants lie within about 50-500 USD/MWh (cellwright's own 100 MW / 4 h examples
#: give 75-200); the range is wide on purpose (cellwright-assumption): it flags results that
#: are most likely an input error, not unusual projects.
PLAUSIBLE_LCOS_USD_PER_MWH = (20.0, 2000.0)


def lcos_warnings(lcos_usd_per_MWh: float, charging_usd_per_MWh: float, charging_price_usd_per_MWh: float) -> list[str]:
    """Why an LCOS [USD/MWh] may not be the cost of storing energy: a negative charging price
    (the charging term, ``charging_usd_per_MWh`` of the LCOS, then pays the plant), an LCOS
    that is not finite or not positive, or one outside ``PLAUSIBLE_LCOS_USD_PER_MWH``."""
    out = []
    if charging_price_usd_per_MWh < 0:
        out.append(
            f"finance.charging_price_usd_per_MWh = {charging_price_usd_per_MWh:g}: the plant is paid to charge, "
            f"which lowers the LCOS by {-charging_usd_per_MWh:.1f} USD/MWh"
        )
    low, high = PLAUSIBLE_LCOS_USD_PER_MWH
    if not np.isfinite(lcos_usd_per_MWh):
        out.append(f"LCOS = {lcos_usd_per_MWh}: not a finite number; the plant delivers no energy")
    elif lcos_usd_per_MWh <= 0:
        out.append(
            f"LCOS = {lcos_usd_per_MWh:.1f} USD/MWh is not positive: the income from charging exceeds the "
            "plant's costs, so it is not a cost of storage"
        )
    elif not low <= lcos_usd_per_MWh <= high:
        out.append(
            f"LCOS = {lcos_usd_per_MWh:.1f} USD/MWh is outside {low:g}-{high:g} USD/MWh, the range of "
            "utility-scale plants; check the project's inputs"
        )
    return out


def cell_price(
    cell, given: float | None, source: str = "factory", cost_set: str = "united-states"
) -> tuple[float, str]:
    """The cell price [USD/kWh] and where it came from: the given price, the cost set's
    delivered cell price, or cellwright's own cost at the default plant."""
    if given is not None:
        return float(given), "project file"
    if source == "cost-set":
        return system.reference_cell_price(cost_set), f"the {cost_set} cost set's delivered cell price"
    from ..factory.evaluate import cost_of
    from ..factory.plant_spec import load_plant

    cost = cost_of(cell, load_plant(None)).row(0)["cell_cost_usd_per_kWh"]
    return float(cost), "cellwright cost at the default plant (mature incumbent, China)"


def _duty(p: Project, sys, chain) -> dict:
    """The cells' SOC/temperature profile and the plant's energies per year at beginning of life."""
    op = p.operation
    nameplate = float(sys.dc_nameplate_kWh[0])
    window = components.physical("dc_block", "soc_window")
    to_cells = float(eff_mod.energy_at(1.0, "poi", "stored", "discharge", chain))  # stored kWh per POI kWh out
    if op.dispatch is None:
        e_cycle = p.power_MW * 1e3 * p.duration_h * op.depth_of_discharge
        dod = min(e_cycle * to_cells / nameplate, window)
        c_rate = p.power_MW * 1e3 * to_cells / nameplate
        t, soc, temp = operation.daily_cycle(op.cycles_per_day, dod, c_rate, op.temperature_degC)
        cycles_per_year = 365.0 * op.cycles_per_day * op.availability
        return {
            "t_s": t,
            "soc": soc,
            "temp": temp,
            "cycles_per_day": op.cycles_per_day,
            "out_kWh_per_yr": e_cycle * cycles_per_year,
            "in_kWh_per_yr": None,
            "needed_kWh": e_cycle,
        }
    time_h, power, temp_csv = operation.read_dispatch(p.path(op.dispatch))
    if np.max(np.abs(power)) > p.power_MW * (1 + 1e-9):
        i = int(np.argmax(np.abs(power) > p.power_MW * (1 + 1e-9)))
        raise SpecError("dispatch", f"hour {time_h[i]:g}: {power[i]:g} MW", f"within the plant's +-{p.power_MW:g} MW")
    soc = operation.dispatch_soc(time_h, power, nameplate, window, chain)
    span_h = time_h[-1] - time_h[0]
    dt = np.diff(time_h)
    out = float(np.sum(np.maximum(power[:-1], 0) * dt)) * 1e3 * 8760.0 / span_h * op.availability
    inp = float(np.sum(np.maximum(-power[:-1], 0) * dt)) * 1e3 * 8760.0 / span_h * op.availability
    needed = (soc.max() - soc.min()) * nameplate / to_cells
    temp = temp_csv if temp_csv is not None else np.full_like(time_h, op.temperature_degC)
    full_cycles_per_day = out / op.availability / 365.0 / (p.power_MW * 1e3 * p.duration_h)
    return {
        "t_s": (time_h - time_h[0]) * 3600.0,
        "soc": soc,
        "temp": temp,
        "cycles_per_day": max(full_cycles_per_day, 1e-6),
        "out_kWh_per_yr": out,
        "in_kWh_per_yr": inp,
        "needed_kWh": needed,
    }


@dataclass
class _Prepared:
    project: Project
    cell: Cell
    row: dict
    price: float
    price_source: str
    chain: eff_mod.Chain
    sys: system.StorageSystem
    duty: dict
    chosen: ChosenModel


def prepare(p: Project, cell: Cell | None = None, chosen: ChosenModel | None = None) -> _Prepared:
    """Design the cell, build and price the plant, derive the duty and choose the aging model.

    ``cell``: the project's cell if already designed (its spec is not read again); ``chosen``:
    its aging model if already chosen and anchored (:func:`prepare_many` anchors many at once);
    otherwise it is chosen and anchored here."""
    from ..aging.anchor import choose_model
    from ..cell import Cell

    if cell is None:
        cell = Cell.from_spec(p.cell_spec())
    row = cell.result.row(0)
    if p.dc_block_price_usd_per_kWh is not None:  # the cells are inside the supplier's DC block price
        price, price_source = 0.0, "in dc_block_price_usd_per_kWh (cells and DC block hardware together)"
    else:
        price, price_source = cell_price(cell, p.cell_price_usd_per_kWh, p.cell_price_from, p.cost_set)
    chain = eff_mod.chain(rte_dc=p.rte_dc)
    # an overbuild is more energy at the start: more containers, and the soft costs that scale with it
    sys = system.build(
        [p.power_MW],
        [p.duration_h * (1.0 + p.augmentation.overbuild)],
        cell_capacity_Ah=row["capacity_Ah"],
        cell_voltage_V=row["nominal_voltage_V"],
        cell_mass_kg=row["mass_kg"],
        cell_price_usd_per_kWh=price,
        cost_set=p.cost_set,
        energy_boundary=p.sizing_boundary,
        eff=chain,
    )
    duty = _duty(p, sys, chain)
    if chosen is None:
        a = p.aging
        chosen = choose_model(
            cell.spec.chemistry,
            a.model,
            a.rated_cycles,
            a.rated_protocol,
            a.rated_eol,
            a.anchor,
            prefix="aging.",
            second_rated_cycles=a.second_rated_cycles,
            second_rated_protocol=a.second_rated_protocol,
        )
    return _Prepared(p, cell, row, price, price_source, chain, sys, duty, chosen)


def prepare_many(
    projects: list[Project], cells: list[Cell] | None = None, chosen: list[ChosenModel] | None = None
) -> list[_Prepared | SpecError]:
    """:func:`prepare` for N projects, each cell spec read once and the aging models anchored in
    batched runs (one per model, protocol and end of life). A project whose cell or rating is
    wrong gets its SpecError in its place; the others are prepared. ``cells`` and ``chosen``:
    per project, already designed cells and already anchored models (nothing is redone)."""
    from ..aging.anchor import anchor_scalars, choose_model, with_second_rating
    from ..cell import Cell

    out: list[_Prepared | SpecError | None] = [None] * len(projects)
    built: list[tuple[Cell, ChosenModel] | None] = [None] * len(projects)
    by_model: dict[str, list[int]] = {}
    designed: dict[Path, Cell | SpecError] = {}  # projects naming one cell file share its design

    def design(p: Project) -> Cell:
        path = p.path(p.cell)
        if path not in designed:
            try:
                designed[path] = Cell.from_spec(p.cell_spec())
            except SpecError as exc:
                designed[path] = exc
        found = designed[path]
        if isinstance(found, SpecError):
            raise found
        return found

    for i, p in enumerate(projects):
        try:
            cell = cells[i] if cells is not None else design(p)
            if chosen is not None:
                built[i] = (cell, chosen[i])
                continue
            a = p.aging
            model = choose_model(
                cell.spec.chemistry,
                a.model,
                a.rated_cycles,
                a.rated_protocol,
                a.rated_eol,
                False,
                prefix="aging.",
                second_rated_cycles=a.second_rated_cycles,
                second_rated_protocol=a.second_rated_protocol,
            )
        except SpecError as exc:
            out[i] = exc
            continue
        built[i] = (cell, model)
        if p.aging.anchor and model.rated_cycles is not None and model.rated_protocol is not None:
            by_model.setdefault(model.model, []).append(i)
    for model_name, idx in by_model.items():
        ratings = [_rating(_built(built, i)[1]) for i in idx]
        scalars: list[float | SpecError]
        try:
            scalars = list(anchor_scalars(ratings, model_name))
        except SpecError:  # one rating out of reach: find which, one by one
            scalars = [_anchor_one(r, model_name) for r in ratings]
        for i, s in zip(idx, scalars, strict=True):
            if isinstance(s, SpecError):
                out[i] = s
                continue
            cell, model = _built(built, i)
            try:
                built[i] = (cell, with_second_rating(dataclass_replace(model, scalar=s)))
            except SpecError as exc:
                out[i] = SpecError("aging." + exc.field, exc.value, exc.allowed)
    for i, p in enumerate(projects):
        if out[i] is None:
            cell, model = _built(built, i)
            if p.aging.anchor and model.rated_cycles is not None and model.rated_protocol is None:
                out[i] = SpecError("aging.rated_protocol", None, "required with aging.rated_cycles")
                continue
            try:
                out[i] = prepare(p, cell, model)
            except SpecError as exc:
                out[i] = exc
    return cast("list[_Prepared | SpecError]", out)


def _built(built: list[tuple[Cell, ChosenModel] | None], i: int) -> tuple[Cell, ChosenModel]:
    item = built[i]
    assert item is not None  # set for every project without an error
    return item


def _rating(m: ChosenModel) -> tuple[float, str, float]:
    assert m.rated_cycles is not None and m.rated_protocol is not None  # only rated models are anchored
    return (m.rated_cycles, m.rated_protocol, m.rated_eol)


def _anchor_one(rating: tuple, model: str) -> float | SpecError:
    from ..aging.anchor import anchor_scalars

    try:
        return anchor_scalars([rating], model)[0]
    except SpecError as exc:
        return SpecError("aging." + exc.field, exc.value, exc.allowed)


@dataclass
class Aged:
    """A project's cells' relative capacity at the start of each year 0..years, and where its
    duty leaves the aging model's fitted range (one line each)."""

    soh: np.ndarray
    warnings: list[str]


def soh_key(pr: _Prepared) -> tuple:
    """What a project's aging depends on: model, scalar, length and duty (equal keys, equal
    :class:`Aged`)."""
    d = pr.duty
    return (
        pr.chosen.model,
        pr.chosen.scalar,
        pr.chosen.cycle_activation_J_per_mol,
        pr.chosen.activation_reference_degC,
        pr.project.years,
        d["t_s"].tobytes(),
        d["soc"].tobytes(),
        d["temp"].tobytes(),
    )


def age(preps: list[_Prepared], known: dict[tuple, Aged] | None = None) -> list[Aged]:
    """Cells' relative capacity by age for every project, batched: projects sharing a model,
    a time grid and a project length run in one aging call (a duty per project). ``known``
    (keyed by :func:`soh_key`): results already computed, e.g. for the same projects under
    other finance rules, taken as they are."""
    from ..aging.ranges import profile_ranges, range_warnings

    known = known or {}
    out: list[Aged | None] = [None] * len(preps)
    groups: dict[tuple, list[int]] = {}
    for i, pr in enumerate(preps):
        if not pr.project.aging.degradation:
            out[i] = Aged(np.ones(pr.project.years + 1), [])
            continue
        if (hit := known.get(soh_key(pr))) is not None:
            out[i] = hit
            continue
        key = (pr.chosen.model, pr.project.years, pr.duty["t_s"].size, pr.duty["t_s"].tobytes())
        groups.setdefault(key, []).append(i)
    for (model, years, _, _), idx in groups.items():
        t = preps[idx[0]].duty["t_s"]
        soc = np.stack([preps[i].duty["soc"] for i in idx])
        temp = np.stack([preps[i].duty["temp"] for i in idx])
        chosen = [preps[i].chosen for i in idx]
        soh = operation.yearly_soh(
            t,
            soc,
            temp,
            years,
            model,
            np.array([c.scalar for c in chosen]),
            np.array([c.cycle_activation_J_per_mol for c in chosen]),
            np.array([c.activation_reference_degC for c in chosen]),
        )
        for j, i in enumerate(idx):
            d = preps[i].duty
            lines = range_warnings(model, profile_ranges(t, d["soc"], d["temp"]))
            out[i] = Aged(soh[:, j], [f"aging: {w}" for w in lines])
    return cast("list[Aged]", out)  # every project's entry is set above


def _guaranteed(soh: np.ndarray, a: Aging) -> np.ndarray:
    """The buyer's capacity path under a supplier's degradation guarantee: the supplier restores
    the cells to a straight line from 1 to ``guaranteed_soh_end`` at ``guarantee_years``."""
    if a.guaranteed_soh_end is None:
        return soh
    age = np.arange(soh.size, dtype=float)
    line = 1.0 - (1.0 - a.guaranteed_soh_end) * age / a.guarantee_years
    return np.where(age <= a.guarantee_years, np.maximum(soh, line), soh)


def evaluate(p: Project) -> ProjectResult:
    """Evaluate one project (see the module docstring for the chain)."""
    return evaluate_many([p])[0]


def evaluate_many(projects: list[Project]) -> list[ProjectResult]:
    """Evaluate N projects; their anchoring and aging runs batched (:func:`prepare_many`,
    :func:`age`). The first project that cannot be prepared raises its SpecError."""
    preps = prepare_many(projects)
    for pr in preps:
        if isinstance(pr, SpecError):
            raise pr
    return evaluate_prepared(cast("list[_Prepared]", preps))


def evaluate_prepared(preps: list[_Prepared], aged: list[Aged] | None = None) -> list[ProjectResult]:
    """Finish prepared projects: batched aging (or the given ``aged``, one per project),
    augmentation, cash flows, LCOS."""
    return [_finish(pr, a) for pr, a in zip(preps, aged if aged is not None else age(preps), strict=True)]


def _finish(pr: _Prepared, aged: Aged) -> ProjectResult:
    cell_soh = aged.soh
    p, sys, duty, chain, chosen, row, price = pr.project, pr.sys, pr.duty, pr.chain, pr.chosen, pr.row, pr.price
    years = p.years
    soh = _guaranteed(cell_soh, p.aging)[:, None]
    usable0 = float(sys.usable_poi_kWh[0])
    dc_kWh = float(sys.dc_nameplate_kWh[0])
    per_dc_kWh = [k for k, r in components.cost_set(p.cost_set).items() if r["basis"] == "dc_kWh"]  # DC block hardware
    capex_by = {k: float(v[0]) for k, v in sys.capex_usd.items()}
    if p.dc_block_price_usd_per_kWh is not None:  # a supplier's price for the whole DC block
        dc_price = p.dc_block_price_usd_per_kWh
        capex_by["cells"] = dc_price * dc_kWh
        capex_by.update({k: 0.0 for k in per_dc_kWh})
    else:
        dc_price = price + sum(components.cost_set(p.cost_set)[k]["value"] for k in per_dc_kWh)
    strategy = aug.Strategy(
        p.augmentation.strategy,
        p.augmentation.interval_years,
        p.augmentation.threshold,
        p.augmentation.cost_decline_per_yr,
    )
    plan = aug.plan(soh, usable0, duty["needed_kWh"], dc_price * dc_kWh / usable0, strategy)
    usable = plan.usable_mean_kWh[:, 0]
    served = np.minimum(1.0, usable / duty["needed_kWh"])  # share of the duty the faded plant can still serve
    out_poi = duty["out_kWh_per_yr"] * served
    rt = sys.round_trip(duty["cycles_per_day"])
    aux_kWh = float(eff_mod.aux_power_kW(sys.containers, sys.power_MW)["total"][0]) * 8760.0
    if duty["in_kWh_per_yr"] is None:
        in_poi = out_poi / float(rt.rte_poi_no_aux[0])
    else:
        in_poi = duty["in_kWh_per_yr"] * served
    f = p.finance
    # auxiliaries: bought from the grid with the charging energy (gross), or taken from the
    # plant's own output (net: subtracted from the discharged energy, not bought)
    grid_in = in_poi + (aux_kWh if f.discharged_energy == "gross" else 0.0)
    out_b = eff_mod.energy_at(out_poi, "poi", f.energy_boundary, "discharge", chain)
    capex = float(sum(capex_by.values()))
    if f.fixed_om_pct_of_capex is not None:
        om = np.full(years, capex * f.fixed_om_pct_of_capex / 100.0)
    else:
        om = np.full(years, float(sys.fixed_om_usd_per_yr[0]))
    decom = components.rows(p.cost_set, "decommissioning")
    eol = sum(r["value"] for r in decom.values()) * float(sys.rated_kWh[0])
    eol -= f.salvage_fraction * dc_price * dc_kWh
    conv = LcosConventions(
        dollars=f.dollars,
        cash_flows="real",
        discount_rate=f.discount_rate,
        inflation_rate=f.inflation_rate,
        include_charging=f.include_charging,
        construction_years=f.construction_years,
        end_of_life=f.end_of_life,
        discharged_energy=f.discharged_energy,
        energy_boundary=BOUNDARY_LABELS[f.energy_boundary],
    )
    res = lcos(
        capex_usd=capex,
        om_usd=om,
        discharged_MWh=out_b / 1e3,
        charging_MWh=grid_in / 1e3,
        charging_price_usd_per_MWh=f.charging_price_usd_per_MWh,
        replacement_usd=plan.cost_usd[:, 0],
        end_of_life_usd=eol,
        auxiliary_MWh=np.full(years, aux_kWh / 1e3),
        conventions=conv,
    )
    sources = sorted(set(sys.sources) | set(res.sources) | {_model_source(chosen.model)})
    lcos_value = float(res.lcos_usd_per_MWh[0])
    breakdown = {k: float(v[0]) for k, v in res.breakdown.items()}
    return ProjectResult(
        name=p.name,
        lcos_usd_per_MWh=lcos_value,
        capex_usd=capex,
        energy_delivered_MWh=float(np.sum(out_b) / 1e3),
        breakdown=breakdown,
        system={
            "cell": pr.cell.spec.name,
            "cell_capacity_Ah": row["capacity_Ah"],
            "cell_price_usd_per_kWh": None if p.dc_block_price_usd_per_kWh is not None else price,
            "cell_price_source": pr.price_source,
            "dc_block_price_usd_per_kWh": dc_price,
            "cost_set": p.cost_set,
            "power_MW": p.power_MW,
            "duration_h": p.duration_h,
            "cells": int(sys.cells[0]),
            "containers": int(sys.containers[0]),
            "dc_nameplate_MWh": dc_kWh / 1e3,
            "usable_poi_MWh": usable0 / 1e3,
            "overbuild": float(sys.overbuild[0]),
            "footprint_m2": float(sys.footprint_m2["total"][0]),
            "mass_t": float(sys.mass_kg["total"][0]) / 1e3,
            "capex_usd_per_kWh": capex / (p.power_MW * p.duration_h * 1e3),
            "capex_by_component_usd": capex_by,
        },
        rte={
            "dc": float(rt.rte_dc[0]),
            "pcs_ac": float(rt.rte_pcs_ac[0]),
            "poi_no_aux": float(rt.rte_poi_no_aux[0]),
            "poi": float(rt.rte_poi[0]),
            "aux_kW": aux_kWh / 8760.0,
        },
        yearly={
            "year": list(range(1, years + 1)),
            "cell_soh_start": [float(x) for x in soh[:-1, 0]],
            "usable_MWh_start": [float(x) / 1e3 for x in plan.usable_start_kWh[:, 0]],
            "augmented_MWh": [float(x) / 1e3 for x in plan.added_kWh[:, 0]],
            "augmentation_usd": [float(x) for x in plan.cost_usd[:, 0]],
            "discharged_MWh": [float(x) / 1e3 for x in out_b],
            "charged_MWh": [float(x) / 1e3 for x in grid_in],
        },
        aging={
            "model": chosen.model,
            "degradation_scalar": chosen.scalar,
            "cycle_activation_energy_J_per_mol": chosen.cycle_activation_J_per_mol,
            "anchored_on": chosen.anchored_on,
            "cell_soh_end": float(cell_soh[-1]),
            "degradation": p.aging.degradation,
        },
        conventions={
            **{
                k: getattr(conv, k)
                for k in (
                    "dollars",
                    "discount_rate",
                    "inflation_rate",
                    "include_charging",
                    "construction_years",
                    "end_of_life",
                    "discharged_energy",
                    "energy_boundary",
                )
            },
            "charging_price_usd_per_MWh": f.charging_price_usd_per_MWh,
            "augmentation": p.augmentation.model_dump(),
            "sizing_boundary": p.sizing_boundary,
            "years": years,
        },
        sources=sources,
        warnings=aged.warnings
        + lcos_warnings(lcos_value, breakdown.get("charging", 0.0), f.charging_price_usd_per_MWh),
    )


def _model_source(model: str) -> str:
    from ..aging.models import MODELS

    return MODELS[model].source
