#!/usr/bin/env python
"""Build the BLAST-Lite aging reference fixtures in ``tests/fixtures/aging/``.

What it builds
--------------
Reference outputs of NREL's BLAST-Lite for three semi-empirical aging models,
``Lfp_Gr_250AhPrismatic``, ``Lfp_Gr_SonyMurata3Ah_Battery`` and
``Nmc811_GrSi_LGM50_5Ah_Battery``, each driven by two inputs (20 years, 25 °C or a
seasonal temperature):

* ``constant_input.csv`` (``time_s,soc,temperature_degC``, 1,441 rows = one day at 1-min
  steps, first and last row equal): charge 0.1 -> 0.9 SOC at 0.5C (96 min), rest 4 h at
  0.9, discharge 0.9 -> 0.1 at 0.5C (96 min), rest at 0.1 for the remaining 1,008 min;
  25 °C. BLAST repeats it until 20 years (``threshold_time=20``, in *years*).
* ``series_input.csv`` (same columns, 8,761 rows = one year at 1-h steps, hour 0 ... 8760,
  last row equal to the first): solar-storage day: SOC 0.05 overnight, linear charge
  10:00 -> 15:00 to 0.05 + DOD(d), hold until 18:00, linear discharge to 0.05 by 22:00,
  with DOD(d) = 0.7 + 0.2 sin(2 pi d / 365) (0.5 ... 0.9, d = day index 0 ... 364) and
  T = 20 + 8 sin(2 pi h / 8760) + 3 sin(2 pi h / 24) °C (h = hour). Repeated to 20 years.

For each (model, input) BLAST's general path (``simulate_battery_life`` with rainflow
breakpoints, the default) is run, and for ``constant`` also the fast path
(``is_constant_input=True``); defaults otherwise (``is_conserve_energy_throughput=True``,
``breakpoints_max_time_diff_s=86400``, ``breakpoints_max_EFC_diff=1``):

* ``<model>_<input>.csv`` / ``<model>_constant_fast.csv``: ``time_days,efc,q`` (and ``r``
  for the Sony model, the only one of the three with resistance) at BLAST's own output
  points (one per simulation window, plus t = 0), thinned to every k-th point (first and
  last kept) so that there are at most 2,000 rows. Rows after BLAST's output turns NaN
  are dropped (Sony/series: see the summary).
* ``<model>_summary.json``: SOH (= q) at 5/10/15/20 years and EFC at 20 years (linear
  interpolation in BLAST's output points), years to q = 0.8 if reached, the stressors,
  rates and q of the first windows and of the last one, the series window boundaries,
  wall times, versions, the model's parameters and ``experimental_range``, and
  ``check``: an independent NumPy re-implementation of the equations documented in
  ``tests/fixtures/aging/README.md`` against BLAST (max |dq|), plus how much q moves when
  an implementation departs from BLAST in the ways listed there (exact instead of
  Euler virtual-time steps, clean 24-h windows, stresses at window means, no
  energy-throughput rescaling).

Above 3 equivalent full cycles per day the Sony model adds a break-in loss, which neither input
above reaches. Two more inputs drive the Sony model alone (``cycling_*_input.csv``, columns
``time_s,soc,temperature_degC``; one day at 1-min steps, 1,441 rows, continuous 1C charge and
1C discharge, 12 EFC per day):

* ``cycling_1c_100dod``: SOC 0 -> 1 -> 0 triangles (12 cycles a day), 25 °C;
* ``cycling_1c_80dod``: SOC 0.1 -> 0.9 -> 0.1 triangles (15 cycles a day), 35 °C.

Each runs BLAST's general path (``threshold_time=1``) and fast path (``threshold_capacity=0.78``):

* ``Lfp_Gr_SonyMurata3Ah_Battery_<input>.csv`` / ``..._<input>_fast.csv``: ``time_days,efc,q,r``
  as above. On the general path BLAST turns NaN once the break-in state reaches its ceiling
  (the ceiling of a later window, a little lower, falls below the state): the CSV ends at the
  last finite point, after 2-3 months and about 1,000 EFC. The fast path keeps the first
  window's rates and runs to q < 0.78.
* ``Lfp_Gr_SonyMurata3Ah_Battery_cycling_summary.json``: per run the first windows (stressors
  and rates, ``rate_q7`` the break-in ceiling), the NaN onset, EFC to q = 0.8 (fast path), and
  the re-implementation check.

``README.md`` beside the fixtures (hand-written) documents BLAST-Lite's equations.

BLAST-Lite version used: 1.1.1 (numpy 1.26.4, scipy 1.17.1, pandas 2.3.3, CPython 3.11.7).
The script refuses another ``blast-lite`` version unless ``--any-version``.

How to rerun (BLAST-Lite is *not* a cellwright dependency: it pins numpy<2 and pulls
~600 MB of dependencies; use a throwaway venv outside the repository)::

    python3 -m venv /tmp/blast-venv
    /tmp/blast-venv/bin/pip install "blast-lite==1.1.1"
    /tmp/blast-venv/bin/python tools/build_blast_references.py      # about 1 minute

Options: ``--out DIR`` (default: ``tests/fixtures/aging`` of this repository),
``--no-check`` (skip the re-implementation check and sensitivity runs),
``--any-version``.

Determinism: BLAST-Lite is deterministic; numbers are written with a fixed number of
significant digits and JSON keys in a fixed order, so reruns with the same versions
reproduce every file byte for byte *except* the ``wall_time_*`` fields of
``<model>_summary.json``, which are measurements.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import itertools
import json
import math
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "aging"
EXPECTED_BLAST = "1.1.1"
YEARS = 20
MAX_ROWS = 2000
SOH_YEARS = (5, 10, 15, 20)
N_FIRST = 5  # windows reported in full at the start of each run

# BLAST-Lite 1.1.1 pins numpy < 2, which has np.trapz but not np.trapezoid (its name from 2.0 on)
_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # noqa: NPY201

MODELS = {
    # class name: (short key used by the re-implementation, file under site-packages)
    "Lfp_Gr_250AhPrismatic": ("lfp250", "blast/models/lfp_gr_250AhPrismatic_2019.py"),
    "Lfp_Gr_SonyMurata3Ah_Battery": (
        "sony",
        "blast/models/lfp_gr_SonyMurata3Ah_2018.py",
    ),
    "Nmc811_GrSi_LGM50_5Ah_Battery": (
        "lgm50",
        "blast/models/nmc811_grSi_LGM50_5Ah_2021.py",
    ),
}


def g(x, digits=10):
    """Round to fixed significant digits for stable text; NaN/inf -> None (JSON null)."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


