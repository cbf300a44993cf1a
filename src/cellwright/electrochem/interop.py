"""Move cells between cellwright and other tools: PyBaMM parameter values and BPX files.

- :func:`to_pybamm` gives a dict with PyBaMM's parameter names (functions as ``(x, y)`` tables;
  :func:`to_pybamm_parameter_values` wraps them in ``pybamm.Interpolant`` when PyBaMM is
  installed, the optional ``validate`` extra).
- :func:`to_bpx` / :func:`save_bpx` write a Battery Parameter eXchange set, validated by the
  ``bpx`` package; :func:`load_bpx` reads one into :class:`SPMeParameters`.

Conventions: BPX's reaction rate constant k relates to PyBaMM's exchange-current prefactor m by
``m = F k / (c_max sqrt(c_e0))`` (BPX: ``j0 = F k sqrt(c_e/c_e0 x (1 - x))``); transport
efficiency is ``eps^b``; the surface area per volume ``3 eps_am / R``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import functions
from .parameters import F, SPMeParameters

BPX_VERSION = "1.0.0"
_GRID = np.linspace(0.0, 1.0, 201)
_CE_GRID = np.linspace(0.0, 3000.0, 121)


def _points(code: int, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A function's own table points (so nothing is lost), clipped to the grid's range."""
    x, y = functions.table(code)
    keep = (x >= grid[0]) & (x <= grid[-1])
    if keep.sum() < 2:
        return grid, functions.evaluate(np.full(grid.shape, code), grid)
    return x[keep], y[keep]


def _table(code: int, grid: np.ndarray) -> dict:
    x, y = _points(code, grid)
    return {"x": x.tolist(), "y": y.tolist()}


def empty_stoichiometries(p: SPMeParameters) -> tuple[np.ndarray, np.ndarray]:
    """Negative and positive stoichiometries at 0 % state of charge: the electrodes' balance
    followed from the initial (full) state until the open-circuit voltage reaches ``V_min``."""
    q_n = F * p.area * p.L_n * p.am_n * p.cmax_n
    q_p = F * p.area * p.L_p * p.am_p * p.cmax_p
    lo, hi = np.zeros(len(p)), np.minimum(p.x_n0 * q_n, (1.0 - p.x_p0) * q_p)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        ocv = functions.evaluate(p.U_p, p.x_p0 + mid / q_p) - functions.evaluate(p.U_n, p.x_n0 - mid / q_n)
        above = ocv > p.V_min
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return p.x_n0 - lo / q_n, p.x_p0 + lo / q_p


def to_pybamm(p: SPMeParameters, i: int = 0) -> dict:
    """PyBaMM parameter values of cell ``i`` (functions as ``(x, y)`` tables)."""
    d = {
        "Electrode height [m]": float(np.sqrt(p.area[i])),
        "Electrode width [m]": float(np.sqrt(p.area[i])),
        "Number of electrodes connected in parallel to make a cell": 1.0,
        "Nominal cell capacity [A.h]": float(p.capacity[i] / 3600.0),
        "Lower voltage cut-off [V]": float(p.V_min[i]),
        "Upper voltage cut-off [V]": float(p.V_max[i]),
        "Reference temperature [K]": float(p.T[i]),
        "Ambient temperature [K]": float(p.T[i]),
        "Initial temperature [K]": float(p.T[i]),
        "Contact resistance [Ohm]": float(p.R_contact[i]),
        "Initial concentration in electrolyte [mol.m-3]": float(p.ce0[i]),
        "Cation transference number": float(p.t_plus[i]),
        "Thermodynamic factor": 1.0,
        "Electrolyte conductivity [S.m-1]": _points(p.kappa[i], _CE_GRID),
        "Electrolyte diffusivity [m2.s-1]": _points(p.D_e[i], _CE_GRID),
        "Separator thickness [m]": float(p.L_s[i]),
        "Separator porosity": float(p.eps_s[i]),
        "Separator Bruggeman coefficient (electrolyte)": float(p.b_s[i]),
        "Current collector perpendicular area [m2]": float(p.area[i]),
    }
    for side, name, x0 in (("n", "Negative", p.x_n0), ("p", "Positive", p.x_p0)):

        def g(f: str, side: str = side):
            return getattr(p, f"{f}_{side}")[i]

        d.update(
            {
                f"{name} electrode thickness [m]": float(g("L")),
                f"{name} electrode porosity": float(g("eps")),
                f"{name} electrode active material volume fraction": float(g("am")),
                f"{name} particle radius [m]": float(g("R")),
                f"Maximum concentration in {name.lower()} electrode [mol.m-3]": float(g("cmax")),
                f"Initial concentration in {name.lower()} electrode [mol.m-3]": float(x0[i] * g("cmax")),
                f"{name} electrode conductivity [S.m-1]": float(g("sigma")),
                f"{name} electrode Bruggeman coefficient (electrolyte)": float(g("b")),
                f"{name} electrode Bruggeman coefficient (electrode)": float(getattr(p, f"bs_{side}")[i]),
                f"{name} electrode charge transfer coefficient": 0.5,
                f"{name} electrode exchange-current prefactor [A.m-2.(m3.mol-1)1.5]": float(g("m")),
                f"{name} particle diffusivity [m2.s-1]": _points(g("D"), _GRID),
                f"{name} electrode OCP [V]": _points(g("U"), _GRID),
            }
        )
    return d


