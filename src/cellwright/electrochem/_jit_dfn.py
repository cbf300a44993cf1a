"""Compiled (Numba) kernel for the DFN: the Butler-Volmer solve of one electrode, design by
design (each stops when its own Newton updates are below the tolerance). Same algorithm and
numbers as ``dfn._Electrode._newton``; imported with the SPMe's kernels, on first use."""

from __future__ import annotations

import numpy as np
from numba import njit

from ._jit import _OPTS, _interval


@njit(inline="always", **_OPTS)
def _value_slope(x, tx, ty, sl, start, n, x0, inv_h):
    """A table's value and slope at ``x`` (``np.interp``; slope 0 outside, where it is flat)."""
    if x < tx[start]:
        return ty[start], 0.0
    if x >= tx[start + n - 1]:
        return ty[start + n - 1], 0.0
    k = _interval(x, tx, start, n, x0, inv_h)
    return sl[k] * (x - tx[k]) + ty[k], sl[k]


@njit(**_OPTS)
def electrode_newton(
    s0,
    s1,
    k0,
    C,
    W,
    a_dx,
    target,
    vt,
    cmax,
    tx,
    ty,
    sl,
    start,
    length,
    x0,
    inv_h,
    tol,
    max_it,
    max_step,
    floor,
    inner,
    y_max,
    j,
    delta,
    cs,
    ok,
):
    """Solve one electrode's Butler-Volmer equations for the interfacial currents ``j`` (n, N),
    in place from the given guess; write ``phi_s - phi_e`` (``delta``), the surface
    concentrations (``cs``) and whether each design converged (``ok``; not: no currents carry
    the cell current, e.g. every particle surface of the electrode at its bound). Arguments as in ``dfn._Electrode.solve``; ``tx`` to ``inv_h`` the
    open-circuit potential's packed tables."""
    n, N = j.shape
    r = np.empty(n)
    d = np.empty(n)
    zs = np.empty(n)
    j0s = np.empty(n)
    alpha = np.empty(n)
    beta = np.empty(n)
    for i in range(N):
        cm = cmax[i]
        lo_c, hi_c = floor * cm, (1.0 - floor) * cm
        for k in range(n):  # start inside the bounds where the step lets j move the surface
            c = s0[k, i] + s1[k, i] * j[k, i]
            if s1[k, i] != 0.0 and (c <= lo_c or c >= hi_c):
                j[k, i] = (min(max(c, inner * cm), (1.0 - inner) * cm) - s0[k, i]) / s1[k, i]
        a = a_dx[i]
        two_vt = 2.0 * vt[i]
        offset = 0.0
        ok[i] = False
        for it in range(max_it):
            total = 0.0
            s_j = 0.0
            s_wj = 0.0
            fit = 0.0
            for k in range(n):
                jk = j[k, i]
                c = min(max(s0[k, i] + s1[k, i] * jk, lo_c), hi_c)
                j0 = k0[k, i] * np.sqrt(c * (cm - c))
                z = jk / (2.0 * j0)
                zs[k] = z
                j0s[k] = j0
                eta = two_vt * np.arcsinh(z)
                u, du = _value_slope(c / cm, tx, ty, sl, start[i], length[i], x0[i], inv_h[i])
                dj0 = j0 * 0.5 * (1.0 / c - 1.0 / (cm - c)) * s1[k, i]
                deta = 0.5 * two_vt / np.sqrt(1.0 + z * z) * max(1.0 - jk * dj0 / j0, 1.0) / j0  # as the NumPy form
                mj = a * (W[k, i] * s_j - s_wj)
                r[k] = C[k, i] + mj - u - eta  # plus the offset
                fit += u + eta - C[k, i] - mj
                d[k] = du / cm * s1[k, i] + deta
                s_j += jk
                s_wj += W[k, i] * jk
                total += jk
            if it == 0:
                offset = fit / n  # the offset that fits the first guess best
            sa = 0.0
            sb = 0.0
            swa = 0.0
            swb = 0.0
            for k in range(n):
                alpha[k] = (r[k] + offset + a * (W[k, i] * sa - swa)) / d[k]
                beta[k] = (1.0 + a * (W[k, i] * sb - swb)) / d[k]
                sa += alpha[k]
                sb += beta[k]
                swa += W[k, i] * alpha[k]
                swb += W[k, i] * beta[k]
            d_off = (-(a * total - target[i]) / a - sa) / sb
            worst = abs(d_off)
            moved = abs(d_off)
            for k in range(n):
                dj = alpha[k] + beta[k] * d_off
                worst = max(worst, abs(dj * d[k]))
                moved = max(moved, two_vt * abs(np.arcsinh(zs[k] + dj / (2.0 * j0s[k])) - np.arcsinh(zs[k])))
            lam = min(1.0, max_step / max(moved, 1e-300))  # damped, as in the NumPy form
            for k in range(n):  # in y = logit(c_surf / c_max) where the step moves the surface
                dj = lam * (alpha[k] + beta[k] * d_off)
                if s1[k, i] != 0.0:
                    c = min(max(s0[k, i] + s1[k, i] * j[k, i], lo_c), hi_c)
                    sig = c / cm
                    y = np.log(sig / (1.0 - sig)) + dj * s1[k, i] / (cm * sig * (1.0 - sig))
                    y = min(max(y, -y_max), y_max)
                    j[k, i] = (cm / (1.0 + np.exp(-y)) - s0[k, i]) / s1[k, i]
                else:
                    j[k, i] += dj
            offset += lam * d_off
            if worst < tol:
                ok[i] = True
                break
        for k in range(n):
            c = min(max(s0[k, i] + s1[k, i] * j[k, i], lo_c), hi_c)
            j0 = k0[k, i] * np.sqrt(c * (cm - c))
            u, _ = _value_slope(c / cm, tx, ty, sl, start[i], length[i], x0[i], inv_h[i])
            cs[k, i] = c
            delta[k, i] = u + two_vt * np.arcsinh(j[k, i] / (2.0 * j0))