# ---------------------------------------------------------------------------- inputs


def constant_input():
    """One day, 1-min steps, 1,441 samples (t = 0 ... 86,400 s, both ends at SOC 0.1).

    1,441 samples so that each repetition covers exactly one day: BLAST advances time by
    t[-1] - t[0] of each pass and never counts the step from the last sample back to the
    first.
    """
    minute = np.arange(1441, dtype=float)
    soc = np.interp(minute, [0, 96, 336, 432, 1440], [0.1, 0.9, 0.9, 0.1, 0.1])
    return minute * 60.0, soc, np.full(minute.size, 25.0)


def series_input():
    """One year, hourly, 8,761 samples (hour 0 ... 8760; the last equals the first)."""
    h = np.arange(8761, dtype=float)
    day = np.floor(h / 24.0)
    hod = h - 24.0 * day
    dod = 0.7 + 0.2 * np.sin(2 * np.pi * day / 365.0)
    smin = 0.05
    soc = np.select(
        [hod <= 10, hod <= 15, hod <= 18, hod <= 22],
        [smin, smin + dod * (hod - 10) / 5, smin + dod, smin + dod * (22 - hod) / 4],
        smin,
    )
    temp = 20 + 8 * np.sin(2 * np.pi * h / 8760.0) + 3 * np.sin(2 * np.pi * h / 24.0)
    return h * 3600.0, soc, temp


def cycling_input(lo, hi, temp_degC):
    """One day of continuous 1C charge / 1C discharge between SOC ``lo`` and ``hi`` (triangles
    starting at ``lo``), 1-min steps, 1,441 samples t = 0 ... 86,400 s, constant temperature."""
    minute = np.arange(1441, dtype=float)
    half = (hi - lo) * 60.0  # minutes per half cycle at 1C
    phase = np.mod(minute, 2.0 * half)
    soc = np.where(phase <= half, lo + (hi - lo) * phase / half, hi - (hi - lo) * (phase - half) / half)
    return minute * 60.0, soc, np.full(minute.size, float(temp_degC))


#: Inputs above 3 EFC/day for the Sony model's break-in term: name -> (SOC low, SOC high, degC).
CYCLING = {
    "cycling_1c_100dod": (0.0, 1.0, 25.0),
    "cycling_1c_80dod": (0.1, 0.9, 35.0),
}
CYCLING_MODEL = "Lfp_Gr_SonyMurata3Ah_Battery"
CYCLING_GENERAL_YEARS = 1  # BLAST's general path is NaN after ~0.25 y on both inputs
CYCLING_FAST_STOP_Q = 0.78


