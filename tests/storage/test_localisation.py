"""Localisation and origin rules in a tender (storage/localisation.py): what each rule excludes
or favours, the winner with and without it, its LCOS cost to the buyer, and the flag on a rule
whose outcome depends on an unstated reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellwright.errors import SpecError
from cellwright.storage.localisation import LocalContent, Localisation, Rule, parse_rules, rule_effects
from cellwright.storage.tender import load_tender

EXAMPLE = Path(__file__).parents[2] / "examples" / "storage" / "tender-100mw-4h-localisation.toml"

LCOS = {"cheap": 80.0, "local": 82.0, "jv": 83.0}
BIDS = {
    "cheap": Localisation(origin="china", local_content=LocalContent(value=0.1, cost=0.1)),
    "local": Localisation(origin="india", local_content=LocalContent(value=0.6, cost=0.4)),
    "jv": Localisation(origin="china", joint_venture=True, local_content=LocalContent(value=0.3, cost=0.55)),
}


def effect(**rule):
    return rule_effects([Rule(name="r", **rule)], BIDS, LCOS)["effects"][0]


def test_a_local_content_rule_changes_the_winner_at_the_lcos_difference():
    e = effect(kind="min_local_content", share=0.5, basis="value")
    assert e["excludes"] == ["cheap", "jv"] and e["winner"] == "local" and e["winner_without"] == "cheap"
    assert e["lcos_cost_usd_per_MWh"] == pytest.approx(2.0)
    assert not e["ambiguous"]


def test_a_price_preference_favours_without_excluding_and_the_buyer_pays_real_lcos():
    e = effect(kind="price_preference", share=0.5, basis="value", margin=0.05)
    assert e["excludes"] == [] and e["favours"] == ["local"] and e["winner"] == "local"
    assert e["lcos_cost_usd_per_MWh"] == pytest.approx(2.0)  # 82 - 80, not the evaluated 77.9
    small = effect(kind="price_preference", share=0.5, basis="value", margin=0.02)  # 80.36 > 80
    assert small["winner"] == "cheap" and small["lcos_cost_usd_per_MWh"] == 0.0


def test_origin_and_joint_venture_rules():
    assert effect(kind="exclude_origins", origins=["china"])["excludes"] == ["cheap", "jv"]
    jv = effect(kind="joint_venture", origins=["china"])
    assert jv["excludes"] == ["cheap"] and jv["winner"] == "local"
    assert effect(kind="joint_venture", origins=["china"], technology_transfer=True)["excludes"] == ["cheap", "jv"]


def test_a_rule_without_its_basis_is_flagged_when_the_readings_disagree():
    e = effect(kind="min_local_content", share=0.5)
    assert e["ambiguous"]
    winners = {r["reading"]: r["winner"] for r in e["readings"]}
    assert winners == {"value basis": "local", "cost basis": "jv"}
    # where the readings agree it is not flagged
    assert not effect(kind="min_local_content", share=0.05)["ambiguous"]


def test_an_unstated_share_is_a_reading_too():
    bids = {**BIDS, "silent": Localisation(origin="india")}
    e = rule_effects(
        [Rule(name="r", kind="min_local_content", share=0.5, basis="value")], bids, {**LCOS, "silent": 79.0}
    )
    e = e["effects"][0]
    assert e["ambiguous"]
    assert {r["reading"]: r["winner"] for r in e["readings"]} == {
        "value basis": "local",
        "value basis, an unstated share left unjudged": "silent",
    }


def test_rules_name_their_field_when_incomplete():
    with pytest.raises(SpecError, match=r"rules\[1\]"):
        parse_rules([{"name": "x", "kind": "price_preference", "share": 0.5}])


def test_the_example_tender_changes_its_winner_and_flags_the_ambiguous_rule():
    d = load_tender(EXAMPLE, sensitivity=False).as_dict()
    loc = d["localisation"]
    best = d["ranking"][0]
    lcos = {b["name"]: b["lcos_usd_per_MWh"] for b in d["ranking"]}
    assert loc["winner_under_rules"] != best["name"]
    assert loc["lcos_cost_usd_per_MWh"] == pytest.approx(lcos[loc["winner_under_rules"]] - best["lcos_usd_per_MWh"])
    assert loc["lcos_cost_usd_per_MWh"] > 0
    flagged = [e["rule"] for e in loc["effects"] if e["ambiguous"]]
    assert flagged == ["At least 50 % local content (basis not stated)"]
    assert any("AMBIGUOUS" in line for line in loc["lines"])
