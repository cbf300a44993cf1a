"""Reading duty-cycle profiles: CSV with ``time_s``, ``soc`` (0-1) and ``temperature_C``
columns. A malformed file is a :class:`SpecError` naming the line and column at fault."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..errors import SpecError

COLUMNS = ("time_s", "soc", "temperature_C")


def read_columns(
    path: str | Path, required: tuple[str, ...], optional: tuple[str, ...] = (), field: str = "profile"
) -> dict[str, np.ndarray]:
    """Numeric columns of a CSV whose first column in ``required`` is an increasing time; at
    least 3 rows. Errors name the file, the line and the column."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SpecError(field, str(path), "file not found") from None
    reader = csv.DictReader(lines)
    names = reader.fieldnames or []
    if any(c not in names for c in required):
        more = f" (optional {', '.join(optional)})" if optional else ""
        raise SpecError(f"{path.name}: line 1", ",".join(names), "needs columns " + ", ".join(required) + more)
    cols = list(required) + [c for c in optional if c in names]
    data: dict[str, list[float]] = {c: [] for c in cols}
    for line, row in enumerate(reader, start=2):
        for c in cols:
            try:
                data[c].append(float(row[c]))
            except (TypeError, ValueError):
                raise SpecError(f"{path.name}: line {line}, column {c}", row.get(c), "a number") from None
    out = {c: np.array(v) for c, v in data.items()}
    t = out[required[0]]
    if t.size < 3:
        raise SpecError(path.name, t.size, "at least 3 rows")
    if np.any(np.diff(t) <= 0):
        line = int(np.argmax(np.diff(t) <= 0)) + 3
        raise SpecError(f"{path.name}: line {line}, column {required[0]}", t[line - 2], "times must increase")
    return out


def read_profile(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``time_s, soc, temperature_C`` of a duty-cycle CSV; SOC within 0-1."""
    d = read_columns(path, COLUMNS)
    bad = (d["soc"] < 0.0) | (d["soc"] > 1.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise SpecError(f"{Path(path).name}: line {i + 2}, column soc", float(d["soc"][i]), "within 0-1")
    return d["time_s"], d["soc"], d["temperature_C"]