def write_input(path, t, soc, temp):
    """Write the input CSV and return the arrays parsed back from the text, so that
    BLAST runs on exactly the numbers the fixture holds."""
    lines = ["time_s,soc,temperature_degC"]
    lines += [f"{a:.12g},{b:.12g},{c:.12g}" for a, b, c in zip(t, soc, temp)]
    path.write_text("\n".join(lines) + "\n")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, 0].copy(), data[:, 1].copy(), data[:, 2].copy()


INPUT_DOC = {
    "constant": {
        "file": "constant_input.csv",
        "description": (
            "one day, 1-min steps, 1441 samples t = 0..86400 s: charge 0.1->0.9 SOC at 0.5C "
            "(minutes 0-96), rest at 0.9 (96-336), discharge 0.9->0.1 at 0.5C (336-432), "
            "rest at 0.1 (432-1440); 25 degC; repeated by BLAST to 20 years"
        ),
    },
    "series": {
        "file": "series_input.csv",
        "description": (
            "one year, hourly, 8761 samples hour 0..8760 (last = first): SOC 0.05 until "
            "10:00, linear charge to 0.05+DOD(d) at 15:00, hold to 18:00, linear discharge "
            "to 0.05 at 22:00; DOD(d) = 0.7 + 0.2 sin(2 pi d/365), d = floor(h/24); "
            "T = 20 + 8 sin(2 pi h/8760) + 3 sin(2 pi h/24) degC; repeated by BLAST to 20 years"
        ),
    },
}


# ------------------------------------------------------------------ BLAST runs


def run_blast(cls, t, soc, temp, fast, **stop):
    """One BLAST run; ``stop``: its thresholds (default ``threshold_time=YEARS``)."""
    cell = cls()
    inp = {"Time_s": t.copy(), "SOC": soc.copy(), "Temperature_C": temp.copy()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        cell.simulate_battery_life(inp, **(stop or {"threshold_time": YEARS}), is_constant_input=fast)
        wall = time.perf_counter() - t0
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return cell, wall, msgs


def blast_windows(cls, t, soc):
    """Window index ranges [a, b] of one pass, as BLAST's general path builds them."""
    from blast.utils.rainflow import extract_cycles

    tp = np.unique(np.array([c[-1] for c in extract_cycles(soc)]))
    efc = np.cumsum(np.abs(np.ediff1d(soc, to_begin=0))) / 2
    bps = cls._find_breakpoints(t, efc, tp, max_time_diff_s=86400, max_EFC_diff=1)
    if not bps or bps[-1] != len(t) - 1:
        bps.append(len(t) - 1)
    out, a = [], 0
    for b in bps:
        out.append((int(a), int(b)))
        a = b + 1
    return out


def interp_at(x, xs, ys):
    if x > xs[-1] or x < xs[0]:
        return None
    return g(np.interp(x, xs, ys))


def crossing(xs, ys, level):
    below = np.nonzero(ys < level)[0]
    if below.size == 0:
        return None
    i = below[0]
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))


def window_record(cell, i):
    rec = {"window": i}
    st = cell.stressors
    names = {
        "delta_t_days": "dt_days",
        "delta_efc": "efc",
        "t_days": "t_days_end",
        "efc": "efc_end",
    }
    for k in st:
        if i < len(st[k]):
            rec[names.get(k, k)] = g(st[k][i])
    for k, v in cell.rates.items():
        if i < len(v):
            rec["rate_" + k] = g(v[i])
    for k, v in cell.outputs.items():
        rec[k] = g(v[i])
    return rec


def write_curve(path, cell):
    td = np.asarray(cell.stressors["t_days"], float)
    efc = np.asarray(cell.stressors["efc"], float)
    q = np.asarray(cell.outputs["q"], float)
    cols = [("time_days", td), ("efc", efc), ("q", q)]
    if "r" in cell.outputs:
        cols.append(("r", np.asarray(cell.outputs["r"], float)))
    finite = np.all([np.isfinite(c) for _, c in cols], axis=0)
    n = len(td) if finite.all() else int(np.argmin(finite))  # rows before the first NaN
    stride = max(1, math.ceil((n - 1) / (MAX_ROWS - 1)))
    idx = list(range(0, n, stride))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    while len(idx) > MAX_ROWS:  # cannot happen with the stride above; kept as a guard
        stride += 1
        idx = list(range(0, n, stride)) + [n - 1]
    lines = [",".join(c for c, _ in cols)]
    for i in idx:
        lines.append(",".join(f"{c[i]:.10g}" for _, c in cols))
    path.write_text("\n".join(lines) + "\n")
    return {
        "rows": len(idx),
        "stride": stride,
        "points_in_blast_output": len(td),
        "rows_dropped_nan": len(td) - n,
    }


