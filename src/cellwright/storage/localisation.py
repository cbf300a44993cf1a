"""Localisation and origin rules in a tender: what each rule does to the ranking and what it
costs the buyer.

A bids file may carry ``[[rules]]``, each one of:

- ``min_local_content``: a bid qualifies only with at least ``share`` of local content, read on
  ``basis`` (``"value"``: value added locally over the bid's price; ``"cost"``: local share of
  the supplier's costs);
- ``exclude_origins``: bids whose cells are made in one of ``origins`` are left out;
- ``joint_venture``: bids from ``origins`` qualify only as a joint venture with a local partner
  (``joint_venture = true``), with ``technology_transfer = true`` as well if the rule asks;
- ``price_preference``: bids with at least ``share`` of local content are evaluated at their
  LCOS x (1 - ``margin``); the buyer still pays their own LCOS.

Bids state ``origin``, ``local_content = { value = ..., cost = ... }`` (either or both
readings), ``joint_venture`` and ``technology_transfer``.

For each rule alone, against the ranking by LCOS: which bids it excludes, which it favours
(moves up), the winner with and without it, and what it costs the buyer: the LCOS of the winner
with the rule less that of the winner without (USD/MWh; the buyer pays real LCOS, not a
preference's evaluated one). A rule is **ambiguous** when its outcome depends on a reading it
does not state: a local-content rule without ``basis`` whose result differs between the value
and the cost reading, or one that meets a bid stating no local content on the reading used
(counted as none, or left unjudged). Then every reading's outcome is reported.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from ..errors import SpecError
from ..spec import STRICT

Basis = Literal["value", "cost"]


class LocalContent(BaseModel):
    model_config = STRICT
    value: float | None = Field(default=None, ge=0, le=1, description="value added locally over the price")
    cost: float | None = Field(default=None, ge=0, le=1, description="local share of the supplier's costs")


class Rule(BaseModel):
    model_config = STRICT
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["min_local_content", "exclude_origins", "joint_venture", "price_preference"]
    share: float | None = Field(default=None, ge=0, le=1)
    basis: Basis | None = None
    origins: list[str] = Field(default_factory=list, max_length=50)
    margin: float | None = Field(default=None, ge=0, lt=1)
    technology_transfer: bool = False
    source: str | None = None

    @model_validator(mode="after")
    def _complete(self):
        if self.kind in ("min_local_content", "price_preference") and self.share is None:
            raise ValueError(f"a {self.kind} rule needs share (0-1)")
        if self.kind == "price_preference" and self.margin is None:
            raise ValueError("a price_preference rule needs margin (0 to below 1)")
        if self.kind in ("exclude_origins", "joint_venture") and not self.origins:
            raise ValueError(f'a {self.kind} rule needs origins, e.g. ["china"]')
        return self


class Localisation(BaseModel):
    """What a bid states for the rules (its other fields are the tender's)."""

    model_config = STRICT
    origin: str | None = None
    local_content: LocalContent | None = None
    joint_venture: bool = False
    technology_transfer: bool = False


#: How a bid that states no local content on the reading used is taken.
MISSING = ("none", "unjudged")


def _share(bid: Localisation, basis: Basis, missing: str) -> float | None:
    lc = bid.local_content
    value = None if lc is None else getattr(lc, basis)
    if value is None:
        return 0.0 if missing == "none" else None
    return value


def _outcome(
    rule: Rule, bids: dict[str, Localisation], basis: Basis, missing: str
) -> tuple[set[str], dict[str, float]]:
    """(bids excluded, evaluation factor of favoured bids) under one reading."""
    excluded: set[str] = set()
    factor: dict[str, float] = {}
    for name, b in bids.items():
        if rule.kind == "exclude_origins":
            if b.origin in rule.origins:
                excluded.add(name)
        elif rule.kind == "joint_venture":
            if b.origin in rule.origins and not (
                b.joint_venture and (b.technology_transfer or not rule.technology_transfer)
            ):
                excluded.add(name)
        else:
            share = _share(b, basis, missing)
            meets = share is not None and share >= (rule.share or 0.0)
            if rule.kind == "min_local_content" and share is not None and not meets:
                excluded.add(name)
            if rule.kind == "price_preference" and meets:
                factor[name] = 1.0 - (rule.margin or 0.0)
    return excluded, factor


def _rank(lcos: dict[str, float], excluded: set[str], factor: dict[str, float]) -> list[str]:
    eligible = [n for n in lcos if n not in excluded]
    return sorted(eligible, key=lambda n: (lcos[n] * factor.get(n, 1.0), list(lcos).index(n)))


def _readings(rule: Rule, bids: dict[str, Localisation]) -> list[tuple[Basis, str]]:
    """The readings a rule leaves open: the basis (if unstated) and, when some bid states no
    share on it, how that bid is taken."""
    if rule.kind not in ("min_local_content", "price_preference"):
        return [("value", "none")]
    bases: list[Basis] = [rule.basis] if rule.basis else ["value", "cost"]
    out = []
    for basis, missing in product(bases, MISSING):
        stated = all(_share(b, basis, "unjudged") is not None for b in bids.values())
        if stated and missing == "unjudged":
            continue  # every bid states it: nothing to read
        out.append((basis, missing))
    return out


def rule_effects(rules: list[Rule], bids: dict[str, Localisation], lcos: dict[str, float]) -> dict:
    """Each rule's effect on the ranking by LCOS (``lcos``: bid name -> LCOS, USD/MWh, of the
    ranked bids), and the ranking under all the rules together (on the first reading of each)."""
    base = _rank(lcos, set(), {})
    effects = []
    all_excluded: set[str] = set()
    all_factor: dict[str, float] = {}
    for rule in rules:
        readings: list[dict[str, Any]] = []
        outcomes: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
        for basis, missing in _readings(rule, bids):
            excluded, factor = _outcome(rule, bids, basis, missing)
            order = _rank(lcos, excluded, factor)
            winner = order[0] if order else None
            favoured = sorted(n for n in order if order.index(n) < [m for m in base if m not in excluded].index(n))
            outcomes.add((tuple(sorted(excluded)), tuple(order)))
            readings.append(
                {
                    "reading": f"{basis} basis" + ("" if missing == "none" else ", an unstated share left unjudged")
                    if rule.kind in ("min_local_content", "price_preference")
                    else "as written",
                    "excludes": sorted(excluded),
                    "favours": favoured,
                    "order": order,
                    "winner": winner,
                    "lcos_cost_usd_per_MWh": None if winner is None else lcos[winner] - lcos[base[0]],
                }
            )
        first = readings[0]
        excluded, factor = _outcome(rule, bids, *_readings(rule, bids)[0])
        all_excluded |= excluded
        for n, f in factor.items():
            all_factor[n] = all_factor.get(n, 1.0) * f
        effects.append(
            {
                "rule": rule.name,
                "kind": rule.kind,
                "source": rule.source,
                "winner_without": base[0],
                **{k: first[k] for k in ("excludes", "favours", "winner", "lcos_cost_usd_per_MWh")},
                "ambiguous": len(outcomes) > 1,
                "readings": readings if len(outcomes) > 1 else [],
            }
        )
    together = _rank(lcos, all_excluded, all_factor)
    return {
        "effects": effects,
        "ranking_under_rules": together,
        "winner_under_rules": together[0] if together else None,
        "lcos_cost_usd_per_MWh": (lcos[together[0]] - lcos[base[0]]) if together else None,
    }


def describe(effect: dict) -> str:
    """One line per rule: what it does and what it costs."""
    if effect["winner"] is None:
        return f"{effect['rule']}: excludes every bid ({', '.join(effect['excludes'])})."
    parts = []
    if effect["excludes"]:
        parts.append("excludes " + ", ".join(effect["excludes"]))
    if effect["favours"]:
        parts.append("moves up " + ", ".join(effect["favours"]))
    what = "; ".join(parts) or "changes nothing"
    if effect["winner"] != effect["winner_without"]:
        cost = f"the winner becomes {effect['winner']} instead of {effect['winner_without']}, at {effect['lcos_cost_usd_per_MWh']:+.1f} USD/MWh to the buyer"
    else:
        cost = f"{effect['winner']} still wins, at no cost to the buyer"
    line = f"{effect['rule']}: {what}; {cost}."
    if effect["ambiguous"]:
        alts = "; ".join(
            f"{r['reading']}: winner {r['winner']}, excludes {', '.join(r['excludes']) or 'none'}"
            for r in effect["readings"]
        )
        line += f" AMBIGUOUS: its outcome depends on an unstated reading ({alts})."
    return line


def parse_rules(raw) -> list[Rule]:
    from pydantic import ValidationError

    from ..spec import spec_error

    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SpecError("rules", "...", "a list of [[rules]] tables")
    out = []
    for i, r in enumerate(raw):
        try:
            out.append(Rule.model_validate(r))
        except ValidationError as exc:
            raise spec_error(exc, Rule, f"rules[{i + 1}].") from None
    return out
