"""The Sony-Murata 3 Ah LFP model (``naumann-lfp-3ah``) above 3 equivalent full cycles per day,
where its break-in loss is active, against BLAST-Lite 1.1.1 (fixtures ``*cycling_1c*`` from
tools/build_blast_references.py: continuous 1C/1C cycling, 12 EFC a day, 0-100 % SOC at 25 degC
and 10-90 % SOC at 35 degC).

BLAST evaluates the break-in ceiling q7 at every SOC sample of a window and time-averages it.
Evaluated at the mean SOC instead, the ceiling of a day's samples is 1.9x (0-100 %) and 1.6x
(10-90 %) too high: q falls 0.41 and 0.85 points below BLAST within three months, and the cycles
to 80 % on BLAST's fast path come 2.2 % and 6.8 % short.
"""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.aging import stressors
from cellwright.aging.models import STEPS
from cellwright.aging.simulate import simulate_life

FIXTURES = Path(__file__).parents[1] / "fixtures" / "aging"
BLAST = "Lfp_Gr_SonyMurata3Ah_Battery"
INPUTS = ["cycling_1c_100dod", "cycling_1c_80dod"]

#: cellwright follows BLAST's equations and windows (agreement ~1e-13 on these inputs); 0.05
#: points of capacity and of relative resistance leave room for rounding in the fixtures and
#: are 8x below the smallest error the mean-SOC ceiling made (0.41 points).
TOL_POINTS = 0.0005
#: cycles to 80 % on the fast path, relative (the mean-SOC ceiling was 2.2 % and 6.8 % short)
TOL_CYCLES = 0.005


def load(name: str) -> dict[str, np.ndarray]:
    rows = list(csv.DictReader((FIXTURES / name).read_text().splitlines()))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def load_input(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    inp = load(f"{name}_input.csv")
    return inp["time_s"], inp["soc"], inp["temperature_degC"]


def efc_to(efc: np.ndarray, q: np.ndarray, level: float) -> float:
    """EFC where q first falls below ``level``, linear between output points."""
    i = int(np.argmax(q < level))
    assert i > 0, "the run never fell below the level"
    return float(efc[i - 1] + (q[i - 1] - level) / (q[i - 1] - q[i]) * (efc[i] - efc[i - 1]))


@pytest.mark.parametrize("name", INPUTS)
def test_soh_and_resistance_match_blast_lite_while_the_break_in_is_active(name):
    t, soc, temp = load_input(name)
    ref = load(f"{BLAST}_{name}.csv")
    # the fixture exercises the break-in term: more than 3 EFC per day (12 here)
    assert ref["efc"][-1] / ref["time_days"][-1] > 3.0
    # BLAST turns NaN once the break-in state passes a later window's ceiling (2-3 months here);
    # its CSV ends at the last finite point, and the comparison with it
    assert ref["time_days"][-1] > 70.0
    ours = simulate_life(t, soc, temp, ref["time_days"][-1] / 365.0, model="naumann-lfp-3ah")
    days = ref["time_days"]
    assert ours.time_days[-1] >= days[-1]
    dq = np.interp(days, ours.time_days, ours.soh[:, 0]) - ref["q"]
    dr = np.interp(days, ours.time_days, ours.resistance[:, 0]) - ref["r"]
    assert np.max(np.abs(dq)) < TOL_POINTS
    assert np.max(np.abs(dr)) < TOL_POINTS


@pytest.mark.parametrize("name", INPUTS)
def test_cycles_to_80_percent_match_blast_lite_fast_path(name):
    """BLAST's fast path (``is_constant_input=True``) takes the day as one window and repeats
    its rates; the model's step function on the same one-window stressors is that path. It runs
    to 80 %, which the general path cannot (BLAST's NaN)."""
    t, soc, temp = load_input(name)
    ref = load(f"{BLAST}_{name}_fast.csv")
    summary = json.loads((FIXTURES / f"{BLAST}_cycling_summary.json").read_text())["runs"][f"{name}_fast"]
    laws = STEPS["naumann-lfp-3ah"]
    st = stressors.window(t, soc[None, :], np.ones(1))
    states = laws.init(1)
    efc, q = [0.0], [1.0]
    while q[-1] >= 0.78:
        states = laws.step(states, st, t, temp[None, :] + 273.15, 1.0, soc[None, :])
        efc.append(efc[-1] + float(st["delta_efc"][0]))
        q.append(float(laws.capacity(states)[0]))
    ours = efc_to(np.array(efc), np.array(q), 0.8)
    blast = efc_to(ref["efc"], ref["q"], 0.8)
    assert blast == pytest.approx(summary["efc_to_q_0p8"], rel=1e-6)  # the CSV and the summary agree
    assert ours == pytest.approx(blast, rel=TOL_CYCLES)
    n = min(len(q), len(ref["q"]))
    assert np.max(np.abs(np.array(q[:n]) - ref["q"][:n])) < TOL_POINTS
