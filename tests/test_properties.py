"""Physical invariants of the design engine, over every preset and format."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellwright import presets
from cellwright.cell import Cell
from cellwright.design import BOM_COMPONENTS, DesignInputs, design_cells

FORMAT_DIMS = {
    "prismatic": {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0},
    "blade": {"width_mm": 905.0, "thickness_mm": 13.5, "height_mm": 118.0},
    "pouch": {"width_mm": 100.0, "thickness_mm": 10.0, "height_mm": 300.0},
    "cylindrical": {"diameter_mm": 21.1, "height_mm": 70.15},
}


def base(chemistry="lfp-graphite", fmt="prismatic", **sections) -> DesignInputs:
    spec = {"chemistry": chemistry, "format": fmt, "dimensions": FORMAT_DIMS[fmt], **sections}
    return Cell.from_spec(spec).resolved.inputs


@pytest.mark.parametrize("chemistry", sorted(presets.chemistries()))
@pytest.mark.parametrize("fmt", sorted(FORMAT_DIMS))
def test_every_preset_designs_in_every_format(chemistry, fmt):
    cell = Cell.from_spec({"chemistry": chemistry, "format": fmt, "dimensions": FORMAT_DIMS[fmt]})
    row = cell.summary()
    assert row["capacity_Ah"] > 0 and row["mass_kg"] > 0
    # mass equals the sum of the bill of materials
    assert row["mass_kg"] == pytest.approx(sum(c["mass_kg"] for c in row["bom"].values()), rel=1e-12)
    # every value used has a source that resolves in the bibliography
    from cellwright.sources import bibliography

    assert set(row["sources"]) <= set(bibliography())
    assert 1.0 < row["nominal_voltage_V"] < 4.5


def _vary(inp: DesignInputs, n: int, **fields) -> DesignInputs:
    big = inp.take(np.zeros(n, dtype=int))
    return big.replace(**fields)


@pytest.mark.parametrize("fmt", sorted(FORMAT_DIMS))
def test_capacity_grows_with_loading(fmt):
    inp = base("nmc811-graphite", fmt)
    thickness = np.linspace(60e-6, 61e-6, 11)  # fine steps: whole-layer stacks keep their layer count
    res = design_cells(_vary(inp, thickness.size, pos_thickness=thickness))
    assert res.valid.all()
    assert np.all(np.diff(res["areal_capacity_mAh_cm2"]) > 0)
    grows = np.diff(res["capacity_Ah"]) > 0
    if inp.wound[0]:
        assert grows.all()
    else:  # whole layers: a thicker electrode can lose a layer, so compare at equal layer count
        same_layers = res["layers"][:-1] == res["layers"][1:]
        assert same_layers.any() and grows[same_layers].all()


@pytest.mark.parametrize("fmt", ["prismatic", "blade", "cylindrical", "pouch"])
def test_energy_density_falls_as_casing_wall_thickens(fmt):
    inp = base("lfp-graphite", fmt)
    walls = np.linspace(0.1e-3, 1.2e-3, 12) if fmt != "pouch" else np.linspace(0.1e-3, 0.4e-3, 12)
    res = design_cells(_vary(inp, walls.size, wall_thickness=walls))
    assert res.valid.all()
    assert np.all(np.diff(res["energy_density_Wh_L"]) <= 0)
    assert res["energy_density_Wh_L"][-1] < res["energy_density_Wh_L"][0]
    assert np.all(np.diff(res["specific_energy_Wh_kg"]) < 0)


@settings(max_examples=25, deadline=None)
@given(
    thickness_um=st.lists(st.floats(30, 150), min_size=2, max_size=40),
    porosity=st.floats(0.2, 0.45),
    fmt=st.sampled_from(sorted(FORMAT_DIMS)),
)
def test_batch_equals_one_by_one(thickness_um, porosity, fmt):
    inp = base("nmc811-sigraphite", fmt)
    n = len(thickness_um)
    batch = _vary(inp, n, pos_thickness=np.array(thickness_um) * 1e-6, pos_porosity=porosity)
    together = design_cells(batch)
    for i in range(n):
        alone = design_cells(batch.take([i]))
        for key in ("capacity_Ah", "mass_kg", "energy_Wh", "volume_L", "layers"):
            np.testing.assert_array_equal(alone[key], together[key][i : i + 1])
        for comp in BOM_COMPONENTS:
            np.testing.assert_array_equal(alone.bom_mass_kg[comp], together.bom_mass_kg[comp][i : i + 1])


def test_mixed_formats_in_one_call_equal_separate_calls():
    parts = [base("lfp-graphite", f) for f in sorted(FORMAT_DIMS)]
    mixed = design_cells(DesignInputs.concatenate(parts))
    for i, part in enumerate(parts):
        alone = design_cells(part)
        assert mixed["capacity_Ah"][i] == alone["capacity_Ah"][0]
        assert mixed["mass_kg"][i] == alone["mass_kg"][0]


def test_wound_and_stacked_prismatics_in_one_call_equal_separate_calls():
    wound = base("lfp-graphite", "prismatic")
    stacked = wound.replace(wound=np.zeros(1, dtype=bool))
    mixed = design_cells(DesignInputs.concatenate([wound, stacked]))
    for i, part in enumerate([wound, stacked]):
        alone = design_cells(part)
        for key in ("capacity_Ah", "mass_kg", "layers"):
            assert mixed[key][i] == alone[key][0]
    assert mixed["capacity_Ah"][0] != mixed["capacity_Ah"][1]


def test_can_too_small_is_flagged_invalid_not_a_number():
    inp = base("lfp-graphite", "prismatic")
    res = design_cells(_vary(inp, 2, thickness=np.array([71.7e-3, 2.0e-3])))
    assert res.valid.tolist() == [True, False]
    assert np.isnan(res["capacity_Ah"][1])


def test_electrolyte_and_separator_scale_with_stack():
    inp = base("lfp-graphite", "prismatic")
    res = design_cells(_vary(inp, 2, height=np.array([150e-3, 207e-3])))
    assert res.bom_mass_kg["electrolyte"][1] > res.bom_mass_kg["electrolyte"][0]
    assert res.bom_area_m2["separator"][1] > res.bom_area_m2["separator"][0]


@pytest.mark.parametrize("code, diameter, height", [("18650", 18.0, 65.0), ("21700", 21.0, 70.0), ("4680", 46.0, 80.0)])
def test_cylinder_size_codes(code, diameter, height):
    row = Cell.from_spec({"chemistry": "nca-graphite", "format": "cylindrical", "dimensions": {"size": code}}).summary()
    assert (row["diameter_mm"], row["height_mm"]) == pytest.approx((diameter, height))


def test_bigger_cylinder_holds_more():
    caps = [
        Cell.from_spec({"chemistry": "nca-graphite", "format": "cylindrical", "dimensions": {"size": c}}).summary()[
            "capacity_Ah"
        ]
        for c in ("18650", "21700", "4680")
    ]
    assert caps[0] < caps[1] < caps[2]
    assert 2.8 < caps[0] < 4.0  # 18650 energy cells: 3.0-3.6 Ah (reference_cells.csv)


def test_loading_and_thickness_describe_the_same_electrode():
    by_thickness = Cell.from_spec(
        {
            "chemistry": "lfp-graphite",
            "format": "prismatic",
            "dimensions": FORMAT_DIMS["prismatic"],
            "cathode": {"thickness_um": 100.0},
        }
    ).summary()
    loading = by_thickness["cathode_loading_mg_cm2"]
    by_loading = Cell.from_spec(
        {
            "chemistry": "lfp-graphite",
            "format": "prismatic",
            "dimensions": FORMAT_DIMS["prismatic"],
            "cathode": {"loading_mg_cm2": loading},
        }
    ).summary()
    assert by_loading["cathode_thickness_um"] == pytest.approx(100.0, rel=1e-12)
    assert by_loading["capacity_Ah"] == pytest.approx(by_thickness["capacity_Ah"], rel=1e-12)
