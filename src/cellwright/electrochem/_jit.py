"""Compiled (Numba) kernels for the SPMe: one fused implicit step and the terminal voltage.

They do what :class:`.spme.SPMe` does with whole-array NumPy operations and give the same
numbers to rounding (a few algebraically equal rearrangements save divisions and logarithms).
NumPy builds many (points, N) temporaries per step and interpolates the electrolyte diffusivity
with a binary search per point; here blocks of designs have their three tridiagonal systems
assembled, factorised and solved in small scratch arrays, and tables are indexed by
arithmetic. Kernels release the interpreter lock (``nogil``), so the threads of
``simulate_parallel`` run them on several cores. Imported only when a model is first built
(Numba takes a few tenths of a second to import); compiled code is cached on disk.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_OPTS = dict(nogil=True, cache=True, fastmath=False, error_model="numpy")


@njit(inline="always", **_OPTS)
def _interp(x, tx, ty, sl, start, n, x0, inv_h):
    """``np.interp(x, table)`` (flat outside) for the table at ``start`` of ``n`` points."""
    last = start + n - 1
    if x != x:
        return x
    if x < tx[start]:
        return ty[start]
    if x >= tx[last]:
        return ty[last]
    if inv_h > 0.0:
        k = int((x - x0) * inv_h)
        if k > n - 2:
            k = n - 2
        if k < 0:
            k = 0
        k += start
        while x < tx[k]:
            k -= 1
        while x >= tx[k + 1]:
            k += 1
    else:
        lo, hi = start, last  # tx[lo] <= x < tx[hi]
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            if x >= tx[mid]:
                lo = mid
            else:
                hi = mid
        k = lo
    if tx[k] == x:
        return ty[k]
    return sl[k] * (x - tx[k]) + ty[k]


@njit(inline="always", **_OPTS)
def _asinh(x):
    """arcsinh(x) as log(|x| + sqrt(x^2 + 1)): a quarter of libm's cost; the absolute error
    (what a voltage sees) stays at rounding level."""
    ax = abs(x)
    if ax > 1e150:
        r = np.log(ax) + 0.6931471805599453
    else:
        r = np.log(ax + np.sqrt(ax * ax + 1.0))
    return r if x >= 0.0 else -r


@njit(inline="always", **_OPTS)
def _sum_log(ce, j, first, stop):
    """Sum of log(max(c, 1e-6)) over rows first..stop-1: logs of products of 8 (no overflow
    for concentrations within 1e-6..1e30 mol/m3), a fraction of the logarithms."""
    total = 0.0
    prod = 1.0
    k = 0
    for i in range(first, stop):
        prod *= max(ce[i, j], 1e-6)
        k += 1
        if k == 8:
            total += np.log(prod)
            prod = 1.0
            k = 0
    return total + np.log(prod)


BLOCK = 64  # designs swept together: rows outer, designs inner (independent, so SIMD)


@njit(inline="always", **_OPTS)
def _thomas_block(j0, nb, g, lo, di, up, out, cpw):
    """Factor and solve the block's systems ``(1 - g L) x = out`` in place, L = (lo, di, up)
    with rows (m, N); ``cpw`` scratch (m, BLOCK). The order of arithmetic is ``thomas``'s."""
    m = out.shape[0]
    for jj in range(nb):
        j = j0 + jj
        inv = 1.0 / (1.0 - g[jj] * di[0, j])
        cpw[0, jj] = -g[jj] * up[0, j] * inv
        out[0, j] = out[0, j] * inv
    for i in range(1, m):
        for jj in range(nb):
            j = j0 + jj
            a = -g[jj] * lo[i, j]
            inv = 1.0 / ((1.0 - g[jj] * di[i, j]) - a * cpw[i - 1, jj])
            cpw[i, jj] = -g[jj] * up[i, j] * inv
            out[i, j] = (out[i, j] - a * out[i - 1, j]) * inv
    for i in range(m - 2, -1, -1):
        for jj in range(nb):
            out[i, j0 + jj] -= cpw[i, jj] * out[i + 1, j0 + jj]


