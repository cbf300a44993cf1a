"""Compiled (Numba) kernels for the SPMe: one fused implicit step, the terminal voltage, the
per-step bookkeeping of ``solve.simulate`` and, at a fixed current, its whole time-step loop.

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

from typing import Any

import numpy as np
from numba import njit

_OPTS: dict[str, Any] = dict(nogil=True, cache=True, fastmath=False, error_model="numpy")


@njit(inline="always", **_OPTS)
def _interval(x, tx, start, n, x0, inv_h):
    """Index k of the table at ``start`` of ``n`` points with ``tx[k] <= x < tx[k + 1]``, for x
    inside it: by arithmetic in a uniform table (``inv_h`` > 0), else by bisection."""
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
        return k
    lo, hi = start, start + n - 1  # tx[lo] <= x < tx[hi]
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if x >= tx[mid]:
            lo = mid
        else:
            hi = mid
    return lo


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
    k = _interval(x, tx, start, n, x0, inv_h)
    if tx[k] == x:
        return ty[k]
    return sl[k] * (x - tx[k]) + ty[k]


@njit(inline="always", **_OPTS)
def _interp_uniform(x, tx, ty, sl, start, n, x0, inv_h):
    """``_interp`` for a uniformly spaced table, without branches on the data (so a loop of
    them vectorises): at a point within rounding of a knot it may take the neighbouring
    interval, which gives the same value to rounding. NaN gives NaN."""
    lo = tx[start]
    hi = tx[start + n - 1]
    if x < lo:
        x = lo
    if x > hi:
        x = hi
    k = int((x - x0) * inv_h)
    k = min(max(k, 0), n - 2) + start
    return ty[k] + sl[k] * (x - tx[k])


BLOCK = (
    128  # designs swept together: rows outer, designs inner (independent, so SIMD); 128 measured ~10 % faster than 64
)


@njit(inline="always", **_OPTS)
def _first_row(A, B, C, o, cw):
    for k in range(o.size):
        inv = 1.0 / B[k]
        cw[k] = C[k] * inv
        o[k] = o[k] * inv


@njit(inline="always", **_OPTS)
def _forward_row(A, B, C, o, o_prev, cw_prev, cw):
    for k in range(o.size):
        inv = 1.0 / (B[k] - A[k] * cw_prev[k])
        cw[k] = C[k] * inv
        o[k] = (o[k] - A[k] * o_prev[k]) * inv


@njit(inline="always", **_OPTS)
def _back_row(o, o_next, cw):
    for k in range(o.size):
        o[k] -= cw[k] * o_next[k]


@njit(inline="always", **_OPTS)
def _thomas(j0, j1, A, B, C, out, cw):
    """Solve the block's tridiagonal systems in place: ``A``, ``B``, ``C`` and the scratch
    ``cw`` are block-local (m, BLOCK), right-hand sides ``out[:, j0:j1]``. Row by row, each
    row's loop runs over independent designs (vectorised)."""
    m = out.shape[0]
    nb = j1 - j0
    _first_row(A[0, :nb], B[0, :nb], C[0, :nb], out[0, j0:j1], cw[0, :nb])
    for i in range(1, m):
        _forward_row(A[i, :nb], B[i, :nb], C[i, :nb], out[i, j0:j1], out[i - 1, j0:j1], cw[i - 1, :nb], cw[i, :nb])
    for i in range(m - 2, -1, -1):
        _back_row(out[i, j0:j1], out[i + 1, j0:j1], cw[i, :nb])


@njit(inline="always", **_OPTS)
def _rhs(j0, j1, bdf2, a1, a2, c, prev, out):
    """BDF2 (or backward Euler) right-hand side of the block into ``out``: a1 c - a2 prev."""
    nb = j1 - j0
    for i in range(c.shape[0]):
        o, x, xp = out[i, j0:j1], c[i, j0:j1], prev[i, j0:j1]
        if bdf2:
            for k in range(nb):
                o[k] = a1[k] * x[k] - a2[k] * xp[k]
        else:
            for k in range(nb):
                o[k] = x[k]