def summarize_run(cell, wall, warns, fast, csv_info, csv_name, call=None):
    td = np.asarray(cell.stressors["t_days"], float)
    efc = np.asarray(cell.stressors["efc"], float)
    q = np.asarray(cell.outputs["q"], float)
    fin = np.isfinite(q)
    n_fin = len(q) if fin.all() else int(np.argmin(fin))
    tf, qf, ef = td[:n_fin], q[:n_fin], efc[:n_fin]
    out = {
        "call": call
        or (f"cell.simulate_battery_life(inp, threshold_time={YEARS}" + (", is_constant_input=True)" if fast else ")")),
        "csv": csv_name,
        "csv_rows": csv_info["rows"],
        "csv_stride": csv_info["stride"],
        "n_output_points": len(td),
        "n_windows": len(td) - 1,
        "t_days_final": g(td[-1]),
        "efc_final": g(efc[-1]),
        "q_final": g(q[-1]),
        "soh_at_years": {str(y): interp_at(365.0 * y, tf, qf) for y in SOH_YEARS},
        "efc_at_20y": interp_at(365.0 * YEARS, tf, ef),
        "years_to_q_0p8": (None if crossing(tf, qf, 0.8) is None else g(crossing(tf, qf, 0.8) / 365.0, 6)),
        "first_windows": [window_record(cell, i) for i in range(1, min(N_FIRST, len(td) - 1) + 1)],
        "last_window": window_record(cell, len(td) - 1),
        "wall_time_s": round(wall, 3),
        "warnings": warns,
    }
    if "r" in cell.outputs:
        r = np.asarray(cell.outputs["r"], float)[:n_fin]
        out["r_at_years"] = {str(y): interp_at(365.0 * y, tf, r) for y in SOH_YEARS}
    if n_fin < len(q):
        out["last_finite_window"] = window_record(cell, n_fin - 1)
        out["nan"] = {
            "first_nan_window": n_fin,
            "first_nan_t_days": g(td[n_fin]),
            "last_finite_t_days": g(td[n_fin - 1]),
            "last_finite_q": g(q[n_fin - 1]),
            "note": (
                "BLAST's q turned NaN: the calendar sigmoid's ceiling y_inf = q1(T, Ua) of "
                "this window fell below the accumulated calendar loss, so "
                "log(2*y_inf/(y_inf - y0) - 1) in _update_sigmoid_state is the log of a "
                "negative number; NaN then propagates to every later window. SOH values "
                "beyond last_finite_t_days are null; the CSV stops there."
            ),
        }
    return out


# -------------------------------------------------- independent re-implementation
# Written from the equations in tests/fixtures/aging/README.md (not from BLAST's code
# paths) and used only to check that the README is exact.


def _ua(soc):
    x = 0.0085 + soc * (0.78 - 0.0085)
    return (
        0.6379
        + 0.5416 * np.exp(-305.5309 * x)
        + 0.044 * np.tanh(-(x - 0.1958) / 0.1088)
        - 0.1978 * np.tanh((x - 1.0571) / 0.0854)
        - 0.6875 * np.tanh((x + 0.0117) / 0.0529)
        - 0.0175 * np.tanh((x - 0.5692) / 0.0875)
    )


def _tavg(y, t):
    return _trapezoid(y * np.ones_like(t), t) / (t[-1] - t[0])


def _stressors(t, s, temp, q, model, stress):
    th, td = t / 3600.0, t / 86400.0
    dt_d = td[-1] - td[0]
    rate = np.abs(np.diff(s) / np.diff(th))
    rate[rate < 1e-2] = 0.0
    S = {
        "dt": dt_d,
        "defc": np.abs(np.diff(s)).sum() / 2 * q,
        "dod": s.max() - s.min(),
        "crate": _trapezoid(rate, td[1:]) / dt_d * q,
        "TK": temp + 273.15,
        "soc": s,
        "Ua": _ua(s),
        "t": t,
    }
    if model == "lgm50":
        ri = np.diff(s) / (np.diff(t) / 3600.0)
        ri[np.abs(ri) < 1e-2] = 0.0
        m = ri < 0
        cd, tau = ri[m], np.cumsum(np.diff(t)[m])
        cdis = _trapezoid(cd, tau) / (tau[-1] - tau[0]) if cd.size > 1 else (cd[0] if cd.size else 0.0)
        S["cdis"] = abs(cdis * q)
    if stress != "blast":  # one evaluation per window at time-averaged stressors
        sm = _tavg(s, t)
        two, tt = np.ones(2), np.array([t[0], t[-1]])
        ua = _tavg(_ua(s), t) if stress == "mean_Ua" else _ua(sm)
        S.update(TK=_tavg(temp + 273.15, t) * two, soc=sm * two, Ua=ua * two, t=tt)
    return S


def _power(y, dx, k, p, exact):
    if dx == 0:
        return 0.0
    if y == 0:
        return k * dx**p
    if exact:
        return k * ((y / k) ** (1 / p) + dx) ** p - y
    return k * p * (y / k) ** ((p - 1) / p) * dx


