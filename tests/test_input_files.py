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
        # header only, and nothing at all
        ("time_days,relative_capacity\n", "m.csv", "at least 1 row"),
        ("\n\n", "m.csv", "a header row naming the columns time_days, relative_capacity"),
        # semicolons
        ("time_days;relative_capacity\n0;1\n", "line 1", "semicolon-separated"),
        # H5: huge, infinite and NaN times fail at once
        ("time_days,relative_capacity\n0,1\n100,0.98\n1e9,0.9\n", "line 4, column time_days", "10950 days (30 years)"),
        ("time_days,relative_capacity\n0,1\ninf,0.98\n", "line 3, column time_days", "a finite number"),
        ("time_days,relative_capacity\nnan,1\n100,0.98\n", "line 2, column time_days", "a finite number"),
        # G8: NaN, negative and percent capacities; negative and unsorted times
        ("time_days,relative_capacity\n0,1\n100,nan\n200,0.96\n", "line 3, column relative_capacity", "finite"),
        ("time_days,relative_capacity\n0,-5\n100,-7\n", "line 2, column relative_capacity", "within (0, 1.2]"),
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
        ("time_h,power_MW\n0,-10\n1,0\n2,10\n", "column power_MW", "discharges"),
        ("time_h,power_MW,temperature_degC\n0,10,25\n1,0,298\n2,0,25\n", "line 3, column temperature_degC", "kelvin"),
        (
            "time_h,power_MW,temperature_degC\n0,10,25\n1,0,-300\n2,0,25\n",
            "line 3, column temperature_degC",
            "absolute",
        ),
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


# --------------------------------------------------------------------------- types (G12)


def _spec(tmp_path: Path, width: str) -> Path:
    path = tmp_path / "cell.toml"
    path.write_text(LFP.read_text().replace("width_mm = 173.9", f"width_mm = {width}"))
    return path


@pytest.mark.parametrize(
    "width, allowed",
    [
        ('"173.9"', "a number (not text in quotes"),
        ('"1e2"', "a number (not text in quotes"),
        ("true", "nor true/false"),
        ("nan", "a finite number"),
        ("inf", "a finite number"),
    ],
)
def test_a_cell_dimension_that_is_text_a_boolean_or_not_finite_is_refused(tmp_path, width, allowed):
    with pytest.raises(SpecError) as exc:
        load_spec(_spec(tmp_path, width))
    assert exc.value.field == "dimensions.width_mm" and allowed in exc.value.allowed


def test_an_integer_is_still_a_number(tmp_path):
    assert load_spec(_spec(tmp_path, "174")).dimensions.width_mm == 174.0


@pytest.mark.parametrize(
    "text, field, allowed",
    [
        ('annual_GWh = "20"', "plant.annual_GWh", "a number"),
        ("annual_GWh = true", "plant.annual_GWh", "a number"),
        ("annual_GWh = nan", "plant.annual_GWh", "a finite number"),
        ("year = 3.0", "plant.year", "a whole number"),
        ("include_profit = 1", "plant.include_profit", "true or false"),
    ],
)
def test_plant_values_of_the_wrong_type_are_refused(tmp_path, text, field, allowed):
    path = tmp_path / "plant.toml"
    path.write_text(text + "\n")
    with pytest.raises(SpecError) as exc:
        load_plant(path)
    assert exc.value.field == field and allowed in exc.value.allowed


def _project(tmp_path: Path, extra: str = "", cell: Path = LFP) -> Path:
    path = tmp_path / "project.toml"
    path.write_text(f'cell = "{cell}"\npower_MW = 100\nduration_h = 4\ncost_set = "china"\n{extra}\n')
    return path


@pytest.mark.parametrize(
    "extra, field, allowed",
    [
        ('years = "20"', "years", "a whole number"),
        ("[finance]\ndiscount_rate = nan", "finance.discount_rate", "a finite number"),
        ("[operation]\ncycles_per_day = true", "operation.cycles_per_day", "a number"),
    ],
)
def test_project_values_of_the_wrong_type_are_refused(tmp_path, extra, field, allowed):
    with pytest.raises(SpecError) as exc:
        load_project(_project(tmp_path, extra))
    assert exc.value.field == field and allowed in exc.value.allowed


# --------------------------------------------------------------------------- plant files (C9, G3, G4)