@njit(inline="always", **_OPTS)
def _particle(j0, j1, g, bdf2, a1, a2, c, prev, lo, di, up, scale, src, out, A, B, C, cw):
    """One electrode's particles over the block. The operator is ``(lo, di, up) * scale``:
    (m, 1) shapes times a diffusivity scale per design when D is constant, else (m, N)."""
    m = c.shape[0]
    full = lo.shape[1] > 1
    for i in range(m):
        for k in range(j1 - j0):
            j = j0 + k
            jc = j if full else 0
            s = scale[j]
            A[i, k] = -g[k] * (lo[i, jc] * s)
            B[i, k] = 1.0 - g[k] * (di[i, jc] * s)
            C[i, k] = -g[k] * (up[i, jc] * s)
    _rhs(j0, j1, bdf2, a1, a2, c, prev, out)
    for k in range(j1 - j0):
        out[m - 1, j0 + k] += g[k] * src[j0 + k]
    _thomas(j0, j1, A, B, C, out, cw)


@njit(**_OPTS)
def step(
    cn, cp, ce, pn, pp, pe, bdf2, w, dt,
    lo_n, di_n, up_n, scale_n, src_n, lo_p, di_p, up_p, scale_p, src_p,
    dom, edge, tort, inv_vol, src_unit, beta, one_minus_beta, inv_centre_dist, current,
    tx, ty, sl, start, length, x0, inv_h, ce_floor,
    out_n, out_p, out_e,
):  # fmt: skip
    """Advance N designs by ``dt`` (BDF2 with step ratio ``w``, or backward Euler), results
    into ``out_*``. Particles: operators (see ``_particle``) and the outer shell's dc/dt
    ``src_*`` (N,). Electrolyte: per-domain constants ``tort``, ``inv_vol``, ``src_unit``
    (3, N) picked by each cell's domain ``dom`` (K,), per-edge-kind constants ``beta``,
    ``one_minus_beta``, ``inv_centre_dist`` (5, N: inside negative, negative|separator, ...)
    by ``edge`` (K-1,); its diffusivity table ``tx`` ... ``inv_h``."""
    n = cn.shape[1]
    K = ce.shape[0]
    rows = max(K, cn.shape[0], cp.shape[0])
    A = np.empty((rows, BLOCK))
    B = np.empty((rows, BLOCK))
    C = np.empty((rows, BLOCK))
    cw = np.empty((rows, BLOCK))
    eff = np.empty((K, BLOCK))
    g = np.empty(BLOCK)
    a1 = np.empty(BLOCK)
    a2 = np.empty(BLOCK)
    for j0 in range(0, n, BLOCK):
        j1 = min(j0 + BLOCK, n)
        nb = j1 - j0
        for k in range(nb):
            j = j0 + k
            if bdf2:
                wj = w[j]
                den = 1.0 + 2.0 * wj
                a1[k] = (1.0 + wj) ** 2 / den
                a2[k] = wj**2 / den
                g[k] = dt[j] * (1.0 + wj) / den
            else:
                g[k] = dt[j]
        _particle(j0, j1, g, bdf2, a1, a2, cn, pn, lo_n, di_n, up_n, scale_n, src_n, out_n, A, B, C, cw)
        _particle(j0, j1, g, bdf2, a1, a2, cp, pp, lo_p, di_p, up_p, scale_p, src_p, out_p, A, B, C, cw)
        # electrolyte: operator from the diffusivity at the present concentration
        uniform = True
        for k in range(nb):
            uniform &= (inv_h[j0 + k] > 0.0) and (start[j0 + k] == start[j0]) and (length[j0 + k] == length[j0])
        for i in range(K):
            d = dom[i]
            if uniform:  # one uniformly spaced table (the usual case): a vectorised loop
                s0, ln, xa, ih = start[j0], length[j0], x0[j0], inv_h[j0]
                for k in range(nb):
                    j = j0 + k
                    eff[i, k] = tort[d, j] * _interp_uniform(max(ce[i, j], ce_floor), tx, ty, sl, s0, ln, xa, ih)
            else:
                for k in range(nb):
                    j = j0 + k
                    De = _interp(max(ce[i, j], ce_floor), tx, ty, sl, start[j], length[j], x0[j], inv_h[j])
                    eff[i, k] = tort[d, j] * De
        for k in range(nb):
            A[0, k] = 0.0
            C[K - 1, k] = 0.0
        for i in range(K - 1):
            e, d0, d1 = edge[i], dom[i], dom[i + 1]
            for k in range(nb):
                j = j0 + k
                # harmonic mean of eps^b D_e, 1 / (beta / D_i + (1 - beta) / D_i+1), one division
                f0, f1 = eff[i, k], eff[i + 1, k]
                ge = f0 * f1 / (beta[e, j] * f1 + one_minus_beta[e, j] * f0) * inv_centre_dist[e, j]
                A[i + 1, k] = -g[k] * (ge * inv_vol[d1, j])
                C[i, k] = -g[k] * (ge * inv_vol[d0, j])
        for i in range(K):
            for k in range(nb):
                B[i, k] = 1.0 - A[i, k] - C[i, k]
        _rhs(j0, j1, bdf2, a1, a2, ce, pe, out_e)
        for i in range(K):
            d = dom[i]
            for k in range(nb):
                j = j0 + k
                out_e[i, j] += g[k] * src_unit[d, j] * current[j]
        _thomas(j0, j1, A, B, C, out_e, cw)


