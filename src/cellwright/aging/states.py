"""State updates of semi-empirical laws with "virtual time" [blast-lite]: when the stress (the
rate k) changes, a law y = k x^p continues from the x at which the new trajectory has the
present y, so the history carries over without restarting at x = 0."""

from __future__ import annotations

import numpy as np


def power_state(y0: np.ndarray, dx, k: np.ndarray, p: float) -> np.ndarray:
    """Increment of y = k x^p over dx from y0: dy/dx = k p (y0/k)^((p-1)/p) (y0 = 0: k dx^p)."""
    y0 = np.asarray(y0, dtype=float)
    dx = np.broadcast_to(np.asarray(dx, dtype=float), y0.shape)
    k = np.broadcast_to(np.asarray(k, dtype=float), y0.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = k * p * (y0 / k) ** ((p - 1.0) / p)
        first = k * dx**p
    return np.where(dx == 0.0, 0.0, np.where(y0 == 0.0, first, slope * dx))
