"""The command line as a user runs it: JSON output, readable table, exit codes."""

import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_design_json_has_the_documented_keys(cli):
    out = cli("design", str(EXAMPLES / "lfp-280ah-prismatic.toml"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in (
        "capacity_Ah",
        "nominal_voltage_V",
        "energy_Wh",
        "mass_kg",
        "volume_L",
        "specific_energy_Wh_kg",
        "energy_density_Wh_L",
        "bom",
    ):
        assert key in data
    assert data["energy_Wh"] == pytest.approx(data["capacity_Ah"] * data["nominal_voltage_V"])
    assert data["mass_kg"] == pytest.approx(sum(c["mass_kg"] for c in data["bom"].values()))


def test_design_table_is_readable(cli):
    out = cli("design", str(EXAMPLES / "lfp-280ah-prismatic.toml"))
    assert out.returncode == 0, out.stderr
    assert "Capacity" in out.stdout and "Bill of materials" in out.stdout and "Sources" in out.stdout


BAD_SPECS = {
    "unknown chemistry": ('chemistry = "lfp-unobtainium"\nformat = "prismatic"\n', "chemistry", "lfp-graphite"),
    "unknown format": ('chemistry = "lfp-graphite"\nformat = "hexagonal"\n', "format", "cylindrical"),
    "unknown material": (
        'chemistry = "lfp-graphite"\nformat = "cylindrical"\n[dimensions]\ndiameter_mm = 21\nheight_mm = 70\n'
        '[cathode]\nmaterial = "LCO-unknown"\n',
        "cathode.material",
        "NMC811",
    ),
    "unknown key": (
        'chemistry = "lfp-graphite"\nformat = "cylindrical"\n[dimensions]\ndiameter_mm = 21\nheight_mm = 70\n'
        "[cathode]\nthicknes_um = 80\n",
        "cathode.thicknes_um",
        "thickness_um",
    ),
    "missing dimension": (
        'chemistry = "lfp-graphite"\nformat = "prismatic"\n[dimensions]\nwidth_mm = 174\nthickness_mm = 72\n',
        "dimensions.height_mm",
        "required",
    ),
    "negative value": (
        'chemistry = "lfp-graphite"\nformat = "cylindrical"\n[dimensions]\ndiameter_mm = -21\nheight_mm = 70\n',
        "dimensions.diameter_mm",
        "greater than 0",
    ),
    "absurd value": (
        'chemistry = "lfp-graphite"\nformat = "cylindrical"\n[dimensions]\ndiameter_mm = 21\nheight_mm = 70\n'
        "[cathode]\nporosity = 1.5\n",
        "cathode.porosity",
        "less than 0.9",
    ),
    "can too small": (
        'chemistry = "lfp-graphite"\nformat = "prismatic"\n[dimensions]\nwidth_mm = 174\nthickness_mm = 1.5\nheight_mm = 207\n',
        "dimensions.thickness_mm",
        "too small",
    ),
    "wrong dimension for format": (
        'chemistry = "lfp-graphite"\nformat = "cylindrical"\n[dimensions]\nwidth_mm = 21\nheight_mm = 70\n',
        "dimensions.width_mm",
        "diameter_mm",
    ),
    "fractions do not add up": (
        'chemistry = "lfp-graphite"\nformat = "cylindrical"\n[dimensions]\ndiameter_mm = 21\nheight_mm = 70\n'
        "[cathode]\nactive_fraction = 0.99\n",
        "cathode.active_fraction",
        "sum to 1",
    ),
    "not toml": ("chemistry = \n", "spec", "TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_input_is_one_line_naming_the_field_with_exit_code_2(cli, case, tmp_path):
    text, field, allowed = BAD_SPECS[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = cli("design", str(path), "--json")
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert field in lines[0] and allowed in lines[0]


def test_missing_file_is_exit_code_2(cli, tmp_path):
    out = cli("design", str(tmp_path / "nope.toml"))
    assert out.returncode == 2
    assert "file not found" in out.stderr


def test_end_to_end_as_a_new_process(cli_process, tmp_path):
    """The few runs that start Python as a user does: the entry point, its routing of
    ``life fit``, and a real stderr that holds one line on bad input (no stray warnings)."""
    out = cli_process("design", EXAMPLES / "lfp-280ah-prismatic.toml", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout, parse_constant=_refuse)["capacity_Ah"] > 0 and out.stderr == ""
    data = tmp_path / "cycling.csv"
    data.write_text("time_days,relative_capacity\n10,0.99\n20,ninety\n")
    out = cli_process("life", "fit", data, "--model", "naumann-lfp-3ah", "--protocol", "1C/1C, 35degC, 100% DOD")
    assert out.returncode == 2 and "line 3" in out.stderr and len(out.stderr.splitlines()) == 1
    out = cli_process("simulate", EXAMPLES / "lg-m50-21700.toml", "--c-rates", "nan", "--plot", "x.png")
    assert out.returncode == 2 and out.stderr.splitlines() == [out.stderr.strip()]
    assert out.stderr.startswith("error: --c-rates = 'nan'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cycling.csv"]


def _refuse(token):
    raise ValueError(f"not JSON: {token}")
