"""Reading duty-cycle profiles: CSV with ``time_s``, ``soc`` (0-1) and ``temperature_C``
columns. A malformed file is a :class:`SpecError` naming the line and column at fault."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SpecError
from ..readers import Columns, read_csv

COLUMNS = ("time_s", "soc", "temperature_C")


def read_columns(
    path: str | Path, required: tuple[str, ...], optional: tuple[str, ...] = (), field: str = "profile"
) -> Columns:
    """Numeric columns of a CSV whose first column in ``required`` is a strictly increasing
    time; at least 3 rows of finite numbers. Errors name the file, the line and the column."""
    out = read_csv(path, required, optional, field=field, min_rows=3)
    t = out[required[0]]
    steps = np.diff(t)
    if np.any(steps <= 0):
        i = int(np.argmax(steps <= 0)) + 1
        raise SpecError(
            f"{Path(path).name}: data row {i + 1}, column {required[0]}", float(t[i]), "times must increase"
        )
    return out


def read_profile(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``time_s, soc, temperature_C`` of a duty-cycle CSV; SOC within 0-1."""
    d = read_columns(path, COLUMNS)
    bad = (d["soc"] < 0.0) | (d["soc"] > 1.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise SpecError(f"{Path(path).name}: line {i + 2}, column soc", float(d["soc"][i]), "within 0-1")
    return d["time_s"], d["soc"], d["temperature_C"]
