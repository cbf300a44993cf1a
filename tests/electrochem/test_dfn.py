"""The batched DFN: conservation, the cell current carried by each electrode, the SPMe limit
at low rate, protocols, the compiled kernel against NumPy, errors. (Its agreement with
PyBaMM's DFN is in tests/validation/test_pybamm.py.)"""

import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.electrochem import functions
from cellwright.electrochem.dfn import COUPLING_TOL, DFN, dfn_kernels
from cellwright.electrochem.parameters import F
from cellwright.electrochem.rate import rate_capability
from cellwright.electrochem.solve import simulate

ROOT = Path(__file__).parents[2]


def _moles(model: DFN, which: str) -> np.ndarray:
    """Lithium in one electrode's particles, mol (N,)."""
    e, c = (model.ne, model.cn) if which == "n" else (model.pe, model.cp)
    shells = e.cols(c) * e.particle.vol  # (n_r, n_x * N)
    mean = shells.sum(axis=0).reshape(e.n, -1) / (e.R**3 / 3.0)  # (n_x, N)
    am = model.p.am_n if which == "n" else model.p.am_p
    return model.p.area * e.dx * am * mean.sum(axis=0)


def _run(model: DFN, current, steps=30, dt=20.0):
    n = len(model.p)
    for k in range(steps):
        state = model.step(np.full(n, current), np.full(n, dt), None if k == 0 else np.ones(n))
        model.commit(state, np.ones(n, bool))
    return state


def test_lithium_and_salt_are_conserved(m50):
    model = DFN(m50)
    n0, p0 = _moles(model, "n"), _moles(model, "p")
    salt0 = (model.ce * model.el.eps * model.el.dx).sum(axis=0)
    _run(model, 5.0, steps=30, dt=20.0)  # 1C for 600 s
    moved = 5.0 * 600.0 / F
    np.testing.assert_allclose(n0 - _moles(model, "n"), moved, rtol=1e-9)
    np.testing.assert_allclose(_moles(model, "p") - p0, moved, rtol=1e-9)
    # salt: to the electrolyte coupling's tolerance (its implicit consumption term vanishes only
    # as the passes agree)
    np.testing.assert_allclose((model.ce * model.el.eps * model.el.dx).sum(axis=0), salt0, rtol=COUPLING_TOL)


def test_each_electrode_carries_the_cell_current(m50):
    model = DFN(m50)
    parts = _run(model, 5.0, steps=20)[3]
    i_cell = 5.0 / m50.area
    np.testing.assert_allclose((model.ne.a_dx * parts["j_n"]).sum(axis=0), i_cell, rtol=1e-10)
    np.testing.assert_allclose((model.pe.a_dx * parts["j_p"]).sum(axis=0), -i_cell, rtol=1e-10)


def test_open_circuit_at_zero_current(m50):
    v = DFN(m50).voltage(np.zeros(1))["voltage"]
    expected = functions.evaluate(m50.U_p, m50.x_p0) - functions.evaluate(m50.U_n, m50.x_n0)
    np.testing.assert_allclose(v, expected, atol=1e-9)


def test_low_rate_discharge_approaches_the_spme(m50, lfp):
    """At C/20 the reaction is near uniform: the DFN and the SPMe agree to a millivolt."""
    for p in (m50, lfp):
        dfn, spme = (simulate(p, ["Discharge at 0.05C until 2.5 V"], model=m) for m in ("dfn", "spme"))
        c, s = dfn.curve(0), spme.curve(0)
        q_end = min(dfn.discharge_capacity_Ah[0], spme.discharge_capacity_Ah[0])
        q = np.linspace(0.02, 0.95, 200) * q_end
        qc = np.cumsum(np.r_[0.0, np.diff(c["time_s"]) * c["current_A"][1:]]) / 3600.0
        qs = np.cumsum(np.r_[0.0, np.diff(s["time_s"]) * s["current_A"][1:]]) / 3600.0
        rms = np.sqrt(np.mean((np.interp(q, qc, c["voltage_V"]) - np.interp(q, qs, s["voltage_V"])) ** 2))
        assert rms < 1e-3
        assert dfn.discharge_capacity_Ah[0] == pytest.approx(spme.discharge_capacity_Ah[0], rel=2e-3)


