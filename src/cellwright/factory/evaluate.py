"""One cell in one plant, for one or several years of operation: the pipeline the CLI uses."""

from __future__ import annotations

import numpy as np

from ..cell import Cell
from ..errors import SpecError
from .cost import CostResult, cell_cost
from .plant_spec import PlantSpec, cost_inputs


def cost_of(cell: Cell, plant: PlantSpec, years=None) -> CostResult:
    """Cost per good kWh of ``cell`` made in ``plant`` in its year ``plant.year`` of operation,
    or in each of ``years`` (one batched call)."""
    inputs = cost_inputs(cell.resolved, plant, years)
    design = cell.result.take(np.zeros(len(inputs), dtype=int))
    result = cell_cost(design, inputs)
    if years is None and np.isnan(result["cell_cost_usd_per_kWh"][0]):
        raise SpecError(
            "year",
            plant.year,
            "the plant makes nothing yet that year (start of production delayed by its scenario); choose a later year",
        )
    return result


def trajectory(cell: Cell, plant: PlantSpec, years: int = 10) -> CostResult:
    """Year-by-year cost of a new plant from its first year of operation."""
    return cost_of(cell, plant, np.arange(1, years + 1))
