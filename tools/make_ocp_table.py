#!/usr/bin/env python
"""Regenerate ``src/cellwright/data/ocp.csv`` (open-circuit potential vs Li/Li+).

Usage (from the repository root)::

    python tools/make_ocp_table.py

Pure numpy. Every OCP function below is typed in from the cited source; the citation
key (defined in ``src/cellwright/data/sources/materials.toml``) is given in the comment
above each function.

Stoichiometry convention
------------------------
The table is indexed by the lithiation fraction ``x`` used in ``materials.csv``: the
fraction of the material's *theoretical* capacity occupied by Li (x = 1 fully
lithiated).  The practical window [x_discharged, x_charged] of each material is read
from ``materials.csv`` (single source of truth).  Source OCP fits are written in their
own stoichiometry ``s`` (PyBaMM ``sto = c / c_max``).  Two cases:

* identity (s = x): where the source's c_max matches the theoretical capacity within a
  few per cent (checked in ``_identity_checks``) - LFP (Prada2013/Afshar2017), graphite
  (Ecker2015), graphite-SiOx (Chen2020, whose c_max defines the theoretical capacity we
  use), LiyMn2O4 (Doyle 1996, y is the lattice fraction by definition);
* affine map: where the fit's ``sto`` is not a lattice fraction (NMC811 Chen2020,
  NMC532 Mohtat2020 used as NMC622 proxy, NCA Kim2011), our practical window is mapped
  linearly onto the source's own practical stoichiometry window:
  s = s_c + (x - x_c) * (s_d - s_c) / (x_d - x_c).

LMFP and LTO have no published closed-form OCP that we could use as-is; they are built
from literature plateau potentials with an ideal-solution (Nernst) isotherm per redox
couple (see the functions).  Each curve is tabulated on 81 points over
[min(x) - 0.02, max(x) + 0.02] clipped to [0, 1] and checked to be strictly decreasing
and within a plausible potential band.
"""

from __future__ import annotations

import csv
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "cellwright" / "data"
MATERIALS_CSV = DATA / "materials.csv"
OCP_CSV = DATA / "ocp.csv"

F = 96485.33212  # C/mol (exact, SI 2019)
R = 8.314462618  # J/(mol K) (exact, SI 2019)
T_REF = 298.15  # K
VT = R * T_REF / F  # thermal voltage, 0.025693 V
N_POINTS = 81
MARGIN = 0.02


# --------------------------------------------------------------------------------------
# Source OCP functions (typed in verbatim from the cited code / papers)
# --------------------------------------------------------------------------------------


# [chen2020] PyBaMM `nmc_LGM50_ocp_Chen2020` (src/pybamm/input/parameters/lithium_ion/
# Chen2020.py): LG M50 NMC811 positive electrode, GITT fit.
def nmc811_chen2020(s):
    return (
        -0.8090 * s
        + 4.4875
        - 0.0428 * np.tanh(18.5138 * (s - 0.5542))
        - 17.7326 * np.tanh(15.7890 * (s - 0.3117))
        + 17.5842 * np.tanh(15.9308 * (s - 0.3120))
    )


# [chen2020] PyBaMM `graphite_LGM50_ocp_Chen2020`: LG M50 graphite-SiOx negative.
def graphite_siox_chen2020(s):
    return (
        1.9793 * np.exp(-39.3631 * s)
        + 0.2482
        - 0.0909 * np.tanh(29.8538 * (s - 0.1234))
        - 0.04478 * np.tanh(14.9159 * (s - 0.2769))
        - 0.0205 * np.tanh(30.4444 * (s - 0.6103))
    )


# [ecker2015] PyBaMM `graphite_ocp_Ecker2015` (Ecker2015.py): graphite of the Kokam
# SLPB 75106100 cell, analytical fit by S. O'Kane (Richardson et al. 2020).
def graphite_ecker2015(s):
    a, b, c, d, e = 0.716502, 369.028, 0.12193, 35.6478, 0.0530947
    g, h, i, j, k = 0.0169644, 27.1365, 0.312832, 0.0199313, 28.5697
    m, n, o, p, q = 0.614221, 0.931153, 36.328, 1.10743, 0.140031
    r, s_, t = 0.0189193, 21.1967, 0.196176
    return (
        a * np.exp(-b * s)
        + c * np.exp(-d * (s - e))
        - r * np.tanh(s_ * (s - t))
        - g * np.tanh(h * (s - i))
        - j * np.tanh(k * (s - m))
        - n * np.exp(o * (s - p))
        + q
    )


