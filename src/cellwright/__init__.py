"""cellwright: the lithium-ion battery value chain, from materials to storage projects.

The package is batch-first: model functions take arrays over N designs and return arrays.
Heavy modules load on first use, so ``import cellwright`` stays fast.
"""

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "design_cells": ("cellwright.design", "design_cells"),
    "DesignInputs": ("cellwright.design", "DesignInputs"),
    "load_spec": ("cellwright.spec", "load_spec"),
    "Cell": ("cellwright.cell", "Cell"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'cellwright' has no attribute {name!r}")


__all__ = ["__version__", *_LAZY]
