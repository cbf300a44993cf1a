"""No impossible design is reported as valid: the batch engine flags it with its reason, the
one-cell path raises a SpecError naming the field to change (findings P1-P5, the swapped blade,
and the dimension blamed for a misfit)."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from cellwright.cell import Cell
from cellwright.design import BOM_COMPONENTS, DesignInputs, design_cells, validity
from cellwright.design.engine import electrode_build, geometry
from cellwright.errors import SpecError

EXAMPLES = Path(__file__).parents[1] / "examples"
LF280K = {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0}


def lfp(**sections) -> dict:
    return {"chemistry": "lfp-graphite", "format": "prismatic", "dimensions": dict(LF280K), **sections}


def refused(spec: dict) -> SpecError:
    with pytest.raises(SpecError) as err:
        Cell.from_spec(spec)
    assert "\n" not in str(err.value)
    return err.value


def inputs(spec: dict, n: int = 1) -> DesignInputs:
    return Cell.from_spec(spec).resolved.inputs.take(np.zeros(n, dtype=int))


# --------------------------------------------------------------------------- P1: roll vs can


def test_flat_wound_roll_wider_than_the_can_is_refused_naming_the_width():
    err = refused(lfp(dimensions={**LF280K, "width_mm": 10.0}))
    assert err.field == "dimensions.width_mm" and err.value == 10.0
    assert "swapped" in err.allowed


def test_narrow_can_is_flagged_in_a_batch_not_given_1000_Wh_per_L():
    inp = inputs(lfp(), 3).replace(width=np.array([173.9e-3, 10e-3, 3.48e-3]), height=np.array([0.207, 0.207, 1.173]))
    res = design_cells(inp)
    assert res.valid.tolist() == [True, False, False]
    assert (res.reason[1:] == validity.ROLL_WIDER_THAN_CAN).all()
    assert res.invalid_reason[0] == ""
    assert res.invalid_reason[1].startswith("dimensions.width_mm: ")
    assert np.isnan(res["energy_density_Wh_L"][1:]).all()
    assert res.row(1)["valid"] is False and res.row(1)["invalid_reason"].startswith("dimensions.width_mm")
    assert res.row(0)["valid"] is True and res.row(0)["invalid_reason"] is None


# --------------------------------------------------------------------------- P2: theoretical capacity


def test_cathode_capacity_above_theoretical_is_refused():
    err = refused(lfp(cathode={"specific_capacity_mAh_g": 4200.0}))
    assert err.field == "cathode.specific_capacity_mAh_g" and err.value == pytest.approx(4200.0)
    assert "LFP: 169.9 mAh/g" in err.allowed


def test_anode_capacity_above_theoretical_is_refused():
    err = refused(lfp(anode={"specific_capacity_mAh_g": 1000.0}))
    assert err.field == "anode.specific_capacity_mAh_g"


def test_capacity_at_the_theoretical_limit_is_allowed_and_above_it_flagged():
    inp = inputs(lfp(), 2)
    limit = validity.theoretical_capacity_by_code()[inp.pos_ocp[0]]
    res = design_cells(inp.replace(pos_specific_capacity=np.array([limit, 1.01 * limit])))
    assert res.valid.tolist() == [True, False]
    assert res.reason[1] == validity.CATHODE_ABOVE_THEORETICAL
    # a valid design never holds more charge than its cathode active material can
    active_kg = res.bom_mass_kg["cathode_active"][0]
    assert res["capacity_Ah"][0] * 3600.0 <= active_kg * limit


# --------------------------------------------------------------------------- P3: nominal voltage


def test_nominal_voltage_below_cutoff_is_refused_naming_the_asi():
    err = refused(lfp(cathode={"thickness_um": 1000.0}, cell={"asi_ohm_cm2": 500.0}))
    assert err.field == "cell.asi_ohm_cm2" and err.value == 500.0
    assert "nominal voltage -2.46 V" in err.allowed


def test_batch_flags_nominal_voltage_at_or_below_cutoff():
    inp = inputs(lfp(), 2)
    res = design_cells(inp.replace(asi=np.array([inp.asi[0], 500e-4]), pos_thickness=np.array([200e-6, 1000e-6])))
    assert res.valid.tolist() == [True, False]
    assert res.reason[1] == validity.VOLTAGE_BELOW_CUTOFF
    assert np.isnan(res["energy_Wh"][1])


# --------------------------------------------------------------------------- P4: thin pouch terminals


def test_thin_pouch_terminals_have_no_negative_mass():
    spec = {
        "chemistry": "nmc811-graphite",
        "format": "pouch",
        "dimensions": {"width_mm": 1000.0, "thickness_mm": 1.0, "height_mm": 300.0},
    }
    row = Cell.from_spec(spec).summary()
    assert row["bom"]["terminals"]["mass_kg"] > 0
    assert all(item["mass_kg"] >= 0 for item in row["bom"].values())


# --------------------------------------------------------------------------- P5: lithium inventory, length


def test_blade_too_low_is_refused_naming_the_height():
    spec = {
        "chemistry": "lfp-graphite-ev",
        "format": "blade",
        "dimensions": {"width_mm": 960.0, "thickness_mm": 13.5, "height_mm": 1.5},
        "anode": {"first_cycle_efficiency": 0.31},
    }
    err = refused(spec)
    assert err.field == "dimensions.height_mm" and err.value == 1.5


def test_first_cycle_loss_beyond_the_lithium_is_refused():
    spec = {
        "chemistry": "lfp-graphite-ev",
        "format": "blade",
        "dimensions": {"width_mm": 960.0, "thickness_mm": 13.5, "height_mm": 90.0},
        "anode": {"first_cycle_efficiency": 0.31},
    }
    err = refused(spec)
    assert err.field == "anode.first_cycle_efficiency" and err.value == 0.31
    assert "factor -1.33" in err.allowed


def test_stacked_electrode_length_must_be_positive():
    inp = inputs(lfp(casing={"construction": "stacked"}), 2).replace(height=np.array([0.207, 0.003]))
    res = design_cells(inp)
    assert res.valid.tolist() == [True, False]
    assert res.reason[1] == validity.HEIGHT
    assert geometry(inp)["electrode_length"][1] < 0  # what the casing leaves: nothing


# --------------------------------------------------------------------------- the swapped blade


def test_blade_with_width_and_height_swapped_is_refused_with_the_swap_named():
    dims = {"width_mm": 90.5, "thickness_mm": 13.9, "height_mm": 945.0}
    err = refused({"chemistry": "lfp-graphite-ev", "format": "blade", "dimensions": dims})
    assert err.field == "dimensions.width_mm" and err.value == 90.5
    assert "swapped" in err.allowed
    right = {"width_mm": 945.0, "thickness_mm": 13.9, "height_mm": 90.5}
    row = Cell.from_spec({"chemistry": "lfp-graphite-ev", "format": "blade", "dimensions": right}).summary()
    assert row["valid"] and row["capacity_Ah"] > 100.0


# --------------------------------------------------------------------------- the dimension blamed


@pytest.mark.parametrize(
    "fmt, dims, field",
    [
        ("cylindrical", {"diameter_mm": 21.1, "height_mm": 5.0}, "dimensions.height_mm"),
        ("cylindrical", {"diameter_mm": 2.0, "height_mm": 70.0}, "dimensions.diameter_mm"),
        ("prismatic", {**LF280K, "height_mm": 20.0}, "dimensions.height_mm"),
        ("prismatic", {**LF280K, "thickness_mm": 1.5}, "dimensions.thickness_mm"),
        ("pouch", {"width_mm": 3.0, "thickness_mm": 10.0, "height_mm": 300.0}, "dimensions.width_mm"),
        ("pouch", {"width_mm": 100.0, "thickness_mm": 10.0, "height_mm": 30.0}, "dimensions.height_mm"),
        ("pouch", {"width_mm": 100.0, "thickness_mm": 0.3, "height_mm": 300.0}, "dimensions.thickness_mm"),
    ],
)
def test_the_dimension_that_is_too_small_is_the_one_named(fmt, dims, field):
    err = refused({"chemistry": "lfp-graphite", "format": fmt, "dimensions": dims})
    assert err.field == field
    assert err.value == dims[field.removeprefix("dimensions.")]


# --------------------------------------------------------------------------- invariants over a batch


def _extreme_batch(seed: int, n: int) -> DesignInputs:
    """Designs across every format with dimensions from far too small to large."""
    rng = np.random.default_rng(seed)
    parts = []
    for fmt, dims in (
        ("prismatic", LF280K),
        ("blade", {"width_mm": 905.0, "thickness_mm": 13.5, "height_mm": 118.0}),
        ("pouch", {"width_mm": 100.0, "thickness_mm": 10.0, "height_mm": 300.0}),
        ("cylindrical", {"diameter_mm": 21.1, "height_mm": 70.15}),
    ):
        inp = inputs({"chemistry": "nmc811-graphite", "format": fmt, "dimensions": dims}, n)
        size = lambda: np.exp(rng.uniform(np.log(0.5e-3), np.log(1.5), n))  # noqa: E731
        parts.append(
            inp.replace(
                width=size(),
                thickness=size(),
                height=size(),
                diameter=size(),
                neg_first_cycle_efficiency=rng.uniform(0.3, 1.0, n),
                pos_specific_capacity=rng.uniform(10, 400, n) * 3600.0,
                pos_thickness=rng.uniform(10e-6, 1000e-6, n),
                asi=rng.uniform(0, 500e-4, n),
            )
        )
    return DesignInputs.concatenate(parts)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_valid_design_is_physically_possible_and_every_other_says_why(seed):
    inp = _extreme_batch(seed, 2000)
    res = design_cells(inp)
    ok = res.valid
    assert ok.any() and (~ok).any()
    assert (res.reason[ok] == 0).all() and (res.reason[~ok] > 0).all()
    assert all(text for text in res.invalid_reason[~ok])
    for c in BOM_COMPONENTS:
        assert (res.bom_mass_kg[c][ok] >= 0).all(), c
    for key in ("capacity_Ah", "energy_Wh", "mass_kg", "cathode_area_m2", "electrode_length_mm", "electrode_width_mm"):
        assert (res[key][ok] > 0).all(), key
    assert (res["nominal_voltage_V"][ok] > inp.v_min[ok]).all()
    assert (res["electrolyte_mL"][ok] / 1e3 < res["volume_L"][ok]).all()
    assert (res["mass_kg"][ok] / res["volume_L"][ok] <= 5.0).all()
    theoretical = validity.theoretical_capacity_by_code()[inp.pos_ocp[ok]]
    assert (res["capacity_Ah"][ok] * 3600.0 <= res.bom_mass_kg["cathode_active"][ok] * theoretical * (1 + 1e-9)).all()
    # the electrode assembly fits inside the outer volume
    eb = electrode_build(inp)
    coatings = res["cathode_area_m2"] * inp.pos_thickness + res["anode_area_m2"] * eb["neg_thickness"]
    assert (coatings[ok] < res["volume_L"][ok] / 1e3).all()
    for key, arr in res.values.items():
        assert np.isnan(arr[~ok]).all(), key


def test_one_design_alone_gets_the_reason_it_gets_in_a_batch():
    inp = _extreme_batch(3, 50)
    together = design_cells(inp)
    for i in range(0, len(inp), 7):
        alone = design_cells(inp.take([i]))
        assert alone.reason[0] == together.reason[i]


def test_the_examples_are_valid():
    for path in sorted(EXAMPLES.glob("*.toml")):
        row = Cell.from_spec(path).summary()
        assert row["valid"] is True and row["invalid_reason"] is None, path.name


# --------------------------------------------------------------------------- inputs at the door


@pytest.mark.parametrize(
    "field, value",
    [
        ("pos_porosity", float("nan")),
        ("pos_porosity", 1.0),
        ("pos_thickness", -100e-6),
        ("sep_thickness", float("inf")),
        ("neg_first_cycle_efficiency", 0.0),
        ("utilization", 1.2),
        ("asi", -1e-4),
        ("jelly_rolls", 0.0),
    ],
)
def test_design_inputs_outside_their_domain_are_refused_naming_the_field(field, value):
    inp = inputs(lfp(), 3)
    column = getattr(inp, field).copy()
    column[2] = value
    with pytest.raises(SpecError) as err:
        design_cells(inp.replace(**{field: column}))
    assert err.value.field == f"DesignInputs.{field}"
    assert err.value.value == value or (np.isnan(value) and np.isnan(err.value.value))


def test_cut_off_voltages_in_the_wrong_order_are_refused():
    inp = inputs(lfp(), 1)
    with pytest.raises(SpecError) as err:
        design_cells(inp.replace(v_min=3.9, v_max=3.6))
    assert err.value.field == "DesignInputs.v_min"


def test_cli_design_of_a_can_narrower_than_its_roll_is_one_line_exit_2(cli, tmp_path):
    text = (EXAMPLES / "lfp-280ah-prismatic.toml").read_text().replace("width_mm = 173.9", "width_mm = 10.0")
    path = tmp_path / "narrow.toml"
    path.write_text(text)
    out = cli("design", path, "--json")
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "dimensions.width_mm = 10.0" in lines[0]


def test_a_design_of_no_volume_is_flagged_without_a_warning():
    inp = inputs(lfp(), 2).replace(width=np.array([173.9e-3, 0.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = design_cells(inp)
    assert res.valid.tolist() == [True, False]
    assert res.invalid_reason[1].startswith("dimensions.width_mm: ")