def _plant(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plant.toml"
    path.write_text(text)
    return path


POLICY = '[policy]\nswitches = ["mine"]\n[policy.define.mine]\n'


@pytest.mark.parametrize(
    "text, field, allowed",
    [
        (POLICY + 'start = "next year"\nregions = ["china"]\n', "policy.define.mine.start", "YYYY-MM-DD"),
        (POLICY + 'start = "2020-01-01"\n', "policy.define.mine.regions", "required"),
        (
            POLICY + 'start = "2020-01-01"\nregions = ["china"]\ncredit_usd_per_kWh = "lots"\n',
            "policy.define.mine.credit_usd_per_kWh",
            "a number",
        ),
        (
            POLICY + 'start = "2020-01-01"\nregions = ["united-states"]\ncredit_usd_per_kWh = 1000.0\n',
            "policy.define.mine.credit_usd_per_kWh",
            "less than or equal to 50",
        ),
        (
            POLICY + 'start = 2020-01-01\nregions = ["china"]\ncredit_usd_per_kWh = { value = 5, colour = "x" }\n',
            "policy.define.mine.credit_usd_per_kWh",
            "value = <number>",
        ),
        (POLICY + 'start = 2020-01-01\nregions = ["chna"]\n', "policy.define.mine.regions", "unknown region 'chna'"),
        (
            POLICY + 'start = 2020-01-01\nregions = ["china"]\ncredits = 5\n',
            "policy.define.mine.credits",
            "unknown key",
        ),
        (
            POLICY + 'start = 2020-01-01\nend = 2019-01-01\nregions = ["china"]\n',
            "policy.define.mine",
            "not after start",
        ),
        (
            POLICY + 'start = 2020-01-01\nregions = ["china"]\nphase_down = { next = 0.5 }\n',
            "policy.define.mine.phase_down",
            "calendar years",
        ),
        ('[policy]\nswitches = ["us-45y"]\n', "policy.switches", "unknown switch 'us-45y'"),
        (
            "[commodities]\nlithium_carbonate_usd_per_kg = -1000\n",
            "commodities.lithium_carbonate_usd_per_kg",
            "greater",
        ),
        ("[commodities]\nlithium_carbonate_usd_per_kg = 73000\n", "commodities.lithium_carbonate_usd_per_kg", "500"),
        ("[commodities]\nlithium_carbonate_usd_per_kg = inf\n", "commodities.lithium_carbonate_usd_per_kg", "finite"),
        ("annual_GWh = 5e-324\n", "annual_GWh", "0.01"),
        ("utilization = 5e-324\n", "utilization", "0.05"),
        ("operating_days = 1\n", "operating_days", "50"),
    ],
)
def test_bad_plant_files_are_refused_naming_the_key(tmp_path, text, field, allowed):
    with pytest.raises(SpecError) as exc:
        load_plant(_plant(tmp_path, text))
    assert exc.value.field == "plant." + field and allowed in exc.value.allowed


def test_every_switch_of_the_scenarios_file_is_a_valid_plant_file_switch():
    from cellwright.factory.plant_spec import PolicySwitch, scenarios

    for name, switch in scenarios()["switches"].items():
        assert PolicySwitch.model_validate(switch).regions == switch["regions"], name


def test_a_plant_file_switch_with_a_toml_date_and_a_phase_down_applies_as_written(tmp_path):
    from cellwright.factory.plant_spec import plant_state

    plant = load_plant(
        _plant(
            tmp_path,
            'region = "united-states"\nstart_year = 2026\n' + POLICY + 'start = 2026-01-01\nend = "2029-01-01"\n'
            'regions = ["united-states"]\ncredit_usd_per_kWh = { value = 20, source = "cellwright-assumption" }\n'
            "phase_down = { 2028 = 0.5 }\n",
        )
    )
    credit = plant_state(plant, np.arange(1, 5))["credit_usd_per_kWh"]
    assert credit.tolist() == [20.0, 20.0, 10.0, 0.0]  # 2026, 2027, 2028 at half, 2029 ended


def test_a_commodity_override_is_validated_and_adds_to_the_files_prices(tmp_path):
    path = _plant(tmp_path, "[commodities]\nnickel_usd_per_kg = 20\n")
    plant = load_plant(path, commodities={"lithium_carbonate_usd_per_kg": 15.0})
    assert plant.commodities == {"nickel_usd_per_kg": 20.0, "lithium_carbonate_usd_per_kg": 15.0}
    with pytest.raises(SpecError) as exc:
        load_plant(path, commodities={"lithium_carbonate_usd_per_kg": -1000.0})
    assert exc.value.field == "plant.commodities.lithium_carbonate_usd_per_kg"


# --------------------------------------------------------------------------- projects (C12, G13, P6)


def test_a_projects_broken_cell_or_dispatch_fails_when_the_project_is_loaded(tmp_path):
    cell = _broken(tmp_path, "latin1")
    with pytest.raises(SpecError) as exc:
        load_project(_project(tmp_path, cell=cell))
    assert exc.value.field == "cell" and "not UTF-8" in exc.value.allowed
    (tmp_path / "d.csv").write_text("time_h,power_MW\n0,nan\n1,0\n2,0\n")
    with pytest.raises(SpecError) as exc:
        load_project(_project(tmp_path, '[operation]\ndispatch = "d.csv"'))
    assert exc.value.field == "d.csv: line 2, column power_MW"  # not cycles_per_day (G13)


@pytest.mark.parametrize(
    "extra, field",
    [
        ('[aging]\nrated_cycles = 6000\nrated_protocol = "1C/1C, 25degC"', "aging.rated_protocol"),
        ('[aging]\nmodel = "nrel-lfp-205ah"', "aging.model"),
    ],
)
def test_a_typo_in_a_projects_aging_rating_fails_when_the_project_is_loaded(tmp_path, extra, field):
    with pytest.raises(SpecError) as exc:
        load_project(_project(tmp_path, extra))
    assert exc.value.field == field


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"power_MW": 5e-324}, "power_MW"),
        ({"duration_h": 5e-324}, "duration_h"),
        ({"operation": {"cycles_per_day": 5e-324}}, "operation.cycles_per_day"),
    ],
)
def test_a_vanishing_plant_or_duty_is_refused(changes, field):
    from cellwright.storage.project import parse_project

    with pytest.raises(SpecError) as exc:
        parse_project({"cell": str(LFP), "power_MW": 100, "duration_h": 4, **changes})
    assert exc.value.field == field


