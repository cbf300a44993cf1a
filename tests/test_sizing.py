"""Size-to-target mode: the solved dimension meets the target and agrees with fill mode."""

import numpy as np
import pytest

from cellwright.cell import Cell
from cellwright.errors import SpecError


@pytest.mark.parametrize(
    "fmt, dims, free",
    [
        ("prismatic", {"width_mm": 173.9, "thickness_mm": 71.7}, "height_mm"),
        ("prismatic", {"height_mm": 207.0, "thickness_mm": 71.7}, "width_mm"),
        ("blade", {"thickness_mm": 13.5, "height_mm": 90.0}, "width_mm"),
        ("cylindrical", {"diameter_mm": 46.0}, "height_mm"),
        ("pouch", {"thickness_mm": 12.0, "width_mm": 100.0}, "height_mm"),
    ],
)
def test_target_capacity_is_met_and_fill_mode_agrees(fmt, dims, free):
    target = 200.0 if fmt in ("prismatic",) else 120.0 if fmt == "blade" else 25.0 if fmt == "cylindrical" else 60.0
    cell = Cell.from_spec(
        {"chemistry": "lfp-graphite-ev", "format": fmt, "dimensions": dims, "target": {"capacity_Ah": target}}
    )
    row = cell.summary()
    assert row["capacity_Ah"] == pytest.approx(target, rel=1e-6)
    solved = {k: row[k] for k in [*dims, free]}  # a pouch's thickness is nudged to whole layers
    again = Cell.from_spec({"chemistry": "lfp-graphite-ev", "format": fmt, "dimensions": solved}).summary()
    assert again["capacity_Ah"] == pytest.approx(target, rel=1e-6)
    assert again["mass_kg"] == pytest.approx(row["mass_kg"], rel=1e-9)


def test_target_energy_and_aspect_ratio():
    row = Cell.from_spec(
        {
            "chemistry": "nmc811-graphite",
            "format": "pouch",
            "dimensions": {"thickness_mm": 15.0},
            "target": {"energy_Wh": 200.0, "aspect_ratio": 2.0},
        }
    ).summary()
    assert row["energy_Wh"] == pytest.approx(200.0, rel=1e-6)
    assert row["electrode_length_mm"] / row["electrode_width_mm"] == pytest.approx(2.0, rel=1e-6)
    assert row["layers"] == int(row["layers"])


def test_bigger_target_gives_a_bigger_cell():
    heights = []
    for cap in (100.0, 200.0, 300.0):
        spec = {
            "chemistry": "lfp-graphite",
            "format": "prismatic",
            "dimensions": {"width_mm": 173.9, "thickness_mm": 71.7},
            "target": {"capacity_Ah": cap},
        }
        heights.append(Cell.from_spec(spec).summary()["height_mm"])
    assert heights[0] < heights[1] < heights[2]
    # capacity is linear in the electrode height: equal steps
    assert np.diff(heights) == pytest.approx([np.diff(heights)[0]] * 2, rel=1e-6)


def test_target_mode_needs_the_kept_dimension():
    with pytest.raises(SpecError, match=r"dimensions\.thickness_mm"):
        Cell.from_spec(
            {
                "chemistry": "lfp-graphite",
                "format": "prismatic",
                "dimensions": {"width_mm": 100.0},
                "target": {"capacity_Ah": 50.0},
            }
        )


def test_target_mode_caps_the_cathode_thickness():
    row = Cell.from_spec(
        {
            "chemistry": "lfp-graphite",
            "format": "prismatic",
            "dimensions": {"width_mm": 173.9, "thickness_mm": 71.7},
            "cathode": {"thickness_um": 150.0},
            "target": {"capacity_Ah": 280.0, "max_cathode_thickness_um": 100.0},
        }
    ).summary()
    assert row["cathode_thickness_um"] == pytest.approx(100.0)
