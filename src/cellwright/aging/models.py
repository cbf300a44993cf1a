"""Semi-empirical aging models, chosen by name. Each is a function of window stressors that
updates loss states; parameters and fitted ranges live in ``MODELS``, the state functions in
``STEPS`` (initial states, one window's update, relative capacity, relative resistance).

``nrel-lfp-250ah``: NREL's large-format LFP/graphite prismatic model (Gasper et al. 2023,
J. Energy Storage 73, 109042; coded in BLAST-Lite 1.1.1 as ``Lfp_Gr_250AhPrismatic``):

    q = 1 - q_cal - q_cyc
    q_cal = k_cal t^p_cal,  k_cal = p1 exp(p2/T) exp(p3 Ua/T)          (t in days)
    q_cyc = k_cyc EFC^p_cyc, k_cyc = (p4 + p5 DOD + p6 C) (exp(p7/T) + exp(-p8/T))

the rates averaged (trapezoid in time) over each window's samples.

``naumann-lfp-3ah``: LFP/graphite Sony-Murata US26650FTC1 (Naumann et al. 2018, 2020; model
identification Gasper et al. 2022; BLAST-Lite ``Lfp_Gr_SonyMurata3Ah_Battery``): calendar loss a
sigmoid in time with an Ua- and T-dependent ceiling, cycle loss (q5 EFC)^q6, a break-in sigmoid
at more than 3 EFC/day (its ceiling, like the calendar rates, evaluated at every SOC sample and
time-averaged over the window), resistance growth in time and EFC (equations in
tests/fixtures/aging/README.md §4.2 and §4.2.1).

``wang-lfp-a123``: LFP/graphite A123 26650 (Wang et al. 2011, J. Power Sources 196, 3942), a
cycle-only law in discharge Ah throughput of the 2.2 Ah test cell, with no calendar term:

    Q_loss [%] = B(C) exp(-(Ea - 370.3 C) / (R T)) Ah^0.55,   Ea = 31,700 J/mol

B interpolated linearly in the discharge C-rate between the fitted rates (C/2, 2C, 6C, 10C)
and held beyond them; C is the discharge current over the nominal capacity while discharging
(rests and charging excluded; ``stressors.discharge_rate`` on the duty as given).

``bui-nmc811-sigr-5ah``: NMC811/graphite-SiOx LG M50 (Bui et al. 2021, IEEE 9617644; BLAST-Lite
``Nmc811_GrSi_LGM50_5Ah_Battery``): calendar and cycle power laws in days/1e4 and EFC/1e4, the
calendar rate a function of normalised temperature, Ua and SOC, the cycle rate of the mean
discharge rate (README §4.3).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .states import power_b_state, power_state, sigmoid_state

trapezoid = np.trapezoid


@dataclass(frozen=True)
class AgingModel:
    name: str
    params: dict
    fitted_range: dict
    source: str
    note: str = ""


MODELS = {
    "nrel-lfp-250ah": AgingModel(
        "nrel-lfp-250ah",
        {
            "p1": 8.37e4,
            "p2": -5.21e3,
            "p3": -3.56e3,
            "pcal": 0.526,
            "p4": 4.38e-8,
            "p5": 1.55e-8,
            "p6": 1.68e-7,
            "p7": 2.19e3,
            "p8": 1.55e5,
            "pcyc": 0.828,
        },
        {
            "temperature_degC": (10.0, 45.0),
            "dod": (0.8, 1.0),
            "soc": (0.0, 1.0),
            "charge_C": (0.0, 0.65),
            "discharge_C": (0.0, 1.0),
        },
        "gasper2023",
        "cycle fade was nearly rate- and temperature-independent in the tests; the cycle term's temperature law "
        "balances the calendar term inside 10-45 degC and should not be extrapolated",
    ),
    "naumann-lfp-3ah": AgingModel(
        "naumann-lfp-3ah",
        {
            "q2": 0.000130510034211874,
            "q1_b0": 0.989687151293590,
            "q1_b1": -2881067.56019324,
            "q1_b2": 8742.06309157261,
            "q3_b0": 0.000332850281062177,
            "q3_b1": 734553185711.369,
            "q3_b2": -2.82161575620780e-06,
            "q3_b3": -3284991315.45121,
            "q3_b4": 0.00127227593657290,
            "q5_b0": -6.81260579372875e-06,
            "q5_b1": 2.59615973160844e-05,
            "q5_b2": 2.11559710307295e-06,
            "q6": 1.12847759334355,
            "q7_b0": 0.582258029148225,
            "q7_soc_skew": 0.0583128906965484,
            "q7_soc_width": 0.208738181522897,
            "q7_dod_skew": -3.80744333129564,
            "q7_dod_width": 1.16126260428210,
            "q7_dod_growth": 25.4130804598602,
            "q8": 0.00303553871631028,
            "q9": 1.43752162947637,
            "k_ref_r_cal": 3.4194e-10,
            "Ea_r_cal": 71827.0,
            "C_r_cal": -3.3903,
            "D_r_cal": 1.5604,
            "A_r_cyc": -0.002,
            "B_r_cyc": 0.0021,
            "C_r_cyc": 6.8477,
            "D_r_cyc": 0.91882,
        },
        {
            "temperature_degC": (20.0, 40.0),
            "dod": (0.8, 1.0),
            "soc": (0.0, 1.0),
            "charge_C": (0.0, 1.0),
            "discharge_C": (0.0, 2.0),
        },
        "naumann2018",
        "the cycle term's exp(DOD^2 C^3) grows without bound above about 1.5C",
    ),
    "bui-nmc811-sigr-5ah": AgingModel(
        "bui-nmc811-sigr-5ah",
        {
            "p_cal": 0.651697743905278,
            "q1_b0": -2.39156628786525,
            "q1_b1": 2.44205317834185,
            "q1_b2": -4.45998246136905,
            "q1_b3": 0.448140062203916,
            "q1_b4": -0.185337797906876,
            "p_cyc": 0.441996792536332,
            "q3_b0": 0.181235015387132,
            "q3_b1": -0.123779206033993,
            "q3_b2": 1.24459541295018,
        },
        {
            "temperature_degC": (0.0, 25.0),
            "dod": (1.0, 1.0),
            "soc": (0.0, 1.0),
            "charge_C": (0.0, 0.3),
            "discharge_C": (0.0, 2.0),
        },
        "bui2021",
        "insensitive to DOD and charge rate",
    ),
    "wang-lfp-a123": AgingModel(
        "wang-lfp-a123",
        {
            "Ea_J_per_mol": 31700.0,
            "Ea_rate_J_per_mol": 370.3,
            "z": 0.55,
            "cell_Ah": 2.2,
            "B_c_rate": (0.5, 2.0, 6.0, 10.0),
            "B": (31630.0, 21681.0, 12934.0, 15512.0),
        },
        {
            "temperature_degC": (-30.0, 60.0),
            "dod": (0.1, 0.9),
            "soc": (0.0, 1.0),
            "charge_C": (0.0, 10.0),
            "discharge_C": (0.5, 10.0),
        },
        "wang2011",
        "cycle loss only (no calendar term): storage and low-cycling duty get no fade; the B table and the "
        "2.2 Ah test-cell capacity are from public re-implementations (secondary), not read from the paper",
    ),
}


def split_scalar(scalar) -> tuple[np.ndarray, np.ndarray]:
    """Degradation scalars of the calendar and the cycle terms: one value (or (N,)) for both, or
    a (2, N) array of calendar and cycle scalars (see ``simulate_life(cycle_scalar=...)``)."""
    s = np.asarray(scalar, dtype=float)
    return (s, s) if s.ndim < 2 else (s[0], s[1])


def nrel_lfp_250ah_step(states: dict, st: dict, t_s: np.ndarray, T_K: np.ndarray, scalar=1.0) -> dict:
    """Advance the 250 Ah model's loss states by one window.

    ``st``: window stressors (``stressors.window``); ``T_K`` (N, M) sample temperatures;
    ``scalar``: degradation scalar(s), see :func:`split_scalar`.
    """
    s_cal, s_cyc = split_scalar(scalar)
    p = MODELS["nrel-lfp-250ah"].params
    kcal = abs(p["p1"]) * np.exp(p["p2"] / T_K) * np.exp(p["p3"] * st["ua"] / T_K)
    kcyc = (p["p4"] + p["p5"] * st["dod"][:, None] + p["p6"] * st["crate"][:, None]) * (
        np.exp(p["p7"] / T_K) + np.exp(-p["p8"] / T_K)
    )
    span = t_s[-1] - t_s[0]
    kcal = trapezoid(kcal, t_s, axis=1) / span
    kcyc = trapezoid(kcyc, t_s, axis=1) / span
    q_t = states["q_t"] + s_cal * power_state(states["q_t"], st["delta_t_days"], kcal, p["pcal"])
    q_efc = states["q_efc"] + s_cyc * power_state(states["q_efc"], st["delta_efc"], kcyc, p["pcyc"])
    return {"q_t": q_t, "q_efc": q_efc}


def _nrel_init(n: int) -> dict:
    return {"q_t": np.zeros(n), "q_efc": np.zeros(n)}


def _skew_normal(x, skew, width):
    """Skew-normal density 2 phi(z) Phi(skew z), z = (x - 0.5) / width (phi, Phi: standard normal
    density and distribution), the shape of the break-in ceiling in SOC and in DOD [blast-lite]."""
    from scipy.special import ndtr  # imported here: scipy.special costs ~0.2 s, needed above 3 EFC/day only

    z = (np.asarray(x, dtype=float) - 0.5) / width
    return 2.0 * np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi) * ndtr(skew * z)


def naumann_lfp_3ah_step(states: dict, st: dict, t_s: np.ndarray, T_K: np.ndarray, scalar, soc: np.ndarray) -> dict:
    """Advance the Sony-Murata 3 Ah LFP model's states by one window (BLAST-Lite's form)."""
    s_cal, s_cyc = split_scalar(scalar)
    p = MODELS["naumann-lfp-3ah"].params
    span = t_s[-1] - t_s[0]
    avg = lambda x: trapezoid(x, t_s, axis=1) / span  # noqa: E731
    ua = st["ua"]
    q1 = np.abs(avg(p["q1_b0"] * np.exp(p["q1_b1"] * np.sqrt(ua) / T_K**2) * np.exp(p["q1_b2"] * np.sqrt(ua) / T_K)))
    q3 = np.abs(
        avg(
            p["q3_b0"]
            * np.exp(p["q3_b1"] * ua ** (1 / 3) / T_K**4)
            * np.exp(p["q3_b2"] * T_K**3 * ua ** (1 / 4))
            * np.exp(p["q3_b3"] * ua ** (1 / 3) / T_K**3)
            * np.exp(p["q3_b4"] * T_K**2 * ua ** (1 / 4))
        )
    )
    dod, crate = st["dod"], st["crate"]
    q5 = np.abs(p["q5_b0"] + p["q5_b1"] * dod + p["q5_b2"] * np.exp(dod**2 * crate**3))
    r_kcal = avg(p["k_ref_r_cal"] * np.exp(-p["Ea_r_cal"] / 8.3144 * (1.0 / T_K - 1.0 / 298.15))) * avg(
        p["C_r_cal"] * (soc - 0.5) ** 3 + p["D_r_cal"]
    )
    r_kcyc = (p["A_r_cyc"] * crate + p["B_r_cyc"]) * (p["C_r_cyc"] * (dod - 0.5) ** 3 + p["D_r_cyc"])
    dt_days, defc = st["delta_t_days"], st["delta_efc"]
    new = {
        "q_t": states["q_t"] + s_cal * sigmoid_state(states["q_t"], dt_days, q1, p["q2"], q3),
        "q_efc": states["q_efc"] + s_cyc * power_b_state(states["q_efc"], defc, q5, p["q6"]),
        "q_break_in": states["q_break_in"],
        "r_t": states["r_t"] + s_cal * r_kcal * dt_days * 86400.0,
        "r_efc": states["r_efc"] + s_cyc * r_kcyc * defc / 100.0,
    }
    fast = defc / max(dt_days, 1e-12) > 3.0
    if np.any(fast):
        # the ceiling is evaluated at every SOC sample and time-averaged, as the calendar rates are;
        # the DOD factors are window scalars
        q7 = np.abs(
            p["q7_b0"]
            * avg(_skew_normal(soc, p["q7_soc_skew"], p["q7_soc_width"]))
            * _skew_normal(dod, p["q7_dod_skew"], p["q7_dod_width"])
            * 2.0
            * (0.5 - 1.0 / (1.0 + np.exp(p["q7_dod_growth"] * dod)))
        )
        step = s_cyc * sigmoid_state(states["q_break_in"], defc, q7, p["q8"], p["q9"])
        new["q_break_in"] = states["q_break_in"] + np.where(fast, step, 0.0)
    return new


def bui_nmc811_step(states: dict, st: dict, t_s: np.ndarray, T_K: np.ndarray, scalar, soc: np.ndarray) -> dict:
    """Advance the LG M50 model's loss states by one window (BLAST-Lite's form)."""
    from .stressors import mean_discharge_rate

    p = MODELS["bui-nmc811-sigr-5ah"].params
    s_cal, s_cyc = split_scalar(scalar)
    span = t_s[-1] - t_s[0]
    avg = lambda x: trapezoid(x, t_s, axis=1) / span  # noqa: E731
    tn = T_K / 308.15
    uan = st["ua"] / 0.123
    k_cal = avg(
        p["q1_b0"]
        + p["q1_b1"] * np.exp(tn**3 / uan ** (1 / 3))
        + p["q1_b2"] * tn**3 / uan**0.5
        + p["q1_b3"] * np.exp(np.sqrt(soc) / tn**2)
        + p["q1_b4"] * np.exp(soc**3)
    )
    cdis = mean_discharge_rate(t_s, soc, st["q"])[:, None]
    k_cyc = avg(p["q3_b0"] * np.exp(p["q3_b1"] * cdis**3) * np.exp(p["q3_b2"] * tn**3 * np.sqrt(cdis)))
    return {
        "q_t": states["q_t"] + s_cal * power_state(states["q_t"], st["delta_t_days"] / 1e4, k_cal, p["p_cal"]),
        "q_efc": states["q_efc"] + s_cyc * power_state(states["q_efc"], st["delta_efc"] / 1e4, k_cyc, p["p_cyc"]),
    }


def wang_lfp_a123_step(states: dict, st: dict, t_s: np.ndarray, T_K: np.ndarray, scalar, soc: np.ndarray) -> dict:
    """Advance the A123 model's loss (fraction) by one window: throughput in Ah of the 2.2 Ah
    test cell, rate k averaged over the window's sample temperatures, virtual throughput."""
    p = MODELS["wang-lfp-a123"].params
    crate = np.broadcast_to(st["discharge_C"], st["q"].shape)
    b = np.interp(crate, p["B_c_rate"], p["B"])
    span = t_s[-1] - t_s[0]
    ea = p["Ea_J_per_mol"] - p["Ea_rate_J_per_mol"] * crate
    k = b * trapezoid(np.exp(-ea[:, None] / (8.314 * T_K)), t_s, axis=1) / span / 100.0
    ah = st["delta_efc"] * p["cell_Ah"]
    return {"q_ah": states["q_ah"] + split_scalar(scalar)[1] * power_state(states["q_ah"], ah, k, p["z"])}


