"""Every user file is checked before any work starts: cell specs, plant, project and bids files,
each bid's cell file, aging measurements and dispatch CSVs. A file that is not UTF-8, a
directory, a pipe or a device, nested too deeply, of the wrong types or out of range is a
one-line SpecError naming the file or field, the value and what is allowed."""

import os
from pathlib import Path

import numpy as np
import pytest

from cellwright.aging.fit import read_measurements
from cellwright.errors import SpecError
from cellwright.factory.plant_spec import load_plant
from cellwright.spec import load_spec
from cellwright.storage import operation
from cellwright.storage.project import load_project
from cellwright.storage.tender import load_tender

ROOT = Path(__file__).parents[1]
LFP = ROOT / "examples" / "lfp-280ah-prismatic.toml"
STORAGE = ROOT / "examples" / "storage"

LOADERS = {"spec": load_spec, "plant": load_plant, "project": load_project, "bids": load_tender}


def _broken(tmp_path: Path, kind: str) -> Path:
    """A file of one broken kind: Latin-1 text, a directory, deep nesting, a FIFO."""
    path = tmp_path / f"{kind}.toml"
    if kind == "latin1":
        path.write_bytes(b'name = "caf\xe9"\n')
    elif kind == "directory":
        path.mkdir()
    elif kind == "deep":
        path.write_text("a = " + "[" * 1000 + "]" * 1000 + "\n")
    elif kind == "fifo":
        os.mkfifo(path)
    return path


BROKEN = {
    "latin1": "not UTF-8 text (byte 0xe9",
    "directory": "is a directory",
    "deep": "nested too deeply",
    "fifo": "not a regular file",
}


# --------------------------------------------------------------------------- C1, C2, C3, C13, H8


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("field", LOADERS)
def test_a_broken_toml_file_of_every_kind_is_a_spec_error_naming_it(tmp_path, field, kind):
    path = _broken(tmp_path, kind)
    with pytest.raises(SpecError) as exc:
        LOADERS[field](path)
    assert exc.value.field == field and exc.value.value == str(path)
    assert BROKEN[kind] in exc.value.allowed


@pytest.mark.parametrize("field", LOADERS)
def test_a_device_is_refused_before_it_is_read(field):
    with pytest.raises(SpecError, match="not a regular file") as exc:
        LOADERS[field]("/dev/zero")
    assert exc.value.field == field


# --------------------------------------------------------------------------- measurements (C4, C5, H5, G8)


def _measurements(tmp_path: Path, text: str, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, field, allowed",
    [
        # C4: a short row
        ("time_days,relative_capacity\n0,1\n100\n200,0.96\n", "line 3, column relative_capacity", "a number"),
        # C5: the required columns missing, the first row with extra fields
        ("relative_capacity\n1.0,99,x\n0.99\n0.975\n", "line 1", "needs columns time_days, relative_capacity"),
        # header only
        ("time_days,relative_capacity\n", "m.csv", "at least 1 row"),
        # semicolons
        ("time_days;relative_capacity\n0;1\n", "line 1", "semicolon-separated"),
        # H5: huge, infinite and NaN times fail at once
        ("time_days,relative_capacity\n0,1\n100,0.98\n1e9,0.9\n", "line 4, column time_days", "36525 days"),
        ("time_days,relative_capacity\n0,1\ninf,0.98\n", "line 3, column time_days", "a finite number"),
        ("time_days,relative_capacity\nnan,1\n100,0.98\n", "line 2, column time_days", "a finite number"),
        # G8: NaN, negative and percent capacities; negative and unsorted times
        ("time_days,relative_capacity\n0,1\n100,nan\n200,0.96\n", "line 3, column relative_capacity", "finite"),
        ("time_days,relative_capacity\n0,-5\n100,-7\n", "line 2, column relative_capacity", "within (0, 1.5]"),
        ("time_days,relative_capacity\n0,100\n100,97\n", "line 2, column relative_capacity", "percent"),
        ("time_days,relative_capacity\n-10,1\n100,0.97\n", "line 2, column time_days", ">= 0"),
        ("time_days,relative_capacity\n0,1\n200,0.97\n100,0.98\n", "line 4, column time_days", "increasing"),
    ],
)
def test_bad_measurements_are_refused_naming_line_and_column(tmp_path, text, field, allowed):
    with pytest.raises(SpecError) as exc:
        read_measurements(_measurements(tmp_path, text))
    assert exc.value.field.startswith("m.csv") and field in exc.value.field
    assert allowed in exc.value.allowed


def test_measurements_with_a_bom_and_blank_lines_keep_the_true_line_numbers(tmp_path):
    good = "\ufefftime_days,relative_capacity\r\n0,1\r\n\r\n100,0.98\r\n"
    t, q = read_measurements(_measurements(tmp_path, good))
    assert t.tolist() == [0.0, 100.0] and q.tolist() == [1.0, 0.98]
    bad = "time_days,relative_capacity\n0,1\n\n\n100,0.98\n200,lots\n"
    with pytest.raises(SpecError) as exc:
        read_measurements(_measurements(tmp_path, bad))
    assert exc.value.field == "m.csv: line 6, column relative_capacity"


# --------------------------------------------------------------------------- dispatch (G13)


def test_a_nan_in_a_dispatch_is_named_by_the_files_line_and_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("time_h,power_MW\n0,10\n1,0\n\n2,nan\n3,0\n")
    with pytest.raises(SpecError) as exc:
        operation.read_dispatch(path)
    assert exc.value.field == "d.csv: line 5, column power_MW" and "finite" in exc.value.allowed


@pytest.mark.parametrize(
    "text, field, allowed",
    [
        ("time_h,power_MW\n0,10\n0.00001,0\n1,0\n", "line 3, column time_h", "at least 1 s"),
        ("time_h,power_MW,temperature_C\n0,10,25\n1,0,298\n2,0,25\n", "line 3, column temperature_C", "kelvin"),
        ("time_h,power_MW,temperature_C\n0,10,25\n1,0,-300\n2,0,25\n", "line 3, column temperature_C", "absolute"),
    ],
)
def test_dispatch_steps_and_temperatures_are_checked(tmp_path, text, field, allowed):
    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(SpecError) as exc:
        operation.read_dispatch(path)
    assert exc.value.field == f"d.csv: {field}" and allowed in exc.value.allowed


@pytest.mark.parametrize(
    "time_h, power_MW, field",
    [
        ([0.0, 1.0, 2.0], [10.0, np.nan, 0.0], "power_MW"),
        ([0.0, 1.0, 2.0], [10.0, np.inf, 0.0], "power_MW"),
        ([0.0, np.nan, 2.0], [10.0, 0.0, 0.0], "time_h"),
        ([0.0, 2.0, 1.0], [10.0, 0.0, 0.0], "time_h[2]"),
        ([0.0, 1.0, 2.0], [10.0, 0.0], "power_MW"),
    ],
)
def test_dispatch_soc_refuses_non_finite_unsorted_or_mismatched_arrays(time_h, power_MW, field):
    with pytest.raises(SpecError) as exc:
        operation.dispatch_soc(np.array(time_h), np.array(power_MW), dc_nameplate_kWh=100e3, soc_window=0.9)
    assert exc.value.field == field
