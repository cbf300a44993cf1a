"""Dated commodity prices and the industry's learning curve: what a calendar year costs.

Data: ``data/commodity_paths.csv``, one row per (series, scenario, year) with its source.
``history`` rows are published annual averages (China spot for lithium salts and iron
phosphate, LME for metals); the scenario rows (``base``, ``high``, ``low``) are the paths
ahead. A year between two points of a path is interpolated linearly; after the last point a
path stays flat. Ahead of the history a scenario starts from the last history point.

Lithium is priced on one basis: lithium hydroxide is lithium carbonate x (1 + the dated premium
of one over the other, ``lithium_hydroxide_premium``, negative when carbonate is dearer), so a
carbonate price (``--lce``) moves every lithium-bearing cathode, LFP, LMFP, NMC and NCA alike.

The industry learning curve is Wright's law on China's cumulative Li-ion production
[ziegler-trancik-2021]: conversion cost (labour, capital, energy, overheads per kWh) in year
Y is x (X(Y) / X(Y0)) ** -b of its value in the basis year Y0 of the conversion data
(``plants.toml [learning] basis_year``), with X(Y) the cumulative production at mid-year Y and
b = -log2(1 - learning rate).
"""

from __future__ import annotations

import csv
import math
from functools import cache
from importlib import resources

import numpy as np

from ..errors import SpecError
from . import process

HISTORY = "history"


@cache
def _rows() -> list[dict]:
    text = (resources.files("cellwright") / "data" / "commodity_paths.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@cache
def paths() -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """series -> scenario -> (years, values), years ascending."""
    table: dict[str, dict[str, dict[int, float]]] = {}
    for r in _rows():
        table.setdefault(r["series"], {}).setdefault(r["scenario"], {})[int(r["year"])] = float(r["value"])
    return {
        series: {sc: (np.array(sorted(pts)), np.array([pts[y] for y in sorted(pts)])) for sc, pts in by.items()}
        for series, by in table.items()
    }


@cache
def scenarios() -> tuple[str, ...]:
    """The named scenarios ahead of the history."""
    return tuple(sorted({r["scenario"] for r in _rows()} - {HISTORY}))


def first_year() -> int:
    """The first calendar year every series has history for."""
    return max(int(p[HISTORY][0][0]) for p in paths().values())


@cache
def value(series: str, year: int, scenario: str = "base") -> float:
    """The series' value in calendar ``year``: its history, or ahead of it the scenario's path."""
    if scenario not in scenarios():
        raise SpecError("plant.market_scenario", scenario, "allowed: " + ", ".join(scenarios()))
    hist_years, hist = paths()[series][HISTORY]
    if year < hist_years[0]:
        raise SpecError(
            "plant.start_year",
            year,
            f"a calendar year from {first_year()}: the price history of {series} starts in {int(hist_years[0])}",
        )
    if year <= hist_years[-1]:
        return float(np.interp(year, hist_years, hist))
    path = paths()[series]
    years, values = path.get(scenario, path.get("base", (np.array([]), np.array([]))))
    years = np.concatenate([hist_years[-1:], years])
    values = np.concatenate([hist[-1:], values])
    return float(np.interp(year, years, values))


def prices_for_year(price_set, year: int, scenario: str, overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Commodity prices (USD/kg) of ``price_set`` in calendar ``year``.

    The set's own quotes stand for its year; other years follow the dated paths (a commodity
    without a path keeps the set's price, in real terms). ``overrides`` (a plant's
    ``commodities``) hold in every year. Derived commodities (lithium hydroxide) are their base
    x (1 + the dated premium), after the overrides of the base.
    """
    overrides = overrides or {}
    out: dict[str, float] = {}
    for name, price in price_set.commodities.items():
        if name in overrides:
            out[name] = overrides[name]
        elif year == price_set.year or name not in paths():
            out[name] = price.value
        else:
            out[name] = value(name, year, scenario)
    for name, spec in price_set.derived.items():
        if name in overrides:
            out[name] = overrides[name]
            continue
        premium_series = f"{name}_premium"
        if year == price_set.year or premium_series not in paths():
            premium = spec["premium"]["value"]
        else:
            premium = value(premium_series, year, scenario)
        out[name] = out[spec["from"]] * (1.0 + premium)
    return out


def _cumulative_GWh(year: float, scenario: str) -> float:
    """World cumulative Li-ion production at mid-``year``, GWh."""
    learning = process.plant_data()["learning"]
    start = int(paths()["li_ion_production_GWh"][HISTORY][0][0])
    total = float(learning["cumulative_before_GWh"]["value"])
    for y in range(start, int(year)):
        total += value("li_ion_production_GWh", y, scenario)
    return total + 0.5 * value("li_ion_production_GWh", int(year), scenario)


def basis_year() -> int:
    """The year of the conversion data (labour, capital, energy per kWh)."""
    return int(process.plant_data()["learning"]["basis_year"]["value"])


@cache
def industry_multiplier(year: int, basis: int | None = None, scenario: str = "base") -> float:
    """Conversion cost in calendar ``year`` over that of ``basis`` (default: the conversion
    data's year), by Wright's law on China's cumulative Li-ion production."""
    basis_year_ = basis_year() if basis is None else basis
    if year == basis_year_:
        return 1.0
    rate = process.plant_data()["learning"]["industry_rate"]["value"]
    b = -math.log2(1.0 - rate)
    return (_cumulative_GWh(year, scenario) / _cumulative_GWh(basis_year_, scenario)) ** (-b)
