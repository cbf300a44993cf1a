"""Public commercial cells (``data/reference_cells.csv``) as specs the design engine can run.

Used by the validation tests and by ``tools/calibrate_presets.py``: each row gives a cell's
chemistry family, format, outer dimensions, capacity and mass, with its source.
"""

from __future__ import annotations

import csv
from importlib import resources

_NUMERIC = ("capacity_Ah", "nominal_voltage_V", "mass_kg", "width_mm", "thickness_mm", "height_mm", "diameter_mm")


def reference_cells() -> list[dict]:
    """Rows of ``data/reference_cells.csv``; numeric columns as floats (None where blank)."""
    text = (resources.files("cellwright") / "data" / "reference_cells.csv").read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        for key in _NUMERIC:
            row[key] = float(row[key]) if row[key] else None
        rows.append(row)
    return rows


def spec_for(row: dict) -> dict | None:
    """A spec (preset, format, outer dimensions, no override) for a reference cell, or None
    where the row lacks a dimension."""
    keys = ("diameter_mm", "height_mm") if row["format"] == "cylindrical" else ("width_mm", "thickness_mm", "height_mm")
    if any(row[k] is None for k in keys):
        return None
    return {
        "name": row["cell"],
        "chemistry": row["chemistry"],
        "format": row["format"],
        "dimensions": {k: row[k] for k in keys},
    }
