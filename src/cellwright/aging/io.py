"""Reading duty-cycle profiles: CSV with ``time_s`` (s), ``soc`` (fraction 0-1) and
``temperature_degC`` (degC) columns. A malformed file is a :class:`SpecError` naming the
line and column at fault."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import checks
from ..errors import SpecError
from ..readers import Columns, read_csv
from .duty import MIN_STEP_S, TEMPERATURE_RANGE_degC

COLUMNS = ("time_s", "soc", "temperature_degC")
#: Columns that were renamed: old name -> new name.
RENAMED = {"temperature_C": "temperature_degC"}


def read_columns(
    path: str | Path, required: tuple[str, ...], optional: tuple[str, ...] = (), field: str = "profile"
) -> Columns:
    """Numeric columns of a CSV whose first column in ``required`` is a strictly increasing
    time; at least 3 rows of finite numbers. Errors name the file, the line and the column; a
    column under its old name (``RENAMED``) is an error naming the new one."""
    old = tuple(o for o, new in RENAMED.items() if new in required + optional)
    try:
        out = read_csv(path, required, optional + old, field=field, min_rows=3)
    except SpecError as exc:
        for o in old:
            if o in str(exc.value).split(","):
                raise _renamed(path, o) from None
        raise
    for o in old:
        if o in out:
            raise _renamed(path, o)
    t = out[required[0]]
    steps = np.diff(t)
    if np.any(steps <= 0):
        i = int(np.argmax(steps <= 0)) + 1
        raise SpecError(
            f"{Path(path).name}: line {out.line(i)}, column {required[0]}", float(t[i]), "times must increase"
        )
    return out


def read_profile(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``time_s, soc, temperature_degC`` of a duty-cycle CSV, checked as
    :func:`cellwright.aging.duty.check_duty` checks them (SOC within 0-1, temperatures in degC
    within ``TEMPERATURE_RANGE_degC``, time steps of at least ``MIN_STEP_S``)."""
    d = read_columns(path, COLUMNS)
    name = Path(path).name
    t = d["time_s"]
    short = np.diff(t) < MIN_STEP_S
    if short.any():
        i = int(np.argmax(short)) + 1
        raise SpecError(
            f"{name}: line {d.line(i)}, column time_s",
            float(t[i]),
            f"a step of at least {MIN_STEP_S:g} s after {t[i - 1]:g}",
        )
    _check_column(d, name, "soc", checks.fraction)
    _check_column(d, name, "temperature_degC", checks.temperature_degC, *TEMPERATURE_RANGE_degC)
    return t, d["soc"], d["temperature_degC"]


def _check_column(d: Columns, name: str, column: str, check, *args) -> None:
    """Run a :mod:`cellwright.checks` function on one column; an error names the value's line."""
    values = d[column]
    try:
        check(column, values, *args)
    except SpecError as exc:
        i = int(np.argmax(values == exc.value))
        raise SpecError(f"{name}: line {d.line(i)}, column {column}", exc.value, exc.allowed) from None


def _renamed(path: str | Path, old: str) -> SpecError:
    return SpecError(f"{Path(path).name}: column {old}", old, f"renamed {RENAMED[old]} (degrees Celsius); rename it")
