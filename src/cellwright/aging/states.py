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


def power_b_state(y0: np.ndarray, dx, k: np.ndarray, p: float) -> np.ndarray:
    """Increment of y = (k x)^p over dx from y0 (virtual abscissa z = y0^(1/p) / k)."""
    y0 = np.asarray(y0, dtype=float)
    dx = np.broadcast_to(np.asarray(dx, dtype=float), y0.shape)
    k = np.broadcast_to(np.asarray(k, dtype=float), y0.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = y0 ** (1.0 / p) / k
        slope = p * (k * z) ** p / z
        first = (k * dx) ** p
    return np.where(dx == 0.0, 0.0, np.where(y0 == 0.0, first, slope * dx))


def sigmoid_state(y0: np.ndarray, dx, y_inf: np.ndarray, k, p) -> np.ndarray:
    """Increment of y = y_inf tanh((k x)^p / 2) over dx from y0.

    Where the window's ceiling y_inf is at or below the state (a colder, lower-SOC window can
    lower it), the state holds (increment 0): BLAST-Lite turns NaN there (see the fixture
    README); cellwright keeps the loss already accrued.
    """
    y0 = np.asarray(y0, dtype=float)
    dx = np.broadcast_to(np.asarray(dx, dtype=float), y0.shape)
    y_inf = np.broadcast_to(np.asarray(y_inf, dtype=float), y0.shape)
    k = np.broadcast_to(np.asarray(k, dtype=float), y0.shape)
    p = np.broadcast_to(np.asarray(p, dtype=float), y0.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x_v = np.log((y_inf + y0) / (y_inf - y0)) ** (1.0 / p) / k
        z = (k * x_v) ** p
        slope = 2.0 * y_inf * p * np.exp(z) * z / (x_v * (np.exp(z) + 1.0) ** 2)
        first = 2.0 * y_inf * (0.5 - 1.0 / (1.0 + np.exp((k * dx) ** p)))
    step = np.where(y0 == 0.0, first, slope * dx)
    return np.where((dx == 0.0) | (y0 >= y_inf) | ~np.isfinite(step), 0.0, step)
