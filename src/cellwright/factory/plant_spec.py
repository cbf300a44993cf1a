"""Plant files (TOML) and names -> the cost model's arrays.

A plant file names an archetype, a region, a price set and a scenario and says how big the
plant is and which year of operation to cost; everything else comes from the data files:
``plants.toml`` (archetypes, yields, overheads), ``regions.toml``, ``prices.toml``,
``scenarios.toml``. Without a plant file the ``[default]`` plant of ``plants.toml`` is used.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .. import materials
from ..errors import SpecError
from ..readers import read_toml
from ..spec import STRICT, Resolved, spec_error
from . import process
from .commodities import industry_multiplier, prices_for_year
from .inputs import CostInputs
from .prices import check_commodity_price, price_set


def _sourced(value):
    """A number, or a sourced table ``{ value = ..., source = "...", note = "..." }`` -> its value."""
    if isinstance(value, dict):
        if "value" not in value or set(value) - {"value", "source", "note"}:
            raise ValueError('a number, or a table { value = <number>, source = "...", note = "..." }')
        return value["value"]
    return value


def _iso_date(value):
    """An ISO date as text ("2026-01-01") or a TOML date."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("a date as YYYY-MM-DD") from None
    return value


#: A policy effect as ``scenarios.toml`` writes it: a number, or a sourced table.
_SOURCED = BeforeValidator(_sourced)


#: Largest production credit a plant file may define [USD/kWh of cells]. The US 45X credit, the
#: largest enacted for batteries, pays 35 USD/kWh for cells and 10 for modules (irs-2024-45x);
#: 50 leaves room for a regional top-up. A larger credit is most likely a typo (USD/MWh, or a
#: total instead of a rate) and would make the cell cost negative.
MAX_CREDIT_USD_PER_KWH = 50.0

#: Largest price premium (a fraction added to a material's price). The data's measures add 0.10
#: to 0.25; tariffs of 100 % and more have been levied on Chinese goods, so 3 (300 %) bounds a
#: stack of them; a larger premium is most likely given in percent.
MAX_PREMIUM = 3.0


class PolicySwitch(BaseModel):
    """A policy or trade measure defined in a plant file, with the keys of ``data/scenarios.toml``:
    it applies to plants in ``regions`` from ``start`` until ``end`` (ISO dates)."""

    model_config = STRICT
    description: str | None = None
    source: str | None = None
    note: str | None = None
    regions: list[str]
    start: Annotated[dt.date, BeforeValidator(_iso_date)]
    end: Annotated[dt.date | None, BeforeValidator(_iso_date)] = None
    equipment_capex_multiplier: Annotated[float | None, _SOURCED, Field(ge=0.1, le=5.0)] = None
    start_delay_years: Annotated[float | None, _SOURCED, Field(ge=0.0, le=10.0)] = None
    cell_yield_start_delta: Annotated[float | None, _SOURCED, Field(ge=-0.5, le=0.5)] = None
    cathode_premium: Annotated[float | None, _SOURCED, Field(ge=-0.5, le=MAX_PREMIUM)] = None
    anode_premium: Annotated[float | None, _SOURCED, Field(ge=-0.5, le=MAX_PREMIUM)] = None
    local_content_share: Annotated[float | None, _SOURCED, Field(ge=0.0, le=1.0)] = None
    local_premium: Annotated[float | None, _SOURCED, Field(ge=-0.5, le=MAX_PREMIUM)] = None
    credit_usd_per_kWh: Annotated[float | None, _SOURCED, Field(ge=0.0, le=MAX_CREDIT_USD_PER_KWH)] = None
    phase_down: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    phase_down_source: str | None = None

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, names: list[str]) -> list[str]:
        if not names:
            raise ValueError("one or more region names")
        for name in names:
            if name not in regions():
                raise ValueError(f"unknown region {name!r}; allowed: " + ", ".join(sorted(regions())))
        return names

    @field_validator("phase_down")
    @classmethod
    def _years(cls, table: dict[str, float]) -> dict[str, float]:
        for year in table:
            if not (year.isdigit() and 2000 <= int(year) <= 2100):
                raise ValueError(f"keys are calendar years 2000-2100 (got {year!r})")
        return table

    @model_validator(mode="after")
    def _ends_after_start(self):
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self

    def table(self) -> dict:
        """The switch as ``scenarios.toml`` writes it (effects that are not set left out)."""
        return self.model_dump(exclude_none=True)


