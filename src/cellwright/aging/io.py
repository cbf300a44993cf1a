"""Reading duty-cycle profiles: CSV with ``time_s``, ``soc`` (0-1) and ``temperature_C``
columns. A malformed file is a :class:`SpecError` naming the line and column at fault."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..errors import SpecError

COLUMNS = ("time_s", "soc", "temperature_C")


def read_profile(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SpecError("profile", str(path), "file not found") from None
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SpecError(f"{path.name}: line 1", ",".join(reader.fieldnames or []), "needs columns " + ", ".join(COLUMNS))
    data = {c: [] for c in COLUMNS}
    for line, row in enumerate(reader, start=2):
        for c in COLUMNS:
            try:
                value = float(row[c])
            except (TypeError, ValueError):
                raise SpecError(f"{path.name}: line {line}, column {c}", row.get(c), "a number") from None
            if c == "soc" and not 0.0 <= value <= 1.0:
                raise SpecError(f"{path.name}: line {line}, column soc", value, "within 0-1")
            data[c].append(value)
    t = np.array(data["time_s"])
    if t.size < 3:
        raise SpecError(str(path.name), t.size, "at least 3 rows")
    if np.any(np.diff(t) <= 0):
        line = int(np.argmax(np.diff(t) <= 0)) + 3
        raise SpecError(f"{path.name}: line {line}, column time_s", t[line - 2], "times must increase")
    return t, np.array(data["soc"]), np.array(data["temperature_C"])
