"""Semi-empirical aging models, chosen by name. Each is a function of window stressors that
updates capacity-loss states; parameters and fitted ranges live in ``MODELS``.

``nrel-lfp-250ah``: NREL's large-format LFP/graphite prismatic model (Gasper et al. 2023,
J. Energy Storage 73, 109042; coded in BLAST-Lite 1.1.1 as ``Lfp_Gr_250AhPrismatic``):

    q = 1 - q_cal - q_cyc
    q_cal = k_cal t^p_cal,  k_cal = p1 exp(p2/T) exp(p3 Ua/T)          (t in days)
    q_cyc = k_cyc EFC^p_cyc, k_cyc = (p4 + p5 DOD + p6 C) (exp(p7/T) + exp(-p8/T))

the rates averaged (trapezoid in time) over each window's samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


from .states import power_state

trapezoid = getattr(np, "trapezoid", None) or np.trapz  # NumPy < 2 names it trapz


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
        {"p1": 8.37e4, "p2": -5.21e3, "p3": -3.56e3, "pcal": 0.526, "p4": 4.38e-8, "p5": 1.55e-8, "p6": 1.68e-7,
         "p7": 2.19e3, "p8": 1.55e5, "pcyc": 0.828},
        {"temperature_degC": (10.0, 45.0), "dod": (0.8, 1.0), "soc": (0.0, 1.0), "charge_C": (0.0, 0.65), "discharge_C": (0.0, 1.0)},
        "gasper2023",
        "cycle fade was nearly rate- and temperature-independent in the tests; the cycle term's temperature law "
        "balances the calendar term inside 10-45 degC and should not be extrapolated",
    ),
}


def nrel_lfp_250ah_step(states: dict, st: dict, t_s: np.ndarray, T_K: np.ndarray, scalar=1.0) -> dict:
    """Advance the 250 Ah model's loss states by one window.

    ``st``: window stressors (``stressors.window``); ``T_K`` (N, M) sample temperatures.
    """
    p = MODELS["nrel-lfp-250ah"].params
    kcal = abs(p["p1"]) * np.exp(p["p2"] / T_K) * np.exp(p["p3"] * st["ua"] / T_K)
    kcyc = (p["p4"] + p["p5"] * st["dod"][:, None] + p["p6"] * st["crate"][:, None]) * (np.exp(p["p7"] / T_K) + np.exp(-p["p8"] / T_K))
    span = t_s[-1] - t_s[0]
    kcal = trapezoid(kcal, t_s, axis=1) / span
    kcyc = trapezoid(kcyc, t_s, axis=1) / span
    q_t = states["q_t"] + scalar * power_state(states["q_t"], st["delta_t_days"], kcal, p["pcal"])
    q_efc = states["q_efc"] + scalar * power_state(states["q_efc"], st["delta_efc"], kcyc, p["pcyc"])
    return {"q_t": q_t, "q_efc": q_efc}
