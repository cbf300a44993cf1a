"""The report layer: files only when asked (--plot, --csv, --html), what they hold matches the
JSON result, and the HTML report is one self-contained file."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path

import pytest

from cellwright.report.html import kind_of

EXAMPLES = Path(__file__).parents[1] / "examples"
CELL = EXAMPLES / "lfp-280ah-prismatic.toml"
BIDS = EXAMPLES / "storage" / "tender-100mw-4h.toml"
PROJECT = EXAMPLES / "storage" / "lfp-100mw-4h-china.toml"


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize(
    "command, target, extra",
    [
        ("design", CELL, []),
        ("cost", CELL, ["--compare"]),
        ("lcos", PROJECT, []),
        ("tender", BIDS, ["--no-sensitivity"]),
    ],
)
def test_files_are_written_only_when_asked(cli, tmp_path, command, target, extra):
    out = cli(command, target, *extra, "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["plot"] is None and result["csv"] is None
    assert list(tmp_path.iterdir()) == []
    out = cli(command, target, *extra, "--json", "--plot", "f.svg", "--csv", "t.csv")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result["plot"], result["csv"]) == ("f.svg", "t.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.svg", "t.csv"]
    assert (tmp_path / "f.svg").read_text().lstrip().startswith("<?xml")


def test_the_cost_csv_is_the_waterfall_of_the_json(cli, tmp_path):
    out = cli("cost", CELL, "--json", "--csv", "w.csv")
    result = json.loads(out.stdout)
    rows = _rows(tmp_path / "w.csv")
    assert sum(float(r["usd_per_kWh"]) for r in rows) == pytest.approx(result["cell_cost_usd_per_kWh"], rel=1e-9)
    assert float(rows[-1]["running_total_usd_per_kWh"]) == pytest.approx(result["cell_cost_usd_per_kWh"], rel=1e-9)


def test_the_cost_comparison_holds_the_plants_own_case_and_each_region(cli):
    result = json.loads(cli("cost", CELL, "--compare", "--json").stdout)
    own = [c for c in result["comparison"] if c["base"]]
    assert {c["varied"] for c in own} == {"region", "market_scenario", "scenario"}
    for c in own:  # the plant as given, costed again, is the headline cost
        assert c["cell_cost_usd_per_kWh"] == pytest.approx(result["cell_cost_usd_per_kWh"], rel=1e-12)
    regions = {c["value"]: c for c in result["comparison"] if c["varied"] == "region"}
    assert regions["united-states"]["cell_cost_usd_per_kWh"] > regions["china"]["cell_cost_usd_per_kWh"]
    for c in result["comparison"]:
        if c["cell_cost_usd_per_kWh"] is not None:
            parts = c["materials_usd_per_kWh"] + c["conversion_usd_per_kWh"]
            assert parts == pytest.approx(c["cell_cost_usd_per_kWh"], rel=1e-9)


def test_the_tender_csv_ranks_as_the_json_and_lists_the_invalid_bid(cli, tmp_path):
    result = json.loads(cli("tender", BIDS, "--no-sensitivity", "--json", "--csv", "r.csv").stdout)
    rows = _rows(tmp_path / "r.csv")
    assert [r["name"] for r in rows] == [b["name"] for b in result["ranking"]] + [b["name"] for b in result["invalid"]]
    assert rows[-1]["error"] and not rows[0]["error"]
    for row, bid in zip(rows, result["ranking"]):
        terms = sum(float(v) for k, v in row.items() if k.startswith("lcos_term_"))
        assert terms == pytest.approx(bid["lcos_usd_per_MWh"], rel=1e-9)


def test_the_life_csv_is_the_curve_it_reports(cli, tmp_path):
    out = cli("life", CELL, "--protocol", "1C/1C, 25degC, 100% DOD", "--json", "--csv", "life.csv")
    result = json.loads(out.stdout)
    rows = _rows(tmp_path / "life.csv")
    q = [float(r["relative_capacity"]) for r in rows]
    assert q[0] == pytest.approx(1.0, abs=1e-3) and all(a >= b - 1e-9 for a, b in itertools.pairwise(q))
    # the curve crosses end of life where the result says: at its cycles to end of life
    x = [float(r["x"]) for r in rows]
    i = next(i for i, v in enumerate(q) if v < result["eol"])
    crossing = x[i - 1] + (x[i] - x[i - 1]) * (q[i - 1] - result["eol"]) / (q[i - 1] - q[i])
    assert crossing == pytest.approx(result["cycles_to_eol"], rel=0.005)


@pytest.mark.parametrize(
    "target, kind",
    [(CELL, "spec"), (PROJECT, "project"), (BIDS, "bids"), (EXAMPLES / "ventures" / "newcomer-us.toml", "venture")],
)
def test_report_kinds(target, kind):
    assert kind_of(target) == kind


def test_the_html_report_of_a_cell_is_self_contained(cli, tmp_path):
    out = cli("report", CELL, "--html", "cell.html", "--json")
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cell.html"]
    html = (tmp_path / "cell.html").read_text(encoding="utf-8")
    # nothing to fetch: no scripts, stylesheets, images or fonts from elsewhere
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)", html)  # url(#id) is within the file
    assert html.count("<svg") == 4  # bill of materials, cost, discharges, life
    design = json.loads(cli("design", CELL, "--json").stdout)
    assert f">{design['specific_energy_Wh_kg']:.1f}<" in html
    assert CELL.read_text(encoding="utf-8").splitlines()[-1].strip() in html  # the input, as written
    for key in design["sources"]:
        assert f"[{key}]" in html  # every source of the design is listed


def test_the_html_report_escapes_the_users_text(cli, tmp_path):
    spec = tmp_path / "x.toml"
    spec.write_text(
        CELL.read_text(encoding="utf-8").replace(
            'name = "LFP 280 Ah storage cell"', 'name = "<script>alert(1)</script>"'
        )
    )
    out = cli("report", spec, "--html", "x.html", "--c-rates", "1")
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_report_without_an_html_file_name_is_refused_before_any_work(cli, tmp_path):
    out = cli("report", tmp_path / "missing.toml", "--html", "out.pdf")
    assert out.returncode == 2 and "--html" in out.stderr and ".html" in out.stderr
    assert list(tmp_path.iterdir()) == []
    out = cli("report", tmp_path / "missing.toml", "--html", "out.html")
    assert out.returncode == 2 and "does not exist" in out.stderr
    assert list(tmp_path.iterdir()) == []