@njit(inline="always", **_OPTS)
def _electrode_sums(ce, j0, nb, first, stop, a, sum_asinh, sum_log, p1, p2):
    """Per design of the block, over the electrode's cells ``first..stop-1`` (c = max(ce, 1e-6)):
    the sum of ln c and of asinh(a / sqrt(c)). With x = a / sqrt(c),
    asinh x = ln(|x| + sqrt(x^2 + 1)) = ln(|a| + sqrt(a^2 + c)) - ln(c) / 2 (sign of a), so both
    sums come from logarithms of products over up to 4 cells (no overflow: each factor is far
    from 1e+-75), a tenth of the transcendental calls; the absolute error (what the voltage sees)
    stays at rounding level."""
    for k in range(nb):
        sum_asinh[k] = 0.0
        sum_log[k] = 0.0
        p1[k] = 1.0
        p2[k] = 1.0
    for i in range(first, stop):
        row = ce[i, j0 : j0 + nb]
        for k in range(nb):
            c = max(row[k], 1e-6)
            p1[k] *= c
            p2[k] *= abs(a[k]) + np.sqrt(a[k] * a[k] + c)
        if (i - first) % 4 == 3 or i == stop - 1:
            for k in range(nb):
                sum_log[k] += np.log(p1[k])
                sum_asinh[k] += np.log(p2[k])
                p1[k] = 1.0
                p2[k] = 1.0
    for k in range(nb):
        if a[k] == 0.0:
            sum_asinh[k] = 0.0
        else:
            sum_asinh[k] = (sum_asinh[k] - 0.5 * sum_log[k]) * (1.0 if a[k] > 0.0 else -1.0)


