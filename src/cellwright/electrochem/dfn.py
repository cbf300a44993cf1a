"""Doyle-Fuller-Newman (DFN, pseudo-two-dimensional) model, batched over N cells, in NumPy.

The reference model the SPMe approximates: where the SPMe's one particle per electrode misses
how the reaction spreads through a thick, electrolyte-limited electrode at high rate (PyBaMM's
own SPMe is 28 mV RMS from its DFN for the LG M50 at 2C), the DFN resolves it.

Model (Doyle, Fuller & Newman 1993 [doyle1993]; in the form of PyBaMM's ``DFN`` with default
options [sulzer2021], isothermal), for each of ``n_x`` cells across each electrode:

- a particle per cell, Fickian diffusion in a sphere with surface flux ``j / F``;
- symmetric Butler-Volmer kinetics ``j = 2 j0 sinh(eta / (2 RT/F))``,
  ``eta = phi_s - phi_e - U(c_surf)``, ``j0 = m sqrt(c_e c_surf (c_max - c_surf))``;
- electrolyte ``eps dc_e/dt = d/dx(eps^b D_e dc_e/dx) + (1 - t+) a j / F`` and current
  ``i_e = kappa eps^b (2 (1 - t+) RT/F d ln c_e/dx - dphi_e/dx)``, ``di_e/dx = a j``;
- solid ``i_s = -sigma (1 - eps)^bs dphi_s/dx``, ``i_s + i_e = I / A``; ``phi_s = 0`` at the
  negative current collector, the voltage is ``phi_s`` at the positive one less ``I R_contact``.

Numerics: PyBaMM's finite volumes (edge values of ``kappa eps^b`` as arithmetic, of
``2 (1 - t+) RT / (F c_e)`` as harmonic means; boundary values by linear extrapolation), the
same particle and electrolyte meshes and implicit time stepping as the SPMe. The potentials
are eliminated: with the interfacial currents ``j`` of an electrode as unknowns, ``phi_s -
phi_e`` at every cell follows from cumulative sums of ``j`` (the electrolyte current) and the
particles' surface concentrations are linear in ``j`` over an implicit step, so each step
solves, per electrode, ``n_x + 1`` Butler-Volmer equations (the last: the electrode carries
the cell current) by Newton's method, alternating with the electrolyte's implicit update
until the two agree. Where no solution carries the current (every particle surface of an
electrode at its bound, or the salt run out so that the passes cannot agree) the voltage is
returned as past any cut-off; :func:`.solve.simulate` then retries shorter steps and ends the
step there (the limiting current). Isothermal only.
"""

from __future__ import annotations

import numpy as np

from .functions import Grouped, Packed
from .parameters import R_GAS, F, SPMeParameters
from .spme import CE_FLOOR, T_REF, Mesh, _Electrolyte, _Particle, commit_state, kernels, thomas_factor, thomas_solve

NEWTON_TOL_V = 1e-9  # V: largest Newton update (as a potential) accepted as converged
NEWTON_MAX = 60
NEWTON_STEP_V = 0.1  # V: largest change of an overpotential or the offset in one Newton update
COUPLING_TOL = 1e-6  # relative change of c_e between two passes of a step accepted as agreed
COUPLING_MAX = 10
COUPLING_ACCEPT = 1e-4  # after COUPLING_MAX passes, accepted up to this; else the step failed
DEPLETED = 0.02  # c_e below this fraction of its initial value somewhere: the salt has run out
_CE_J0 = 1e-12  # mol/m3: the exchange current takes c_e at no less (so that it all but stops where the salt runs out)
_CE_H = 1.0  # mol/m3: the diffusion potential 2 (1 - t+) RT / (F c_e) takes c_e at no less (a depleted cell, which
# carries no reaction, would otherwise make it singular)
_SURF_FLOOR = 1e-9  # fraction of c_max kept between the surface concentration and its bounds
_INNER = 1e-6  # a first guess outside the bounds is moved this far inside (fraction of c_max)
_Y_MAX = float(np.log((1.0 - _SURF_FLOOR) / _SURF_FLOOR))  # logit of the surface bounds


