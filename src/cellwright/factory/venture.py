"""The entrant's business case: a new cell plant's cash flows, sold against an incumbent's price.

A venture file (TOML) names a cell, the entrant's plant (a plant table: archetype, region, size,
start year, policy, and its ramp changed if need be), the incumbent it sells against (a plant
table; default: the default plant, a Chinese incumbent that started in 2020), the market
(the incumbent's price over its cost, import duties and freight on its cells) and the finance
conventions. Both plants are costed with the same process-based model for each calendar year of
the entrant's life, with the dated commodity prices and industry learning of that year.

Cash flows, year by year (USD of each year, real, pre-tax; no terminal value):

- capital: the entrant's plant capex (equipment and building, at its region's prices and its
  vintage's policy), spent in equal parts over ``construction_years`` before the first year of
  operation;
- revenue: good output (kWh) x the price, the incumbent's cell cost that calendar year x
  (1 + ``price_margin``) x (1 + ``import_duty_share``) + ``freight_usd_per_kWh``;
- operating cash costs: the entrant's cell cost less depreciation (materials with scrap at its
  yield, labour, overheads, GSA, R&D, energy; production credits such as 45X as cash in);
  a year's fixed costs are carried whatever its output (they are annual amounts in the model);
- working capital: BatPaC's share of the year's variable costs, built up as output grows and
  released in the last year.

Results: NPV at ``discount_rate`` (to the first year of construction), IRR (None where no rate
makes the NPV zero), peak funding (the deepest cumulative cash position), years to cost parity
(the first year of operation whose cell cost is at most the incumbent's that year) and to a
positive operating cash flow. :func:`cash_flows` is the batched core: arrays over N ventures and
T years.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from ..errors import SpecError
from ..readers import read_toml
from ..spec import STRICT, spec_error
from . import process

#: IRR search bounds (per year): below -95 % or above 300 % a rate means nothing for a plant.
IRR_BOUNDS = (-0.95, 3.0)


def _default(key: str) -> float:
    return float(process.plant_data()["venture"][key]["value"])


class Market(BaseModel):
    """What the entrant's cells sell for: the incumbent's cost that year, with its margin, the
    duty on its imported cells and their freight."""

    model_config = STRICT
    price_margin: float = Field(default_factory=lambda: _default("price_margin"), ge=-0.5, le=2.0)
    import_duty_share: float = Field(default=0.0, ge=0.0, le=2.0, description="duty on the incumbent's cells")
    freight_usd_per_kWh: float = Field(default=0.0, ge=0.0, le=100.0)


class Finance(BaseModel):
    model_config = STRICT
    discount_rate: float = Field(default_factory=lambda: _default("discount_rate"), gt=-0.5, lt=1.0)
    construction_years: int = Field(default_factory=lambda: int(_default("construction_years")), ge=1, le=5)
    capex_multiplier: float = Field(default=1.0, gt=0.0, le=10.0, description="on the model's plant capex")


class Venture(BaseModel):
    """A venture file. ``cell`` is a cell spec file, relative to the venture file."""

    model_config = STRICT
    name: str = "venture"
    cell: str
    years: int = Field(default=10, ge=1, le=30, description="years of operation counted")
    plant: dict[str, Any] = Field(description="the entrant's plant: fields of a plant file")
    incumbent: dict[str, Any] = Field(default_factory=dict, description="the plant it sells against")
    market: Market = Field(default_factory=Market)
    finance: Finance = Field(default_factory=Finance)


def parse_venture(data: dict) -> Venture:
    try:
        return Venture.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, Venture) from None


def npv(flows: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Net present value of (N, K) yearly flows (the first at t = 0) at ``rate`` (scalar or N)."""
    t = np.arange(flows.shape[1])
    rate = np.asarray(rate, dtype=float).reshape(-1, 1)
    return (flows / (1.0 + rate) ** t).sum(axis=1)