# [afshar2017] via [prada2013]: PyBaMM `LFP_ocp_Afshar2017` (Prada2013.py).
def lfp_afshar2017(s):
    return 3.4077 - 0.020269 * s + 0.5 * np.exp(-150 * s) - 0.9 * np.exp(-30 * (1 - s))


# [kim2011] PyBaMM `nca_ocp_Kim2011` (NCA_Kim2011.py).
def nca_kim2011(s):
    return (
        1.638 * s**10
        - 2.222 * s**9
        + 15.056 * s**8
        - 23.488 * s**7
        + 81.246 * s**6
        - 344.566 * s**5
        + 621.3475 * s**4
        - 554.774 * s**3
        + 264.427 * s**2
        - 66.3691 * s
        + 11.8058
        - 0.61386 * np.exp(5.8201 * s**136.4)
    )


# [kim2011] PyBaMM `graphite_ocp_Kim2011` (only used to compute Kim's cell window).
def graphite_kim2011(s):
    return (
        0.124
        + 1.5 * np.exp(-70 * s)
        - 0.0351 * np.tanh((s - 0.286) / 0.083)
        - 0.0045 * np.tanh((s - 0.9) / 0.119)
        - 0.035 * np.tanh((s - 0.99) / 0.05)
        - 0.0147 * np.tanh((s - 0.5) / 0.034)
        - 0.102 * np.tanh((s - 0.194) / 0.142)
        - 0.022 * np.tanh((s - 0.98) / 0.0164)
        - 0.011 * np.tanh((s - 0.124) / 0.0226)
        + 0.0155 * np.tanh((s - 0.105) / 0.029)
    )


# [mohtat2020] PyBaMM `NMC_ocp_PeymanMPM` (Mohtat2020.py): NMC532 positive.
def nmc532_mohtat2020(s):
    return (
        4.3452
        - 1.6518 * s
        + 1.6225 * s**2
        - 2.0843 * s**3
        + 3.5146 * s**4
        - 2.2166 * s**5
        - 0.5623e-4 * np.exp(109.451 * s - 100.006)
    )


# [mohtat2020] PyBaMM `graphite_ocp_PeymanMPM` (only used to compute Mohtat's window).
def graphite_mohtat2020(s):
    return (
        0.063
        + 0.8 * np.exp(-75 * (s + 0.001))
        - 0.0120 * np.tanh((s - 0.127) / 0.016)
        - 0.0118 * np.tanh((s - 0.155) / 0.016)
        - 0.0035 * np.tanh((s - 0.220) / 0.020)
        - 0.0095 * np.tanh((s - 0.190) / 0.013)
        - 0.0145 * np.tanh((s - 0.490) / 0.020)
        - 0.0800 * np.tanh((s - 1.030) / 0.055)
    )


# [doyle1996] LiyMn2O4 OCP of Doyle & Newman (1996), as implemented in MPET
# (TRI-AMDD/mpet, mpet/electrode/materials/LiMn2O4_ss.py). y = Li per Mn2O4.
def lmo_doyle1996(y):
    return (
        4.19829
        + 0.0565661 * np.tanh(-14.5546 * y + 8.60942)
        - 0.0275479 * (1.0 / ((0.998432 - y) ** 0.492465) - 1.90111)
        - 0.157123 * np.exp(-0.04738 * y**8)
        + 0.810239 * np.exp(-40 * (y - 0.133875))
    )


# [ombrini2023] (derived construction) LiMn0.6Fe0.4PO4: two redox couples on one
# olivine lattice, Mn3+/Mn2+ at U0 = 4.09 V and Fe3+/Fe2+ at U0 = 3.45 V (the two
# reference potentials of the Ombrini et al. 2023 LiMnyFe1-yPO4 model as coded in MPET,
# mpet/electrode/materials/LiFeMnPO4.py; consistent with the 4.0 V / 3.5 V CV peaks of
# [li2014]).  Capacity shares follow Mn:Fe = 0.6:0.4.  Each couple is given an
# ideal-solution (Nernst) isotherm, x_j = X_j / (1 + exp((U - U0_j)/VT)), and the
# resulting x(U) is inverted numerically.  Shape is an approximation (real plateaus
# are flatter); the plateau potentials and lengths are what the data support.
LMFP_COUPLES = ((0.6, 4.09), (0.4, 3.45))


