"""The storage component table: sourced costs per cost set and shared physical data.

Reads ``data/storage_components.csv`` (layout documented at the top of
``data/sources/storage.toml``). Each row is one value with unit, basis, source and currency
year, in the style of PyPSA technology-data.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from cellwright.errors import SpecError

#: What a cost value multiplies. ``dc_kWh``: DC nameplate energy [kWh]; ``rated_kWh``: rated
#: power x duration [kWh]; ``rated_kW``: rated power at the point of interconnection [kW].
COST_BASES = ("dc_kWh", "rated_kWh", "rated_kW")


@cache
def table() -> tuple[dict, ...]:
    """All rows of the component table as dicts (``value`` as float)."""
    text = (resources.files("cellwright") / "data" / "storage_components.csv").read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        row = dict(row)
        row["value"] = float(row["value"])
        rows.append(row)
    return tuple(rows)


def cost_sets() -> list[str]:
    """Names of the cost sets (regions) in the table, e.g. ``['china', 'united-states']``."""
    return sorted({r["cost_set"] for r in table() if r["cost_set"] != "all"})


def cost_set(name: str) -> dict[str, dict]:
    """Capex rows of one cost set, keyed by component.

    Returns ``{component: {"value", "unit", "basis", "source", "currency_year", "note"}}`` for
    rows with ``parameter == "capex"``. Raises SpecError for an unknown name.
    """
    if name not in cost_sets():
        raise SpecError("cost_set", name, f"one of {', '.join(cost_sets())}")
    return {r["component"]: r for r in table() if r["cost_set"] == name and r["parameter"] == "capex"}


def rows(cost_set_name: str, parameter: str) -> dict[str, dict]:
    """Rows of one cost set (or ``"all"``) with the given parameter, keyed by component."""
    return {r["component"]: r for r in table() if r["cost_set"] == cost_set_name and r["parameter"] == parameter}


def _physical_row(component: str, parameter: str) -> dict:
    for r in table():
        if r["cost_set"] == "all" and r["component"] == component and r["parameter"] == parameter:
            return r
    raise KeyError(f"no physical value {component}.{parameter} in storage_components.csv")


def physical(component: str, parameter: str, given=None):
    """A shared physical value (cost_set ``all``), e.g. ``physical("pcs", "efficiency_discharge")``;
    ``given`` instead when it is not None (a caller's override of the table's default)."""
    return _physical_row(component, parameter)["value"] if given is None else given


def physical_source(component: str, parameter: str) -> str:
    """The citation key of a shared physical value."""
    return _physical_row(component, parameter)["source"]
