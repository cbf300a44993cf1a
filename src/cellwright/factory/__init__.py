"""Factory cost: commodity-indexed material prices, a process-based plant, regions, ramp-up,
learning and policy. Batch-first: :func:`cell_cost` takes a design result and a
:class:`CostInputs` structure of arrays over N and returns per-kWh costs and a breakdown."""

from .cost import CONVERSION_LINES, MATERIAL_LINES, CostResult, cell_cost
from .inputs import CostInputs

__all__ = ["CONVERSION_LINES", "MATERIAL_LINES", "CostInputs", "CostResult", "cell_cost"]