def _two_site_x(U, couples):
    return sum(X / (1.0 + np.exp((U - U0) / VT)) for X, U0 in couples)


def lmfp_two_plateau(x):
    x = np.atleast_1d(np.asarray(x, dtype=float))
    lo = np.full_like(x, 2.0)
    hi = np.full_like(x, 5.5)
    for _ in range(200):  # bisection; x(U) is strictly decreasing in U
        mid = 0.5 * (lo + hi)
        above = _two_site_x(mid, LMFP_COUPLES) > x
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


# [julien2024] (derived construction) Li4+3xTi5O12: single two-phase couple at
# 1.55 V vs Li/Li+ (Julien & Mauger 2024), given an ideal-solution (Nernst) shape
# U = 1.55 - VT ln(x / (1 - x)).  The measured LTO plateau is flatter than this; the
# plateau potential and the steep tails are what matter for cell design.
def lto_nernst(x):
    return 1.55 - VT * np.log(x / (1.0 - x))


# --------------------------------------------------------------------------------------
# Source practical windows
# --------------------------------------------------------------------------------------


def full_cell_window(u_pos, u_neg, pos, neg, v_low, v_high):
    """Positive-electrode stoichiometry at v_high and v_low for a PyBaMM parameter set.

    pos/neg = (c_max [mol/m3], active volume fraction, thickness [m], initial c [mol/m3]).
    The cyclable lithium is taken from the initial concentrations (conserved).
    """
    cmp_, ep, lp, c0p = pos
    cmn, en, ln, c0n = neg
    cap_p, cap_n = cmp_ * ep * lp, cmn * en * ln
    n_li = c0p * ep * lp + c0n * en * ln

    def ocv(sp):
        sn = (n_li - sp * cap_p) / cap_n
        return u_pos(sp) - u_neg(sn)

    def solve(v):
        lo, hi = 1e-4, 0.9999  # OCV decreases with positive lithiation
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if ocv(mid) > v:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    return solve(v_high), solve(v_low)


# [mohtat2020] PyBaMM Mohtat2020 parameter values; 2.8-4.2 V.
MOHTAT_WINDOW = full_cell_window(
    nmc532_mohtat2020,
    graphite_mohtat2020,
    pos=(35380.0, 0.445, 67e-6, 31513.0),
    neg=(28746.0, 0.61, 62e-6, 48.8682),
    v_low=2.8,
    v_high=4.2,
)
# [kim2011] PyBaMM NCA_Kim2011 parameter values; 2.7-4.2 V.  Only the charged end
# (4.2 V) is used: the 2.7 V end (s = 0.983, U_p = 3.02 V) sits on the fit's cliff
# (U_p = 1.41 V at s = 0.99, -203 V at s = 1), which leaves no room for the 0.02
# tabulation margin; the discharged end is anchored at s = 0.95 (U_p = 3.50 V).
KIM_WINDOW = (
    full_cell_window(
        nca_kim2011,
        graphite_kim2011,
        pos=(49000.0, 0.41, 50e-6, 20090.0),
        neg=(28700.0, 0.51, 70e-6, 18081.0),
        v_low=2.7,
        v_high=4.2,
    )[0],
    0.95,
)
# [chen2020] Stoichiometry at 100 % and 0 % SOC reported by Chen et al. 2020 (as
# transcribed in BattMo.jl src/input/defaults/cell_parameters/Chen2020.json).
CHEN_POS_WINDOW = (0.27, 0.9084)

# name -> (function, source key, mapping) ; mapping None = identity, else (s_c, s_d)
CURVES = {
    "LFP": (lfp_afshar2017, "afshar2017", None),
    "LMFP": (lmfp_two_plateau, "ombrini2023", None),
    "NMC622": (nmc532_mohtat2020, "mohtat2020", MOHTAT_WINDOW),
    "NMC811": (nmc811_chen2020, "chen2020", CHEN_POS_WINDOW),
    "NCA": (nca_kim2011, "kim2011", KIM_WINDOW),
    "LMO": (lmo_doyle1996, "doyle1996", None),
    "graphite-artificial": (graphite_ecker2015, "ecker2015", None),
    "graphite-natural": (graphite_ecker2015, "ecker2015", None),
    "SiOx-graphite": (graphite_siox_chen2020, "chen2020", None),
    "LTO": (lto_nernst, "julien2024", None),
}

