"""Single particle model with electrolyte (SPMe), batched over N cells, in NumPy.

Model (Marquis et al. 2019 [marquis2019]), in the form PyBaMM solves as ``SPMe`` (its
default "composite" options; tests/fixtures/electrochem/README.md sets the equations out):

- one representative particle per electrode, Fickian diffusion in a sphere,
  ``dc/dt = r^-2 d/dr (r^2 D dc/dr)``, surface flux ``-D dc/dr = j / F`` with the
  electrode-averaged interfacial current ``j_n = I / (a_n L_n A)``, ``j_p = -I / (a_p L_p A)``,
  ``a = 3 eps_am / R`` (discharge current I > 0);
- electrolyte concentration across negative, separator and positive with a uniform source in
  each electrode: ``eps dc_e/dt = d/dx(eps^b D_e(c_e) dc_e/dx) + (1 - t+) a j / F``;
- terminal voltage ``V = U_p - U_n + eta_p - eta_n + eta_c + dphi_e + dphi_s - I R_contact``:
  open-circuit potentials at the particle surfaces, Butler-Volmer overpotentials with each
  electrolyte cell's local concentration averaged over the electrode, the concentration
  overpotential from the electrode means of ln c_e, electrolyte and solid ohmic losses.

Numerics: finite volumes, 20 spherical shells per particle and 20 cells per x-domain (PyBaMM's
defaults); surface concentration extrapolated linearly from the two outer shells; implicit
time stepping (backward Euler, then variable-step BDF2) with the electrolyte diffusivity
taken at the start of each step. Arrays are (points, N) so that the batched tridiagonal sweeps run
over contiguous rows.

The step and the voltage run as compiled kernels (:mod:`._jit`, Numba) when Numba is installed,
and as the NumPy code below otherwise or with ``CELLWRIGHT_NUMBA=0`` in the environment; both
give the same numbers to rounding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from types import ModuleType

import numpy as np

from .functions import Grouped, Packed
from .parameters import R_GAS, F, SPMeParameters

T_REF = 298.15  # K: reference temperature of the exchange currents (as PyBaMM's sets)
CE_FLOOR = 10.0  # mol/m3: electrolyte properties are evaluated at no less (as PyBaMM does)


_KERNELS: ModuleType | bool | None = None  # the kernels' module, False when Numba is missing


def kernels():
    """The compiled kernels (module :mod:`._jit`), or None: Numba missing or
    ``CELLWRIGHT_NUMBA=0``. Numba is imported here, on first use, not with cellwright."""
    global _KERNELS
    if os.environ.get("CELLWRIGHT_NUMBA", "1") == "0":
        return None
    if _KERNELS is None:
        try:
            from . import _jit
        except ImportError:
            _KERNELS = False
        else:
            _KERNELS = _jit
    return _KERNELS or None


def _vec(x, n: int) -> np.ndarray:
    """``x`` as a contiguous float array (n,) (kernels take no broadcast views)."""
    x = np.asarray(x, dtype=float)
    return x if x.shape == (n,) and x.flags.c_contiguous else np.ascontiguousarray(np.broadcast_to(x, (n,)))


def thomas_factor(a, b, c):
    """Factorise tridiagonal systems (M, N): sub-diagonal a, diagonal b, super-diagonal c."""
    m = b.shape[0]
    cp = np.empty_like(b)
    inv = np.empty_like(b)
    inv[0] = 1.0 / b[0]
    cp[0] = c[0] * inv[0]
    for i in range(1, m):
        inv[i] = 1.0 / (b[i] - a[i] * cp[i - 1])
        cp[i] = c[i] * inv[i]
    return a, cp, inv


def thomas_solve(factors, d):
    """Solve factorised tridiagonal systems for right-hand sides d (M, N)."""
    a, cp, inv = factors
    m = d.shape[0]
    x = np.empty_like(d)
    x[0] = d[0] * inv[0]
    for i in range(1, m):
        x[i] = (d[i] - a[i] * x[i - 1]) * inv[i]
    for i in range(m - 2, -1, -1):
        x[i] -= cp[i] * x[i + 1]
    return x


def thomas(a, b, c, d):
    """Solve tridiagonal systems, batched along the last axis: arrays (M, N)."""
    return thomas_solve(thomas_factor(a, b, c), d)


@dataclass
class Mesh:
    """Finite-volume meshes: ``n_r`` shells per particle, cells per x-domain."""

    n_r: int = 20
    n_x_n: int = 20
    n_x_s: int = 20
    n_x_p: int = 20


class _Particle:
    """Spherical finite volumes for one electrode's particle, N designs: arrays (n, N)."""

    def __init__(self, R: np.ndarray, n: int):
        self.n = n
        self.dr = R / n  # (N,)
        edges = np.arange(n + 1)[:, None] * self.dr[None, :]  # (n+1, N)
        self.area = edges**2
        self.vol = (edges[1:] ** 3 - edges[:-1] ** 3) / 3.0  # (n, N)

    def operator(self, D_edges: np.ndarray):
        """(lower, diag, upper) of dc/dt = L c; ``D_edges`` at the n-1 inner edges."""
        g = self.area[1:-1] * D_edges / self.dr  # (n-1, N)
        lower = np.zeros_like(self.vol)
        upper = np.zeros_like(self.vol)
        lower[1:] = g / self.vol[1:]
        upper[:-1] = g / self.vol[:-1]
        diag = np.zeros_like(self.vol)
        diag[:-1] -= g / self.vol[:-1]
        diag[1:] -= g / self.vol[1:]
        return lower, diag, upper

    def source(self, molar_flux: np.ndarray) -> np.ndarray:
        """dc/dt of the outer shell from the surface flux (mol/m2/s, outward positive), (N,)."""
        return -self.area[-1] * molar_flux / self.vol[-1]

    @staticmethod
    def surface(c: np.ndarray) -> np.ndarray:
        """Surface concentration: linear extrapolation from the two outermost cell centres,
        1.5 c[-1] - 0.5 c[-2] (PyBaMM's default, which does not use the flux condition)."""
        return 1.5 * c[-1] - 0.5 * c[-2]


