"""The web API in-process: it answers as the command line does, refuses what it must (a path in
an upload, a body too large, a bad value) with the command line's one-line message and a 4xx
status, and writes nothing outside its studies folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

EXAMPLES = Path(__file__).parents[2] / "examples"
BIDS = EXAMPLES / "storage" / "tender-100mw-4h.toml"


@pytest.fixture(scope="module")
def client(web_app):
    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/api/library/cells/lfp-280ah-prismatic.toml").json()


def test_design_answers_as_the_command_line(client, spec, cli):
    got = client.post("/api/design", json={"spec": spec})
    assert got.status_code == 200
    want = json.loads(cli("design", EXAMPLES / "lfp-280ah-prismatic.toml", "--json").stdout)
    for key in ("capacity_Ah", "mass_kg", "specific_energy_Wh_kg", "energy_density_Wh_L"):
        assert got.json()[key] == pytest.approx(want[key], rel=1e-12)


def test_cost_answers_as_the_command_line(client, spec, cli):
    body = {"spec": spec, "plant": {"region": "germany", "start_year": 2020, "year": 6}, "compare": False}
    got = client.post("/api/cost", json=body).json()
    out = cli(
        "cost",
        EXAMPLES / "lfp-280ah-prismatic.toml",
        "--region",
        "germany",
        "--start-year",
        "2020",
        "--year",
        "6",
        "--json",
    )
    assert got["cell_cost_usd_per_kWh"] == pytest.approx(json.loads(out.stdout)["cell_cost_usd_per_kWh"], rel=1e-12)


@pytest.mark.parametrize(
    "body, field",
    [
        (
            {"spec": {"chemistry": "lfp-graphite", "format": "prismatic", "dimensions": {"width_mm": -1}}},
            "spec.dimensions.width_mm = -1",
        ),
        ({"spec": {"chemistry": "lfp-graphite", "format": "prismatic", "bogus": 1}}, "spec.bogus = 1: unknown key"),
        (
            {
                "spec": {
                    "chemistry": "no-such",
                    "format": "prismatic",
                    "dimensions": {"width_mm": 100, "thickness_mm": 20, "height_mm": 100},
                }
            },
            "chemistry = 'no-such'",
        ),
        ({}, "spec = None: required"),
    ],
)
def test_a_bad_value_is_the_command_lines_one_line_error(client, body, field):
    got = client.post("/api/design", json=body)
    assert got.status_code == 422
    error = got.json()["error"]
    assert field in error and "\n" not in error and "Traceback" not in error


def test_an_upload_that_names_a_path_is_refused(client):
    bids = BIDS.read_bytes().replace(b"../lfp-280ah-prismatic.toml", b"/etc/hostname")
    got = client.post("/api/tender", files={"file": ("bids.toml", bids)}, data={"sensitivity": "false"})
    assert got.status_code == 422
    assert got.json()["error"].startswith("bids[1].cell = '/etc/hostname': a built-in cell file: ")


def test_an_uploaded_bids_file_ranks_as_the_command_line(client, cli):
    got = client.post(
        "/api/tender", files={"file": ("b.toml", BIDS.read_bytes())}, data={"sensitivity": "false"}
    ).json()
    want = json.loads(cli("tender", BIDS, "--no-sensitivity", "--json").stdout)
    assert [b["name"] for b in got["ranking"]] == [b["name"] for b in want["ranking"]]
    assert got["ranking"][0]["lcos_usd_per_MWh"] == pytest.approx(want["ranking"][0]["lcos_usd_per_MWh"], rel=1e-12)


def test_a_body_too_large_is_413(client):
    got = client.post("/api/design", content=b" " * (1024 * 1024 + 1), headers={"content-type": "application/json"})
    assert got.status_code == 413 and "at most 1,048,576 bytes" in got.json()["error"]


def test_a_study_folder_outside_the_studies_folder_is_refused(client, studies_dir):
    for name in ("..", "../x", "/etc", "a/b"):
        got = client.post("/api/studies/run", json={"study": "quick.toml", "out": name})
        assert got.status_code == 422, name
    assert client.get("/api/studies/..%2F..").status_code in (404, 422)
    assert sorted(p.name for p in studies_dir.parent.iterdir() if p.name.startswith("pareto")) == ["pareto.toml"]


def test_the_openapi_schema_carries_the_cell_spec(client):
    schema = client.get("/openapi.json").json()
    assert "CellSpec" in schema["components"]["schemas"]
    assert {"/api/design", "/api/cost", "/api/simulate", "/api/life", "/api/lcos", "/api/tender"} <= set(
        schema["paths"]
    )
