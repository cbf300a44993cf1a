"""Tender ranking: a cheaper bid with a weaker warranty can lose and the report says why;
identical bids rank equal; a rule change moves the ranking the way it should; invalid bids
are reported by name and field while the valid ones are still ranked."""

import json
from pathlib import Path

import pytest

from cellwright.storage.tender import evaluate_tender, rank

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "storage"
COMMON = {
    "power_MW": 100,
    "duration_h": 4,
    "years": 20,
    "cost_set": "china",
    "operation": {"cycles_per_day": 1},
    "finance": {"discount_rate": 0.08, "charging_price_usd_per_MWh": 30},
}


def bid(name, price, cycles, rte=0.95, **more):
    return {
        "name": name,
        "cell": "../lfp-280ah-prismatic.toml",
        "dc_block_price_usd_per_kWh": price,
        "rte_dc": rte,
        "warranty_cycles": cycles,
        **more,
    }


def tender(bids, **common):
    return evaluate_tender({"name": "t", "project": {**COMMON, **common}, "bids": bids}, EXAMPLES, sensitivity=False)


def test_a_cheaper_bid_with_a_weaker_warranty_loses_and_the_report_says_why():
    r = tender([bid("cheap", 66, 3000), bid("durable", 68, 8000)])
    assert [b["name"] for b in r.ranking] == ["durable", "cheap"]
    cheap = r.ranking[1]
    assert cheap["dc_block_price_usd_per_kWh"] < r.ranking[0]["dc_block_price_usd_per_kWh"]
    assert (
        cheap["cell_soh_end"] < r.ranking[0]["cell_soh_end"] and cheap["augmented_MWh"] > r.ranking[0]["augmented_MWh"]
    )
    why = " ".join(r.why)
    assert "cheapest offer, cheap" in why and "augmentation +" in why


def test_identical_bids_rank_equal():
    r = tender([bid("twin 1", 68, 6000), bid("twin 2", 68, 6000), bid("dear", 90, 6000)])
    ranks = {b["name"]: b["rank"] for b in r.ranking}
    assert ranks == {"twin 1": 1, "twin 2": 1, "dear": 3}
    assert rank([1.0, 1.0, 2.0]) == [1, 1, 3]


def test_dearer_charging_energy_favours_the_efficient_bid():
    bids = [bid("cheap, lossy", 62, 6000, rte=0.90), bid("dear, efficient", 66, 6000, rte=0.97)]
    cheap_power = tender(bids, finance={"discount_rate": 0.08, "charging_price_usd_per_MWh": 5})
    dear_power = tender(bids, finance={"discount_rate": 0.08, "charging_price_usd_per_MWh": 120})
    assert cheap_power.ranking[0]["name"] == "cheap, lossy"
    assert dear_power.ranking[0]["name"] == "dear, efficient"


def test_invalid_bids_are_named_and_the_valid_ones_still_ranked():
    r = tender(
        [
            bid("ok", 68, 6000),
            bid("bad efficiency", 60, 6000, rte=1.3),
            bid("bad cell", 60, 6000) | {"cell": "nope.toml"},
            bid("extra key", 60, 6000, colour="blue"),
        ]
    )
    assert [b["name"] for b in r.ranking] == ["ok"]
    errors = {b["name"]: b["field"] for b in r.invalid}
    assert errors["bad efficiency"] == "rte_dc" and errors["extra key"] == "colour" and "bad cell" in errors


def test_the_rules_are_printed_with_the_result():
    r = tender([bid("a", 68, 6000), bid("b", 70, 7000)])
    text = " ".join(r.rules)
    assert "Schmidt" in text and "discount rate 8.0%" in text and "POI" in text


def test_cli_tender_and_lcos_json(cli):
    out = cli("tender", EXAMPLES / "tender-100mw-4h.toml", "--json", "--no-sensitivity")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [b["rank"] for b in data["ranking"]] == sorted(b["rank"] for b in data["ranking"])
    assert all("lcos_usd_per_MWh" in b for b in data["ranking"])
    assert data["invalid"][0]["name"] == "Supplier D"
    out = cli("lcos", EXAMPLES / "lfp-100mw-4h-us.toml", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("lcos_usd_per_MWh", "capex_usd", "energy_delivered_MWh", "breakdown"):
        assert key in data
    assert data["lcos_usd_per_MWh"] == pytest.approx(sum(data["breakdown"].values()), rel=1e-9)


def test_cli_bad_project_exits_2_naming_the_field(cli, tmp_path):
    f = tmp_path / "p.toml"
    f.write_text(
        f'cell = "{ROOT / "examples" / "lfp-280ah-prismatic.toml"}"\npower_MW = 100\nduration_h = 4\n[finance]\ndiscount_rate = 2\n'
    )
    out = cli("lcos", f)
    assert out.returncode == 2 and "finance.discount_rate" in out.stderr