class _Electrolyte:
    """Finite volumes across negative, separator and positive: arrays (K, N), built when first
    used (the compiled kernels take the per-domain values ``by_domain`` (3, N) instead)."""

    def __init__(self, p: SPMeParameters, mesh: Mesh):
        counts = (mesh.n_x_n, mesh.n_x_s, mesh.n_x_p)
        self.counts = counts
        self.K = sum(counts)
        self.by_domain = {
            "dx": np.stack((p.L_n / counts[0], p.L_s / counts[1], p.L_p / counts[2])),
            "eps": np.stack((p.eps_n, p.eps_s, p.eps_p)),
            "b": np.stack((p.b_n, p.b_s, p.b_p)),
        }
        self.n_sl = slice(0, counts[0])
        self.p_sl = slice(counts[0] + counts[1], self.K)
        self.length = p.L_n + p.L_s + p.L_p

    def rows(self, by_domain: np.ndarray) -> np.ndarray:
        """(K, N) from values (3, N) per domain."""
        return np.repeat(by_domain, self.counts, axis=0)

    @cached_property
    def dx(self):
        return self.rows(self.by_domain["dx"])

    @cached_property
    def eps(self):
        return self.rows(self.by_domain["eps"])

    @cached_property
    def tort(self):
        return self.eps ** self.rows(self.by_domain["b"])

    @cached_property
    def beta(self):
        return self.dx[:-1] / (self.dx[:-1] + self.dx[1:])

    @cached_property
    def centre_dist(self):
        return 0.5 * (self.dx[:-1] + self.dx[1:])

    @cached_property
    def vol(self):
        return self.dx * self.eps

    @cached_property
    def inv_vol(self):
        return 1.0 / self.vol

    @cached_property
    def one_minus_beta(self):
        return 1.0 - self.beta

    @cached_property
    def inv_centre_dist(self):
        return 1.0 / self.centre_dist

    def operator(self, De: np.ndarray):
        """(lower, diag, upper) of dc/dt = L c, with the harmonic mean of eps^b D_e at edges."""
        inv_eff = 1.0 / (self.tort * De)
        g = 1.0 / (self.beta * inv_eff[:-1] + self.one_minus_beta * inv_eff[1:]) * self.inv_centre_dist
        lower = np.empty_like(self.dx)
        upper = np.empty_like(self.dx)
        lower[0] = 0.0
        upper[-1] = 0.0
        np.multiply(g, self.inv_vol[1:], out=lower[1:])
        np.multiply(g, self.inv_vol[:-1], out=upper[:-1])
        diag = np.zeros_like(self.dx)
        diag[:-1] -= upper[:-1]
        diag[1:] -= lower[1:]
        return lower, diag, upper

    def mean(self, values: np.ndarray, sl: slice) -> np.ndarray:
        """Mean over the cells of a domain (its cells are equal in size)."""
        return values[sl].mean(axis=0)

    def cell_mean(self, values: np.ndarray) -> np.ndarray:
        return (values * self.dx).sum(axis=0) / self.length


