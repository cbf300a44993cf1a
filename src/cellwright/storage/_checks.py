"""Argument checks shared by the storage functions: arrays in, SpecError out."""

from __future__ import annotations

import numpy as np

from cellwright.errors import SpecError


def as_array(name: str, value, *, low=None, high=None, low_open=False, high_open=False) -> np.ndarray:
    """``value`` as a float array; SpecError naming ``name`` if any element is NaN or out of range.

    ``low``/``high`` are bounds; ``*_open`` makes the bound exclusive.
    """
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else float(arr)
        lo = "" if low is None else (f"> {low}" if low_open else f">= {low}")
        hi = "" if high is None else (f"< {high}" if high_open else f"<= {high}")
        allowed = " and ".join(p for p in (lo, hi) if p) or "a finite number"
        raise SpecError(name, float(first), f"must be {allowed}")
    return arr


def choice(name: str, value: str, allowed) -> str:
    """``value`` if it is one of ``allowed``, else SpecError."""
    if value not in allowed:
        raise SpecError(name, value, f"one of {', '.join(allowed)}")
    return value
