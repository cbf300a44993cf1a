"""Duty-cycle stressors per simulation window, as BLAST-Lite defines them [blast-lite].

A state-of-charge (SOC) and temperature time series is cut into windows: at the end of a
cycle (rainflow turning point, ASTM E1049-85, via the ``rainflow`` package) once more than
one equivalent full cycle (EFC) has passed since the last cut, or every day when cycling is
slower. Per window: duration (days), EFC throughput (sum |dSOC| / 2, times the present relative
capacity q), depth of discharge (max - min SOC), C-rate (time average of |dSOC/dt| in 1/h
including rests, rates below 0.01/h counted as 0, times q), temperatures and the graphite
potential Ua(SOC) of every sample.
"""

from __future__ import annotations

import numpy as np
import rainflow

trapezoid = np.trapezoid


def ua_graphite(soc: np.ndarray) -> np.ndarray:
    """Graphite potential vs Li (V) at a cell SOC: lithiation x = 0.0085 + SOC (0.78 - 0.0085)
    (Safari & Delacourt 2011, as coded in BLAST-Lite)."""
    x = 8.5e-3 + soc * (0.78 - 8.5e-3)
    return (
        0.6379
        + 0.5416 * np.exp(-305.5309 * x)
        + 0.044 * np.tanh(-(x - 0.1958) / 0.1088)
        - 0.1978 * np.tanh((x - 1.0571) / 0.0854)
        - 0.6875 * np.tanh((x + 0.0117) / 0.0529)
        - 0.0175 * np.tanh((x - 0.5692) / 0.0875)
    )


def breakpoints(t_s: np.ndarray, soc: np.ndarray, max_time_s: float = 86400.0, max_efc: float = 1.0) -> list[int]:
    """Sample indices that close each simulation window (the last sample always closes one)."""
    turning = np.unique([c[4] for c in rainflow.extract_cycles(soc)]).astype(int)
    efc = np.cumsum(np.abs(np.diff(soc, prepend=soc[0]))) / 2.0
    out: list[int] = []
    last = 0
    for i in turning:
        if t_s[i] - t_s[last] > max_time_s:
            for j in range(last, i):
                if t_s[j] - t_s[last] > max_time_s:
                    out.append(j)
                    last = j
            continue
        if efc[i] - efc[last] > max_efc:
            out.append(i)
            last = i
    if not out or out[-1] != len(t_s) - 1:
        out.append(len(t_s) - 1)
    return out


def window(t_s: np.ndarray, soc: np.ndarray, q: np.ndarray) -> dict[str, np.ndarray]:
    """Stressors of one window for N cells: ``soc`` (N, M) samples at times ``t_s`` (M,)."""
    days = t_s / 86400.0
    dt_days = days[-1] - days[0]
    efc = np.abs(np.diff(soc, axis=1, prepend=soc[:, :1])).sum(axis=1) / 2.0 * q
    dod = soc.max(axis=1) - soc.min(axis=1)
    rate = np.abs(np.diff(soc, axis=1) / np.diff(t_s / 3600.0))
    rate[rate < 1e-2] = 0.0
    if dt_days > 0:
        crate = trapezoid(rate, days[1:], axis=1) / dt_days * q
    else:
        crate = np.zeros(soc.shape[0])
    return {
        "delta_t_days": dt_days,
        "delta_efc": efc,
        "dod": dod,
        "crate": np.nan_to_num(crate),
        "ua": ua_graphite(soc),
        "q": q,
    }


def mean_discharge_rate(t_s: np.ndarray, soc: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Mean discharge C-rate over discharging time only, (N,) [blast-lite, LG M50 model]:
    interval rates below 0.01/h set to 0; the discharging intervals' rates averaged by
    trapezoid over their cumulative duration; times q."""
    dt = np.diff(t_s)
    c = np.diff(soc, axis=1) / (dt / 3600.0)
    c[np.abs(c) < 1e-2] = 0.0
    mask = c < 0
    out = np.zeros(soc.shape[0])
    rows = [np.arange(soc.shape[0])] if (mask == mask[0]).all() else [[i] for i in range(soc.shape[0])]
    for r in rows:
        m = mask[r[0]]
        n = int(m.sum())
        if n == 1:
            out[r] = c[r][:, m][:, 0]
        elif n > 1:
            tau = np.cumsum(dt[m])
            out[r] = trapezoid(c[r][:, m], tau, axis=1) / (tau[-1] - tau[0])
    return np.abs(out * q)


def discharge_rate(t_s: np.ndarray, soc: np.ndarray, q: np.ndarray | float) -> np.ndarray:
    """Discharge C-rate while discharging, (N,): charge moved in discharge over the time spent
    discharging (intervals with dSOC/dt below -0.01/h; rests and charging excluded), relative
    to the nominal capacity (times q). 0 for a window with no discharge."""
    dt_h = np.diff(t_s) / 3600.0
    dsoc = np.diff(soc, axis=1)
    dis = dsoc / dt_h < -1e-2
    time_h = (dis * dt_h).sum(axis=1)
    moved = np.where(dis, -dsoc, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(time_h > 0, moved / time_h, 0.0) * q