@njit(**_OPTS)
def voltage(
    cn, cp, ce, j_n, j_p, current, n_cells, p_first, dom, dx, length,
    cmax_n, cmax_p, k0_n, k0_p, vt, t_plus, area, kappa_geom, sigma_term, R_contact,
    Un, Up, kappa, ce_floor,
    v, ocv, xn_s, xp_s, ce_min,
):  # fmt: skip
    """Terminal voltage and its parts (see ``SPMe.voltage``); ``k0_*`` = m exp(Arrhenius),
    ``dx`` (3, N) by domain ``dom`` (K,), ``Un``/``Up``/``kappa`` packed tables
    (``functions.Packed.args()``). Blocks of designs, rows outer, as in ``step``."""
    n = cn.shape[1]
    K = ce.shape[0]
    m_n = cn.shape[0]
    m_p = cp.shape[0]
    n_p = K - p_first
    a_n = np.empty(BLOCK)
    a_p = np.empty(BLOCK)
    sum_n = np.empty(BLOCK)
    sum_p = np.empty(BLOCK)
    log_n = np.empty(BLOCK)
    log_p = np.empty(BLOCK)
    p1 = np.empty(BLOCK)
    p2 = np.empty(BLOCK)
    total = np.empty(BLOCK)
    lowest = np.empty(BLOCK)
    for j0 in range(0, n, BLOCK):
        nb = min(BLOCK, n - j0)
        for k in range(nb):
            j = j0 + k
            cn_s = min(max(1.5 * cn[m_n - 1, j] - 0.5 * cn[m_n - 2, j], 1e-9 * cmax_n[j]), (1 - 1e-9) * cmax_n[j])
            cp_s = min(max(1.5 * cp[m_p - 1, j] - 0.5 * cp[m_p - 2, j], 1e-9 * cmax_p[j]), (1 - 1e-9) * cmax_p[j])
            xn_s[j] = cn_s / cmax_n[j]
            xp_s[j] = cp_s / cmax_p[j]
            # Butler-Volmer argument j / (2 j0), j0 = k0 sqrt(cs (cmax - cs)) sqrt(ce): a / sqrt(ce)
            a_n[k] = j_n[j] / (2.0 * (k0_n[j] * np.sqrt(cn_s * (cmax_n[j] - cn_s))))
            a_p[k] = j_p[j] / (2.0 * (k0_p[j] * np.sqrt(cp_s * (cmax_p[j] - cp_s))))
            total[k] = 0.0
            lowest[k] = ce[0, j]
        for i in range(K):
            d = dom[i]
            row = ce[i, j0 : j0 + nb]
            for k in range(nb):
                c = row[k]
                lowest[k] = min(lowest[k], c)
                total[k] += max(c, 1e-6) * dx[d, j0 + k]
        _electrode_sums(ce, j0, nb, 0, n_cells, a_n, sum_n, log_n, p1, p2)
        _electrode_sums(ce, j0, nb, p_first, K, a_p, sum_p, log_p, p1, p2)
        for k in range(nb):
            j = j0 + k
            eta_n = 2.0 * vt[j] * (sum_n[k] / n_cells)
            eta_p = 2.0 * vt[j] * (sum_p[k] / n_p)
            un = _interp(xn_s[j], Un[0], Un[1], Un[2], Un[3][j], Un[4][j], Un[5][j], Un[6][j])
            up = _interp(xp_s[j], Up[0], Up[1], Up[2], Up[3][j], Up[4][j], Up[5][j], Up[6][j])
            oc = up - un
            conc = 2.0 * (1.0 - t_plus[j]) * vt[j] * (log_p[k] / n_p - log_n[k] / n_cells)
            ce_mean = max(total[k] / length[j], ce_floor)
            kap = _interp(ce_mean, kappa[0], kappa[1], kappa[2], kappa[3][j], kappa[4][j], kappa[5][j], kappa[6][j])
            i_dens = current[j] / area[j]
            ohm_e = -i_dens * kappa_geom[j] / kap
            ohm_s = -i_dens * sigma_term[j]
            v[j] = oc + eta_p - eta_n + conc + ohm_e + ohm_s - current[j] * R_contact[j]
            ocv[j] = oc
            ce_min[j] = lowest[k]


@njit(inline="always", **_OPTS)
def _clip(x, lo, hi):
    """``np.clip`` for a scalar (NaN stays NaN)."""
    if x != x:
        return x
    return lo if x < lo else (hi if x > hi else x)


