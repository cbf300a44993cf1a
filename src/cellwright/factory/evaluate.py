"""One cell in one plant, for one or several years of operation: the pipeline the CLI uses."""

from __future__ import annotations

import numpy as np

from ..cell import Cell
from ..errors import SpecError
from .cost import (
    COST_CREDIT,
    COST_MATERIALS_NOT_FINITE,
    COST_NO_OUTPUT,
    COST_NOT_FINITE,
    COST_REASONS,
    COST_VALID,
    CostResult,
    cell_cost,
)
from .plant_spec import PlantSpec, cost_inputs


def cost_of(cell: Cell, plant: PlantSpec, years=None) -> CostResult:
    """Cost per good kWh of ``cell`` made in ``plant`` in its year ``plant.year`` of operation,
    or in each of ``years`` (one batched call).

    A cost that is not valid is a SpecError naming what to change: the year when the plant makes
    nothing yet (for ``years``, such years are kept, with no cost), the price set or the plant size
    when the cost is not finite, the credit when it exceeds the cost.
    """
    inputs = cost_inputs(cell.resolved, plant, years)
    design = cell.result.take(np.zeros(len(inputs), dtype=int))
    result = cell_cost(design, inputs)
    if years is None and result.reason[0] == COST_NO_OUTPUT:
        raise SpecError(
            "year",
            plant.year,
            "the plant makes nothing yet that year (start of production delayed by its scenario); choose a later year",
        )
    broken = np.flatnonzero((result.reason != COST_VALID) & (result.reason != COST_NO_OUTPUT))
    if broken.size:
        i = int(broken[0])
        code = int(result.reason[i])
        field, allowed = COST_REASONS[code]
        value: object = None
        if code == COST_NOT_FINITE:
            field, value = "annual_GWh", plant.annual_GWh
        elif code == COST_MATERIALS_NOT_FINITE:
            value = plant.prices
        elif code == COST_CREDIT:
            value = float(inputs.credit_usd_per_kWh[i])
        if years is not None:
            allowed = f"in year {np.atleast_1d(years)[i]} of operation, {allowed}"
        raise SpecError(field, value, allowed)
    return result


def trajectory(cell: Cell, plant: PlantSpec, years: int = 10) -> CostResult:
    """Year-by-year cost of a new plant from its first year of operation."""
    return cost_of(cell, plant, np.arange(1, years + 1))