def test_an_lcos_that_is_negative_or_implausible_carries_its_reason():
    from cellwright.storage.project import evaluate, lcos_warnings, parse_project

    data = {
        "cell": str(LFP),
        "power_MW": 100,
        "duration_h": 4,
        "cost_set": "china",
        "cell_price_usd_per_kWh": 50,
        "aging": {"anchor": False, "degradation": False},
    }
    plain = evaluate(parse_project(data)).as_dict()
    assert plain["warnings"] == [] and plain["lcos_usd_per_MWh"] > 0
    paid = evaluate(parse_project({**data, "finance": {"charging_price_usd_per_MWh": -1000}})).as_dict()
    assert paid["lcos_usd_per_MWh"] < 0
    assert len(paid["warnings"]) == 2
    assert paid["warnings"][0].startswith("finance.charging_price_usd_per_MWh = -1000")
    assert "not positive" in paid["warnings"][1]
    assert "outside 20-2000 USD/MWh" in lcos_warnings(5000.0, 10.0, 30.0)[0]
    assert "not a finite number" in lcos_warnings(float("inf"), 10.0, 30.0)[0]


# --------------------------------------------------------------------------- tenders (C12, G10, H6)


def _bid(name: str, cell: str = "../lfp-280ah-prismatic.toml", **more) -> dict:
    return {
        "name": name,
        "cell": cell,
        "dc_block_price_usd_per_kWh": 66,
        "rte_dc": 0.95,
        "warranty_cycles": 6000,
        **more,
    }


TENDER_PROJECT = {"power_MW": 100, "duration_h": 4, "cost_set": "china"}


def _tender(bids: list, **project):
    from cellwright.storage.tender import evaluate_tender

    return evaluate_tender({"project": {**TENDER_PROJECT, **project}, "bids": bids}, STORAGE, sensitivity=False)


def test_bids_with_broken_files_are_reported_and_the_others_ranked_with_their_warnings(tmp_path):
    bids = [
        _bid("good"),
        _bid("latin1 cell", str(_broken(tmp_path, "latin1"))),
        _bid("directory cell", str(_broken(tmp_path, "directory"))),
        _bid("deep cell", str(_broken(tmp_path, "deep"))),
        _bid("text price", dc_block_price_usd_per_kWh="64"),
        _bid("protocol typo", warranty_protocol="0.5C/0.5C, 25degC, 100% DODD"),
    ]
    r = _tender(bids, finance={"charging_price_usd_per_MWh": -1000})
    assert [b["name"] for b in r.ranking] == ["good"]
    assert r.as_dict()["warnings"][0].startswith("good: finance.charging_price_usd_per_MWh = -1000")
    invalid = {b["name"]: (b["field"], b["error"]) for b in r.invalid}
    assert invalid["latin1 cell"][0] == "cell" and "not UTF-8" in invalid["latin1 cell"][1]
    assert invalid["directory cell"][0] == "cell" and "is a directory" in invalid["directory cell"][1]
    assert invalid["deep cell"][0] == "cell" and "nested too deeply" in invalid["deep cell"][1]
    assert invalid["text price"][0] == "dc_block_price_usd_per_kWh"
    assert invalid["protocol typo"][0] == "warranty_protocol"


