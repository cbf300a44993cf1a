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