@njit(inline="always", **_OPTS)
def _rhs_block(j0, nb, bdf2, a1, a2, c, prev, out):
    """BDF2 (or backward Euler) right-hand side of the block into ``out``: a1 c - a2 prev."""
    for i in range(c.shape[0]):
        for jj in range(nb):
            j = j0 + jj
            if bdf2:
                out[i, j] = a1[jj] * c[i, j] - a2[jj] * prev[i, j]
            else:
                out[i, j] = c[i, j]


@njit(**_OPTS)
def step(
    cn, cp, ce, pn, pp, pe, bdf2, w, dt,
    lo_n, di_n, up_n, src_n, lo_p, di_p, up_p, src_p,
    tort, beta, one_minus_beta, inv_centre_dist, inv_vol, src_unit, current,
    tx, ty, sl, start, length, x0, inv_h, ce_floor,
    out_n, out_p, out_e,
):  # fmt: skip
    """Advance N designs by ``dt``: particle sources ``src_*`` (dc/dt of the outer shell, (N,)),
    electrolyte diffusivity table (``tx`` ... ``inv_h``), results into ``out_*``."""
    n = cn.shape[1]
    K = ce.shape[0]
    mn = cn.shape[0]
    mp = cp.shape[0]
    cpw = np.empty((max(K, mn, mp), BLOCK))
    lower = np.empty((K, BLOCK))
    diag = np.empty((K, BLOCK))
    upper = np.empty((K, BLOCK))
    g = np.empty(BLOCK)
    a1 = np.empty(BLOCK)
    a2 = np.empty(BLOCK)
    for j0 in range(0, n, BLOCK):
        nb = min(BLOCK, n - j0)
        for jj in range(nb):
            j = j0 + jj
            if bdf2:
                wj = w[j]
                den = 1.0 + 2.0 * wj
                a1[jj] = (1.0 + wj) ** 2 / den
                a2[jj] = wj**2 / den
                g[jj] = dt[j] * (1.0 + wj) / den
            else:
                g[jj] = dt[j]
        _rhs_block(j0, nb, bdf2, a1, a2, cn, pn, out_n)
        _rhs_block(j0, nb, bdf2, a1, a2, cp, pp, out_p)
        _rhs_block(j0, nb, bdf2, a1, a2, ce, pe, out_e)
        for jj in range(nb):
            j = j0 + jj
            out_n[mn - 1, j] += g[jj] * src_n[j]
            out_p[mp - 1, j] += g[jj] * src_p[j]
        _thomas_block(j0, nb, g, lo_n, di_n, up_n, out_n, cpw)
        _thomas_block(j0, nb, g, lo_p, di_p, up_p, out_p, cpw)
        # electrolyte: operator from the diffusivity at the present concentration
        for i in range(K):
            for jj in range(nb):
                j = j0 + jj
                De = _interp(max(ce[i, j], ce_floor), tx, ty, sl, start[j], length[j], x0[j], inv_h[j])
                diag[i, jj] = tort[i, j] * De  # for now, the effective diffusivity
        for jj in range(nb):
            lower[0, jj] = 0.0
            upper[K - 1, jj] = 0.0
        for i in range(K - 1):
            for jj in range(nb):
                j = j0 + jj
                # harmonic mean, 1 / (beta / D_i + (1 - beta) / D_i+1), with one division
                d0, d1 = diag[i, jj], diag[i + 1, jj]
                ge = d0 * d1 / (beta[i, j] * d1 + one_minus_beta[i, j] * d0) * inv_centre_dist[i, j]
                lower[i + 1, jj] = ge * inv_vol[i + 1, j]
                upper[i, jj] = ge * inv_vol[i, j]
        for i in range(K):
            for jj in range(nb):
                j = j0 + jj
                diag[i, jj] = (0.0 - upper[i, jj]) - lower[i, jj]
                out_e[i, j] = out_e[i, j] + g[jj] * src_unit[i, j] * current[j]
        _thomas_local(j0, nb, g, lower, diag, upper, out_e, cpw)


