"""The batched SPMe and DFN against PyBaMM 26.10 reference solutions (fixtures built by
tools/build_pybamm_references.py; `make validate` rebuilds them with live PyBaMM and reruns
this file on them).

Targets: voltage RMSE at most 2 mV against PyBaMM's SPMe (same model, same 20-point meshes),
at most 10 mV at 1C and 20 mV at 2C against the DFN (80-point converged mesh); delivered
capacity within 1 %. cellwright's DFN (20 points per domain, as its SPMe) is held to the same
DFN limits and, more tightly, to 5 mV: PyBaMM's own DFN on 20 points is up to 3.5 mV RMS from
the converged one (Prada2013 at 2C). Voltages are compared on the discharged capacity up to
the shorter run, at the reference's sample points.
"""

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from cellwright.electrochem.parameters import from_json
from cellwright.electrochem.solve import simulate

FIXTURES = Path(os.environ.get("CELLWRIGHT_PYBAMM_FIXTURES", Path(__file__).parents[1] / "fixtures" / "electrochem"))
SETS = [s for s in ("Prada2013", "Chen2020", "cellwright-lfp") if (FIXTURES / f"{s}_parameters.json").exists()]
RATES = ("0.5", "1", "2")
DFN_LIMIT_MV = {"0.5": 10.0, "1": 10.0, "2": 20.0}
DFN_MESH_MV = 5.0  # cellwright's 20-point DFN against the converged DFN


def _curve(path: Path) -> dict[str, np.ndarray]:
    rows = list(csv.DictReader(path.read_text().splitlines()))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


_RUNS: dict = {}


def ours(name: str, rate: str, model: str = "spme"):
    if (name, rate, model) not in _RUNS:
        p = from_json(FIXTURES / f"{name}_parameters.json")
        sol = simulate(p, [f"Discharge at {rate}C until {p.V_min[0]} V"], model=model)
        c = sol.curve(0)
        q = np.cumsum(np.r_[0.0, np.diff(c["time_s"]) * c["current_A"][1:]]) / 3600.0
        _RUNS[(name, rate, model)] = (q, c["voltage_V"], sol.discharge_capacity_Ah[0], bool(sol.valid[0]))
    return _RUNS[(name, rate, model)]


def rmse_mV(name: str, rate: str, model: str, ours_model: str = "spme") -> float:
    """RMS voltage difference at the reference's own points (its 200 samples of the discharge,
    by discharged capacity, up to the shorter run): the reference is only known there."""
    q, v, _, _ = ours(name, rate, ours_model)
    ref = _curve(FIXTURES / f"{name}_{model}_{rate}C.csv")
    keep = ref["discharge_capacity_Ah"] <= q[-1]
    diff = np.interp(ref["discharge_capacity_Ah"][keep], q, v) - ref["voltage_V"][keep]
    return float(np.sqrt(np.mean(diff**2)) * 1e3)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("rate", RATES)
def test_voltage_matches_pybamm_spme_within_2_mV(name, rate):
    assert rmse_mV(name, rate, "SPMe") <= 2.0


@pytest.mark.parametrize("ours_model", ("spme", "dfn"))
@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("rate", RATES)
def test_capacity_matches_pybamm_within_1_percent(name, rate, ours_model):
    _, _, cap, valid = ours(name, rate, ours_model)
    assert valid
    for model in ("SPMe", "DFN"):
        ref = _curve(FIXTURES / f"{name}_{model}_{rate}C.csv")["discharge_capacity_Ah"][-1]
        assert cap == pytest.approx(ref, rel=0.01)


def _dfn_cases():
    for name in SETS:
        for rate in RATES:
            marks = []
            if name == "Chen2020" and rate == "2":
                marks = [
                    pytest.mark.xfail(
                        strict=True,
                        reason="SPMe model error, not discretisation: PyBaMM's own SPMe is 28.3 mV RMSE from the DFN "
                        "here (electrolyte-limited energy cell at 2C); cellwright matches that SPMe to < 1 mV. "
                        "cellwright's DFN (model='dfn') meets the limit: test_dfn_against_the_dfn",
                    )
                ]
            yield pytest.param(name, rate, id=f"{name}-{rate}C", marks=marks)


@pytest.mark.parametrize("name, rate", list(_dfn_cases()))
def test_voltage_against_the_dfn(name, rate):
    assert rmse_mV(name, rate, "DFN") <= DFN_LIMIT_MV[rate]


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("rate", RATES)
def test_dfn_against_the_dfn(name, rate):
    assert rmse_mV(name, rate, "DFN", ours_model="dfn") <= min(DFN_LIMIT_MV[rate], DFN_MESH_MV)