class Policy(BaseModel):
    """A scenario written in the plant file: switches defined there, and the names in force."""

    model_config = STRICT
    define: dict[str, PolicySwitch] = Field(default_factory=dict)
    switches: list[str] = Field(default_factory=list)

    @field_validator("switches")
    @classmethod
    def _known_switches(cls, names: list[str], info: ValidationInfo) -> list[str]:
        known = set(scenarios()["switches"]) | set(info.data.get("define", {}))
        for name in names:
            if name not in known:
                raise ValueError(
                    f"unknown switch {name!r}; define it under [policy.define.{name}] or use one of: "
                    + ", ".join(sorted(scenarios()["switches"]))
                )
        return names


#: Largest commodity price a plant file may give [USD/kg]: five times the dearest battery
#: commodity on record (cobalt about 95 USD/kg in 2018, lithium carbonate about 80 USD/kg in
#: late 2022); a larger one is most likely given per tonne.
MAX_COMMODITY_USD_PER_KG = 500.0


class PlantSpec(BaseModel):
    """A plant: size, who runs it, where, at which prices, under which policy, and when."""

    model_config = STRICT
    name: str = "plant"
    # 0.01 GWh/yr is a pilot line; smaller plants (5e-324) make the cost per kWh infinite
    annual_GWh: float = Field(default=20.0, ge=0.01, le=1000)
    archetype: str = "incumbent"
    region: str = "china"
    prices: str = "china-2025"
    scenario: str = "none"
    start_year: int = Field(default=2026, ge=2000, le=2100)
    year: int = Field(default=10, ge=1, le=50)
    # below 5 % of nameplate, or 50 days a year, a plant is not in production and its cost per
    # kWh means nothing (1 day a year gives thousands of USD/kWh)
    utilization: float | None = Field(default=None, ge=0.05, le=1)
    cell_yield: float | None = Field(default=None, gt=0.05, le=1)
    # the archetype's ramp, changed: its time constant and start values, or the utilisation of
    # each year of operation (the last value held after the list; a stalled ramp's observed
    # output, say). Down to 0.1 % of nameplate: a venture's cash flows count such years.
    ramp_years: float | None = Field(default=None, ge=0, le=30)
    cell_yield_start: float | None = Field(default=None, gt=0.05, le=1)
    utilization_start: float | None = Field(default=None, ge=0.001, le=1)
    utilization_path: list[Annotated[float, Field(ge=0.001, le=1)]] | None = Field(
        default=None, min_length=1, max_length=50
    )
    yield_set: str | None = None
    operating_days: float = Field(default=320.0, ge=50, le=366)
    include_profit: bool = False
    include_warranty: bool = False
    scrap_recovery: float = Field(default=0.0, ge=0, le=0.95)
    commodities: dict[str, Annotated[float, Field(gt=0, le=MAX_COMMODITY_USD_PER_KG)]] = Field(default_factory=dict)
    market_scenario: str = "base"
    policy: Policy | None = None  # replaces `scenario` when given

    @field_validator("market_scenario")
    @classmethod
    def _known_market_scenario(cls, name: str) -> str:
        from .commodities import scenarios as market_scenarios

        if name not in market_scenarios():
            raise ValueError(f"unknown market scenario {name!r}; allowed: " + ", ".join(market_scenarios()))
        return name


def _data(name: str) -> dict:
    return tomllib.loads((resources.files("cellwright") / "data" / name).read_text(encoding="utf-8"))


@cache
def regions() -> dict[str, dict]:
    """Regions of ``data/regions*.toml``."""
    out: dict[str, dict] = {}
    folder = resources.files("cellwright") / "data"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("regions") and entry.name.endswith(".toml"):
            out.update(tomllib.loads(entry.read_text(encoding="utf-8")))
    return out


@cache
def scenarios() -> dict:
    return _data("scenarios.toml")


