"""Process-based cost of a processed material: inputs, energy, labour and capital of a plant.

A route (``data/upstream.toml``) is a plant that makes one product from bought inputs, with its
sources: the inputs per kg of product, the electricity and heat per kg, the labour hours per kg,
the capital per kg of annual capacity of a reference plant (with the region it was built in and
its size), the process yield, the equipment life and the plant's utilisation. The cost of a kg
of product made in a region in a year, USD/kg:

    inputs       sum(kg of input per kg x input price) / yield   (commodity prices of that year)
    energy       electricity x region's price + heat x region's gas price
    labour       hours x region's fully loaded wage
    capital      capex per kg/yr x (size / reference size)^(exponent - 1) x region's equipment
                 price relative to the reference region x capital recovery factor(region's cost
                 of capital, equipment life) / utilisation, + maintenance (a share of capex a year)
    overhead     a share of labour and capital (BatPaC's plant overheads)

:func:`route_cost` is batched: arrays over N variants (size, utilisation, input prices).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ..errors import SpecError


@cache
def routes() -> dict[str, dict[str, Any]]:
    """Every route of ``data/upstream.toml``, keyed by its name (``product.route``)."""
    raw = tomllib.loads((resources.files("cellwright") / "data" / "upstream.toml").read_text(encoding="utf-8"))
    return {f"{product}.{route}": table for product, by_route in raw.items() for route, table in by_route.items()}


def _v(entry: Any) -> Any:
    return entry["value"] if isinstance(entry, dict) and "value" in entry else entry


def route(name: str) -> dict[str, Any]:
    if name not in routes():
        raise SpecError("route", name, "allowed: " + ", ".join(routes()))
    return routes()[name]


def capital_recovery_factor(rate: np.ndarray | float, years: float) -> np.ndarray:
    """Annual payment per unit of capital over ``years`` at ``rate`` (rate 0: 1/years)."""
    rate = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = rate / (1.0 - (1.0 + rate) ** -years)
    return np.where(np.abs(rate) < 1e-12, 1.0 / years, crf)


def route_cost(
    name: str,
    input_prices_usd_per_kg: dict[str, np.ndarray | float],
    region: dict[str, Any],
    reference_region: dict[str, Any],
    capacity_t_per_yr: np.ndarray | float | None = None,
    utilization: np.ndarray | float | None = None,
) -> dict[str, np.ndarray]:
    """Cost of a kg of the route's product, USD/kg, by line (``inputs``, ``energy``,
    ``labour``, ``capital``, ``overhead``) and ``total``, for N variants (each argument a scalar
    or N values). ``region``/``reference_region``: tables of ``regions.toml`` (the region the
    plant is in, the one its capex was reported in)."""
    r = route(name)
    missing = [k for k in r["inputs_kg_per_kg"] if k not in input_prices_usd_per_kg]
    if missing:
        raise SpecError("input prices", missing[0], "a price for every input: " + ", ".join(r["inputs_kg_per_kg"]))
    yield_ = _v(r["yield"])
    inputs = sum(_v(q) * np.asarray(input_prices_usd_per_kg[k], dtype=float) for k, q in r["inputs_kg_per_kg"].items())
    inputs = np.asarray(inputs, dtype=float) / yield_
    energy = _v(r["electricity_kWh_per_kg"]) * _v(region["electricity_usd_per_kWh"]) + _v(r["heat_kWh_per_kg"]) * _v(
        region["heat_usd_per_kWh"]
    )
    labour = _v(r["labour_h_per_kg"]) * _v(region["labour_usd_per_h"])
    size = np.asarray(_v(r["reference_t_per_yr"]) if capacity_t_per_yr is None else capacity_t_per_yr, dtype=float)
    if np.any(~(size > 0)):
        raise SpecError("capacity_t_per_yr", capacity_t_per_yr, "a plant size above 0 t/yr")
    util = np.asarray(_v(r["utilization"]) if utilization is None else utilization, dtype=float)
    if np.any(~((util > 0) & (util <= 1))):
        raise SpecError("utilization", utilization, "a share of capacity within (0, 1]")
    scale = (size / _v(r["reference_t_per_yr"])) ** (_v(r["scale_exponent"]) - 1.0)
    equipment = _v(region["equipment_cost_multiplier"]) / _v(reference_region["equipment_cost_multiplier"])
    capex = _v(r["capex_usd_per_kg_yr"]) * scale * equipment
    crf = capital_recovery_factor(_v(region["cost_of_capital"]), _v(r["equipment_life_yr"]))
    capital = capex * (crf + _v(r["maintenance_of_capex"])) / util
    overhead = _v(r["overhead_of_labour_and_capital"]) * (labour + capital)
    energy = energy * np.ones_like(capital)
    labour = labour * np.ones_like(capital)
    total = inputs + energy + labour + capital + overhead
    return {
        "inputs": inputs,
        "energy": energy,
        "labour": labour,
        "capital": capital,
        "overhead": overhead,
        "total": total,
    }


def dated_cost(
    name: str,
    region: str = "china",
    year: int = 2025,
    market_scenario: str = "base",
    capacity_t_per_yr: float | None = None,
    utilization: float | None = None,
    prices: str = "china-2025",
) -> dict[str, Any]:
    """The route's cost in ``region`` in calendar ``year`` with the inputs at the price set's
    dated commodity prices (lithium carbonate's annual path, the others at the set's quotes):
    ``usd_per_kg`` by line and in total, the input prices used, and the route's sources."""
    from ..factory.commodities import prices_for_year
    from ..factory.plant_spec import regions
    from ..factory.prices import price_set

    r = route(name)
    table = regions()
    if region not in table:
        raise SpecError("region", region, "allowed: " + ", ".join(table))
    ps = price_set(prices)
    dated = prices_for_year(ps, int(year), market_scenario)
    inputs: dict[str, np.ndarray | float] = {k: dated[k] for k in r["inputs_kg_per_kg"] if k in dated}
    cost = route_cost(name, inputs, table[region], table[r["reference_region"]], capacity_t_per_yr, utilization)
    keys = {v["source"] for v in r.values() if isinstance(v, dict) and "source" in v}
    keys |= {v["source"] for v in r["inputs_kg_per_kg"].values()}
    return {
        "route": name,
        "description": r["description"],
        "region": region,
        "year": int(year),
        "usd_per_kg": {k: float(v) for k, v in cost.items()},
        "input_prices_usd_per_kg": inputs,
        "sources": sorted(keys),
    }
