"""The limits of a duty the aging models run on, checked at the aging library's door.

A duty is a series of sample times ``t_s`` (s), states of charge ``soc`` (fractions 0-1) and cell
temperatures ``temperature_degC`` (degC), shared by all cells (M,) or one per cell (N, M). Every
public function of :mod:`cellwright.aging` that takes one calls :func:`check_duty`; a value a
user can fix is a :class:`~cellwright.errors.SpecError` naming the argument before any work
starts. The limits are our assumptions, chosen to refuse only what no aging record holds.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ..errors import SpecError

#: Smallest time step (s): finer than any aging record (loggers sample at 0.1 s or slower). Steps
#: of nanoseconds made a run of a year take billions of windows (finding H4).
MIN_STEP_S = 1e-3
#: Longest simulated time (years): longer than any cell lasts.
MAX_YEARS = 200.0
#: Cell temperatures the aging models are run at (degC): from a cold climate to a hot, faulty
#: pack. No model here is fitted outside -30 to 60 degC; beyond this range they return nonsense.
TEMPERATURE_RANGE_degC = (-40.0, 80.0)
#: Largest degradation scalar (a factor of 1000 on every fade rate is no longer the same cell).
MAX_SCALAR = 1e3
#: Most simulation windows of one run (about a minute of work). A run that would need more is
#: refused before it starts; one that stops at an end of life ends here with a warning.
MAX_WINDOWS = 200_000
#: Most cells x samples of one run (each (N, M) array is 8 bytes per element).
MAX_CELL_SAMPLES = 20_000_000


def check_duty(t_s, soc, temperature_degC, n_cells: int | None = None, prefix: str = ""):
    """``(t_s, soc, temperature_degC, n_cells)`` as checked float arrays.

    ``t_s`` (M,): at least 2 finite times, strictly increasing in steps of at least
    ``MIN_STEP_S`` and spanning at most ``MAX_YEARS``. ``soc`` and ``temperature_degC``: (M,) for
    one duty shared by ``n_cells`` cells, or (N, M) for a duty per cell; SOC a fraction within
    0-1, temperatures within ``TEMPERATURE_RANGE_degC``. ``n_cells`` defaults to N (or 1). The
    arguments are named with ``prefix`` in errors (e.g. ``"tests[1]."``).
    """
    t = checks.as_finite(prefix + "t_s", t_s, ndim=1)
    if t.size < 2:
        raise SpecError(prefix + "t_s", f"{t.size} sample", "at least 2 samples (one step of the duty)")
    checks.increasing(prefix + "t_s", t, min_step=MIN_STEP_S * (1 - 1e-9))
    span_years = (t[-1] - t[0]) / (365.0 * 86400.0)
    if span_years > MAX_YEARS:
        raise SpecError(prefix + "t_s", f"a span of {span_years:.3g} years", f"at most {MAX_YEARS:g} years")
    soc = _per_cell(prefix + "soc", soc, t.size)
    temp = _per_cell(prefix + "temperature_degC", temperature_degC, t.size)
    checks.fraction(prefix + "soc", soc)
    checks.temperature_degC(prefix + "temperature_degC", temp, *TEMPERATURE_RANGE_degC)
    rows = {a.shape[0] for a in (soc, temp) if a.ndim == 2}
    if len(rows) > 1:
        raise SpecError(prefix + "temperature_degC", f"{temp.shape[0]} rows", f"one per cell, as soc: {soc.shape[0]}")
    if n_cells is None:
        n = rows.pop() if rows else 1
    else:
        n = int(checks.in_range("n_cells", n_cells, 1, MAX_CELL_SAMPLES, "a whole number of cells >= 1"))
        if n != n_cells:
            raise SpecError("n_cells", n_cells, "a whole number of cells >= 1")
        if rows and rows != {n}:
            raise SpecError("n_cells", n_cells, f"the number of per-cell duty rows, {rows.pop()}")
    if n * t.size > MAX_CELL_SAMPLES:
        raise SpecError("n_cells", n, f"at most {MAX_CELL_SAMPLES:,} cells x samples in one run ({t.size:,} samples)")
    return t, soc, temp, n


def per_cell(name: str, value, n: int, low: float, high: float) -> np.ndarray:
    """A finite number or (n,) array within [``low``, ``high``], as an (n,) array."""
    x = checks.in_range(name, value, low, high)
    if x.ndim > 1 or (x.ndim == 1 and x.size not in (1, n)):
        raise SpecError(name, f"shape {x.shape}", f"one value, or one per cell ({n},)")
    return np.broadcast_to(x.reshape(-1) if x.ndim else x, (n,))


def _per_cell(name: str, value, m: int) -> np.ndarray:
    x = checks.as_finite(name, value)
    if x.ndim not in (1, 2) or x.shape[-1] != m:
        raise SpecError(name, f"shape {x.shape}", f"({m},) like t_s, or (cells, {m}) for a duty per cell")
    return x
