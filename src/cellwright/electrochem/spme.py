"""Single particle model with electrolyte (SPMe), batched over N cells, in NumPy.

Model (Marquis et al. 2019 [marquis2019]; the form PyBaMM implements as ``SPMe``):

- one representative particle per electrode, Fickian diffusion in a sphere,
  ``dc/dt = r^-2 d/dr (r^2 D dc/dr)``, surface flux ``-D dc/dr = j / F`` with the
  electrode-averaged interfacial current ``j_n = I / (a_n L_n A)``, ``j_p = -I / (a_p L_p A)``,
  ``a = 3 eps_am / R`` (discharge current I > 0);
- electrolyte concentration across negative, separator and positive with a uniform source in
  each electrode: ``eps dc_e/dt = d/dx(eps^b D_e dc_e/dx) + (1 - t+) a j / F``;
- terminal voltage ``V = U_p - U_n + eta_p - eta_n + dphi_e - dphi_s - I R_contact`` with
  Butler-Volmer overpotentials at the electrode-averaged electrolyte concentration, the
  electrolyte concentration and ohmic drops, and the solid-phase ohmic drop.

Numerics: finite volumes in r (spherical shells) and x; implicit time stepping (BDF2 after one
backward-Euler step) with the diffusivities taken at the previous step, one batched
tridiagonal solve per field and step. Every design advances together; a design that meets a
cut-off stops (its crossing time is interpolated) while the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import functions
from .parameters import F, R_GAS, SPMeParameters

CE_FLOOR = 10.0  # mol/m3: electrolyte properties are evaluated at no less (as PyBaMM does)


def thomas(a, b, c, d):
    """Solve tridiagonal systems, batched: a (sub), b (diag), c (super), d: arrays (N, M)."""
    n = d.shape[1]
    cp = np.empty_like(d)
    dp = np.empty_like(d)
    cp[:, 0] = c[:, 0] / b[:, 0]
    dp[:, 0] = d[:, 0] / b[:, 0]
    for i in range(1, n):
        m = b[:, i] - a[:, i] * cp[:, i - 1]
        cp[:, i] = c[:, i] / m
        dp[:, i] = (d[:, i] - a[:, i] * dp[:, i - 1]) / m
    x = np.empty_like(d)
    x[:, -1] = dp[:, -1]
    for i in range(n - 2, -1, -1):
        x[:, i] = dp[:, i] - cp[:, i] * x[:, i + 1]
    return x


@dataclass
class Mesh:
    """Finite-volume meshes: ``n_r`` shells per particle, cells per x-domain."""

    n_r: int = 20
    n_x_n: int = 20
    n_x_s: int = 20
    n_x_p: int = 20


class _Particle:
    """Spherical finite volumes for one electrode's particle, N designs."""

    def __init__(self, R: np.ndarray, n: int):
        self.n = n
        self.dr = R / n  # (N,)
        k = np.arange(n + 1)
        edges = k[None, :] * self.dr[:, None]  # (N, n+1)
        self.area = edges**2  # r^2 at edges
        self.vol = (edges[:, 1:] ** 3 - edges[:, :-1] ** 3) / 3.0  # (N, n)

    def operator(self, D_edges: np.ndarray):
        """Tridiagonal coefficients of d/dt c = L c: (lower, diag, upper), interior edges."""
        g = self.area[:, 1:-1] * D_edges / self.dr[:, None]  # (N, n-1) conductance of inner edges
        lower = np.zeros((g.shape[0], self.n))
        upper = np.zeros_like(lower)
        lower[:, 1:] = g / self.vol[:, 1:]
        upper[:, :-1] = g / self.vol[:, :-1]
        diag = -(np.pad(g, ((0, 0), (0, 1))) + np.pad(g, ((0, 0), (1, 0)))) / self.vol
        return lower, diag, upper

    def surface_source(self, molar_flux: np.ndarray) -> np.ndarray:
        """d/dt c from the surface flux (mol/m2/s, outward positive): only the outer shell."""
        src = np.zeros((molar_flux.shape[0], self.n))
        src[:, -1] = -self.area[:, -1] * molar_flux / self.vol[:, -1]
        return src

    @staticmethod
    def surface(c: np.ndarray) -> np.ndarray:
        """Surface concentration: linear extrapolation from the two outermost cell centres,
        1.5 c[-1] - 0.5 c[-2] (PyBaMM's default, which does not use the flux condition)."""
        return 1.5 * c[:, -1] - 0.5 * c[:, -2]


