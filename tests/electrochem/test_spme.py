"""The batched SPMe: conservation, exact limits, step-size independence, protocols, interop."""

import json
from pathlib import Path

import numpy as np
import pytest

from cellwright.cell import Cell
from cellwright.electrochem import functions
from cellwright.electrochem.interop import empty_stoichiometries, load_bpx, save_bpx, to_pybamm
from cellwright.electrochem.parameters import F
from cellwright.electrochem.protocols import parse
from cellwright.electrochem.rate import rate_capability
from cellwright.electrochem.solve import simulate
from cellwright.electrochem.spme import SPMe, kernels, thomas
from cellwright.errors import SpecError

ROOT = Path(__file__).parents[2]


def test_thomas_solves_a_tridiagonal_system():
    rng = np.random.default_rng(0)
    m, n = 7, 3  # (points, systems)
    a, c = rng.uniform(-1, 0, (m, n)), rng.uniform(-1, 0, (m, n))
    b = 3.0 + rng.uniform(0, 1, (m, n))
    d = rng.normal(size=(m, n))
    x = thomas(a, b, c, d)
    for k in range(n):
        A = np.diag(b[:, k]) + np.diag(a[1:, k], -1) + np.diag(c[:-1, k], 1)
        np.testing.assert_allclose(A @ x[:, k], d[:, k], rtol=1e-12)


def _moles(model, which):
    part = model.pn if which == "n" else model.pp
    c = model.cn if which == "n" else model.cp
    p = model.p
    L, am, R = (p.L_n, p.am_n, p.R_n) if which == "n" else (p.L_p, p.am_p, p.R_p)
    mean = (c * part.vol).sum(axis=0) / (R**3 / 3.0)
    return p.area * L * am * mean


def test_lithium_is_conserved_exactly(m50):
    model = SPMe(m50)
    current = np.full(1, 5.0)
    dt = np.full(1, 10.0)
    n0, p0 = _moles(model, "n"), _moles(model, "p")
    for _ in range(50):
        model.commit(model.step(current, dt), np.ones(1, bool))
    moved = 5.0 * 500.0 / F
    np.testing.assert_allclose(n0 - _moles(model, "n"), moved, rtol=1e-9)
    np.testing.assert_allclose(_moles(model, "p") - p0, moved, rtol=1e-9)
    salt = (model.ce * model.el.eps * model.el.dx).sum(axis=0)
    np.testing.assert_allclose(
        salt, m50.ce0 * (m50.eps_n * m50.L_n + m50.eps_s * m50.L_s + m50.eps_p * m50.L_p), rtol=1e-12
    )


def test_open_circuit_at_zero_current(m50):
    model = SPMe(m50)
    v = model.voltage(np.zeros(1))
    expected = functions.evaluate(m50.U_p, m50.x_p0) - functions.evaluate(m50.U_n, m50.x_n0)
    np.testing.assert_allclose(v["voltage"], expected, atol=1e-12)


def test_low_rate_capacity_is_the_stoichiometric_window(m50):
    x_n_empty, _ = empty_stoichiometries(m50)
    stoich_Ah = F * m50.area * m50.L_n * m50.am_n * m50.cmax_n * (m50.x_n0 - x_n_empty) / 3600.0
    sol = simulate(m50, ["Discharge at 0.02C until 2.5 V"])
    assert sol.discharge_capacity_Ah[0] == pytest.approx(stoich_Ah[0], rel=0.01)
    assert sol.discharge_capacity_Ah[0] <= stoich_Ah[0]


def test_results_do_not_depend_on_the_time_step(lfp):
    coarse = simulate(lfp, ["Discharge at 1C until 2.5 V"], tol_V=2e-3)
    fine = simulate(lfp, ["Discharge at 1C until 2.5 V"], tol_V=1e-4)
    assert coarse.discharge_capacity_Ah[0] == pytest.approx(fine.discharge_capacity_Ah[0], rel=2e-3)
    assert coarse.discharge_energy_Wh[0] == pytest.approx(fine.discharge_energy_Wh[0], rel=2e-3)


def test_capacity_and_energy_fall_with_rate(m50):
    rc = rate_capability(m50, (0.1, 0.5, 1.0))
    assert np.all(np.diff(rc.capacity_Ah[0]) < 0) and np.all(np.diff(rc.energy_Wh[0]) < 0)
    assert rc.valid.all()


def test_electrolyte_depletion_is_flagged_not_reported(m50):
    thick = m50.replace(L_p=m50.L_p * 2.0, L_n=m50.L_n * 2.0, area=m50.area / 2.0)
    rc = rate_capability(thick, (0.2, 3.0))
    assert rc.valid[0, 0] and not rc.valid[0, 1]