def test_duplicate_bid_names_are_refused_naming_the_name():
    with pytest.raises(SpecError) as exc:
        _tender([_bid("A"), _bid("B"), _bid("A", dc_block_price_usd_per_kWh=70)])
    assert exc.value.field == "bids[3].name" and exc.value.value == "A"


def test_too_many_bids_are_refused_before_any_work(monkeypatch):
    from cellwright.storage import tender

    monkeypatch.setattr(tender, "prepare_many", lambda *args: pytest.fail("work started"))
    with pytest.raises(SpecError) as exc:
        _tender([_bid(f"bid {i}") for i in range(tender.MAX_BIDS + 1)])
    assert exc.value.field == "bids" and f"at most {tender.MAX_BIDS}" in exc.value.allowed


def test_a_tenders_broken_dispatch_fails_before_any_bid_is_evaluated(tmp_path, monkeypatch):
    from cellwright.storage import tender

    monkeypatch.setattr(tender, "prepare_many", lambda *args: pytest.fail("work started"))
    dispatch = tmp_path / "d.csv"
    dispatch.write_text("time_h,power_MW\n0,10\n1,inf\n2,0\n")
    with pytest.raises(SpecError) as exc:
        _tender([_bid("A")], operation={"dispatch": str(dispatch)})
    assert exc.value.field == "d.csv: line 3, column power_MW"


def test_a_sensitivity_rule_varied_out_of_its_range_is_left_out_not_an_error(monkeypatch):
    """A discount rate of 0.98 cannot be raised by 0.03 (it must stay below 1): that row of the
    sensitivity table is left out instead of failing the tender after the ranking's work."""
    from types import SimpleNamespace

    from cellwright.storage import tender

    def result(p):
        return SimpleNamespace(
            lcos_usd_per_MWh=p.dc_block_price_usd_per_kWh,
            breakdown={"capex": p.dc_block_price_usd_per_kWh},
            capex_usd=1.0,
            aging={"cell_soh_end": 0.8, "degradation_scalar": 1.0},
            yearly={"augmented_MWh": [0.0]},
            rte={"poi": 0.85},
            energy_delivered_MWh=1.0,
            warnings=[],
        )

    def prepare_many(projects, cells=None, chosen=None):
        return [
            SimpleNamespace(cell=None, chosen=None, dc_block_price_usd_per_kWh=p.dc_block_price_usd_per_kWh)
            for p in projects
        ]

    monkeypatch.setattr(tender, "prepare_many", prepare_many)
    monkeypatch.setattr(tender, "age", lambda preps, known=None: [None] * len(preps))
    monkeypatch.setattr(tender, "soh_key", id)
    monkeypatch.setattr(tender, "evaluate_prepared", lambda preps, aged: [result(p) for p in preps])
    bids = [_bid("A"), _bid("B", dc_block_price_usd_per_kWh=70)]
    r = tender.evaluate_tender(
        {"project": {**TENDER_PROJECT, "finance": {"discount_rate": 0.98}}, "bids": bids}, STORAGE, sensitivity=True
    )
    rules = [row["rule"] for row in r.sensitivity]
    assert "discount rate 95.0%" in rules and not any(rule.startswith("discount rate 101") for rule in rules)


@pytest.mark.parametrize(
    "text, field, allowed",
    [  # hours that are seconds, megawatts that are watts: the energy balance overflowed to NaN SOC
        ("time_h,power_MW\n0,10\n1e15,-10\n2e15,0\n", "line 3, column time_h", "hours within"),
        ("time_h,power_MW\n0,10\n1,-1e308\n2,0\n", "line 3, column power_MW", "MW within"),
    ],
)
def test_a_dispatch_beyond_any_plant_is_refused_naming_line_and_column(tmp_path, text, field, allowed):
    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(SpecError) as exc:
        operation.read_dispatch(path)
    assert exc.value.field == f"d.csv: {field}" and allowed in exc.value.allowed
    with pytest.raises(SpecError):  # the library's door too
        operation.dispatch_soc(*map(np.asarray, ([0.0, 1.0, 1e15], [10.0, -1e308, 0.0])), 5e5, 0.9)