def default_plant() -> PlantSpec:
    d = dict(process.plant_data()["default"])
    d.pop("description", None)
    return PlantSpec(**d)


def load_plant(path: str | Path | None = None, **overrides) -> PlantSpec:
    """Read a plant file (or the default plant) and apply non-None overrides; a ``commodities``
    override adds to the file's prices. Everything is validated, overrides included."""
    if path is None:
        data = default_plant().model_dump()
    else:
        data = read_toml(path, "plant")
    if isinstance(overrides.get("commodities"), dict) and isinstance(data.get("commodities"), dict):
        overrides["commodities"] = {**data["commodities"], **overrides["commodities"]}
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return PlantSpec.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, PlantSpec, "plant.") from None


def _choice(kind: str, name: str, table: dict) -> dict:
    if name not in table:
        raise SpecError(kind, name, "allowed: " + ", ".join(sorted(table)))
    return table[name]


def _v(entry):
    return entry["value"] if isinstance(entry, dict) else entry


def ramp(start: float, mature: float, tau: float, year: np.ndarray) -> np.ndarray:
    """Mean over operating year ``year`` (1 = first) of start -> mature with time constant tau."""
    year = np.asarray(year, dtype=float)
    if tau <= 0:
        return np.full_like(year, mature)
    gap = tau * (np.exp(-(year - 1.0) / tau) - np.exp(-year / tau))
    return mature - (mature - start) * gap


def active_switches(plant: PlantSpec, calendar_year: int) -> list[tuple[str, dict]]:
    """Switches of the plant's scenario (or its own [policy]) that apply to its region in
    ``calendar_year``."""
    known = dict(scenarios()["switches"])
    if plant.policy is not None:
        known.update({k: sw.table() for k, sw in plant.policy.define.items()})
        names = plant.policy.switches
    else:
        names = _choice("scenario", plant.scenario, scenarios()["scenarios"])["switches"]
    out = []
    day = dt.date(calendar_year, 7, 1)
    for name in names:
        sw = _choice("policy.switches", name, known)
        start = _iso_date(sw["start"])
        end = _iso_date(sw["end"]) if "end" in sw else dt.date.max
        if plant.region in sw["regions"] and start <= day < end:
            out.append((name, sw))
    return out


