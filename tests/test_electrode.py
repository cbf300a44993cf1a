"""Electrode build-up against BatPaC's own worked numbers and exact cases."""

import numpy as np
import pytest

from cellwright.design import electrode

# BatPaC v5 Chem sheet (docs/cell-design.md §3): densities g/cm3, fractions, porosity 25 %.
CARBON, PVDF = 1825.0, 1770.0


@pytest.mark.parametrize(
    "am_density, specific_capacity, rho_expected, qv_expected",
    [
        (4650.0, 213.6, 3.28, 672.0),  # NMC811-G (Energy)
        (3450.0, 156.7, 2.50, 375.0),  # LFP-G (Energy)
    ],
)
def test_coating_density_and_volumetric_capacity_match_batpac(am_density, specific_capacity, rho_expected, qv_expected):
    rho = electrode.coating_density(0.25, (0.96, 0.02, 0.02), (am_density, CARBON, PVDF))
    assert rho / 1000 == pytest.approx(rho_expected, abs=0.005)
    qv = electrode.volumetric_capacity(specific_capacity * 3600.0, 0.96, rho)  # C/m3
    assert qv / 3.6e6 == pytest.approx(qv_expected, rel=0.003)  # mAh/cm3


def test_batpac_default_areal_capacity_and_anode_thickness():
    rho_p = electrode.coating_density(0.25, (0.96, 0.02, 0.02), (4650.0, CARBON, PVDF))
    rho_n = electrode.coating_density(0.25, (0.98, 0.0, 0.02), (2240.0, CARBON, 1100.0))
    qv_p = electrode.volumetric_capacity(213.6 * 3600, 0.96, rho_p)
    qv_n = electrode.volumetric_capacity(360.4 * 3600, 0.98, rho_n)
    assert qv_p * 120e-6 / 3.6e4 == pytest.approx(8.07, abs=0.01)  # C/m2 -> mAh/cm2
    l_neg = electrode.negative_thickness(120e-6, qv_p, qv_n, 1.10)
    assert l_neg * 1e6 == pytest.approx(152.7, rel=0.01)


def test_coating_density_is_solid_density_at_zero_porosity():
    rho = electrode.coating_density(0.0, (1.0,), (3600.0,))
    assert rho == pytest.approx(3600.0)


@pytest.mark.parametrize(
    "fce_p, fce_n, np_ratio, expected",
    [
        (1.0, 1.0, 1.1, 1.0),  # no first-cycle loss
        (0.88, 0.93, 1.1, 1.0),  # NMC: the positive's own loss covers the SEI
        (0.98, 0.92, 1.1, 1.0 / 0.98 - 1.1 * (1.0 / 0.92 - 1.0)),  # LFP: lithium-limited
    ],
)
def test_lithium_inventory_factor(fce_p, fce_n, np_ratio, expected):
    assert electrode.lithium_inventory_factor(fce_p, fce_n, np_ratio) == pytest.approx(expected)


def test_repeat_unit_is_batpac_bicell():
    # 15 + 10 + 2 (15 + 120 + 152.7) um = 600.4 um (docs/cell-design.md §4, worked check)
    t = electrode.repeat_unit_thickness(15e-6, 10e-6, 15e-6, 120e-6, 152.7e-6)
    assert t * 1e6 == pytest.approx(600.4)


def test_functions_are_vectorised():
    rho = electrode.coating_density(np.array([0.2, 0.3]), (np.array([1.0, 1.0]),), (np.array([3600.0, 3600.0]),))
    np.testing.assert_allclose(rho, [2880.0, 2520.0])