@njit(inline="always", **_OPTS)
def _thomas_local(j0, nb, g, lo, di, up, out, cpw):
    """``_thomas_block`` with the operator in block-local scratch (m, BLOCK)."""
    m = out.shape[0]
    for jj in range(nb):
        inv = 1.0 / (1.0 - g[jj] * di[0, jj])
        cpw[0, jj] = -g[jj] * up[0, jj] * inv
        out[0, j0 + jj] = out[0, j0 + jj] * inv
    for i in range(1, m):
        for jj in range(nb):
            j = j0 + jj
            a = -g[jj] * lo[i, jj]
            inv = 1.0 / ((1.0 - g[jj] * di[i, jj]) - a * cpw[i - 1, jj])
            cpw[i, jj] = -g[jj] * up[i, jj] * inv
            out[i, j] = (out[i, j] - a * out[i - 1, j]) * inv
    for i in range(m - 2, -1, -1):
        for jj in range(nb):
            out[i, j0 + jj] -= cpw[i, jj] * out[i + 1, j0 + jj]


@njit(**_OPTS)
def voltage(
    cn, cp, ce, j_n, j_p, current, n_cells, p_first, dx, length,
    cmax_n, cmax_p, k0_n, k0_p, vt, t_plus, area, kappa_geom, sigma_term, R_contact,
    Un, Up, kappa, ce_floor,
    v, ocv, xn_s, xp_s, ce_min,
):  # fmt: skip
    """Terminal voltage and its parts (see ``SPMe.voltage``); ``k0_*`` = m exp(Arrhenius),
    ``Un``/``Up``/``kappa`` packed tables (``functions.Packed.args()``)."""
    n = cn.shape[1]
    K = ce.shape[0]
    m_n = cn.shape[0]
    m_p = cp.shape[0]
    n_p = K - p_first
    for j in range(n):
        cn_s = min(max(1.5 * cn[m_n - 1, j] - 0.5 * cn[m_n - 2, j], 1e-9 * cmax_n[j]), (1 - 1e-9) * cmax_n[j])
        cp_s = min(max(1.5 * cp[m_p - 1, j] - 0.5 * cp[m_p - 2, j], 1e-9 * cmax_p[j]), (1 - 1e-9) * cmax_p[j])
        fn = k0_n[j] * np.sqrt(cn_s * (cmax_n[j] - cn_s))
        fp = k0_p[j] * np.sqrt(cp_s * (cmax_p[j] - cp_s))
        sum_n = 0.0
        sum_p = 0.0
        total = 0.0
        lowest = ce[0, j]
        for i in range(K):
            c = ce[i, j]
            lowest = min(lowest, c)
            c = max(c, 1e-6)
            total += c * dx[i, j]
            if i < n_cells:
                sum_n += _asinh(j_n[j] / (2.0 * (fn * np.sqrt(c))))
            elif i >= p_first:
                sum_p += _asinh(j_p[j] / (2.0 * (fp * np.sqrt(c))))
        log_n = _sum_log(ce, j, 0, n_cells)
        log_p = _sum_log(ce, j, p_first, K)
        eta_n = 2.0 * vt[j] * (sum_n / n_cells)
        eta_p = 2.0 * vt[j] * (sum_p / n_p)
        xn = cn_s / cmax_n[j]
        xp = cp_s / cmax_p[j]
        un = _interp(xn, Un[0], Un[1], Un[2], Un[3][j], Un[4][j], Un[5][j], Un[6][j])
        up = _interp(xp, Up[0], Up[1], Up[2], Up[3][j], Up[4][j], Up[5][j], Up[6][j])
        oc = up - un
        conc = 2.0 * (1.0 - t_plus[j]) * vt[j] * (log_p / n_p - log_n / n_cells)
        kap = _interp(max(total / length[j], ce_floor), kappa[0], kappa[1], kappa[2], kappa[3][j], kappa[4][j], kappa[5][j], kappa[6][j])
        i_dens = current[j] / area[j]
        ohm_e = -i_dens * kappa_geom[j] / kap
        ohm_s = -i_dens * sigma_term[j]
        v[j] = oc + eta_p - eta_n + conc + ohm_e + ohm_s - current[j] * R_contact[j]
        ocv[j] = oc
        xn_s[j] = xn
        xp_s[j] = xp
        ce_min[j] = lowest