def equipment_vintage_multiplier(plant: PlantSpec, calendar: np.ndarray) -> np.ndarray:
    """Price of the process equipment in service in each calendar year, relative to the region's
    (x the ``equipment_capex_multiplier`` of the controls in force when it was bought).

    A plant buys its equipment for its start of production (``start_year``) and replaces it
    every equipment life (``plants.toml [overheads] equipment_life_yr``); an export control
    prices only the equipment bought while it is in force, so a plant equipped before a control
    keeps its price until its equipment is renewed.
    """
    life = round(_v(process.plant_data()["overheads"]["equipment_life_yr"]))
    bought = plant.start_year + (np.maximum(np.asarray(calendar) - plant.start_year, 0) // life) * life
    price = {}
    for year in np.unique(bought):
        price[int(year)] = math.prod(
            _v(sw.get("equipment_capex_multiplier", 1.0)) for _, sw in active_switches(plant, int(year))
        )
    return np.array([price[int(y)] for y in bought], dtype=float)


def plant_state(plant: PlantSpec, years: np.ndarray) -> dict[str, np.ndarray]:
    """Cell yield, utilisation, experience multiplier and policy effects for years of operation.

    The plant's history is followed from its first year, so year N of a trajectory and a
    single-year call for year N agree.
    """
    pd = process.plant_data()
    arch = _choice("archetype", plant.archetype, pd["archetypes"])
    years = np.asarray(years, dtype=int)
    every = np.arange(1, int(years.max()) + 1)
    calendar = plant.start_year + every - 1
    effects = {
        k: np.zeros(every.size) for k in ("premium_cathode", "premium_anode", "premium_materials", "credit_usd_per_kWh")
    }
    effects["capex_multiplier"] = equipment_vintage_multiplier(plant, calendar)
    for i, cal in enumerate(calendar):
        for _, sw in active_switches(plant, int(cal)):
            effects["premium_cathode"][i] += _v(sw.get("cathode_premium", 0.0))
            effects["premium_anode"][i] += _v(sw.get("anode_premium", 0.0))
            effects["premium_materials"][i] += _v(sw.get("local_content_share", 0.0)) * _v(sw.get("local_premium", 0.0))
            phase = sw.get("phase_down", {})
            fraction = min((f for yr, f in phase.items() if cal >= int(yr)), default=1.0)
            effects["credit_usd_per_kWh"][i] += _v(sw.get("credit_usd_per_kWh", 0.0)) * fraction
    # effects fixed at the start of production: lead-time delay and start yield
    delay, yield_delta = 0.0, 0.0
    for _, sw in active_switches(plant, plant.start_year):
        delay += _v(sw.get("start_delay_years", 0.0))
        yield_delta += _v(sw.get("cell_yield_start_delta", 0.0))
    operating = np.maximum(every - delay, 0.0)  # years of production by the end of each year
    tau = _v(arch["ramp_years"]) if plant.ramp_years is None else plant.ramp_years
    mature = _v(arch["cell_yield_mature"])
    start = _v(arch["cell_yield_start"]) if plant.cell_yield_start is None else plant.cell_yield_start
    y0 = min(max(start + yield_delta, 0.05), mature)
    cell_yield = ramp(y0, mature, tau, np.maximum(operating, 1.0))
    u0 = _v(arch["utilization_start"]) if plant.utilization_start is None else plant.utilization_start
    util = ramp(
        min(u0, _v(arch["utilization_mature"])), _v(arch["utilization_mature"]), tau, np.maximum(operating, 1.0)
    )
    if plant.utilization_path is not None:
        path = np.asarray(plant.utilization_path, dtype=float)
        util = path[np.minimum(np.maximum(operating, 1.0).astype(int), path.size) - 1]
    util = util * np.clip(operating, 0.0, 1.0)  # a delayed plant makes nothing (or part of a year)
    if plant.cell_yield is not None:
        cell_yield = np.full(every.size, plant.cell_yield)
    if plant.utilization is not None:
        util = np.full(every.size, plant.utilization)
    out_GWh = plant.annual_GWh * util
    experience = _v(arch["experience_GWh"]) + np.cumsum(out_GWh) - 0.5 * out_GWh
    b = -math.log2(1.0 - _v(pd["learning"]["rate"]))
    multiplier = np.maximum(1.0, (experience / _v(pd["learning"]["experience_reference_GWh"])) ** (-b))
    state = {"cell_yield": cell_yield, "utilization": util, "conversion_multiplier": multiplier, **effects}
    return {k: v[years - 1] for k, v in state.items()}


def _li_electrolyte(name: str) -> float:
    m = materials.get(name)
    return m.si("salt_concentration_mol_L") * 6.941e-3 / m.si("density_g_cm3")


def cost_inputs(cell: Resolved, plant: PlantSpec, years=None) -> CostInputs:
    """Cost inputs for one designed cell in ``plant`` (one entry per year of operation)."""
    years = np.atleast_1d(np.asarray(plant.year if years is None else years, dtype=float))
    ps = price_set(plant.prices)
    reg = _choice("region", plant.region, regions())
    pd = process.plant_data()
    arch = _choice("archetype", plant.archetype, pd["archetypes"])
    yset = _choice("yield_set", plant.yield_set or arch["yield_set"], pd["yield_sets"])
    m = cell.materials
    commodities = {}
    for key, value in plant.commodities.items():
        name = key.removesuffix("_usd_per_kg")
        if not key.endswith("_usd_per_kg") or name not in ps.commodity_names:
            allowed = ", ".join(f"{c}_usd_per_kg" for c in ps.commodity_names)
            raise SpecError(f"plant.commodities.{key}", value, f"allowed in price set {ps.name!r}: {allowed}")
        commodities[name] = check_commodity_price(name, value)
    calendar = plant.start_year + years.astype(int) - 1
    dated = {int(y): prices_for_year(ps, int(y), plant.market_scenario, commodities) for y in np.unique(calendar)}

    def price(role: str):
        name = m[role]
        if name in ps.indexed:  # priced from the commodities of each calendar year
            return np.array([ps.indexed_value(name, dated[int(y)]) for y in calendar])
        return ps.price(name, f"{role.replace('_', '.', 1)}").si

    def purchased(role: str) -> tuple[float, float]:
        p = ps.price(m[role], role)
        return p.si, p.plus_usd

    ely = materials.get(m["electrolyte"])
    p_ely = ps.price(m["electrolyte"], "electrolyte").si
    if ps.price(m["electrolyte"]).unit == "usd/L":
        p_ely = p_ely / ely.si("density_g_cm3")  # USD/m3 -> USD/kg
    casing, plus_c = purchased("casing")
    pos_t, plus_p = purchased("pos_terminal")
    neg_t, plus_n = purchased("neg_terminal")
    inp = cell.inputs
    t_pos = inp.pos_terminal_thickness[0] * inp.pos_terminal_density[0]
    t_neg = inp.neg_terminal_thickness[0] * inp.neg_terminal_density[0]
    share_pos = t_pos / (t_pos + t_neg) if (t_pos + t_neg) > 0 else 0.5
    state = plant_state(plant, years)
    ov = pd["overheads"]
    li_frac = lambda role: materials.get(m[role]).properties.get("lithium_mass_fraction")  # noqa: E731
    return CostInputs(
        p_cathode_active=price("cathode_active"),
        p_cathode_conductive=price("cathode_conductive"),
        p_cathode_binder=price("cathode_binder"),
        p_anode_active=price("anode_active"),
        p_anode_conductive=price("anode_conductive"),
        p_anode_binder=price("anode_binder"),
        p_cathode_foil=price("cathode_foil"),
        p_anode_foil=price("anode_foil"),
        p_separator=price("separator"),
        p_electrolyte=p_ely,
        p_casing=casing,
        p_lid=purchased("lid")[0],
        p_insulation=purchased("insulation")[0],
        p_terminals=share_pos * pos_t + (1.0 - share_pos) * neg_t,
        plus_usd=plus_c + plus_p + plus_n,
        p_nmp=ps.price("NMP").si,
        nmp_per_binder=_v(ov["nmp_per_pvdf"]) if m["cathode_binder"] == "PVDF" else 0.0,
        water_per_binder=_v(ov["water_per_aqueous_binder"]) if m["anode_binder"] == "CMC-SBR" else 0.0,
        li_cathode=f.value if (f := li_frac("cathode_active")) else 0.0,
        li_anode=f.value if (f := li_frac("anode_active")) else 0.0,
        li_electrolyte=_li_electrolyte(m["electrolyte"]),
        annual_kWh=plant.annual_GWh * 1e6,
        utilization=state["utilization"],
        operating_days=plant.operating_days,
        cell_yield=state["cell_yield"],
        y_electrode=_v(yset["electrode"]),
        y_foil=_v(yset["foil"]),
        y_separator=_v(yset["separator"]),
        y_electrolyte=_v(yset["electrolyte"]),
        conversion_multiplier=state["conversion_multiplier"]
        * np.array([industry_multiplier(int(y), scenario=plant.market_scenario) for y in calendar]),
        scrap_recovery=plant.scrap_recovery,
        material_multiplier=_v(reg["material_price_multiplier"]),
        labour_usd_per_h=_v(reg["labour_usd_per_h"]),
        building_usd_per_m2=_v(reg["building_usd_per_m2"]),
        equipment_multiplier=_v(reg["equipment_cost_multiplier"]),
        construction_multiplier=_v(reg.get("construction_cost_multiplier", reg["equipment_cost_multiplier"])),
        electricity_usd_per_kWh=_v(reg["electricity_usd_per_kWh"]),
        heat_usd_per_kWh=_v(reg["heat_usd_per_kWh"]),
        cost_of_capital=_v(reg["cost_of_capital"]),
        energy_explicit=bool(reg.get("energy_explicit", True)),
        premium_cathode=state["premium_cathode"],
        premium_anode=state["premium_anode"],
        premium_materials=state["premium_materials"],
        capex_multiplier=state["capex_multiplier"],
        credit_usd_per_kWh=state["credit_usd_per_kWh"],
        include_profit=plant.include_profit,
        include_warranty=plant.include_warranty,
    )