def _interpolant(pybamm, x, y, name: str, key: str):
    """PyBaMM's function of a tabulated parameter, with the arguments PyBaMM passes for ``key``."""
    if key.startswith("Electrolyte"):
        return lambda c_e, T: pybamm.Interpolant(x, y, c_e, name=name)
    if "OCP" in key:
        return lambda sto: pybamm.Interpolant(x, y, sto, name=name)
    return lambda sto, T: pybamm.Interpolant(x, y, sto, name=name)


def _exchange_current(m: float):
    """PyBaMM's symmetric exchange-current density with prefactor ``m``."""
    return lambda c_e, c_s_surf, c_s_max, T: m * c_e**0.5 * c_s_surf**0.5 * (c_s_max - c_s_surf) ** 0.5


def to_pybamm_parameter_values(p: SPMeParameters, i: int = 0):
    """``pybamm.ParameterValues`` for cell ``i`` (needs PyBaMM: ``pip install cellwright[validate]``)."""
    import pybamm

    raw = to_pybamm(p, i)
    values = {}
    for key, val in raw.items():
        if isinstance(val, tuple):
            x, y = val
            name = key.split(" [")[0]
            values[key] = _interpolant(pybamm, x, y, name, key)
        else:
            values[key] = val
    for name in ("Negative", "Positive"):
        m = values.pop(f"{name} electrode exchange-current prefactor [A.m-2.(m3.mol-1)1.5]")
        values[f"{name} electrode exchange-current density [A.m-2]"] = _exchange_current(m)
    pv = pybamm.ParameterValues("Chen2020")  # defaults for what a SPMe/DFN does not use (thermal, etc.)
    pv.update(values, check_already_exists=False)
    return pv


def to_bpx(p: SPMeParameters, i: int = 0, title: str = "cellwright cell") -> dict:
    """A BPX parameter set (dict, BPX schema) of cell ``i``."""
    x_n_empty, x_p_empty = empty_stoichiometries(p)

    def electrode(side: str, x_lo: float, x_hi: float) -> dict:
        g = lambda f: float(getattr(p, f"{f}_{side}")[i])  # noqa: E731
        k = g("m") * g("cmax") * np.sqrt(float(p.ce0[i])) / F
        return {
            "Minimum stoichiometry": float(x_lo),
            "Maximum stoichiometry": float(x_hi),
            "Maximum concentration [mol.m-3]": g("cmax"),
            "Particle radius [m]": g("R"),
            "Surface area per unit volume [m-1]": 3.0 * g("am") / g("R"),
            "Diffusivity [m2.s-1]": _table(int(getattr(p, f"D_{side}")[i]), _GRID),
            "OCP [V]": _table(int(getattr(p, f"U_{side}")[i]), _GRID),
            "Reaction rate constant [mol.m-2.s-1]": float(k),
            "Thickness [m]": g("L"),
            "Porosity": g("eps"),
            "Transport efficiency": g("eps") ** g("b"),
            "Conductivity [S.m-1]": g("sigma"),
        }

    return {
        "Header": {
            "BPX": BPX_VERSION,
            "Model": "SPMe",
            "Title": title,
            "Description": "Exported by cellwright from its design and material library",
        },
        "Parameterisation": {
            "Cell": {
                "Electrode area [m2]": float(p.area[i]),
                "Number of electrode pairs connected in parallel to make a cell": 1,
                "Lower voltage cut-off [V]": float(p.V_min[i]),
                "Upper voltage cut-off [V]": float(p.V_max[i]),
                "Nominal cell capacity [A.h]": float(p.capacity[i] / 3600.0),
                "Reference temperature [K]": float(p.T[i]),
            },
            "Electrolyte": {
                "Cation transference number": float(p.t_plus[i]),
                "Diffusivity [m2.s-1]": _table(int(p.D_e[i]), _CE_GRID),
                "Conductivity [S.m-1]": _table(int(p.kappa[i]), _CE_GRID),
            },
            "Negative electrode": electrode("n", x_n_empty[i], p.x_n0[i]),
            "Positive electrode": electrode("p", p.x_p0[i], x_p_empty[i]),
            "Separator": {
                "Thickness [m]": float(p.L_s[i]),
                "Porosity": float(p.eps_s[i]),
                "Transport efficiency": float(p.eps_s[i] ** p.b_s[i]),
            },
        },
        "State": {
            "Initial conditions": {
                "Initial state-of-charge": 1.0,
                "Initial electrolyte concentration [mol.m-3]": float(p.ce0[i]),
                "Initial temperature [K]": float(p.T[i]),
            }
        },
    }


