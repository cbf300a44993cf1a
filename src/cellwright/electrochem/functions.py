"""Tabulated material functions (open-circuit potential, diffusivity, conductivity) by code.

A batched model refers to each design's functions by integer code; a function is a table
(x, y) interpolated linearly, flat outside its range. Codes are assigned as tables are
registered, so N designs that share a material share a table and are evaluated together.
"""

from __future__ import annotations

import numpy as np

_TABLES: list[tuple[np.ndarray, np.ndarray]] = []
_INDEX: dict[str, int] = {}


def register(key: str, x, y) -> int:
    """Register (or look up) a table under ``key``; returns its integer code."""
    if key in _INDEX:
        return _INDEX[key]
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    order = np.argsort(x)
    _TABLES.append((x[order], y[order]))
    _INDEX[key] = len(_TABLES) - 1
    return _INDEX[key]


def constant(key: str, value: float) -> int:
    """A constant as a two-point table."""
    return register(key, [0.0, 1.0e9], [value, value])


def table(code: int) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) points of a registered function (a constant is two points)."""
    return _TABLES[int(code)]


def evaluate(codes: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each row's function at ``x`` (shape (N,) or (N, M): one code per row)."""
    codes = np.asarray(codes)
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    uniq = np.unique(codes)
    if uniq.size == 1:
        tx, ty = _TABLES[int(uniq[0])]
        return np.interp(x, tx, ty)
    for code in uniq:
        sel = codes == code
        tx, ty = _TABLES[int(code)]
        out[sel] = np.interp(x[sel], tx, ty)
    return out


class Grouped:
    """Evaluate one function per design for a fixed set of codes, grouping designs by code once.

    ``x`` may be (N,) or (M, N) (designs along the last axis).
    """

    def __init__(self, codes: np.ndarray):
        codes = np.asarray(codes)
        uniq = np.unique(codes)
        self.single = int(uniq[0]) if uniq.size == 1 else None
        self.groups = [] if self.single is not None else [(int(c), np.flatnonzero(codes == c)) for c in uniq]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.single is not None:
            tx, ty = _TABLES[self.single]
            return np.interp(x, tx, ty)
        out = np.empty_like(x, dtype=float)
        for code, idx in self.groups:
            tx, ty = _TABLES[code]
            out[..., idx] = np.interp(x[..., idx], tx, ty)
        return out

    def is_constant(self) -> bool:
        codes = [self.single] if self.single is not None else [c for c, _ in self.groups]
        return all(np.all(_TABLES[c][1] == _TABLES[c][1][0]) for c in codes)