def test_depletion_limits_capacity_and_the_design_stays_valid(m50):
    """A double-thickness M50 at 3C runs out of salt within a minute: the DFN ends the
    discharge at its limiting current (PyBaMM's DFN: 0.138 Ah, reached at 32 s), valid; the
    SPMe flags it invalid."""
    thick = m50.replace(L_p=m50.L_p * 2.0, L_n=m50.L_n * 2.0, area=m50.area / 2.0)
    rc = rate_capability(thick, (0.2, 3.0), model="dfn")
    assert rc.valid.all()
    assert rc.capacity_Ah[0, 1] < 0.05 * rc.capacity_Ah[0, 0]
    assert not rate_capability(thick, (3.0,)).valid.any()


def test_cc_cv_rest_and_power_steps(m50):
    sol = simulate(m50, ["Discharge at 1C until 3.0 V", "Rest for 30 minutes", "Charge at 0.5C until 4.2 V",
                         "Hold at 4.2 V until C/20", "Discharge at 10 W for 10 minutes"], model="dfn")  # fmt: skip
    c = sol.curve(0)
    hold = (np.abs(c["voltage_V"] - 4.2) < 2e-3) & (c["current_A"] < 0)
    assert hold.sum() > 10
    assert np.min(np.abs(c["current_A"][hold])) <= m50.capacity[0] / 3600.0 / 20.0 * 1.05
    power = c["current_A"][-10:] * c["voltage_V"][-11:-1]
    np.testing.assert_allclose(power, 10.0, rtol=2e-2)
    first = simulate(m50, ["Discharge at 1C until 3.0 V"], model="dfn").discharge_capacity_Ah[0]
    assert sol.valid.all() and sol.charge_capacity_Ah[0] > 0.85 * first


def test_batch_equals_one_by_one(m50, lfp):
    both = m50.concatenate([m50, lfp])
    together = simulate(both, ["Discharge at 1C until 2.5 V"], model="dfn").discharge_capacity_Ah
    for i, p in enumerate((m50, lfp)):
        alone = simulate(p, ["Discharge at 1C until 2.5 V"], model="dfn").discharge_capacity_Ah[0]
        assert alone == pytest.approx(together[i], rel=1e-8)


@pytest.mark.parametrize("varying_D", [False, True])
def test_compiled_kernel_matches_numpy(m50, lfp, varying_D):
    if dfn_kernels() is None:
        pytest.skip("compiled kernels unavailable (no Numba, or CELLWRIGHT_NUMBA=0)")
    p = m50.concatenate([m50, lfp, m50.replace(L_p=m50.L_p * 1.1)])
    if varying_D:
        p = p.replace(D_n=functions.register("test.D_n.varying", [0.0, 0.5, 1.0], [2e-14, 8e-15, 3e-14]))
    volts = {}
    for compiled in (False, True):
        model = DFN(p, compiled=compiled)
        current = np.array([10.0, 400.0, -3.0])
        v = [model.voltage(current)["voltage"]]
        for k in range(8):
            state = model.step(current, np.array([10.0, 20.0, 5.0]) * 1.3**k, None if k == 0 else np.full(3, 1.3))
            model.commit(state, np.ones(3, bool))
            v.append(state[3]["voltage"])
        volts[compiled] = np.array(v)
    np.testing.assert_allclose(volts[True], volts[False], atol=1e-8)


def test_unknown_model_and_thermal_dfn_are_refused(m50):
    with pytest.raises(ValueError, match="model: 'p3d' is not one of spme, dfn"):
        simulate(m50, ["Discharge at 1C until 2.5 V"], model="p3d")
    with pytest.raises(ValueError, match="thermal"):
        simulate(m50, ["Discharge at 1C until 2.5 V"], model="dfn", thermal=True)


def test_simulate_cli_with_the_dfn(cli, tmp_path):
    spec = str(ROOT / "examples" / "lg-m50-21700.toml")
    out = cli("simulate", spec, "--c-rates", "0.5,2", "--model", "dfn", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["model"] == "dfn"
    assert data["rates"][0]["capacity_Ah"] > data["rates"][1]["capacity_Ah"] > 0.0
    for bad in (["--model", "p2d"], ["--model", "dfn", "--thermal"]):
        out = cli("simulate", spec, *bad, cwd=tmp_path)
        assert out.returncode == 2 and bad[-1] in out.stderr