def save_bpx(p: SPMeParameters, path: str | Path, i: int = 0, title: str = "cellwright cell") -> Path:
    """Write cell ``i`` as a BPX JSON file, validated by the ``bpx`` package."""
    import bpx

    data = to_bpx(p, i, title)
    bpx.parse_bpx_obj(json.loads(json.dumps(data)))  # raises on a schema violation (it edits its input)
    path = Path(path)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _function(value, grid: np.ndarray, key: str) -> int:
    if isinstance(value, (int, float)):
        return functions.constant(key, float(value))
    if hasattr(value, "x") and hasattr(value, "y"):
        return functions.register(key, value.x, value.y)
    fn = value.to_python_function()
    return functions.register(key, grid, np.broadcast_to(np.asarray(fn(grid), dtype=float), grid.shape))


def load_bpx(path: str | Path) -> SPMeParameters:
    """Read a BPX file (single-phase electrodes) into SPMe parameters."""
    import bpx

    obj = bpx.parse_bpx_file(path)
    par = obj.parameterisation
    cell, ely, neg, pos, sep = par.cell, par.electrolyte, par.negative_electrode, par.positive_electrode, par.separator
    init = obj.state.initial_conditions if obj.state and obj.state.initial_conditions else None
    ce0 = getattr(init, "initial_electrolyte_concentration", None) or 1000.0
    soc0 = getattr(init, "initial_soc", None)
    soc0 = 1.0 if soc0 is None else soc0
    key = f"bpx:{Path(path).resolve()}"

    def side(e, name: str, full_is_max: bool) -> dict:
        lo, hi = e.minimum_stoichiometry, e.maximum_stoichiometry
        x_full, x_empty = (hi, lo) if full_is_max else (lo, hi)
        x0 = x_empty + soc0 * (x_full - x_empty)
        am = e.surface_area_per_unit_volume * e.particle_radius / 3.0
        brug = np.log(e.transport_efficiency) / np.log(e.porosity)
        m = F * e.reaction_rate_constant / (e.maximum_concentration * np.sqrt(ce0))
        return {
            f"L_{name}": e.thickness,
            f"eps_{name}": e.porosity,
            f"b_{name}": brug,
            f"bs_{name}": 0.0,
            f"am_{name}": am,
            f"R_{name}": e.particle_radius,
            f"cmax_{name}": e.maximum_concentration,
            f"x_{name}0": x0,
            f"sigma_{name}": e.conductivity,
            f"m_{name}": m,
            f"D_{name}": _function(e.diffusivity, _GRID, f"{key}.{name}.D"),
            f"U_{name}": _function(e.ocp, _GRID, f"{key}.{name}.U"),
        }

    values = {**side(neg, "n", True), **side(pos, "p", False)}
    values.update(
        area=cell.electrode_area * cell.number_of_electrodes,
        L_s=sep.thickness,
        eps_s=sep.porosity,
        b_s=np.log(sep.transport_efficiency) / np.log(sep.porosity),
        ce0=ce0,
        t_plus=ely.cation_transference_number,
        kappa=_function(ely.conductivity, _CE_GRID, f"{key}.kappa"),
        D_e=_function(ely.diffusivity, _CE_GRID, f"{key}.De"),
        T=cell.reference_temperature or 298.15,
        R_contact=0.0,
        capacity=cell.nominal_cell_capacity * 3600.0,
        V_min=cell.lower_voltage_cutoff,
        V_max=cell.upper_voltage_cutoff,
    )
    return SPMeParameters(**values)