def irr(flows: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Internal rate of return of each row of (N, K) flows by bisection within
    :data:`IRR_BOUNDS`; NaN where the NPV does not change sign there (no such rate)."""
    lo = np.full(flows.shape[0], IRR_BOUNDS[0])
    hi = np.full(flows.shape[0], IRR_BOUNDS[1])
    f_lo = npv(flows, lo)
    f_hi = npv(flows, hi)
    found = np.sign(f_lo) != np.sign(f_hi)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        f_mid = npv(flows, mid)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo, f_lo = np.where(left, mid, lo), np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
    return np.where(found, 0.5 * (lo + hi), np.nan)


def cash_flows(
    revenue_usd: np.ndarray,
    operating_cost_usd: np.ndarray,
    variable_cost_usd: np.ndarray,
    capex_usd: np.ndarray,
    construction_years: int,
    working_capital_share: float,
) -> dict[str, np.ndarray]:
    """Yearly cash flows of N ventures over T years of operation from their yearly revenue,
    operating cash costs and variable costs ((N, T) arrays, USD) and capex ((N,), USD):
    construction years first, then operation. Returns ``flows`` (N, C + T), and per year of
    operation ``revenue_usd``, ``operating_cost_usd``, ``working_capital_usd`` and
    ``operating_cash_usd`` (N, T)."""
    revenue, cost = revenue_usd, operating_cost_usd
    wc = working_capital_share * variable_cost_usd
    change = np.diff(wc, axis=1, prepend=0.0)
    change[:, -1] -= wc[:, -1]  # released at the end
    operating = revenue - cost - change
    build = np.repeat((-np.asarray(capex_usd, dtype=float) / construction_years)[:, None], construction_years, axis=1)
    return {
        "flows": np.concatenate([build, operating], axis=1),
        "revenue_usd": revenue,
        "operating_cost_usd": cost,
        "working_capital_usd": wc,
        "operating_cash_usd": revenue - cost,
    }


def _first(mask: np.ndarray) -> np.ndarray:
    """1-based index of the first True of each row, NaN where none."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1) + 1.0, np.nan)


def business_case(
    flows: dict[str, np.ndarray], unit_cost: np.ndarray, incumbent_cost: np.ndarray, discount_rate: float
) -> dict[str, np.ndarray]:
    """NPV, IRR, peak funding, years to cost parity and to a positive operating cash flow of N
    ventures from :func:`cash_flows` and their (N, T) cell costs and the incumbent's."""
    cumulative = np.cumsum(flows["flows"], axis=1)
    return {
        "npv_usd": npv(flows["flows"], discount_rate),
        "irr": irr(flows["flows"]),
        "peak_funding_usd": np.maximum(-cumulative.min(axis=1), 0.0),
        "years_to_cost_parity": _first(unit_cost <= incumbent_cost),
        "years_to_cash_positive": _first(flows["operating_cash_usd"] > 0.0),
    }


def evaluate_venture(v: Venture, base_dir: str | Path = ".") -> dict[str, Any]:
    """The business case of one venture (see the module's notes) as a JSON-ready dict: the
    results, the plants, and one row per year of operation."""
    from ..cell import Cell
    from .evaluate import cost_of
    from .plant_spec import cost_inputs

    cell_path = Path(v.cell) if Path(v.cell).is_absolute() else Path(base_dir) / v.cell
    cell = Cell.from_spec(cell_path)
    plant = _plant(v.plant, "plant.")
    incumbent = _plant(v.incumbent, "incumbent.")
    years = np.arange(1, v.years + 1)
    calendar = plant.start_year + years - 1
    inc_years = calendar - incumbent.start_year + 1
    if inc_years[0] < 1:
        raise SpecError(
            "incumbent.start_year",
            incumbent.start_year,
            f"no later than the entrant's start ({plant.start_year}): the incumbent sells before the entrant does",
        )
    ent, inc = cost_of(cell, plant, years), cost_of(cell, incumbent, inc_years)
    state = cost_inputs(cell.resolved, plant, list(years))
    b = ent.breakdown_usd_per_kWh
    output = np.nan_to_num(ent["output_GWh_per_yr"], nan=0.0) * 1e6
    producing = output > 0
    if not producing.any():
        raise SpecError("plant", plant.name, f"a plant that makes cells within the {v.years} years counted")
    # annual USD; a year without output (a delayed start) carries the fixed costs of the first
    # year with output (labour and the overheads on it, GSA, R&D: annual amounts in the model)
    cash = (ent["cell_cost_usd_per_kWh"] - b["depreciation"] - b["profit"] - b["warranty"]) * output
    fixed = (b["labour"] + b["variable_overhead"] + b["gsa"] + b["rnd"]) * output
    cash = np.where(producing, cash, fixed[producing][0])
    variable = np.where(
        producing, (ent["materials_usd_per_kWh"] + b["labour"] + b["variable_overhead"] + b["energy"]) * output, 0.0
    )
    m = v.market
    price = inc["cell_cost_usd_per_kWh"] * (1.0 + m.price_margin) * (1.0 + m.import_duty_share) + m.freight_usd_per_kWh
    capex = float(ent["plant_capex_usd"][0]) * v.finance.capex_multiplier
    share = float(process.plant_data()["overheads"]["working_capital_of_variable"]["value"])
    flows = cash_flows(
        (output * price)[None], cash[None], variable[None], np.array([capex]), v.finance.construction_years, share
    )
    unit = np.where(output > 0, ent["cell_cost_usd_per_kWh"], np.inf)
    case = {
        k: float(x[0])
        for k, x in business_case(
            flows, unit[None], inc["cell_cost_usd_per_kWh"][None], v.finance.discount_rate
        ).items()
    }
    out: dict[str, Any] = {"name": v.name, "cell": cell.spec.name, **case}
    not_within = f"not within the {v.years} years counted"
    for key, reason in (
        ("irr", "no rate makes the NPV zero: the cash flows do not turn"),
        ("years_to_cost_parity", not_within),
        ("years_to_cash_positive", not_within),
    ):
        if not np.isfinite(out[key]):
            out[f"{key}_reason"] = reason
    out["capex_usd"] = capex
    out["cumulative_cash_end_usd"] = float(flows["flows"].sum())
    out["yearly"] = [
        {
            "year": int(y),
            "calendar_year": int(c),
            "cell_yield": float(state.cell_yield[i]),
            "utilization": float(state.utilization[i]),
            "output_GWh": float(output[i] / 1e6),
            "cell_cost_usd_per_kWh": float(ent["cell_cost_usd_per_kWh"][i]),
            "incumbent_cost_usd_per_kWh": float(inc["cell_cost_usd_per_kWh"][i]),
            "price_usd_per_kWh": float(price[i]),
            "revenue_usd": float(flows["revenue_usd"][0, i]),
            "operating_cost_usd": float(flows["operating_cost_usd"][0, i]),
            "cash_flow_usd": float(flows["flows"][0, v.finance.construction_years + i]),
            "cumulative_cash_usd": float(np.cumsum(flows["flows"][0])[v.finance.construction_years + i]),
        }
        for i, (y, c) in enumerate(zip(years, calendar))
    ]
    out["construction"] = {
        "years": v.finance.construction_years,
        "capex_per_year_usd": capex / v.finance.construction_years,
    }
    out["plant"], out["incumbent_plant"] = plant.model_dump(), incumbent.model_dump()
    out["market"], out["finance"] = v.market.model_dump(), v.finance.model_dump()
    return out


def _plant(fields: dict[str, Any], prefix: str):
    from .plant_spec import load_plant

    try:
        return load_plant(None, **fields)
    except SpecError as exc:
        raise SpecError(prefix + exc.field.removeprefix("plant."), exc.value, exc.allowed) from None


def load_venture(path: str | Path) -> dict[str, Any]:
    """Read a venture file and evaluate it (:func:`evaluate_venture`)."""
    return evaluate_venture(parse_venture(read_toml(path, "venture")), Path(path).parent)