def commit_state(model, state, active: np.ndarray) -> None:
    """Make ``state`` (cn, cp, ce) the present state of ``model`` (SPMe or DFN) for the
    ``active`` designs, the present one its previous (for BDF2)."""
    cur = [model.cn, model.cp, model.ce]
    if active.all():
        model._prev = cur
        model.cn, model.cp, model.ce = state
        return
    model._prev = [x.copy() for x in cur]
    for old, newer in zip(cur, state):
        old[:, active] = newer[:, active]


class SPMe:
    """The SPMe for N cells: state (arrays (points, N)), one implicit step, the voltage."""

    def __init__(self, p: SPMeParameters, mesh: Mesh | None = None, compiled: bool | None = None):
        """``compiled``: use the Numba kernels (default: when available)."""
        self.p = p
        self.mesh = mesh or Mesh()
        n_r = self.mesh.n_r
        self.pn = _Particle(p.R_n, n_r)
        self.pp = _Particle(p.R_p, n_r)
        self.el = _Electrolyte(p, self.mesh)
        self.a_n = 3.0 * p.am_n / p.R_n
        self.a_p = 3.0 * p.am_p / p.R_p
        self.cn = np.repeat((p.x_n0 * p.cmax_n)[None, :], n_r, axis=0)
        self.cp = np.repeat((p.x_p0 * p.cmax_p)[None, :], n_r, axis=0)
        self.ce = np.repeat(p.ce0[None, :], self.el.K, axis=0)
        self._prev: list[np.ndarray] | None = None  # the state one step back, for BDF2
        self.T = p.T.astype(float).copy()  # K; changes only in a thermal simulation
        self.fn = {k: Grouped(getattr(p, k)) for k in ("D_n", "D_p", "U_n", "U_p", "kappa", "D_e")}
        self._constant_D = self.fn["D_n"].is_constant() and self.fn["D_p"].is_constant()
        self._flux_den_n = self.a_n * p.L_n * p.area
        self._flux_den_p = self.a_p * p.L_p * p.area
        self._ops: dict = {}
        src = np.zeros((3, len(p)))
        src[0] = (1.0 - p.t_plus) / (F * p.area * p.L_n)
        src[2] = -(1.0 - p.t_plus) / (F * p.area * p.L_p)
        self._src_unit_by_domain = src / self.el.by_domain["eps"]  # mol/m3/s/A per domain
        self._sigma_term = p.L_n / (3.0 * p.sigma_n * (1 - p.eps_n) ** p.bs_n) + p.L_p / (
            3.0 * p.sigma_p * (1 - p.eps_p) ** p.bs_p
        )
        self._kappa_geom = p.L_n / (3.0 * p.eps_n**p.b_n) + p.L_s / p.eps_s**p.b_s + p.L_p / (3.0 * p.eps_p**p.b_p)
        self._jit: ModuleType | None = kernels() if compiled is None or compiled else None
        if compiled and self._jit is None:
            raise ImportError("compiled SPMe kernels need Numba (pip install numba)")
        if self._jit is not None:
            self._tables = {k: Packed(getattr(p, k)).args() for k in ("U_n", "U_p", "kappa", "D_e")}
            self._compact = self._compact_constants()
            # temperature-dependent voltage terms, kept while T is unchanged
            self._T_terms: tuple[np.ndarray, ...] | None = None
            self._pool: list[list[np.ndarray]] = []

    @cached_property
    def src_unit(self) -> np.ndarray:
        """Electrolyte source per ampere (K, N), mol/m3/s/A."""
        return self.el.rows(self._src_unit_by_domain)

    def reset_history(self):
        """Forget the previous state (BDF2 restarts with backward Euler), e.g. at a step change."""
        self._prev = None

    def fluxes(self, current):
        """Interfacial current densities (A/m2) of the negative and positive."""
        return current / self._flux_den_n, -current / self._flux_den_p

    def _operator(self, which: str, c: np.ndarray):
        """Particle operator (constant diffusivities: computed once)."""
        if self._constant_D and which in self._ops:
            return self._ops[which]
        part, D_fn, cmax = (
            (self.pn, self.fn["D_n"], self.p.cmax_n) if which == "n" else (self.pp, self.fn["D_p"], self.p.cmax_p)
        )
        op = part.operator(D_fn(0.5 * (c[1:] + c[:-1]) / cmax))
        if self._constant_D:
            self._ops[which] = op
        return op

    def step(self, current: np.ndarray, dt: np.ndarray, ratio: np.ndarray | None = None):
        """Advance by ``dt`` (s, per design) at ``current`` (A); returns the new state (not kept).

        Variable-step BDF2 with ``ratio`` = dt / previous dt (backward Euler without history).
        With the compiled kernels the returned arrays are recycled: another ``step`` overwrites
        them unless they were committed, and a committed state's arrays are reused once it is
        two commits old (copy a state to keep it).
        """
        j_n, j_p = self.fluxes(current)
        bdf2 = self._prev is not None
        w = np.ones_like(dt) if ratio is None else ratio
        if self._jit is not None:
            return self._step_compiled(current, dt, w, j_n, j_p, bdf2)
        g = dt * (1.0 + w) / (1.0 + 2.0 * w) if bdf2 else dt
        new = []
        for k, (c, part, j) in enumerate(((self.cn, self.pn, j_n), (self.cp, self.pp, j_p))):
            lo, di, up = self._operator("np"[k], c)
            if bdf2:
                assert self._prev is not None
                rhs = ((1.0 + w) ** 2 * c - w**2 * self._prev[k]) / (1.0 + 2.0 * w)
            else:
                rhs = c.copy()
            rhs[-1] += g * part.source(j / F)
            new.append(thomas_solve(thomas_factor(-g * lo, 1.0 - g * di, -g * up), rhs))
        # electrolyte diffusivity at the present concentration (semi-implicit)
        lo, di, up = self.el.operator(self.fn["D_e"](np.maximum(self.ce, CE_FLOOR)))
        if bdf2:
            assert self._prev is not None
            rhs = ((1.0 + w) ** 2 * self.ce - w**2 * self._prev[2]) / (1.0 + 2.0 * w)
        else:
            rhs = self.ce.copy()
        rhs += g * self.src_unit * current
        new.append(thomas_solve(thomas_factor(-g * lo, 1.0 - g * di, -g * up), rhs))
        return new

    def _compact_constants(self) -> dict:
        """The kernels' constants, small enough to stay in cache: the electrolyte's by domain
        (3, N) and by kind of edge (5, N: inside the negative, negative|separator, inside the
        separator, ...), indexed by each cell's and each edge's kind; with constant
        diffusivities, each particle operator as a unit sphere's (n, 1) times D / R^2."""
        el, p = self.el, self.p
        dom = np.repeat(np.arange(3), el.counts)
        edge = np.where(dom[:-1] == dom[1:], 2 * dom[:-1], 2 * dom[:-1] + 1)
        present = [bool(np.any(edge == e)) for e in range(5)]
        # the (K, N) arrays' values, computed once per domain and per kind of edge (same numbers)
        dx, eps = el.by_domain["dx"], el.by_domain["eps"]
        left, right = dx[[0, 0, 1, 1, 2]], dx[[0, 1, 1, 2, 2]]  # the two cells of each kind of edge
        beta = left / (left + right)
        inv_centre_dist = 1.0 / (0.5 * (left + right))

        def by_edge(a):
            return np.stack([a[e] if present[e] else np.zeros(len(p)) for e in range(5)])

        out = {
            "dom": dom, "edge": edge,
            "dx": dx, "tort": eps ** el.by_domain["b"], "inv_vol": 1.0 / (dx * eps), "src_unit": self._src_unit_by_domain,
            "beta": by_edge(beta), "one_minus_beta": by_edge(1.0 - beta),
            "inv_centre_dist": by_edge(inv_centre_dist),
        }  # fmt: skip
        if self._constant_D:
            unit = _Particle(np.ones(1), self.mesh.n_r).operator(np.ones((self.mesh.n_r - 1, 1)))
            for side, R in (("n", p.R_n), ("p", p.R_p)):
                out[side] = unit, np.ascontiguousarray(self.fn[f"D_{side}"](np.zeros(len(p))) / R**2)
        return {k: np.ascontiguousarray(v) if isinstance(v, np.ndarray) else v for k, v in out.items()}

    def _spare_state(self) -> list[np.ndarray]:
        """Arrays for a new state, reused: a set that is neither the present nor the previous
        state (allocating (points, N) arrays at every step costs more than the step itself)."""
        in_use = {id(self.cn)} | (set() if self._prev is None else {id(self._prev[0])})
        for arrays in self._pool:
            if id(arrays[0]) not in in_use:
                return arrays
        arrays = [np.empty_like(self.cn), np.empty_like(self.cp), np.empty_like(self.ce)]
        self._pool = self._pool[-2:] + [arrays]
        return arrays

    def _step_compiled(self, current, dt, w, j_n, j_p, bdf2):
        n = len(self.p)
        current, dt, w = _vec(current, n), _vec(dt, n), _vec(w, n)
        k = self._compact
        ops = {}
        for side, c in (("n", self.cn), ("p", self.cp)):
            ops[side] = k[side] if self._constant_D else (self._operator(side, c), np.ones(n))
        prev = self._prev if bdf2 and self._prev is not None else (self.cn, self.cp, self.ce)
        new = self._spare_state()
        assert self._jit is not None
        self._jit.step(
            self.cn, self.cp, self.ce, *prev, bdf2, w, dt,
            *ops["n"][0], ops["n"][1], _vec(self.pn.source(j_n / F), n),
            *ops["p"][0], ops["p"][1], _vec(self.pp.source(j_p / F), n),
            k["dom"], k["edge"], k["tort"], k["inv_vol"], k["src_unit"],
            k["beta"], k["one_minus_beta"], k["inv_centre_dist"], current,
            *self._tables["D_e"], CE_FLOOR, *new,
        )  # fmt: skip
        return new

    def constant_args(self, current: np.ndarray):
        """For ``_jit.run_constant`` at a fixed ``current`` (A, (N,)) with constant particle
        diffusivities and temperature: the constant arguments of the ``step`` kernel (from
        ``lo_n`` to ``ce_floor``) and of the ``voltage`` kernel (from ``j_n`` to ``ce_floor``),
        as ``_step_compiled`` and ``_voltage_compiled`` pass them."""
        p, s, k = self.p, self.el, self._compact
        n = len(p)
        current = _vec(current, n)
        j_n, j_p = self.fluxes(current)
        step_args = (
            *k["n"][0], k["n"][1], _vec(self.pn.source(j_n / F), n),
            *k["p"][0], k["p"][1], _vec(self.pp.source(j_p / F), n),
            k["dom"], k["edge"], k["tort"], k["inv_vol"], k["src_unit"],
            k["beta"], k["one_minus_beta"], k["inv_centre_dist"], current,
            *self._tables["D_e"], CE_FLOOR,
        )  # fmt: skip
        inv_t = 1.0 / T_REF - 1.0 / self.T
        k0_n = _vec(p.m_n * np.exp(p.E_j0_n / R_GAS * inv_t), n)
        k0_p = _vec(p.m_p * np.exp(p.E_j0_p / R_GAS * inv_t), n)
        voltage_args = (
            _vec(j_n, n), _vec(j_p, n), current, s.counts[0], s.p_sl.start,
            k["dom"], k["dx"], _vec(s.length, n),
            p.cmax_n, p.cmax_p, k0_n, k0_p, _vec(R_GAS * self.T / F, n), p.t_plus, p.area,
            _vec(self._kappa_geom, n), _vec(self._sigma_term, n), p.R_contact,
            self._tables["U_n"], self._tables["U_p"], self._tables["kappa"], CE_FLOOR,
        )  # fmt: skip
        return step_args, voltage_args

    def commit(self, state, active: np.ndarray):
        """Keep the new state for the designs still running."""
        commit_state(self, state, active)

    def voltage(self, current: np.ndarray, state=None) -> dict:
        """Terminal voltage (V) and its parts for ``current`` (A) at ``state`` (default: now)."""
        p = self.p
        cn, cp, ce = state if state is not None else (self.cn, self.cp, self.ce)
        j_n, j_p = self.fluxes(current)
        if self._jit is not None:
            return self._voltage_compiled(current, cn, cp, ce, j_n, j_p)
        cn_s = np.clip(self.pn.surface(cn), 1e-9 * p.cmax_n, (1 - 1e-9) * p.cmax_n)
        cp_s = np.clip(self.pp.surface(cp), 1e-9 * p.cmax_p, (1 - 1e-9) * p.cmax_p)
        s = self.el
        ce_pos = np.maximum(ce, 1e-6)
        sqrt_ce = np.sqrt(ce_pos)
        vt = R_GAS * self.T / F
        inv_t = 1.0 / T_REF - 1.0 / self.T  # Arrhenius: exp(E/R (1/T_ref - 1/T))
        j0_n = p.m_n * np.exp(p.E_j0_n / R_GAS * inv_t) * np.sqrt(cn_s * (p.cmax_n - cn_s)) * sqrt_ce[s.n_sl]
        j0_p = p.m_p * np.exp(p.E_j0_p / R_GAS * inv_t) * np.sqrt(cp_s * (p.cmax_p - cp_s)) * sqrt_ce[s.p_sl]
        eta_n = 2.0 * vt * np.arcsinh(j_n / (2.0 * j0_n)).mean(axis=0)
        eta_p = 2.0 * vt * np.arcsinh(j_p / (2.0 * j0_p)).mean(axis=0)
        ocv = self.fn["U_p"](cp_s / p.cmax_p) - self.fn["U_n"](cn_s / p.cmax_n)
        log_ce = np.log(ce_pos)
        conc = 2.0 * (1.0 - p.t_plus) * vt * (s.mean(log_ce, s.p_sl) - s.mean(log_ce, s.n_sl))
        kappa = self.fn["kappa"](np.maximum(s.cell_mean(ce_pos), CE_FLOOR))
        i = current / p.area
        ohm_e = -i * self._kappa_geom / kappa
        ohm_s = -i * self._sigma_term
        v = ocv + eta_p - eta_n + conc + ohm_e + ohm_s - current * p.R_contact
        return {
            "voltage": v,
            "ocv": ocv,
            "x_n_surf": cn_s / p.cmax_n,
            "x_p_surf": cp_s / p.cmax_p,
            "ce_min": ce.min(axis=0),
        }

    def _voltage_compiled(self, current, cn, cp, ce, j_n, j_p) -> dict:
        p, s = self.p, self.el
        n = len(p)
        current, j_n, j_p = _vec(current, n), _vec(j_n, n), _vec(j_p, n)
        cached = self._T_terms
        if cached is None or cached[0] is not self.T or not np.array_equal(cached[1], self.T):
            inv_t = 1.0 / T_REF - 1.0 / self.T
            k0_n = _vec(p.m_n * np.exp(p.E_j0_n / R_GAS * inv_t), n)
            k0_p = _vec(p.m_p * np.exp(p.E_j0_p / R_GAS * inv_t), n)
            self._T_terms = cached = (self.T, self.T.copy(), _vec(R_GAS * self.T / F, n), k0_n, k0_p)
        vt, k0_n, k0_p = cached[2:]
        assert self._jit is not None
        out = {k: np.empty(n) for k in ("voltage", "ocv", "x_n_surf", "x_p_surf", "ce_min")}
        self._jit.voltage(
            cn, cp, ce, j_n, j_p, current, s.counts[0], s.p_sl.start,
            self._compact["dom"], self._compact["dx"], _vec(s.length, n),
            p.cmax_n, p.cmax_p, k0_n, k0_p, vt, p.t_plus, p.area, self._kappa_geom, self._sigma_term, p.R_contact,
            self._tables["U_n"], self._tables["U_p"], self._tables["kappa"], CE_FLOOR,
            *out.values(),
        )  # fmt: skip
        return out