@njit(**_OPTS)
def advance(
    alive, v, v_new, v_two_back, have_two_back, current, until_v, has_until, duration, i_end,
    capacity, dt, dt_prev, dt_min, dt_max, tol_V, elapsed, t, soc, dis_q, dis_e, chg_q,
    valid, ce_min, ce_limit, last_current,
    frac, end, ratio,
):  # fmt: skip
    """The bookkeeping of one time step of ``solve.simulate`` for N designs, in one pass (the
    NumPy path's whole-array operations, same numbers): the fraction ``frac`` of the step
    each design takes (to its end condition: voltage ``until_v`` if ``has_until``, the
    step's ``duration`` unless NaN, current magnitude ``i_end`` unless NaN) and whether it
    ``end``s; the running totals of the designs still ``alive``; the voltage ``v`` (the one
    before into ``v_two_back``); the next step ``dt`` (the present one into ``dt_prev``) and
    ``ratio``. Returns whether any design takes only part of the step."""
    n = v.shape[0]
    any_partial = False
    for j in range(n):
        cur = current[j]
        fr = 1.0
        en = False
        if has_until:
            below = v_new[j] <= until_v[j] if cur >= 0 else v_new[j] >= until_v[j]
            en = below
            if below:
                f = (v[j] - until_v[j]) / (v[j] - v_new[j])
                fr = _clip(1.0 if f != f else f, 0.0, 1.0)
        if elapsed[j] + dt[j] >= duration:
            if not en:
                fr = _clip((duration - elapsed[j]) / dt[j], 0.0, 1.0)
            en = True
        if abs(cur) <= i_end[j]:
            en = True
        a = alive[j]
        end[j] = en and a
        frac[j] = fr
        any_partial |= fr < 1.0
        h = fr * dt[j]
        v0 = v[j]
        v_end = v0 + fr * (v_new[j] - v0)
        if a:
            q = cur * h / 3600.0
            if cur > 0:
                dis_q[j] += q
                dis_e[j] += cur * 0.5 * (v0 + v_end) * h / 3600.0
            if cur < 0:
                chg_q[j] += -q
            soc[j] = soc[j] - cur * h / capacity[j]
            t[j] = t[j] + h
            elapsed[j] = elapsed[j] + h
            if ce_min[j] < ce_limit[j]:
                valid[j] = False
            v[j] = v_end
            last_current[j] = cur
        # step-size control from the bend of the voltage curve
        if have_two_back:
            predicted = v0 + (dt[j] / dt_prev[j]) * (v0 - v_two_back[j])
            bend = abs(v_end - predicted)
            grow = _clip(np.sqrt(tol_V / (bend if (bend != bend or bend >= 1e-12) else 1e-12)), 0.5, 2.0)
        else:
            grow = 2.0
        v_two_back[j] = v0
        dt_next = _clip(dt[j] * grow, dt_min[j], dt_max[j])
        ratio[j] = dt_next / dt[j]
        dt_prev[j] = dt[j]
        dt[j] = dt_next
    return any_partial


