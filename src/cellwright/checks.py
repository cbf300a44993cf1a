"""Checks at the library's doors: arrays a user passes to a public function.

Each check raises :class:`~cellwright.errors.SpecError` naming the argument, the offending value
and what is allowed, before any work starts. Model functions call them on their inputs; the
numeric core behind them then assumes clean arrays.
"""

from __future__ import annotations

import numpy as np

from .errors import SpecError

#: Absolute zero in degrees Celsius.
ABSOLUTE_ZERO_degC = -273.15


def as_finite(name: str, value, ndim: int | None = None) -> np.ndarray:
    """``value`` as a float array; every element finite, and ``ndim`` dimensions if given."""
    try:
        x = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise SpecError(name, _show(value), "numbers") from None
    if ndim is not None and x.ndim != ndim:
        raise SpecError(name, f"shape {x.shape}", f"an array of {ndim} dimension(s)")
    if x.size == 0:
        raise SpecError(name, "an empty array", "at least one value")
    bad = ~np.isfinite(x)
    if bad.any():
        raise SpecError(name, float(x[bad][0]), "finite numbers (no NaN or infinity)")
    return x


def in_range(name: str, x, low: float, high: float, allowed: str | None = None) -> np.ndarray:
    """Finite values within [``low``, ``high``]; the first one outside is named."""
    x = as_finite(name, x)
    bad = (x < low) | (x > high)
    if bad.any():
        raise SpecError(name, float(x[bad][0]), allowed or f"within {low:g} to {high:g}")
    return x


def positive(name: str, x) -> np.ndarray:
    """Finite values > 0."""
    x = as_finite(name, x)
    bad = x <= 0
    if bad.any():
        raise SpecError(name, float(x[bad][0]), "greater than 0")
    return x


def increasing(name: str, t, min_step: float = 0.0) -> np.ndarray:
    """A 1-D finite series that strictly increases, by more than ``min_step`` at every step."""
    t = as_finite(name, t, ndim=1)
    steps = np.diff(t)
    bad = steps <= min_step
    if bad.any():
        i = int(np.argmax(bad))
        what = "strictly increasing" + (f" in steps of more than {min_step:g}" if min_step > 0 else "")
        raise SpecError(f"{name}[{i + 1}]", float(t[i + 1]), f"{what} (previous value {t[i]:g})")
    return t


def temperature_degC(name: str, x, low: float = -60.0, high: float = 150.0) -> np.ndarray:
    """Temperatures in degrees Celsius, finite and within [``low``, ``high``].

    Values near 300 are named as likely kelvin; values below absolute zero as impossible.
    """
    x = as_finite(name, x)
    if (x < ABSOLUTE_ZERO_degC).any():
        raise SpecError(name, float(x.min()), "below absolute zero (-273.15 degC)")
    if (x > high).any():
        v = float(x.max())
        hint = "; it looks like kelvin, give degrees Celsius" if 200.0 <= v <= 400.0 else ""
        raise SpecError(name, v, f"degrees Celsius within {low:g} to {high:g}{hint}")
    if (x < low).any():
        raise SpecError(name, float(x.min()), f"degrees Celsius within {low:g} to {high:g}")
    return x


def fraction(name: str, x) -> np.ndarray:
    """Fractions within 0-1 (a state of charge, a depth of discharge); percent is named as such."""
    x = as_finite(name, x)
    bad = (x < 0.0) | (x > 1.0)
    if bad.any():
        v = float(x[bad][0])
        hint = "; it looks like percent, give a fraction (0.8 for 80 %)" if 1.0 < v <= 100.0 else ""
        raise SpecError(name, v, f"a fraction within 0-1{hint}")
    return x


def same_shape(names: tuple[str, ...], *arrays: np.ndarray) -> None:
    """All arrays of one shape; the first that differs is named."""
    for name, a in zip(names[1:], arrays[1:]):
        if a.shape != arrays[0].shape:
            raise SpecError(name, f"shape {a.shape}", f"the shape of {names[0]}, {arrays[0].shape}")


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