def _nrel_step(states, st, t_s, T_K, scalar, soc):
    return nrel_lfp_250ah_step(states, st, t_s, T_K, scalar)


@dataclass(frozen=True)
class Steps:
    init: Callable[[int], dict]  # n cells -> loss states
    step: Callable[..., dict]  # (states, stressors, t_s, T_K, scalar, soc) -> new states
    capacity: Callable[[dict], np.ndarray]  # states -> relative capacity (N,)
    resistance: Callable[[dict], np.ndarray]  # states -> relative resistance (N,)
    grows_resistance: bool = False
    uses_discharge_rate: bool = False  # the step reads st["discharge_C"] (the duty's own rate)


STEPS = {
    "nrel-lfp-250ah": Steps(
        _nrel_init, _nrel_step, lambda s: 1.0 - s["q_t"] - s["q_efc"], lambda s: np.ones_like(s["q_t"])
    ),
    "bui-nmc811-sigr-5ah": Steps(
        _nrel_init, bui_nmc811_step, lambda s: 1.0 - s["q_t"] - s["q_efc"], lambda s: np.ones_like(s["q_t"])
    ),
    "wang-lfp-a123": Steps(
        lambda n: {"q_ah": np.zeros(n)},
        wang_lfp_a123_step,
        lambda s: 1.0 - s["q_ah"],
        lambda s: np.ones_like(s["q_ah"]),
        uses_discharge_rate=True,
    ),
    "naumann-lfp-3ah": Steps(
        lambda n: {
            "q_t": np.zeros(n),
            "q_efc": np.zeros(n),
            "q_break_in": np.full(n, 1e-10),
            "r_t": np.zeros(n),
            "r_efc": np.zeros(n),
        },
        naumann_lfp_3ah_step,
        lambda s: 1.0 - s["q_t"] - s["q_efc"] - s["q_break_in"],
        lambda s: 1.0 + s["r_t"] + s["r_efc"],
        grows_resistance=True,
    ),
}