@njit(**_OPTS)
def run_constant(
    sets, ic, ip, inew, have_prev, dt, w, sa, va, v_new, ocv, xn_s, xp_s, ce_min,
    alive, v, v_two_back, have_two_back, current, until_v, has_until, duration, i_end,
    capacity, dt_prev, dt_min, dt_max, tol_V, elapsed, t, soc, dis_q, dis_e, chg_q,
    valid, ce_limit, last_current, frac, end,
    temp, rec_t, rec_v, rec_i, rec_soc, rec_xn, rec_xp, rec_T, max_rows,
):  # fmt: skip
    """Time steps of ``solve.simulate`` at a fixed current (isothermal, constant particle
    diffusivities) in one compiled loop: per step what the Python loop does with ``step``,
    ``voltage`` and ``advance`` (the same calls, so the same numbers), the crossing
    interpolation, the commit of the new state and the record (NaN for designs that have
    finished; ``temp`` the temperature), until no design is alive or ``max_rows`` steps are
    recorded into ``rec_*``. The state is three sets of arrays
    ``sets`` (cn, cp, ce) in the roles present ``ic``, previous ``ip`` and new ``inew``, which
    rotate as ``SPMe.commit`` does. ``sa``, ``va``: the constant arguments of ``step`` (from
    ``lo_n`` to ``ce_floor``) and ``voltage`` (from ``j_n`` to ``ce_floor``). ``w`` is the step
    ratio (written by ``advance``). Returns the rows recorded, the roles, whether there is a
    previous state and whether the loop stopped because no design was alive."""
    n = v.shape[0]
    rows = 0
    finished = False
    while rows < max_rows:
        anyalive = False
        for j in range(n):
            if alive[j]:
                anyalive = True
                break
        if not anyalive:
            finished = True
            break
        cur = sets[ic]
        prev = sets[ip] if have_prev else cur
        new = sets[inew]
        step(
            cur[0], cur[1], cur[2], prev[0], prev[1], prev[2], have_prev, w, dt,
            sa[0], sa[1], sa[2], sa[3], sa[4], sa[5], sa[6], sa[7], sa[8], sa[9],
            sa[10], sa[11], sa[12], sa[13], sa[14], sa[15], sa[16], sa[17], sa[18],
            sa[19], sa[20], sa[21], sa[22], sa[23], sa[24], sa[25], sa[26],
            new[0], new[1], new[2],
        )  # fmt: skip
        voltage(
            new[0], new[1], new[2], va[0], va[1], va[2], va[3], va[4], va[5], va[6], va[7],
            va[8], va[9], va[10], va[11], va[12], va[13], va[14], va[15], va[16], va[17],
            va[18], va[19], va[20], va[21],
            v_new, ocv, xn_s, xp_s, ce_min,
        )  # fmt: skip
        partial = advance(
            alive, v, v_new, v_two_back, have_two_back, current, until_v, has_until, duration, i_end,
            capacity, dt, dt_prev, dt_min, dt_max, tol_V, elapsed, t, soc, dis_q, dis_e, chg_q,
            valid, ce_min, ce_limit, last_current, frac, end, w,
        )  # fmt: skip
        have_two_back = True
        if partial:  # designs that end inside this step stop at the crossing
            for a in range(3):
                old, newer = cur[a], new[a]
                for j in range(n):
                    f = frac[j]
                    if f < 1.0:
                        for i in range(old.shape[0]):
                            newer[i, j] = old[i, j] + f * (newer[i, j] - old[i, j])
        all_alive = True
        for j in range(n):
            if not alive[j]:
                all_alive = False
                break
        if all_alive:  # as SPMe.commit
            ip, ic, inew = ic, inew, ip
        else:
            pv = sets[ip]
            for a in range(3):
                pv[a][:, :] = cur[a]
                old, newer = cur[a], new[a]
                for i in range(old.shape[0]):
                    for j in range(n):
                        if alive[j]:
                            old[i, j] = newer[i, j]
        have_prev = True
        for j in range(n):  # NaN once a design has finished
            if alive[j]:
                rec_t[rows, j] = t[j]
                rec_v[rows, j] = v[j]
                rec_i[rows, j] = current[j]
                rec_soc[rows, j] = soc[j]
                rec_xn[rows, j] = xn_s[j]
                rec_xp[rows, j] = xp_s[j]
                rec_T[rows, j] = temp[j]
            else:
                rec_t[rows, j] = np.nan
                rec_v[rows, j] = np.nan
                rec_i[rows, j] = np.nan
                rec_soc[rows, j] = np.nan
                rec_xn[rows, j] = np.nan
                rec_xp[rows, j] = np.nan
                rec_T[rows, j] = np.nan
            alive[j] = alive[j] and not end[j]
        rows += 1
    return rows, ic, ip, inew, have_prev, have_two_back, finished