class _Electrolyte:
    """Finite volumes across negative, separator and positive."""

    def __init__(self, p: SPMeParameters, mesh: Mesh):
        counts = (mesh.n_x_n, mesh.n_x_s, mesh.n_x_p)
        self.counts = counts
        dx = [p.L_n / counts[0], p.L_s / counts[1], p.L_p / counts[2]]
        self.dx = np.concatenate([np.repeat(d[:, None], k, axis=1) for d, k in zip(dx, counts)], axis=1)  # (N, K)
        self.eps = np.concatenate([np.repeat(e[:, None], k, axis=1) for e, k in zip((p.eps_n, p.eps_s, p.eps_p), counts)], axis=1)
        brug = np.concatenate([np.repeat(b[:, None], k, axis=1) for b, k in zip((p.b_n, p.b_s, p.b_p), counts)], axis=1)
        self.tort = self.eps**brug  # transport efficiency per cell
        self.centre_dist = 0.5 * (self.dx[:, 1:] + self.dx[:, :-1])  # (N, K-1)
        self.n_sl = slice(0, counts[0])
        self.p_sl = slice(counts[0] + counts[1], sum(counts))
        self.K = sum(counts)

    def operator(self, De_cells: np.ndarray):
        """Tridiagonal coefficients of eps dc/dt = L c (before dividing by eps)."""
        eff = self.tort * De_cells
        # harmonic mean of neighbours' effective diffusivity, weighted by cell sizes
        edge = self.centre_dist / (0.5 * self.dx[:, :-1] / eff[:, :-1] + 0.5 * self.dx[:, 1:] / eff[:, 1:])
        g = edge / self.centre_dist
        vol = self.dx * self.eps
        lower = np.zeros_like(self.dx)
        upper = np.zeros_like(self.dx)
        lower[:, 1:] = g / vol[:, 1:]
        upper[:, :-1] = g / vol[:, :-1]
        diag = -(np.pad(g, ((0, 0), (0, 1))) + np.pad(g, ((0, 0), (1, 0)))) / vol
        return lower, diag, upper

    def mean(self, values: np.ndarray, sl: slice) -> np.ndarray:
        w = self.dx[:, sl]
        return (values[:, sl] * w).sum(axis=1) / w.sum(axis=1)


