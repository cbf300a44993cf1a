"""Cell design: electrode build-up, formats, capacity, voltage, mass, volume, bill of materials.

Functional core, batch-first: :func:`design_cells` takes a :class:`DesignInputs` structure of
arrays over N designs and returns a :class:`DesignResult`; :func:`size_to_capacity` and
:func:`size_to_energy` solve for a dimension instead.
"""

from .engine import BOM_COMPONENTS, DesignResult, design_cells, electrode_build
from .inputs import FORMATS, DesignInputs
from .sizing import size_to_capacity, size_to_energy

__all__ = [
    "BOM_COMPONENTS",
    "FORMATS",
    "DesignInputs",
    "DesignResult",
    "design_cells",
    "electrode_build",
    "size_to_capacity",
    "size_to_energy",
]
