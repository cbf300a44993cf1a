"""The web app in a real browser (Debian's Chromium driven by Playwright): what a user does on
each page and what they see, checked against the library's own results. Screenshots are kept in
out/test-artifacts/browser/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cellwright.report.design import design_result
from cellwright.storage.tender import load_tender
from cellwright.studies import analysis

EXAMPLES = Path(__file__).parents[2] / "examples"
WH_KG = "#result td[data-key='specific_energy_Wh_kg']"


def test_a_design_edit_changes_wh_per_kg_to_the_models_value(app_page, screenshot):
    page = app_page
    page.goto("/designer")
    expect(page.locator(WH_KG)).to_have_text("174.5", timeout=20_000)  # the LFP 280 Ah example
    page.fill("input[name='spec.cathode.thickness_um']", "60")
    thinner = design_result(
        {
            "chemistry": "lfp-graphite",
            "format": "prismatic",
            "name": "LFP 280 Ah storage cell",
            "dimensions": {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0},
            "cathode": {"thickness_um": 60.0},
        }
    )["specific_energy_Wh_kg"]
    assert f"{thinner:.1f}" != "174.5"
    expect(page.locator(WH_KG)).to_have_text(f"{thinner:.1f}", timeout=20_000)
    expect(page.locator("#result svg")).to_have_count(1)  # the bill of materials figure
    screenshot(page, "designer")


def test_a_bad_design_value_shows_the_one_line_error(app_page, screenshot):
    page = app_page
    page.goto("/designer")
    expect(page.locator(WH_KG)).to_have_text("174.5", timeout=20_000)
    page.fill("input[name='spec.cathode.porosity']", "0.95")
    expect(page.locator("#error")).to_contain_text("spec.cathode.porosity = 0.95", timeout=20_000)


def test_uploading_a_bids_file_shows_the_ranking_and_why(app_page, tmp_path, screenshot):
    page = app_page
    page.goto("/tender")
    bids = EXAMPLES / "storage" / "tender-100mw-4h.toml"
    expected = load_tender(bids, sensitivity=True).as_dict()
    upload = tmp_path / "my-bids.toml"
    upload.write_bytes(bids.read_bytes())
    page.set_input_files("input[type=file]", str(upload))
    rows = page.locator("#result table.ranking tbody tr")
    expect(rows).to_have_count(len(expected["ranking"]), timeout=60_000)
    names = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert names == [b["name"] for b in expected["ranking"]]
    first_lcos = rows.nth(0).locator("td").nth(2).inner_text()
    assert first_lcos == f"{expected['ranking'][0]['lcos_usd_per_MWh']:,.1f}"
    why = page.locator("#result ul.why li")
    expect(why).to_have_count(len(expected["why"]))
    expect(page.locator("#result ul.bad")).to_contain_text("Supplier D")  # the invalid bid, with its reason
    screenshot(page, "tender")


def test_a_stored_studys_pareto_plot_opens(app_page, studies_dir, screenshot):
    from cellwright.report.study import load_results

    study, table, _ = load_results(studies_dir / "pareto")
    front = analysis.pareto_front(table, study.optimize.objectives)
    page = app_page
    page.goto("/studies")
    page.click("a[data-study='pareto']")
    caption = page.locator("#result figcaption")
    expect(caption).to_have_text(
        re.compile(rf"Pareto front: {int(front.sum())} of {len(front)} valid rows"), timeout=30_000
    )
    expect(page.locator("#result figure svg")).to_have_count(1)
    screenshot(page, "study-pareto")


def test_running_a_small_study_shows_its_progress_and_result(app_page, screenshot):
    page = app_page
    page.goto("/studies")
    page.select_option("select[name=study]", "quick.toml")
    page.fill("input[name=out]", "quick-from-page")
    page.click("#run-study button")
    expect(page.locator("#progress-text")).to_contain_text("30 rows in", timeout=120_000)
    expect(page.locator("#stored a[data-study='quick-from-page']")).to_have_count(1)
    expect(page.locator("#result figure svg")).to_have_count(1, timeout=30_000)
    screenshot(page, "study-run")


@pytest.mark.parametrize("region", ["united-states"])
def test_the_cost_explorer_follows_the_region(app_page, region, screenshot):
    from cellwright.report.cost import cost_result

    page = app_page
    page.goto("/cost")
    cost = page.locator("#result td[data-key='cell_cost_usd_per_kWh']")
    china = cost_result(EXAMPLES / "lfp-280ah-prismatic.toml", start_year=2020, year=6)["cell_cost_usd_per_kWh"]
    expect(cost).to_have_text(f"{china:.2f}", timeout=30_000)
    page.select_option("select[name='plant.region']", region)
    there = cost_result(EXAMPLES / "lfp-280ah-prismatic.toml", start_year=2020, year=6, region=region)
    expect(cost).to_have_text(f"{there['cell_cost_usd_per_kWh']:.2f}", timeout=30_000)
    screenshot(page, "cost")