class SPMe:
    """The SPMe for N cells: state, one implicit step, and the terminal voltage."""

    def __init__(self, p: SPMeParameters, mesh: Mesh | None = None):
        self.p = p
        self.mesh = mesh or Mesh()
        self.pn = _Particle(p.R_n, self.mesh.n_r)
        self.pp = _Particle(p.R_p, self.mesh.n_r)
        self.el = _Electrolyte(p, self.mesh)
        self.a_n = 3.0 * p.am_n / p.R_n
        self.a_p = 3.0 * p.am_p / p.R_p
        n = len(p)
        self.cn = np.repeat((p.x_n0 * p.cmax_n)[:, None], self.mesh.n_r, axis=1)
        self.cp = np.repeat((p.x_p0 * p.cmax_p)[:, None], self.mesh.n_r, axis=1)
        self.ce = np.repeat(p.ce0[:, None], self.el.K, axis=1)
        self._prev = None  # states one step back, for BDF2
        self.thermal_voltage = R_GAS * p.T / F
        self.src_unit = np.zeros((n, self.el.K))  # electrolyte source per unit current, mol/m3/s/A
        self.src_unit[:, self.el.n_sl] = ((1.0 - p.t_plus) / (F * p.area * p.L_n))[:, None]
        self.src_unit[:, self.el.p_sl] = (-(1.0 - p.t_plus) / (F * p.area * p.L_p))[:, None]
        self.src_unit /= self.el.eps

    # --- fluxes
    def fluxes(self, current):
        """Interfacial current densities (A/m2) and surface molar fluxes (mol/m2/s)."""
        j_n = current / (self.a_n * self.p.L_n * self.p.area)
        j_p = -current / (self.a_p * self.p.L_p * self.p.area)
        return j_n, j_p, j_n / F, j_p / F

    def _diffusivity(self, codes, c, cmax):
        mid = 0.5 * (c[:, 1:] + c[:, :-1]) / cmax[:, None]
        return functions.evaluate(codes[:, None] * np.ones_like(mid, dtype=int), mid)

    def step(self, current: np.ndarray, dt: np.ndarray, active: np.ndarray | None = None):
        """Advance by ``dt`` (s, per design) at ``current`` (A); returns the new state (not stored)."""
        p = self.p
        _, _, flux_n, flux_p = self.fluxes(current)
        bdf2 = self._prev is not None
        new = []
        for c, prev, part, codes, cmax, flux in (
            (self.cn, None if not bdf2 else self._prev[0], self.pn, p.D_n, p.cmax_n, flux_n),
            (self.cp, None if not bdf2 else self._prev[1], self.pp, p.D_p, p.cmax_p, flux_p),
        ):
            lo, di, up = part.operator(self._diffusivity(codes, c, cmax))
            src = part.surface_source(flux)
            new.append(_implicit(c, prev, lo, di, up, src, dt, bdf2))
        De = functions.evaluate(p.D_e[:, None] * np.ones_like(self.ce, dtype=int), np.maximum(self.ce, CE_FLOOR))
        lo, di, up = self.el.operator(De)
        src = self.src_unit * current[:, None]
        new.append(_implicit(self.ce, None if not bdf2 else self._prev[2], lo, di, up, src, dt, bdf2))
        return new

    def commit(self, state, active: np.ndarray):
        """Keep the new state for the designs still running."""
        cur = [self.cn, self.cp, self.ce]
        self._prev = [x.copy() for x in cur]
        for old, newer in zip(cur, state):
            old[active] = newer[active]

    def voltage(self, current: np.ndarray, state=None) -> dict:
        """Terminal voltage (V) and its parts for ``current`` (A) at ``state`` (default: now).

        As PyBaMM's SPMe (composite form): open-circuit potentials at the particles' surface
        concentrations; reaction overpotentials from Butler-Volmer with the local electrolyte
        concentration of each cell, averaged over each electrode; concentration overpotential
        from the electrode means of ln c_e; electrolyte ohmic loss with the conductivity at the
        cell-average concentration; solid ohmic loss.
        """
        p = self.p
        cn, cp, ce = state if state is not None else (self.cn, self.cp, self.ce)
        j_n, j_p, _, _ = self.fluxes(current)
        cn_s = np.clip(self.pn.surface(cn), 1e-9 * p.cmax_n, (1 - 1e-9) * p.cmax_n)
        cp_s = np.clip(self.pp.surface(cp), 1e-9 * p.cmax_p, (1 - 1e-9) * p.cmax_p)
        s = self.el
        ce_pos = np.maximum(ce, 1e-6)
        sqrt_ce = np.sqrt(ce_pos)
        vt = self.thermal_voltage
        j0_n = (p.m_n * np.sqrt(cn_s * (p.cmax_n - cn_s)))[:, None] * sqrt_ce[:, s.n_sl]
        j0_p = (p.m_p * np.sqrt(cp_s * (p.cmax_p - cp_s)))[:, None] * sqrt_ce[:, s.p_sl]
        eta_n = 2.0 * vt * np.arcsinh(j_n[:, None] / (2.0 * j0_n)).mean(axis=1)
        eta_p = 2.0 * vt * np.arcsinh(j_p[:, None] / (2.0 * j0_p)).mean(axis=1)
        ocv = functions.evaluate(p.U_p, cp_s / p.cmax_p) - functions.evaluate(p.U_n, cn_s / p.cmax_n)
        log_ce = np.log(ce_pos)
        conc = 2.0 * (1.0 - p.t_plus) * vt * (s.mean(log_ce, s.p_sl) - s.mean(log_ce, s.n_sl))
        ce_bar = s.mean(ce_pos, slice(None))
        kappa = functions.evaluate(p.kappa, np.maximum(ce_bar, CE_FLOOR))
        i = current / p.area
        ohm_e = -i * (p.L_n / (3.0 * kappa * p.eps_n**p.b_n) + p.L_s / (kappa * p.eps_s**p.b_s) + p.L_p / (3.0 * kappa * p.eps_p**p.b_p))
        ohm_s = -i * (p.L_n / (3.0 * p.sigma_n * (1 - p.eps_n) ** p.bs_n) + p.L_p / (3.0 * p.sigma_p * (1 - p.eps_p) ** p.bs_p))
        v = ocv + eta_p - eta_n + conc + ohm_e + ohm_s - current * p.R_contact
        return {
            "voltage": v,
            "ocv": ocv,
            "x_n_surf": cn_s / p.cmax_n,
            "x_p_surf": cp_s / p.cmax_p,
            "ce_min": ce.min(axis=1),
        }


def _implicit(c, prev, lo, di, up, src, dt, bdf2):
    """One implicit step of dc/dt = L c + src: backward Euler, or BDF2 with the previous state."""
    dt = dt[:, None]
    if bdf2:
        g = 2.0 / 3.0 * dt
        rhs = (4.0 * c - prev) / 3.0 + g * src
    else:
        g = dt
        rhs = c + g * src
    return thomas(-g * lo, 1.0 - g * di, -g * up, rhs)
