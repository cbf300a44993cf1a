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

    def slope(self, x: np.ndarray) -> np.ndarray:
        """Derivative of each design's function at ``x``: the slope of the table's interval
        holding x (0 outside the table, where it is flat)."""

        def one(code, xs):
            tx, ty = _TABLES[code]
            k = np.clip(np.searchsorted(tx, xs, side="right") - 1, 0, tx.size - 2)
            inside = (xs >= tx[0]) & (xs < tx[-1])
            return np.where(inside, (ty[k + 1] - ty[k]) / (tx[k + 1] - tx[k]), 0.0)

        if self.single is not None:
            return one(self.single, x)
        out = np.empty_like(x, dtype=float)
        for code, idx in self.groups:
            out[..., idx] = one(code, x[..., idx])
        return out

    def is_constant(self) -> bool:
        codes = [self.single] if self.single is not None else [c for c, _ in self.groups]
        return all(np.all(_TABLES[c][1] == _TABLES[c][1][0]) for c in codes)


class Packed:
    """The tables of one function for N designs, flattened for compiled kernels.

    ``x``, ``y`` and ``slope`` hold every table used, end to end; design i's table starts at
    ``start[i]`` and has ``length[i]`` points. Uniformly spaced tables (all of PyBaMM's
    tabulations) carry ``x0`` and ``inv_h`` so that a kernel finds the interval by arithmetic;
    ``inv_h`` is 0 for other tables (binary search). Slopes are computed as ``np.interp`` does,
    so the kernels reproduce its values.
    """

    def __init__(self, codes: np.ndarray):
        codes = np.asarray(codes)
        uniq, inverse = np.unique(codes, return_inverse=True)
        xs, ys, slopes, starts, lengths, x0s, inv_hs = [], [], [], [], [], [], []
        at = 0
        for code in uniq:
            tx, ty = _TABLES[int(code)]
            xs.append(tx)
            ys.append(ty)
            with np.errstate(divide="ignore", invalid="ignore"):
                slopes.append(np.append(np.diff(ty) / np.diff(tx), 0.0))
            starts.append(at)
            lengths.append(tx.size)
            at += tx.size
            step = np.diff(tx)
            uniform = tx.size > 1 and step[0] > 0 and np.allclose(step, step[0], rtol=1e-6, atol=0.0)
            x0s.append(tx[0])
            inv_hs.append(1.0 / step[0] if uniform else 0.0)
        self.x = np.concatenate(xs)
        self.y = np.concatenate(ys)
        self.slope = np.concatenate(slopes)
        self.start = np.asarray(starts, dtype=np.int64)[inverse.ravel()]
        self.length = np.asarray(lengths, dtype=np.int64)[inverse.ravel()]
        self.x0 = np.asarray(x0s)[inverse.ravel()]
        self.inv_h = np.asarray(inv_hs)[inverse.ravel()]

    def args(self) -> tuple:
        return self.x, self.y, self.slope, self.start, self.length, self.x0, self.inv_h