def test_batch_equals_one_by_one(m50, lfp):
    both = m50.concatenate([m50, lfp])
    together = simulate(both, ["Discharge at 1C until 2.5 V"]).discharge_capacity_Ah
    for i, p in enumerate((m50, lfp)):
        alone = simulate(p, ["Discharge at 1C until 2.5 V"]).discharge_capacity_Ah[0]
        assert alone == pytest.approx(together[i], rel=1e-9)  # same steps; rounding differs in grouped look-ups


def test_cc_cv_charge_holds_the_voltage_and_ends_at_the_current_limit(m50):
    sol = simulate(
        m50, ["Discharge at 1C until 3.0 V", "Charge at 1C until 4.2 V", "Hold at 4.2 V until C/20"], soc0=1.0
    )
    curve = sol.curve(0)
    hold = np.abs(curve["voltage_V"] - 4.2) < 2e-3
    assert hold.sum() > 10
    assert abs(curve["current_A"][-1]) <= m50.capacity[0] / 3600.0 / 20.0 * 1.05
    assert sol.charge_capacity_Ah[0] > 0.9 * sol.discharge_capacity_Ah[0]


def test_rest_relaxes_towards_open_circuit(m50):
    sol = simulate(m50, ["Discharge at 1C for 20 minutes", "Rest for 2 hours"])
    curve = sol.curve(0)
    assert curve["voltage_V"][-1] > curve["voltage_V"][np.argmax(curve["time_s"] >= 1200.0) - 1]
    assert curve["current_A"][-1] == 0.0


def test_constant_power_discharge(m50):
    sol = simulate(m50, ["Discharge at 10 W until 2.5 V"])
    curve = sol.curve(0)
    power = curve["current_A"][1:] * curve["voltage_V"][:-1]
    np.testing.assert_allclose(power, 10.0, rtol=2e-2)


@pytest.mark.parametrize(
    "text",
    ["Discharge at 1C till 2.5 V", "Discharge at 1C until 2.5 A", "Rest for 3 fortnights", "Charge at C until 4.2 V"],
)
def test_malformed_protocol_names_the_step(text):
    with pytest.raises(SpecError) as err:
        parse([text])
    assert text in str(err.value)


def test_bpx_round_trip(tmp_path, lfp):
    path = save_bpx(lfp, tmp_path / "lfp.json", title="LFP 280 Ah")
    back = load_bpx(path)
    a = simulate(lfp, ["Discharge at 1C until 2.5 V"]).discharge_capacity_Ah[0]
    b = simulate(back, ["Discharge at 1C until 2.5 V"]).discharge_capacity_Ah[0]
    assert b == pytest.approx(a, rel=1e-3)
    assert json.loads(path.read_text())["Header"]["Model"] == "SPMe"


def test_pybamm_parameter_names(lfp):
    d = to_pybamm(lfp)
    assert d["Positive electrode thickness [m]"] == pytest.approx(lfp.L_p[0])
    assert d["Nominal cell capacity [A.h]"] == pytest.approx(lfp.capacity[0] / 3600.0)