def _power_b(y, dx, k, p, exact):
    if dx == 0:
        return 0.0
    if y == 0:
        return (k * dx) ** p
    z = y ** (1 / p) / k
    if exact:
        return (k * (z + dx)) ** p - y
    return p * (k * z) ** p / z * dx


def _sigmoid(y, dx, yinf, k, p, exact):
    if dx == 0:
        return 0.0

    def f(x):
        return 2 * yinf * (0.5 - 1 / (1 + np.exp((k * x) ** p)))

    if y == 0:
        return f(dx)
    with np.errstate(invalid="ignore"):
        xv = (1 / k) * np.log(2 * yinf / (yinf - y) - 1) ** (1 / p)
    if exact:
        return f(xv + dx) - y
    z = (k * xv) ** p
    return 2 * yinf * p * np.exp(z) * z / (xv * (np.exp(z) + 1) ** 2) * dx


def _skewnorm_pdf(x, skew, width):
    from math import erf

    xp = (x - 0.5) / width
    phi = np.exp(-(xp**2) / 2) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + np.vectorize(erf)(skew * xp / math.sqrt(2)))
    return 2 * phi * cdf


def _rates(model, S):
    TK, Ua, soc, t, d, c = S["TK"], S["Ua"], S["soc"], S["t"], S["dod"], S["crate"]
    if model == "lfp250":
        return {
            "kcal": _tavg(8.37e4 * np.exp(-5.21e3 / TK) * np.exp(-3.56e3 * Ua / TK), t),
            "kcyc": _tavg(
                (4.38e-8 + 1.55e-8 * d + 1.68e-7 * c) * (np.exp(2.19e3 / TK) + np.exp(-1.55e5 / TK)),
                t,
            ),
        }
    if model == "sony":
        q1 = np.abs(
            0.989687151293590
            * np.exp(-2881067.56019324 * np.sqrt(Ua) / TK**2)
            * np.exp(8742.06309157261 * np.sqrt(Ua) / TK)
        )
        q3 = np.abs(
            0.000332850281062177
            * np.exp(734553185711.369 * Ua ** (1 / 3) / TK**4)
            * np.exp(-2.82161575620780e-06 * TK**3 * Ua**0.25)
            * np.exp(-3284991315.45121 * Ua ** (1 / 3) / TK**3)
            * np.exp(0.00127227593657290 * TK**2 * Ua**0.25)
        )
        q7 = np.abs(
            0.582258029148225
            * _skewnorm_pdf(soc, 0.0583128906965484, 0.208738181522897)
            * _skewnorm_pdf(d, -3.80744333129564, 1.16126260428210)
            * 2
            * (0.5 - 1 / (1 + np.exp(25.4130804598602 * d)))
        )
        k_t = _tavg(3.4194e-10 * np.exp(-71827 / 8.3144 * (1 / TK - 1 / 298.15)), t)
        k_s = _tavg(-3.3903 * (soc - 0.5) ** 3 + 1.5604, t)
        return {
            "q1": _tavg(q1, t),
            "q3": _tavg(q3, t),
            "q7": _tavg(q7, t),
            "q5": abs(-6.81260579372875e-06 + 2.59615973160844e-05 * d + 2.11559710307295e-06 * np.exp(d**2 * c**3)),
            "r_kcal": k_t * k_s,
            "r_kcyc": (-0.002 * c + 0.0021) * (6.8477 * (d - 0.5) ** 3 + 0.91882),
        }
    TN, UaN, cd = TK / 308.15, Ua / 0.123, S["cdis"]
    return {
        "k_cal": _tavg(
            -2.39156628786525
            + 2.44205317834185 * np.exp(TN**3 / UaN ** (1 / 3))
            - 4.45998246136905 * TN**3 / UaN**0.5
            + 0.448140062203916 * np.exp(soc**0.5 / TN**2)
            - 0.185337797906876 * np.exp(soc**3),
            t,
        ),
        "k_cyc": _tavg(
            0.181235015387132 * np.exp(-0.123779206033993 * cd**3) * np.exp(1.24459541295018 * TN**3 * cd**0.5),
            t,
        ),
    }


