"""Size to a target: find the outer dimension that gives a target capacity or energy.

BatPaC's constraints [batpac-v5]: the positive coating is as thick as the preset's (or the
spec's) thickness but no thicker than ``max_cathode_thickness_um``; the cell thickness (or the
cylinder's diameter) is kept; the dimension left out of the spec is solved for. When both
in-plane dimensions are left out, the aspect ratio ties them: positive-electrode length over
width for stacked cells (BatPaC's definition, default 3 for a pouch), outer height over width
for wound prismatic cells. A pouch cell's thickness is nudged so its layer count is whole, as
BatPaC does.

The solve is a vectorised bisection on the free dimension over the fill-mode engine, so every
format sizes the same way and N designs size in one call.
"""

from __future__ import annotations

import numpy as np

from . import pouch
from .engine import DesignResult, design_cells, electrode_build, geometry, nominal_voltage_V
from .inputs import FORMATS, DesignInputs

BISECTION_STEPS = 60
MAX_DIMENSION = 10.0  # m


def size_to_capacity(inp: DesignInputs, free: str, capacity_C, aspect_ratio=None) -> DesignResult:
    """Design N cells whose capacity (C) meets ``capacity_C`` by solving the ``free`` dimension.

    ``free`` is ``"height_mm"``, ``"width_mm"``, or ``"width_mm+height_mm"`` (with
    ``aspect_ratio``); for cylindrical cells ``"height_mm"``.
    """
    capacity_C = np.broadcast_to(np.asarray(capacity_C, dtype=float), (len(inp),))
    inp = _nudge_pouch_thickness(inp)
    place = _placer(inp, free, aspect_ratio)
    lo = np.zeros(len(inp))
    hi = np.full(len(inp), MAX_DIMENSION)
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        res = design_cells(place(mid))
        cap = np.where(res.valid, res["capacity_Ah"] * 3600.0, 0.0)
        short = cap < capacity_C
        lo = np.where(short, mid, lo)
        hi = np.where(short, hi, mid)
    return design_cells(place(hi))


def size_to_energy(inp: DesignInputs, free: str, energy_J, aspect_ratio=None) -> DesignResult:
    """As :func:`size_to_capacity` for a target energy (J): the nominal voltage does not depend
    on the electrode area, so the target capacity is energy / nominal voltage."""
    return size_to_capacity(inp, free, np.asarray(energy_J) / nominal_voltage_V(inp), aspect_ratio)


def _nudge_pouch_thickness(inp: DesignInputs) -> DesignInputs:
    is_pouch = inp.format == FORMATS["pouch"]
    if not is_pouch.any():
        return inp
    t_rep = electrode_build(inp)["t_rep"]
    return inp.replace(thickness=np.where(is_pouch, pouch.whole_layer_thickness(inp, t_rep), inp.thickness))


def _placer(inp: DesignInputs, free: str, aspect_ratio):
    """A function from the free variable (m) to inputs with the free dimension(s) set."""
    if free in ("height_mm", "width_mm"):
        key = free.removesuffix("_mm")
        return lambda s: inp.replace(**{key: s})
    if free != "width_mm+height_mm":
        raise ValueError(f"cannot solve for {free!r}")
    ratio = np.broadcast_to(np.asarray(aspect_ratio, dtype=float), (len(inp),))
    # Outer size -> electrode size is affine; read the offsets off one large probe design.
    big = np.ones(len(inp))
    probe = geometry(inp.replace(width=big, height=big))
    off_w = 1.0 - probe["electrode_width"]
    off_h = 1.0 - probe["electrode_length"]
    outer_ratio = inp.wound & (inp.format != FORMATS["pouch"])

    def place(s):
        h_stacked = ratio * (s - off_w) + off_h
        return inp.replace(width=s, height=np.where(outer_ratio, ratio * s, h_stacked))

    return place
