"""The study model: variables applied to the chain give exactly what one-by-one runs give."""

from pathlib import Path

import numpy as np
import pytest

from cellwright import chain
from cellwright.errors import SpecError
from cellwright.factory.plant_spec import cost_inputs
from cellwright.spec import parse_spec, resolve
from cellwright.studies.model import build
from cellwright.studies.spec import parse_study

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _study(variables, stages=("design", "cost"), method="random", **extra):
    data = {
        "name": "t",
        "cell": "lfp-280ah-prismatic.toml",
        "stages": list(stages),
        "method": method,
        "variables": variables,
        **extra,
    }
    if method != "grid":
        data.setdefault("samples", 8)
    return parse_study(data, EXAMPLES)


def test_batched_rows_equal_one_by_one_runs():
    study = _study(
        {
            "cathode.thickness_um": {"range": [60.0, 120.0]},
            "cathode.porosity": {"distribution": "uniform", "low": 0.22, "high": 0.38},
            "plant.region": {"values": ["china", "united-states"]},
        }
    )
    model = build(study)
    rng = np.random.default_rng(3)
    values = {
        "cathode.thickness_um": rng.uniform(60, 120, 12),
        "cathode.porosity": rng.uniform(0.22, 0.38, 12),
        "plant.region": np.array(["china", "united-states"] * 6),
    }
    out = model.evaluate(values)
    assert out["valid"].all()
    for i in range(12):
        cell = model._cell_dict({k: values[k][i].item() for k in ("cathode.thickness_um", "cathode.porosity")})
        r = resolve(parse_spec(cell))
        costs = cost_inputs(r, model._plant({"plant.region": str(values["plant.region"][i])}))
        one = chain.run(r.inputs, stages=["design", "cost"], costs=costs, materials=r.materials)
        for name in ("capacity_Ah", "specific_energy_Wh_kg", "cell_cost_usd_per_kWh"):
            assert out[name][i] == pytest.approx(one.columns[name][0], rel=1e-9)


def test_row_outside_a_fields_range_is_kept_not_valid_with_the_reason():
    study = _study({"cathode.porosity": {"distribution": "normal", "mean": 0.3, "sd": 0.05}})
    out = build(study).evaluate({"cathode.porosity": np.array([0.3, 0.95])})
    assert out["valid"].tolist() == [True, False]
    assert "cathode.porosity" in out["invalid_reason"][1] and "< 0.9" in out["invalid_reason"][1]
    assert np.isnan(out["capacity_Ah"][1]) and np.isfinite(out["capacity_Ah"][0])


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"cathode.thicknes_um": {"range": [60.0, 120.0]}}, 'variables."cathode.thicknes_um".range'),
        ({"cathode.porosity": {"range": [0.2, 0.95]}}, 'variables."cathode.porosity".range'),
        ({"plant.region": {"values": ["china", "mars"]}}, 'variables."plant.region".values'),
        ({"plant.utilisation": {"values": [0.5, 0.9]}}, 'variables."plant.utilisation".values'),
    ],
)
def test_bad_variable_fails_before_any_work_naming_the_field(variables, field):
    with pytest.raises(SpecError) as exc:
        build(_study(variables, method="grid" if "values" in next(iter(variables.values())) else "random"))
    assert exc.value.field == field


def test_protocol_variable_runs_the_life_stage_under_that_protocol():
    from cellwright.aging.protocol import parse_protocol

    study = _study(
        {"protocol.temperature_degC": {"values": [25.0, 35.0]}},
        stages=("design", "life"),
        method="grid",
        life={"protocol": "0.5C/0.5C, 25degC, 100% DOD"},
    )
    out = build(study).evaluate({"protocol.temperature_degC": np.array([25.0, 35.0])})
    r = resolve(parse_spec(build(study).cell_data))
    for i, temp in enumerate((25.0, 35.0)):
        proto = parse_protocol(f"0.5C/0.5C, {temp:g}degC, 100% DOD")
        one = chain.run(r.inputs, stages=["design", "life"], materials=r.materials, life=chain.Life(proto))
        assert out["cycles_to_eol"][i] == pytest.approx(one.columns["cycles_to_eol"][0], rel=1e-12)
    assert out["cycles_to_eol"][0] != out["cycles_to_eol"][1]


def test_tender_rows_rank_the_bids_as_the_tender_command_does():
    from cellwright.readers import read_toml
    from cellwright.storage.tender import evaluate_tender

    data = {
        "name": "t",
        "tender": "storage/tender-100mw-4h.toml",
        "stages": ["tender"],
        "method": "grid",
        "variables": {"project.finance.charging_price_usd_per_MWh": {"values": [30.0, 90.0]}},
    }
    study = parse_study(data, EXAMPLES)
    out = build(study).evaluate({"project.finance.charging_price_usd_per_MWh": np.array([30.0, 90.0])})
    tender = read_toml(EXAMPLES / "storage" / "tender-100mw-4h.toml", "tender")
    for i, price in enumerate((30.0, 90.0)):
        tender["project"]["finance"]["charging_price_usd_per_MWh"] = price
        ref = evaluate_tender(tender, EXAMPLES / "storage", sensitivity=False)
        assert out["winner"][i] == ref.ranking[0]["name"]
        for entry in ref.ranking:
            assert out[f"{entry['name']}.lcos_usd_per_MWh"][i] == pytest.approx(entry["lcos_usd_per_MWh"], rel=1e-12)
            assert out[f"{entry['name']}.rank"][i] == entry["rank"]
    assert out["valid"].all()


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ('"cathode.thicknes_um" = { range = [60, 120], steps = 3 }', 'variables."cathode.thicknes_um".range'),
        ('"cathode.thickness_um" = { range = [120, 60], steps = 3 }', 'variables."cathode.thickness_um".range'),
        ('"cathode.porosity" = { distribution = "gaussian", mean = 0.3 }', 'variables."cathode.porosity".distribution'),
    ],
)
def test_cli_bad_study_exits_2_naming_the_field_and_writes_nothing(cli, tmp_path, variable, field):
    study = tmp_path / "bad.toml"
    cell = (EXAMPLES / "lfp-280ah-prismatic.toml").as_posix()
    study.write_text(f'name = "bad"\ncell = "{cell}"\nstages = ["design"]\nmethod = "grid"\n[variables]\n{variable}\n')
    out = cli("study", "run", str(study), "--out", str(tmp_path / "out"))
    assert out.returncode == 2
    assert out.stderr.strip().startswith(f"error: {field} = ")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("name", ["quick", "lfp-design-space", "newcomer-vs-incumbent", "tender-uncertainty"])
def test_example_studies_are_checked_whole_before_any_work(name):
    from cellwright.studies.methods import plan
    from cellwright.studies.spec import load_study

    study = load_study(EXAMPLES / "studies" / f"{name}.toml")
    build(study)
    assert (
        plan(study).n_total
        == {
            "quick": 30,
            "lfp-design-space": 81,
            "newcomer-vs-incumbent": 8000,
            "tender-uncertainty": 200,
        }[name]
    )