def _step(model, st, R, dt, defc, exact):
    if model == "lfp250":
        st["qt"] += _power(st["qt"], dt, R["kcal"], 0.526, exact)
        st["qe"] += _power(st["qe"], defc, R["kcyc"], 0.828, exact)
    elif model == "sony":
        dqt = _sigmoid(st["qt"], dt, R["q1"], 0.000130510034211874, R["q3"], exact)
        dqe = _power_b(st["qe"], defc, R["q5"], 1.12847759334355, exact)
        dqb = _sigmoid(st["qb"], defc, R["q7"], 0.00303553871631028, 1.43752162947637, exact) if defc / dt > 3 else 0.0
        st["qt"] += dqt
        st["qe"] += dqe
        st["qb"] += dqb
        st["rt"] += R["r_kcal"] * dt * 86400
        st["re"] += R["r_kcyc"] * defc / 100
    else:
        st["qt"] += _power(st["qt"], dt / 1e4, R["k_cal"], 0.651697743905278, exact)
        st["qe"] += _power(st["qe"], defc / 1e4, R["k_cyc"], 0.441996792536332, exact)


def reimplement(
    model, t, soc, temp, windows, fast=False, exact=False, stress="blast", conserve=True, years=YEARS, stop_q=None
):
    st = {"qt": 0.0, "qe": 0.0}
    if model == "sony":
        st.update(qb=1e-10, rt=0.0, re=0.0)

    def qof():
        return 1 - st["qt"] - st["qe"] - st.get("qb", 0.0)

    td, efc, q = [0.0], [0.0], [1.0]
    if fast:
        S = _stressors(t, soc, temp, 1.0, model, stress)
        R = _rates(model, S)
        while True:
            _step(model, st, R, S["dt"], S["defc"], exact)
            td.append(td[-1] + S["dt"])
            efc.append(efc[-1] + S["defc"])
            q.append(qof())
            if td[-1] / 365 > years or (stop_q is not None and q[-1] < stop_q):
                return np.array(td), np.array(efc), np.array(q)
    while True:
        for a, b in windows:
            qq = qof()
            s = soc[a : b + 1]
            if conserve:
                s = np.clip(s[0] + (s - s[0]) / qq, 0.0, 1.0)
            S = _stressors(t[a : b + 1], s, temp[a : b + 1], qq, model, stress)
            _step(model, st, _rates(model, S), S["dt"], S["defc"], exact)
            td.append(td[-1] + S["dt"])
            efc.append(efc[-1] + S["defc"])
            q.append(qof())
            if td[-1] / 365 > years or not math.isfinite(q[-1]) or (stop_q is not None and q[-1] < stop_q):
                return np.array(td), np.array(efc), np.array(q)


def daily_windows(t):
    edges = np.unique(np.append(np.searchsorted(t, np.arange(0.0, t[-1], 86400.0)), len(t) - 1))
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def soh_table(td, q):
    fin = np.isfinite(q)
    n = len(q) if fin.all() else int(np.argmin(fin))
    return {str(y): interp_at(365.0 * y, td[:n], q[:n]) for y in SOH_YEARS}