# Plausibility band of the tabulated OCP (V vs Li/Li+), checked below.
BANDS = {
    "LFP": (2.5, 3.8),
    "LMFP": (3.2, 4.4),
    "NMC622": (3.4, 4.5),
    "NMC811": (3.4, 4.5),
    "NCA": (3.3, 4.5),
    "LMO": (3.7, 4.4),
    "graphite-artificial": (0.0, 1.5),
    "graphite-natural": (0.0, 1.5),
    "SiOx-graphite": (0.0, 2.5),
    "LTO": (1.3, 1.8),
}


def read_windows(path=MATERIALS_CSV):
    win = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["property"] in ("x_discharged", "x_charged"):
                win.setdefault(row["material"], {})[row["property"]] = float(row["value"])
    return {m: (w["x_charged"], w["x_discharged"]) for m, w in win.items()}


def tabulate(name, x_c, x_d):
    fun, _, mapping = CURVES[name]
    lo = max(0.0, min(x_c, x_d) - MARGIN)
    hi = min(1.0, max(x_c, x_d) + MARGIN)
    x = np.linspace(lo, hi, N_POINTS)
    if mapping is None:
        s = x
    else:
        s_c, s_d = mapping
        s = s_c + (x - x_c) * (s_d - s_c) / (x_d - x_c)
    return x, np.asarray(fun(s), dtype=float)


def check(name, x, u):
    d = np.diff(u)
    if not np.all(d < 0):
        raise ValueError(f"{name}: OCP not strictly decreasing")
    lo, hi = BANDS[name]
    if u.min() < lo or u.max() > hi:
        raise ValueError(f"{name}: OCP {u.min():.3f}-{u.max():.3f} V outside {lo}-{hi} V")


def _identity_checks():
    """Identity mappings need source c_max ~ theoretical capacity (within 5 %)."""
    qm = F / 3.6 / 1000.0  # Ah per mol / 1000 -> mAh/g * g/cm3 to mol/L
    checks = {
        # name: (theoretical mAh/g, density g/cm3, source c_max mol/m3)
        "LFP (Prada2013)": (169.89, 3.57, 22806.0),
        "graphite (Ecker2015)": (371.90, 2.26, 31920.0),
    }
    for label, (q, rho, cmax) in checks.items():
        c_theo = q * rho / qm * 1000.0
        if abs(c_theo / cmax - 1.0) > 0.05:
            raise ValueError(f"{label}: theoretical c {c_theo:.0f} vs c_max {cmax:.0f}")


def main():
    _identity_checks()
    windows = read_windows()
    rows = []
    for name in CURVES:
        x_c, x_d = windows[name]
        x, u = tabulate(name, x_c, x_d)
        check(name, x, u)
        rows += [(name, f"{xi:.6f}", f"{ui:.12f}", CURVES[name][1]) for xi, ui in zip(x, u)]
        u_c, u_m, u_d = (ocp_at(name, x_c, x_d, v) for v in (x_c, 0.5 * (x_c + x_d), x_d))
        print(f"{name:20s} x_c={x_c:.4f} x_d={x_d:.4f}  U(x_c)={u_c:.4f}  U(mid)={u_m:.4f}  U(x_d)={u_d:.4f} V")
    with open(OCP_CSV, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["material", "stoichiometry", "potential_V", "source"])
        w.writerows(rows)
    print(f"wrote {OCP_CSV} ({len(rows)} rows)")


def ocp_at(name, x_c, x_d, x):
    """OCP of ``name`` at lithiation fraction ``x`` (same mapping as the table)."""
    fun, _, mapping = CURVES[name]
    s = x if mapping is None else mapping[0] + (x - x_c) * (mapping[1] - mapping[0]) / (x_d - x_c)
    return float(np.asarray(fun(s)).ravel()[0])


if __name__ == "__main__":
    main()
