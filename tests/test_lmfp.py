"""The LMFP preset: particle size and diffusivity belong together, and the nominal voltage is
the mean over the discharge rather than a point on one of its two plateaus."""

import numpy as np
import pytest

from cellwright import materials
from cellwright.cell import Cell
from cellwright.design.engine import rated_areal_capacity
from cellwright.design.voltage import open_circuit_voltage

SPEC = {
    "chemistry": "lmfp-graphite",
    "format": "prismatic",
    "dimensions": {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0},
}


def test_lmfp_diffusion_time_matches_its_olivine_proxy():
    """R^2/D of the LMFP primary particle equals Prada 2013's for its 50 nm LFP (424 s)."""
    lmfp = materials.get("LMFP")
    t = lmfp.si("particle_radius_um") ** 2 / lmfp.si("diffusivity_m2_s")
    assert t == pytest.approx((50e-9) ** 2 / 5.9e-18, rel=1e-6)


def test_nominal_voltage_is_the_mean_open_circuit_voltage_less_the_c3_drop():
    cell = Cell.from_spec(SPEC)
    inp = cell.resolved.inputs
    li, areal = rated_areal_capacity(inp)
    soc = np.linspace(0.0, 1.0, 2001)
    ocv = np.array([open_circuit_voltage(s, inp, li)[0] for s in soc])
    mean = np.trapezoid(ocv, soc)
    drop = areal[0] / (3 * 3600.0) * inp.asi[0]
    assert cell.summary()["nominal_voltage_V"] == pytest.approx(mean - drop, abs=2e-3)


def test_lmfp_nominal_voltage_lies_between_its_plateaus():
    """LiMn0.6Fe0.4PO4 against graphite: Fe plateau near 3.4 V, Mn plateau near 4.0 V; the mean
    lies between them and above LFP's."""
    v = Cell.from_spec(SPEC).summary()["nominal_voltage_V"]
    lfp = Cell.from_spec(SPEC | {"chemistry": "lfp-graphite"}).summary()["nominal_voltage_V"]
    assert 3.45 < v < 3.95
    assert v > lfp + 0.3