class _Electrode:
    """One electrode's cells for N designs (``which``: "n" or "p"): geometry, particles (state
    (n_r * n_x, N), shell-major; solved as (n_r, n_x * N) columns) and the Butler-Volmer solve."""

    def __init__(self, p: SPMeParameters, mesh: Mesh, which: str):
        self.which = which
        self.n = mesh.n_x_n if which == "n" else mesh.n_x_p
        self.N = len(p)
        get = lambda k: np.asarray(getattr(p, f"{k}_{which}"), dtype=float)  # noqa: E731
        self.L, self.eps, self.R, self.cmax = get("L"), get("eps"), get("R"), get("cmax")
        self.dx = self.L / self.n
        self.a = 3.0 * get("am") / self.R
        self.a_dx = self.a * self.dx
        self.sigma_eff = get("sigma") * (1.0 - self.eps) ** get("bs")
        # exchange-current prefactor at the cell's temperature (Arrhenius, as the SPMe)
        self.m = get("m") * np.exp(get("E_j0") / R_GAS * (1.0 / T_REF - 1.0 / np.asarray(p.T, dtype=float)))
        self.U = Grouped(getattr(p, f"U_{which}"))
        self.U_tables = Packed(getattr(p, f"U_{which}")).args()
        self.D = Grouped(getattr(p, f"D_{which}"))
        self.constant_D = self.D.is_constant()
        self.particle = _Particle(np.tile(self.R, self.n), mesh.n_r)
        self._op: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (lower, diag, upper)

    def cols(self, c: np.ndarray) -> np.ndarray:
        """(n_r * n, N) state as (n_r, n * N) particle columns (a view)."""
        return c.reshape(c.shape[0] // self.n, self.n * self.N)

    def operator(self, c: np.ndarray):
        """The particles' diffusion operator, diffusivity at the shells' edges (constant
        diffusivities: computed once)."""
        if self.constant_D and self._op is not None:
            return self._op
        shells = c.reshape(-1, self.n, self.N)
        D = self.D(0.5 * (shells[1:] + shells[:-1]) / self.cmax)
        op = self.particle.operator(D.reshape(-1, self.n * self.N))
        if self.constant_D:
            self._op = op
        return op

    def surface(self, c: np.ndarray) -> np.ndarray:
        """Surface concentration (n, N) of a state (n_r * n, N)."""
        return _Particle.surface(c.reshape(-1, self.n, self.N))

    def implicit(self, c, rhs, g):
        """Particles after an implicit step ``(1 - g L) c_new = rhs + g * source(j / F)``:
        the surface concentration as ``s0 + s1 * j`` (each (n, N)), and the solve for the
        whole state at given ``j``."""
        lo, di, up = self.operator(c)
        gc = np.tile(g, self.n)
        factors = thomas_factor(-gc * lo, 1.0 - gc * di, -gc * up)
        base = thomas_solve(factors, self.cols(rhs))
        unit_rhs = np.zeros_like(base)
        unit_rhs[-1] = gc * self.particle.source(np.ones(self.n * self.N) / F)
        unit = thomas_solve(factors, unit_rhs)
        s0 = _Particle.surface(base).reshape(self.n, self.N)
        s1 = _Particle.surface(unit).reshape(self.n, self.N)

        def state(j):
            return (base + unit * j.reshape(1, -1)).reshape(-1, self.N)

        return s0, s1, state

    def solve(self, s0, s1, ce, kappa_edge, H_edge, i_cell, vt, j, jit):
        """Interfacial current densities ``j`` (n, N), A/m2, ``phi_s - phi_e`` and the surface
        concentrations at the cells (n, N), and whether each design converged (N,), for surface
        concentrations ``s0 + s1 j`` and the electrolyte ``ce`` (n, N) with its edge
        conductivities and diffusion-potential factors (n - 1, N) inside the electrode.

        Between cells k and k+1 the electrolyte current is ``i0 + sum_{m<=k} a dx j_m`` (i0 = 0
        in the negative, I/A in the positive), so ``phi_s - phi_e`` rises by ``(i0 - I/A) dx /
        sigma + i0 dx / kappa - H dc_e + (sum_{m<=k} a dx j_m) w_k`` with ``w_k = dx (1 / sigma
        + 1 / kappa_k)``: at cell k it is ``offset + C_k + a dx sum_{m<k} (W_k - W_m) j_m``
        (``W`` the cumulative sum of ``w``), an offset left unknown. The n Butler-Volmer
        equations and ``sum a dx j = +-I/A`` are solved for (j, offset) by Newton's method; the
        linear system of each iteration is lower triangular but for the offset, so it is solved
        by one forward sweep with every unknown affine in the offset's update."""
        N = self.N
        i0 = np.zeros(N) if self.which == "n" else i_cell
        target = np.asarray(i_cell if self.which == "n" else -i_cell, dtype=float)
        w = self.dx * (1.0 / self.sigma_eff + 1.0 / kappa_edge)  # (n-1, N)
        rise = (i0 - i_cell) * self.dx / self.sigma_eff + i0 * self.dx / kappa_edge - H_edge * np.diff(ce, axis=0)
        C = np.vstack([np.zeros((1, N)), np.cumsum(rise, axis=0)])  # (n, N)
        W = np.vstack([np.zeros((1, N)), np.cumsum(w, axis=0)])  # (n, N)
        k0 = self.m * np.sqrt(np.maximum(ce, _CE_J0))  # (n, N)
        j = np.array(j, dtype=float)  # updated in place
        delta, cs = np.empty_like(j), np.empty_like(j)
        ok = np.zeros(N, dtype=bool)
        args = (s0, s1, k0, C, W, self.a_dx, target, vt, self.cmax)
        if jit is not None:
            jit.electrode_newton(
                *[np.ascontiguousarray(np.broadcast_to(a, (N,)) if np.ndim(a) < 2 else a, dtype=float) for a in args],
                *self.U_tables,
                NEWTON_TOL_V,
                NEWTON_MAX,
                NEWTON_STEP_V,
                _SURF_FLOOR,
                _INNER,
                _Y_MAX,
                j,
                delta,
                cs,
                ok,
            )
        else:
            self._newton(*args, j, delta, cs, ok)
        return j, delta, cs, ok

    def _newton(self, s0, s1, k0, C, W, a_dx, target, vt, cmax, j, delta, cs, ok):
        """NumPy form of ``_jit_dfn.electrode_newton`` (same algorithm, all designs together
        until each has converged); ``ok``: converged (not: no currents carry the cell current,
        e.g. every particle surface of the electrode at its bound)."""
        n = self.n
        lo_c, hi_c = _SURF_FLOOR * cmax, (1.0 - _SURF_FLOOR) * cmax
        # start inside the particles' bounds where the step lets j move the surface
        c = s0 + s1 * j
        moves = (s1 != 0.0) & ((c <= lo_c) | (c >= hi_c))
        inner = np.clip(c, _INNER * cmax, (1.0 - _INNER) * cmax)
        j[moves] = ((inner - s0) / np.where(moves, s1, 1.0))[moves]
        offset = None
        for _ in range(NEWTON_MAX):
            np.clip(s0 + s1 * j, lo_c, hi_c, out=cs)
            j0 = k0 * np.sqrt(cs * (cmax - cs))
            z = j / (2.0 * j0)
            eta = 2.0 * vt * np.arcsinh(z)
            U = self.U(cs / cmax)
            dU = self.U.slope(cs / cmax) / cmax
            dj0 = j0 * 0.5 * (1.0 / cs - 1.0 / (cmax - cs)) * s1
            # d eta / d j, with j0's own dependence on j through the surface only where it makes
            # eta steeper: where it flattens it (a surface near a bound, a long step) the exact
            # derivative can vanish or change sign and Newton's method cycles
            deta = vt / np.sqrt(1.0 + z**2) * np.maximum(1.0 - j * dj0 / j0, 1.0) / j0
            before = np.cumsum(j, axis=0) - j  # sum over m < k
            before_w = np.cumsum(W * j, axis=0) - W * j
            Mj = a_dx * (W * before - before_w)
            if offset is None:  # the offset that fits the first guess best
                offset = np.mean(U + eta - C - Mj, axis=0)
            r = offset + C + Mj - U - eta
            d = dU * s1 + deta
            alpha, beta = np.empty_like(j), np.empty_like(j)
            sa, sb, swa, swb = (np.zeros(self.N) for _ in range(4))
            for k in range(n):
                alpha[k] = (r[k] + a_dx * (W[k] * sa - swa)) / d[k]
                beta[k] = (1.0 + a_dx * (W[k] * sb - swb)) / d[k]
                sa, sb = sa + alpha[k], sb + beta[k]
                swa, swb = swa + W[k] * alpha[k], swb + W[k] * beta[k]
            d_off = (-(a_dx * j.sum(axis=0) - target) / a_dx - sa) / sb
            dj = alpha + beta * d_off
            ok |= np.maximum(np.abs(d_off), np.max(np.abs(dj * d), axis=0)) < NEWTON_TOL_V
            # damped: Newton on the logarithm-like arcsinh overshoots from a far guess
            moved = np.maximum(
                np.abs(d_off), np.max(2.0 * vt * np.abs(np.arcsinh(z + dj / (2.0 * j0)) - np.arcsinh(z)), axis=0)
            )
            lam = np.minimum(1.0, NEWTON_STEP_V / np.maximum(moved, 1e-300))
            # where the step moves the particle surface (s1 != 0), the update is taken in
            # y = logit(c_surf / c_max): Newton's method in a variable with no bounds, so the
            # surface never crosses them (j0 -> 0 there) however steep the equation gets
            step = lam * dj
            c = np.clip(s0 + s1 * j, lo_c, hi_c)
            sig = c / cmax
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log(sig / (1.0 - sig)) + step * s1 / (cmax * sig * (1.0 - sig))
                moved_c = cmax / (1.0 + np.exp(-np.clip(y, -_Y_MAX, _Y_MAX)))
                j[...] = np.where(s1 != 0.0, (moved_c - s0) / np.where(s1 != 0.0, s1, 1.0), j + step)
            offset = offset + lam * d_off
            if np.all(ok):
                break
        np.clip(s0 + s1 * j, lo_c, hi_c, out=cs)
        j0 = k0 * np.sqrt(cs * (cmax - cs))
        delta[:] = self.U(cs / cmax) + 2.0 * vt * np.arcsinh(j / (2.0 * j0))


def dfn_kernels():
    """The DFN's compiled kernel module, or None (as :func:`.spme.kernels`)."""
    if kernels() is None:
        return None
    from . import _jit_dfn

    return _jit_dfn


class DFN:
    """The DFN for N cells, with the SPMe's interface for :func:`.solve.simulate`: state
    ``cn``, ``cp`` ((n_r * n_x, N) particle concentrations, shell-major), ``ce`` (K, N); one
    implicit ``step``; the ``voltage`` of a state."""

    _jit = None  # the simulation loop's SPMe kernels do not apply
    _constant_D = False

    def __init__(self, p: SPMeParameters, mesh: Mesh | None = None, compiled: bool | None = None):
        """``compiled``: solve the Butler-Volmer equations with the Numba kernel (default: when
        available)."""
        self.p = p
        self._kernel = dfn_kernels() if compiled is None or compiled else None
        if compiled and self._kernel is None:
            raise ImportError("the compiled DFN kernel needs Numba (pip install numba)")
        self.mesh = mesh or Mesh()
        self.el = _Electrolyte(p, self.mesh)
        self.ne = _Electrode(p, self.mesh, "n")
        self.pe = _Electrode(p, self.mesh, "p")
        n_r = self.mesh.n_r
        self.cn = np.repeat((p.x_n0 * p.cmax_n)[None, :], n_r * self.ne.n, axis=0)
        self.cp = np.repeat((p.x_p0 * p.cmax_p)[None, :], n_r * self.pe.n, axis=0)
        self.ce = np.repeat(np.asarray(p.ce0, dtype=float)[None, :], self.el.K, axis=0)
        self.T = np.broadcast_to(np.asarray(p.T, dtype=float), (len(p),)).copy()
        self.kappa = Grouped(p.kappa)
        self.D_e = Grouped(p.D_e)
        self._prev: list[np.ndarray] | None = None
        # the last interfacial currents: the next solve's first guess
        self._j: tuple[np.ndarray, np.ndarray] | None = None
        src = np.zeros((self.el.K, len(p)))
        src[self.el.n_sl] = (1.0 - p.t_plus) * self.ne.a / F
        src[self.el.p_sl] = (1.0 - p.t_plus) * self.pe.a / F
        self._src_per_j = src / self.el.eps  # mol/m3/s per A/m2 of interfacial current

    def reset_history(self):
        self._prev = None

    def _edges(self, ce):
        """Electrolyte edge values (K - 1, N): arithmetic mean of ``kappa eps^b``, harmonic
        mean of ``2 (1 - t+) RT / (F c_e)`` (PyBaMM's finite-volume shifts)."""
        el, p = self.el, self.p
        node_k = self.kappa(np.maximum(ce, CE_FLOOR)) * el.tort
        kappa_edge = el.one_minus_beta * node_k[:-1] + el.beta * node_k[1:]
        node_h = 2.0 * (1.0 - p.t_plus) * (R_GAS * self.T / F) / np.maximum(ce, _CE_H)
        H_edge = 1.0 / (el.beta / node_h[:-1] + el.one_minus_beta / node_h[1:])
        return kappa_edge, H_edge

    def _guess(self, current):
        """First guess of the interfacial currents: the last solution where it carried the same
        current (within 1 %), else uniform."""
        i_cell = np.broadcast_to(np.asarray(current, dtype=float) / self.p.area, (len(self.p),))
        uniform = (np.ones((self.ne.n, 1)) * i_cell / (self.ne.a_dx * self.ne.n),
                   -np.ones((self.pe.n, 1)) * i_cell / (self.pe.a_dx * self.pe.n))  # fmt: skip
        if self._j is None:
            return uniform
        carried = (self.ne.a_dx * self._j[0]).sum(axis=0)
        same = np.isfinite(carried) & (np.abs(carried - i_cell) <= 0.01 * np.abs(i_cell) + 1e-12)
        return tuple(np.where(same, j, u) for j, u in zip(self._j, uniform))

    def _currents(
        self, i_cell, s_n: tuple[np.ndarray, np.ndarray], s_p: tuple[np.ndarray, np.ndarray], ce, edges, guess
    ):
        """Both electrodes' ``_Electrode.solve`` (j, phi_s - phi_e, surface, converged) for
        surface concentrations ``s0 + s1 j``, the electrolyte ``ce`` and its ``edges``."""
        el, vt, (kappa_edge, H_edge) = self.el, R_GAS * self.T / F, edges
        n_n, p0 = self.ne.n, el.p_sl.start
        neg = self.ne.solve(
            *s_n, ce[el.n_sl], kappa_edge[: n_n - 1], H_edge[: n_n - 1], i_cell, vt, guess[0], self._kernel
        )
        pos = self.pe.solve(*s_p, ce[el.p_sl], kappa_edge[p0:], H_edge[p0:], i_cell, vt, guess[1], self._kernel)
        return neg, pos

    def _algebraic(self, current, s_n, s_p, ce, guess):
        """Interfacial currents and voltage for surface concentrations ``s0 + s1 j``."""
        p, el = self.p, self.el
        i_cell = np.broadcast_to(np.asarray(current, dtype=float) / p.area, (len(p),))
        kappa_edge, H_edge = edges = self._edges(ce)
        n_n, p0 = self.ne.n, el.p_sl.start
        (jn, dn, csn, ok_n), (jp, dp, csp, ok_p) = self._currents(i_cell, s_n, s_p, ce, edges, guess)
        # electrolyte current at the K - 1 edges, then the electrolyte potential from phi_e(x_0)
        ie = np.empty((el.K - 1, len(p)))
        ie[: n_n - 1] = np.cumsum(self.ne.a_dx * jn, axis=0)[:-1]
        ie[n_n - 1 : p0] = i_cell
        ie[p0:] = i_cell + np.cumsum(self.pe.a_dx * jp, axis=0)[:-1]
        dphi = H_edge * np.diff(ce, axis=0) - ie * el.centre_dist / kappa_edge
        phi_s_n0 = -i_cell * self.ne.dx / (2.0 * self.ne.sigma_eff)
        phi_e = (phi_s_n0 - dn[0]) + np.vstack([np.zeros((1, len(p))), np.cumsum(dphi, axis=0)])
        phi_s_p = phi_e[el.p_sl] + dp
        v = 1.5 * phi_s_p[-1] - 0.5 * phi_s_p[-2] - np.asarray(current) * p.R_contact
        # an electrode that cannot carry the current: the voltage is past any cut-off
        v = np.where(ok_n & ok_p, v, np.where(i_cell > 0, -np.inf, np.where(i_cell < 0, np.inf, np.nan)))
        xn, xp = csn / self.ne.cmax, csp / self.pe.cmax
        return {
            "voltage": v,
            "ocv": self.pe.U(xp.mean(axis=0)) - self.ne.U(xn.mean(axis=0)),
            "x_n_surf": xn.mean(axis=0),
            "x_p_surf": xp.mean(axis=0),
            "ce_min": ce.min(axis=0),
            "j_n": jn,
            "j_p": jp,
        }

    def step(self, current, dt, ratio=None):
        """Advance by ``dt`` (s, per design) at ``current`` (A): particles and electrolyte
        implicit (backward Euler, then variable-step BDF2), the interfacial currents solved
        at the end of the step. Returns the new state ``[cn, cp, ce, parts]`` (not kept)."""
        p = self.p
        current = np.broadcast_to(np.asarray(current, dtype=float), (len(p),))
        dt = np.broadcast_to(np.asarray(dt, dtype=float), (len(p),))
        bdf2 = self._prev is not None
        w = np.ones_like(dt) if ratio is None else np.broadcast_to(ratio, dt.shape)
        g = dt * (1.0 + w) / (1.0 + 2.0 * w) if bdf2 else dt

        def rhs(now, k):
            if not bdf2:
                return now
            assert self._prev is not None
            return ((1.0 + w) ** 2 * now - w**2 * self._prev[k]) / (1.0 + 2.0 * w)

        s0n, s1n, state_n = self.ne.implicit(self.cn, rhs(self.cn, 0), g)
        s0p, s1p, state_p = self.pe.implicit(self.cp, rhs(self.cp, 1), g)
        lo, di, up = self.el.operator(self.D_e(np.maximum(self.ce, CE_FLOOR)))
        a_lo, a_di, a_up = -g * lo, 1.0 - g * di, -g * up
        ce_rhs = rhs(self.ce, 2)
        # the electrolyte and the interfacial currents, each implicit given the other, are
        # brought to agree by fixed-point passes with Anderson mixing of depth one, design by
        # design (a design that has agreed keeps its electrolyte: batches give one-by-one results)
        ce = (
            self.ce
            if self._prev is None
            else np.clip(self.ce + w * (self.ce - self._prev[2]), 0.5 * self.ce, 2.0 * self.ce)
        )
        guess = self._guess(current)
        last = None
        done = np.zeros(len(p), dtype=bool)
        i_cell = current / p.area
        for _ in range(COUPLING_MAX):  # the currents alone (the voltage once, after)
            neg, pos = self._currents(i_cell, (s0n, s1n), (s0p, s1p), ce, self._edges(ce), guess)
            guess = (neg[0], pos[0])
            source = np.zeros_like(ce)
            source[self.el.n_sl] = neg[0]
            source[self.el.p_sl] = pos[0]
            # where the reaction consumes salt, its growth with c_e (j ~ j0 ~ sqrt(c_e) at fixed
            # overpotential) is taken implicitly: the passes stay stable as the electrolyte runs
            # out (the fixed point is unchanged)
            sink = np.where(
                ce > _CE_J0, np.minimum(self._src_per_j * source / (2.0 * np.maximum(ce, _CE_J0)), 0.0), 0.0
            )
            mapped = thomas_solve(
                thomas_factor(a_lo, a_di - g * sink, a_up), ce_rhs + g * (self._src_per_j * source - sink * ce)
            )
            resid = mapped - ce
            change = np.max(np.abs(resid) / np.maximum(np.abs(mapped), CE_FLOOR), axis=0)
            agreed = ~done & (change < COUPLING_TOL)
            if last is None:
                nxt = mapped
            else:
                d_c, d_r = ce - last[0], resid - last[1]
                gamma = (d_r * resid).sum(axis=0) / np.maximum((d_r * d_r).sum(axis=0), 1e-300)
                nxt = ce + resid - gamma * (d_c + d_r)
                # a mixed guess far from the plain pass (far from the solution) is not taken
                bad = np.any(nxt < 0.5 * mapped, axis=0) | np.any(nxt > 2.0 * mapped, axis=0)
                nxt[:, bad] = mapped[:, bad]
            nxt[:, agreed] = mapped[:, agreed]
            nxt[:, done] = ce[:, done]
            done |= agreed
            last = (ce, resid)
            ce = nxt
            if done.all():
                break
        parts = self._algebraic(current, (s0n, s1n), (s0p, s1p), ce, guess)
        # the electrolyte and the currents did not agree: no voltage, so that the simulation
        # retries a shorter step; where the salt has run out, the cell is at its limiting
        # current (as an exhausted electrode: past any cut-off), else the solve failed
        agreed = done | (change < COUPLING_ACCEPT)
        limiting = ce.min(axis=0) < DEPLETED * p.ce0
        past = np.where(current > 0, -np.inf, np.where(current < 0, np.inf, np.nan))
        parts["voltage"] = np.where(agreed, parts["voltage"], np.where(limiting, past, np.nan))
        return [state_n(parts["j_n"]), state_p(parts["j_p"]), ce, parts]

    def commit(self, state, active: np.ndarray):
        """Keep the new state (and its currents, the next solve's guess) for the designs still
        running."""
        parts = state[3]
        if self._j is None or active.all():
            self._j = (parts["j_n"].copy(), parts["j_p"].copy())
        else:
            self._j[0][:, active] = parts["j_n"][:, active]
            self._j[1][:, active] = parts["j_p"][:, active]
        commit_state(self, state[:3], active)

    def voltage(self, current, state=None) -> dict:
        """Terminal voltage (V) and its parts at ``current`` (A): of a state from ``step`` at
        the same current, or of the present one (the interfacial currents solved for it)."""
        if state is not None:
            return state[3]
        s_n = (self.ne.surface(self.cn), np.zeros((self.ne.n, len(self.p))))
        s_p = (self.pe.surface(self.cp), np.zeros((self.pe.n, len(self.p))))
        current = np.broadcast_to(np.asarray(current, dtype=float), (len(self.p),))
        return self._algebraic(current, s_n, s_p, self.ce, self._guess(current))