def check_model(key, cell_runs, inputs, windows):
    """Re-implementation vs BLAST, and sensitivity of q to implementation choices."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for (inp, fast), cell in cell_runs.items():
            t, soc, temp = inputs[inp]
            td, efc, q = reimplement(key, t, soc, temp, windows[inp], fast=fast)
            bq = np.asarray(cell.outputs["q"], float)
            n = min(len(q), len(bq))
            both = np.isfinite(q[:n]) & np.isfinite(bq[:n])
            name = f"{inp}_fast" if fast else inp
            res = {
                "points_compared": int(both.sum()),
                "same_number_of_points": bool(len(q) == len(bq)),
                "max_abs_dq": g(np.max(np.abs(q[:n][both] - bq[:n][both])), 3),
                "max_abs_dt_days": g(np.max(np.abs(td[:n] - np.asarray(cell.stressors["t_days"])[:n])), 3),
                "max_abs_defc": g(np.max(np.abs(efc[:n] - np.asarray(cell.stressors["efc"])[:n])), 3),
            }
            if not fast:
                base = soh_table(td, q)
                variants = {
                    "exact_virtual_time_steps": {"exact": True},
                    "stress_at_window_mean_T_soc_and_mean_Ua": {"stress": "mean_Ua"},
                    "stress_at_window_mean_T_soc_and_Ua_of_mean_soc": {"stress": "Ua_of_mean"},
                    "no_energy_throughput_rescaling": {"conserve": False},
                }
                if inp == "series":
                    variants["clean_24h_windows_sharing_end_points"] = {"windows": daily_windows(t)}
                sens = {"blast_soh_at_years": base}
                for vname, kw in variants.items():
                    kw = dict(kw)
                    w = kw.pop("windows", windows[inp])
                    vtd, _, vq = reimplement(key, t, soc, temp, w, **kw)
                    vs = soh_table(vtd, vq)
                    sens[vname] = {
                        "soh_at_years": vs,
                        "minus_blast_pp": {
                            y: (None if vs[y] is None or base[y] is None else round(100 * (vs[y] - base[y]), 3))
                            for y in vs
                        },
                        "nan": bool(not np.all(np.isfinite(vq))),
                    }
                res["sensitivity"] = sens
            out[name] = res
    return out


# --------------------------------------------------------------------------- main


def build(out_dir: Path, do_check: bool, log):
    t0 = time.perf_counter()
    import blast  # noqa: F401
    import blast.models as bm

    import_time = time.perf_counter() - t0
    version = importlib.metadata.version("blast-lite")

    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = {
        "constant": write_input(out_dir / "constant_input.csv", *constant_input()),
        "series": write_input(out_dir / "series_input.csv", *series_input()),
    }
    first = next(iter(MODELS))
    windows = {k: blast_windows(getattr(bm, first), v[0], v[1]) for k, v in inputs.items()}
    wser = windows["series"]
    ts, ss = inputs["series"][0], inputs["series"][1]
    sim_days = sum(ts[b] - ts[a] for a, b in wser) / 86400.0
    sim_efc = sum(np.abs(np.diff(ss[a : b + 1])).sum() / 2 for a, b in wser)
    series_windows = {
        "rule": (
            "BLAST breakpoints of one pass of series_input.csv (computed once from the "
            "unscaled input, identical for every model and every repetition); window i "
            "covers samples [a_i, b_i] inclusive and the next starts at b_i + 1, so the "
            "step b_i -> b_i + 1 is never simulated"
        ),
        "windows_per_pass": len(wser),
        "first_windows": [list(w) for w in wser[:4]],
        "last_window": list(wser[-1]),
        "breakpoints": [b for _, b in wser],
        "simulated_days_per_pass": g(sim_days),
        "input_days_per_pass": g((ts[-1] - ts[0]) / 86400.0),
        "efc_per_pass_at_q1": g(sim_efc),
        "input_efc_per_pass": g(np.abs(np.diff(ss)).sum() / 2),
    }

    env = {
        "blast_lite": version,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": importlib.metadata.version("scipy"),
        "pandas": importlib.metadata.version("pandas"),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpu_count": os.cpu_count(),
        "blast_package": "site-packages/blast",
    }
    for name, (key, rel) in MODELS.items():
        cls = getattr(bm, name)
        log(f"{name}")
        proto = cls()
        summary = {
            "model": name,
            "module_file": rel,
            "environment": env,
            "wall_time_import_blast_s": round(import_time, 3),
            "nominal_capacity_Ah": proto.cap,
            "experimental_range": proto.experimental_range,
            "experimental_range_enforced": False,
            "parameters": {k: v for k, v in proto._params_life.items()},
            "inputs": INPUT_DOC,
            "years_interpolation": "linear in BLAST's output points at t_days = 365*years",
            "runs": {},
        }
        cell_runs = {}
        for inp in ("constant", "series"):
            t, soc, temp = inputs[inp]
            for fast in (False, True) if inp == "constant" else (False,):
                cell, wall, warns = run_blast(cls, t, soc, temp, fast)
                cell_runs[(inp, fast)] = cell
                csv_name = f"{name}_{inp}{'_fast' if fast else ''}.csv"
                info = write_curve(out_dir / csv_name, cell)
                run = summarize_run(cell, wall, warns, fast, info, csv_name)
                if inp == "series":
                    run["series_windows"] = series_windows
                summary["runs"][csv_name[len(name) + 1 : -4]] = run
                s = run["soh_at_years"]
                log(
                    f"  {inp:8s} {'fast' if fast else 'general':7s} q10={s['10']} q20={s['20']} "
                    f"efc20={run['efc_at_20y']} wall={wall:.2f}s"
                )
        if do_check:
            t1 = time.perf_counter()
            summary["check"] = {
                "what": (
                    "independent NumPy re-implementation of the equations in README.md, "
                    "run on the same inputs and windows; max |dq| vs BLAST over all output "
                    "points; then the same re-implementation with one documented "
                    "behaviour changed, SOH differences in percentage points"
                ),
                **check_model(key, cell_runs, inputs, windows),
            }
            log(
                f"  check {time.perf_counter() - t1:.1f}s: "
                + ", ".join(f"{k} max|dq|={v['max_abs_dq']}" for k, v in summary["check"].items() if k != "what")
            )
        (out_dir / f"{name}_summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    build_cycling(out_dir, do_check, log, env)


def build_cycling(out_dir: Path, do_check: bool, log, env):
    """The Sony model on the inputs above 3 EFC/day (break-in term): general and fast path."""
    import blast.models as bm

    cls = getattr(bm, CYCLING_MODEL)
    key = MODELS[CYCLING_MODEL][0]
    log(f"{CYCLING_MODEL}, inputs above 3 EFC/day")
    summary = {
        "model": CYCLING_MODEL,
        "module_file": MODELS[CYCLING_MODEL][1],
        "environment": env,
        "what": (
            "continuous 1C/1C cycling, 12 EFC/day: the break-in loss (sigmoid in EFC, ceiling q7 "
            "time-averaged over the window's SOC samples) is active (delta_efc/delta_t_days > 3). "
            "General path: BLAST turns NaN once the break-in state passes a later window's "
            "slightly lower ceiling; the CSV ends at the last finite point. Fast path: the first "
            "window's rates throughout, run to q < " + f"{CYCLING_FAST_STOP_Q:g}"
        ),
        "inputs": {},
        "runs": {},
    }
    for inp, (lo, hi, temp_degC) in CYCLING.items():
        t, soc, temp = write_input(out_dir / f"{inp}_input.csv", *cycling_input(lo, hi, temp_degC), "temperature_degC")
        summary["inputs"][inp] = {
            "file": f"{inp}_input.csv",
            "description": (
                f"one day, 1-min steps, 1441 samples t = 0..86400 s: continuous 1C charge / 1C discharge "
                f"triangles SOC {lo:g} -> {hi:g} -> {lo:g} starting at {lo:g}, {temp_degC:g} degC"
            ),
        }
        windows = blast_windows(cls, t, soc)
        for fast in (False, True):
            stop = {"threshold_capacity": CYCLING_FAST_STOP_Q} if fast else {"threshold_time": CYCLING_GENERAL_YEARS}
            cell, wall, warns = run_blast(cls, t, soc, temp, fast, **stop)
            run_name = f"{inp}{'_fast' if fast else ''}"
            csv_name = f"{CYCLING_MODEL}_{run_name}.csv"
            info = write_curve(out_dir / csv_name, cell)
            call = (
                "cell.simulate_battery_life(inp, "
                + ", ".join(f"{k}={v}" for k, v in stop.items())
                + (", is_constant_input=True)" if fast else ")")
            )
            run = summarize_run(cell, wall, warns, fast, info, csv_name, call)
            for k in ("soh_at_years", "efc_at_20y", "years_to_q_0p8", "r_at_years"):
                run.pop(k, None)
            td = np.asarray(cell.stressors["t_days"], float)
            efc = np.asarray(cell.stressors["efc"], float)
            q = np.asarray(cell.outputs["q"], float)
            fin = np.isfinite(q)
            n = len(q) if fin.all() else int(np.argmin(fin))
            e80 = crossing(efc[:n], q[:n], 0.8)
            run["efc_to_q_0p8"] = None if e80 is None else g(e80)
            run["days_to_q_0p8"] = None if e80 is None else g(crossing(td[:n], q[:n], 0.8))
            run["last_finite"] = {"t_days": g(td[n - 1]), "efc": g(efc[n - 1]), "q": g(q[n - 1])}
            if do_check:
                kw = {"stop_q": CYCLING_FAST_STOP_Q, "years": math.inf} if fast else {"years": CYCLING_GENERAL_YEARS}
                rtd, refc, rq = reimplement(key, t, soc, temp, windows, fast=fast, **kw)
                m = min(len(rq), n)
                run["check"] = {
                    "what": "independent NumPy re-implementation of README.md on the same input, max |dq| vs BLAST",
                    "points_compared": m,
                    "max_abs_dq": g(np.max(np.abs(rq[:m] - q[:m])), 3),
                    "max_abs_dt_days": g(np.max(np.abs(rtd[:m] - td[:m])), 3),
                    "max_abs_defc": g(np.max(np.abs(refc[:m] - efc[:m])), 3),
                }
            summary["runs"][run_name] = run
            log(
                f"  {run_name:24s} windows={len(td) - 1} finite to {td[n - 1]:.1f} d, q={q[n - 1]:.4f}, "
                f"EFC to q=0.8: {run['efc_to_q_0p8']} wall={wall:.2f}s"
            )
    (out_dir / f"{CYCLING_MODEL}_cycling_summary.json").write_text(json.dumps(summary, indent=1) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out",
        type=Path,
        default=OUT,
        help="output folder (default: tests/fixtures/aging of this repository)",
    )
    ap.add_argument(
        "--no-check",
        action="store_true",
        help="skip the re-implementation check and the sensitivity runs",
    )
    ap.add_argument("--any-version", action="store_true", help="allow another blast-lite version")
    args = ap.parse_args()
    try:
        version = importlib.metadata.version("blast-lite")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("blast-lite is not installed in this interpreter (see the header)") from None
    if version != EXPECTED_BLAST and not args.any_version:
        raise SystemExit(
            f"blast-lite {version} found, fixtures are pinned to {EXPECTED_BLAST} "
            "(pass --any-version to rebuild with it, and update README.md)"
        )
    build(args.out, not args.no_check, lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