def test_simulate_cli_json_and_plot(cli, tmp_path):
    plot = tmp_path / "plots" / "m50.svg"
    plot.parent.mkdir()
    spec = str(ROOT / "examples" / "lg-m50-21700.toml")
    out = cli("simulate", spec, "--c-rates", "0.5,1", "--json", "--plot", plot, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [r["c_rate"] for r in data["rates"]] == [0.5, 1.0]
    assert all("capacity_Ah" in r and "energy_Wh" in r and "curve" in r for r in data["rates"])
    assert data["plot"] == str(plot) and plot.read_text().lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots"]  # nothing else written


def test_simulate_cli_bad_rates_exit_2(cli, tmp_path):
    out = cli("simulate", str(ROOT / "examples" / "lg-m50-21700.toml"), "--c-rates", "1,fast", cwd=tmp_path)
    assert out.returncode == 2 and "--c-rates" in out.stderr


def test_adiabatic_energy_balance(m50):
    adiabatic = m50.replace(cooling=0.0)
    sol = simulate(adiabatic, ["Discharge at 1C for 20 minutes"], thermal=True)
    c = sol.curve(0)
    model = SPMe(adiabatic)  # open-circuit voltage along the run, from the recorded surface states
    assert c["temperature_K"][-1] > adiabatic.T[0] + 1.0
    # heat = integral of I (OCV - V) dt, with OCV from the surface stoichiometries
    ocv = functions.evaluate(
        np.full(len(sol.x_p_surf[:, 0]), adiabatic.U_p[0]), sol.x_p_surf[:, 0]
    ) - functions.evaluate(np.full(len(sol.x_n_surf[:, 0]), adiabatic.U_n[0]), sol.x_n_surf[:, 0])
    keep = ~np.isnan(sol.voltage_V[:, 0])
    t, i, v, ocv = sol.time_s[keep, 0], sol.current_A[keep, 0], sol.voltage_V[keep, 0], ocv[keep]
    heat = np.sum(np.diff(t) * (i[1:] * (ocv[1:] - v[1:])))
    rise = c["temperature_K"][-1] - adiabatic.T[0]
    # exact but for the last step, which the 20-minute end cuts part-way (state interpolated)
    assert rise * adiabatic.mass[0] * adiabatic.heat_capacity[0] == pytest.approx(heat, rel=1e-3)
    assert model.T[0] == adiabatic.T[0]


def test_a_warmer_cell_has_lower_overpotential(m50):
    cold = simulate(m50, ["Discharge at 1C until 2.5 V"]).discharge_energy_Wh[0]
    warm = simulate(m50.replace(T=318.15), ["Discharge at 1C until 2.5 V"]).discharge_energy_Wh[0]
    assert warm > cold


def test_cooling_limits_the_temperature_rise(lfp):
    sealed = simulate(lfp.replace(cooling=0.0), ["Discharge at 1C until 2.5 V"], thermal=True)
    cooled = simulate(lfp.replace(cooling=lfp.cooling * 20.0), ["Discharge at 1C until 2.5 V"], thermal=True)
    assert np.nanmax(cooled.temperature_K) < np.nanmax(sealed.temperature_K)


def test_current_collector_resistance_follows_foil_thickness():
    from cellwright.electrochem.from_design import current_collector_resistance

    thin = Cell.from_spec({"chemistry": "nmc811-sigraphite", "format": "cylindrical", "dimensions": {"size": "21700"}})
    thick = Cell.from_spec(
        {
            "chemistry": "nmc811-sigraphite",
            "format": "cylindrical",
            "dimensions": {"size": "21700"},
            "cathode": {"foil_thickness_um": 32.0},
            "anode": {"foil_thickness_um": 24.0},
        }
    )
    r_thin, r_thick = (
        current_collector_resistance(c.resolved.inputs, c.result, c.resolved.materials)[0] for c in (thin, thick)
    )
    assert 1e-3 < r_thin < 1e-2  # a few milliohm for a single-tab 21700
    assert r_thick < r_thin  # thicker foils (fewer turns too, but far less resistance per turn)


@pytest.mark.parametrize("varying_D", [False, True])
def test_compiled_kernels_match_numpy(m50, lfp, varying_D):
    """The Numba step and voltage give the NumPy path's numbers (to rounding), mixed materials,
    constant or concentration-dependent particle diffusivities."""
    if kernels() is None:
        pytest.skip("compiled kernels unavailable (no Numba, or CELLWRIGHT_NUMBA=0)")
    p = m50.concatenate([m50, lfp, m50.replace(L_p=m50.L_p * 1.1)])
    if varying_D:
        p = p.replace(D_n=functions.register("test.D_n.varying", [0.0, 0.5, 1.0], [2e-14, 8e-15, 3e-14]))
    states = {}
    for compiled in (False, True):
        model = SPMe(p, compiled=compiled)
        current = np.array([5.0, 100.0, -3.0])
        volts = [model.voltage(current)["voltage"]]
        for k in range(6):
            dt = np.array([10.0, 20.0, 5.0]) * (1.3**k)
            model.commit(model.step(current, dt, None if k == 0 else np.full(3, 1.3)), np.ones(3, bool))
            volts.append(model.voltage(current)["voltage"])
        states[compiled] = (model.cn, model.cp, model.ce, np.array(volts))
    for a, b in zip(states[False], states[True]):
        np.testing.assert_allclose(b, a, rtol=1e-11, atol=1e-12)


def test_a_discharge_that_hits_cut_off_at_once_is_not_valid_and_says_why():
    """An LFP 21700 (one tab per foil) at 30C: the drop across its collectors and electrodes
    takes it below cut-off within the solver's first moments (a fraction of a mAh of 3 Ah) --
    not a capacity. (A 46x80 cylinder is tabless and no longer does this at 3C.)"""
    from cellwright.electrochem.from_design import from_cell

    cell = Cell.from_spec(
        {"name": "LFP 21700", "chemistry": "lfp-graphite", "format": "cylindrical", "dimensions": {"size": "21700"}}
    )
    rc = rate_capability(from_cell(cell), [1.0, 30.0])
    assert rc.valid[0].tolist() == [True, False]
    assert rc.capacity_Ah[0, 0] > 0.5 * cell.result["capacity_Ah"][0]
    assert rc.capacity_Ah[0, 1] < 0.01 * cell.result["capacity_Ah"][0]
    assert rc.reason[0, 1].startswith("no capacity delivered: the cell reaches its cut-off voltage at once")
