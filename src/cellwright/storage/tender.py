"""Tender evaluation: rank suppliers' bids by the lifetime cost of the energy they deliver.

A bids file (TOML) holds one common project (``[project]``: size, duty, cost set for the
buyer's balance of plant, finance conventions, augmentation strategy) and the bids
(``[[bids]]``). Every bid is evaluated under the same rules, printed with the result:

1. **One boundary and one duty.** Each bid's plant is sized to the rated energy at the same
   boundary and runs the same duty; its round-trip efficiency (``rte_dc``) enters the sizing
   and the charging energy, its availability scales the energy delivered.
2. **Warranty -> degradation.** The bid's cycle warranty (``warranty_cycles`` to
   ``warranty_eol`` under ``warranty_protocol``) anchors the cell chemistry's aging model, so a
   weaker warranty means faster modelled fade. A degradation guarantee
   (``guaranteed_soh_end`` after ``guarantee_years``, a straight line) is honoured by the
   supplier: the buyer's capacity never falls below it within the guarantee.
3. **Fade -> cost.** The buyer keeps the plant at its rated energy with the project's
   augmentation strategy, buying DC block at the bid's own price (falling as stated).
4. **LCOS** (Schmidt et al. 2019, the project's conventions) ranks the bids; identical bids
   rank equal. Non-price criteria are not blended in.

A bid with an error (in the bids file or in its cell file) is reported by name and field and
left out; the others are ranked. Bid names are unique, and a tender has at most ``MAX_BIDS``
bids. The ranking is re-run with each rule varied (discount rate, charging price, cycles a
day, energy boundary, augmentation) to show how much it depends on them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..errors import SpecError
from ..readers import read_toml
from ..spec import STRICT, spec_error
from . import operation
from .localisation import LocalContent, Localisation, describe, parse_rules, rule_effects
from .project import Project, age, check_files, evaluate_prepared, parse_project, prepare_many, soh_key

#: Most bids in one tender. Each bid designs a cell, anchors an aging model and runs a
#: 20-year life, and the sensitivity table runs them all again for every rule varied: 100 bids
#: took almost 4 minutes here, 1,000 over 8 minutes without the sensitivity table. A real
#: tender has a handful to a few dozen bidders.
MAX_BIDS = 200


class Bid(BaseModel):
    """One supplier's offer. Prices in USD per kWh of DC nameplate (cells and DC block)."""

    model_config = STRICT
    name: str
    cell: str
    dc_block_price_usd_per_kWh: float = Field(gt=0, le=2000)
    rte_dc: float = Field(gt=0.5, le=1.0)
    availability: float = Field(default=1.0, gt=0.5, le=1.0)
    warranty_cycles: float = Field(gt=0, le=100000)
    warranty_eol: float = Field(default=0.8, gt=0.3, lt=1.0)
    warranty_protocol: str = "0.5C/0.5C, 25degC, 100% DOD"
    guaranteed_soh_end: float | None = Field(default=None, gt=0, le=1)
    guarantee_years: int = Field(default=20, ge=1, le=40)
    # for localisation and origin rules (storage/localisation.py)
    origin: str | None = Field(default=None, max_length=64, description="where the cells are made")
    local_content: LocalContent | None = None
    joint_venture: bool = False
    technology_transfer: bool = False

    @property
    def warranty(self) -> str:
        g = f"; >= {self.guaranteed_soh_end:.0%} at {self.guarantee_years} y" if self.guaranteed_soh_end else ""
        return f"{self.warranty_cycles:,.0f} cycles to {self.warranty_eol:.0%}{g}"


@dataclass
class TenderResult:
    name: str
    ranking: list
    invalid: list
    why: list
    sensitivity: list
    rules: list
    results: list = field(default_factory=list, repr=False)
    #: the ranked bids' result warnings, each as "<bid name>: <warning>"
    warnings: list = field(default_factory=list)
    #: the localisation rules' effects (storage/localisation.py), None without [[rules]]
    localisation: dict | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "ranking": self.ranking,
            "invalid": self.invalid,
            "why": self.why,
            "sensitivity": self.sensitivity,
            "rules": self.rules,
            "warnings": self.warnings,
            "localisation": self.localisation,
        }


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in extra.items():
        out[k] = _merge(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def bid_project(common: dict, bid: Bid, base_dir: Path, prefix: str) -> Project:
    """The common project with this bid's cell, price, efficiency, availability and warranty."""
    data = _merge(
        common,
        {
            "name": bid.name,
            "cell": bid.cell,
            "dc_block_price_usd_per_kWh": bid.dc_block_price_usd_per_kWh,
            "rte_dc": bid.rte_dc,
            "operation": {"availability": bid.availability},
            "aging": {
                "rated_cycles": bid.warranty_cycles,
                "rated_eol": bid.warranty_eol,
                "rated_protocol": bid.warranty_protocol,
                "anchor": True,
                "guaranteed_soh_end": bid.guaranteed_soh_end,
                "guarantee_years": bid.guarantee_years,
            },
        },
    )
    return parse_project(data, base_dir, prefix)


def rank(values: list[float], rel_tol: float = 1e-9) -> list[int]:
    """Competition ranks (1 = best = lowest); values equal within ``rel_tol`` share a rank."""
    return [1 + sum(1 for w in values if w < v * (1 - rel_tol)) for v in values]


def rules_text(p: Project) -> list[str]:
    f, op, ag = p.finance, p.operation, p.augmentation
    duty = (
        f"dispatch profile {op.dispatch}"
        if op.dispatch
        else f"{op.cycles_per_day:g} cycle(s) a day at {op.depth_of_discharge:.0%} of rated energy, cells at {op.temperature_degC:g} degC"
    )
    return [
        f"Plant: {p.power_MW:g} MW x {p.duration_h:g} h met at the {p.sizing_boundary.upper()} boundary, {p.years} years, "
        f"balance of plant from the {p.cost_set} cost set; every bid's DC block at its own price.",
        f"Duty: {duty}; energy delivered x the bid's availability.",
        "Degradation: the cell chemistry's aging model anchored on each bid's cycle warranty; a degradation guarantee "
        "is a floor on capacity within its term (the supplier restores it).",
        f"Augmentation: {ag.strategy} (interval {ag.interval_years} y, threshold {ag.threshold:g}), added DC block at the bid's "
        f"price falling {ag.cost_decline_per_yr:.0%}/yr.",
        f"LCOS: Schmidt et al. 2019, {f.dollars} dollars, discount rate {f.discount_rate:.1%}/yr, inflation {f.inflation_rate:.1%}/yr, "
        f"charging at USD {f.charging_price_usd_per_MWh:g}/MWh ({'included' if f.include_charging else 'excluded'}), energy at the "
        f"{f.energy_boundary} boundary, {f.discharged_energy} discharged energy, end of life {f.end_of_life.replace('_', ' ')}.",
        "Ranking: lowest LCOS first; equal LCOS, equal rank. No non-price criteria are blended in.",
    ]


def variants(p: Project) -> list[tuple[str, dict]]:
    """Rule changes for the sensitivity table: (label, overrides of the common project)."""
    f, op = p.finance, p.operation
    out: list[tuple[str, dict]] = [
        (f"discount rate {f.discount_rate - 0.03:.1%}", {"finance": {"discount_rate": f.discount_rate - 0.03}}),
        (f"discount rate {f.discount_rate + 0.03:.1%}", {"finance": {"discount_rate": f.discount_rate + 0.03}}),
        (
            f"charging USD {f.charging_price_usd_per_MWh / 2:g}/MWh",
            {"finance": {"charging_price_usd_per_MWh": f.charging_price_usd_per_MWh / 2}},
        ),
        (
            f"charging USD {f.charging_price_usd_per_MWh * 2:g}/MWh",
            {"finance": {"charging_price_usd_per_MWh": f.charging_price_usd_per_MWh * 2}},
        ),
        ("energy at the DC block", {"finance": {"energy_boundary": "dc"}}),
        ("no augmentation", {"augmentation": {"strategy": "none"}}),
    ]
    if op.dispatch is None:
        for cpd in (op.cycles_per_day / 2, op.cycles_per_day * 1.5):
            if 2 * p.duration_h * cpd <= 24:
                out.append((f"{cpd:g} cycles a day", {"operation": {"cycles_per_day": cpd}}))
    return out


def evaluate_tender(
    data: dict, base_dir: Path, sensitivity: bool = True, known_aging: dict | None = None
) -> TenderResult:
    """Rank the bids of a parsed bids file (see the module docstring for the rules).

    ``known_aging``: the caller's aging results by :func:`~cellwright.storage.project.soh_key`,
    read and filled here, so many evaluations of one tender (a study) age each duty once."""
    common = data.get("project")
    if not isinstance(common, dict):
        raise SpecError("project", None, "a [project] table with power_MW, duration_h and the common conventions")
    bids_raw = data.get("bids")
    if not isinstance(bids_raw, list) or not bids_raw:
        raise SpecError("bids", None, "one or more [[bids]] tables")
    unknown = set(data) - {"name", "project", "bids", "rules"}
    if unknown:
        raise SpecError(sorted(unknown)[0], "...", "unknown key (allowed: name, project, bids, rules)")
    local_rules = parse_rules(data.get("rules"))
    if not isinstance(data.get("name", ""), str):
        raise SpecError("name", data["name"], "text (in quotes)")
    if len(bids_raw) > MAX_BIDS:
        raise SpecError("bids", f"{len(bids_raw)} bids", f"at most {MAX_BIDS} in one tender")
    names = [raw.get("name") if isinstance(raw, dict) else None for raw in bids_raw]
    for i, name in enumerate(names):
        if name is not None and name in names[:i]:
            raise SpecError(f"bids[{i + 1}].name", name, "each bid needs its own name; this one is already used")
    common = {"cell": "", **common}
    base = parse_project({**common, "cell": common["cell"] or "unused.toml"}, base_dir, "project.")
    if base.operation.dispatch is not None:
        operation.read_dispatch(base.path(base.operation.dispatch))
    bids, projects, invalid = [], [], []
    for i, raw in enumerate(bids_raw):
        name = names[i] if isinstance(names[i], str) else f"bid {i + 1}"
        try:
            bid = Bid.model_validate(raw)
            project = bid_project(common, bid, base_dir, f"bids[{name}].")
            check_files(project, dispatch=False, protocol_field="warranty_protocol")
        except ValidationError as exc:
            err = spec_error(exc, Bid)
            invalid.append({"name": name, "field": err.field, "error": str(err)})
            continue
        except SpecError as exc:
            invalid.append({"name": name, "field": exc.field, "error": str(exc)})
            continue
        projects.append(project)
        bids.append(bid)
    # what only designing the cell or anchoring the warranty finds (a can too small, a rating out
    # of the model's reach) is found when the plant is prepared: that bid is reported, the others
    # ranked
    preps, good_bids = [], []
    for bid, prep in zip(bids, prepare_many(projects), strict=True):
        if isinstance(prep, SpecError):
            invalid.append({"name": bid.name, "field": prep.field, "error": str(prep)})
        else:
            preps.append(prep)
            good_bids.append(bid)
    if not preps:
        return TenderResult(data.get("name", "tender"), [], invalid, ["no valid bid to rank"], [], rules_text(base))
    aged = age(preps, known_aging)
    if known_aging is not None:
        known_aging.update({soh_key(pr): a for pr, a in zip(preps, aged, strict=True)})
    results = evaluate_prepared(preps, aged)
    warnings = [f"{b.name}: {w}" for b, r in zip(good_bids, results) for w in r.warnings]
    lcos_values = [r.lcos_usd_per_MWh for r in results]
    ranks = rank(lcos_values)
    order = sorted(range(len(results)), key=lambda i: (ranks[i], i))
    ranking = []
    for i in order:
        r, b = results[i], good_bids[i]
        ranking.append(
            {
                "rank": ranks[i],
                "name": b.name,
                "lcos_usd_per_MWh": r.lcos_usd_per_MWh,
                "breakdown": r.breakdown,
                "dc_block_price_usd_per_kWh": b.dc_block_price_usd_per_kWh,
                "capex_usd": r.capex_usd,
                "warranty": b.warranty,
                "cell_soh_end": r.aging["cell_soh_end"],
                "degradation_scalar": r.aging["degradation_scalar"],
                "augmented_MWh": sum(r.yearly["augmented_MWh"]),
                "rte_poi": r.rte["poi"],
                "availability": b.availability,
                "energy_delivered_MWh": r.energy_delivered_MWh,
            }
        )
    why = explain(ranking)
    sens = []
    if sensitivity and len(preps) > 1:
        base_order = [x["name"] for x in ranking]
        for label, over in variants(base):
            try:
                projs = [bid_project(_merge(common, over), b, base_dir, f"bids[{b.name}].") for b in good_bids]
            except SpecError:
                continue  # the varied rule leaves its allowed range (a discount rate near 1): not shown
            # the same cells and anchored models; aging is rerun only where the rule changes the duty
            varied = prepare_many(projs, [pr.cell for pr in preps], [pr.chosen for pr in preps])
            ready = [v for v in varied if not isinstance(v, SpecError)]
            if len(ready) != len(varied):
                continue  # the varied rule makes a bid impossible: not shown
            known = {soh_key(pr): a for pr, a in zip(preps, aged, strict=True)}
            vals = [r.lcos_usd_per_MWh for r in evaluate_prepared(ready, age(ready, known))]
            rk = rank(vals)
            order_v = [good_bids[i].name for i in sorted(range(len(vals)), key=lambda i: (rk[i], i))]
            sens.append(
                {
                    "rule": label,
                    "order": order_v,
                    "lcos_usd_per_MWh": dict(zip([b.name for b in good_bids], vals)),
                    "same_as_base": order_v == base_order,
                }
            )
    localisation = None
    if local_rules:
        stated = {
            b.name: Localisation(
                origin=b.origin,
                local_content=b.local_content,
                joint_venture=b.joint_venture,
                technology_transfer=b.technology_transfer,
            )
            for b in good_bids
        }
        localisation = rule_effects(local_rules, stated, {x["name"]: x["lcos_usd_per_MWh"] for x in ranking})
        localisation["lines"] = [describe(e) for e in localisation["effects"]]
    return TenderResult(
        data.get("name", "tender"), ranking, invalid, why, sens, rules_text(base), results, warnings, localisation
    )


TERMS = {
    "capex": "capital",
    "om": "O&M",
    "charging": "charging",
    "replacement": "augmentation",
    "end_of_life": "end of life",
}


def explain(ranking: list[dict]) -> list[str]:
    """Why each bid ranks where it does: its LCOS difference to the best bid, by term, and
    the price it offered."""
    if len(ranking) < 2:
        return []
    best = ranking[0]
    cheapest = min(ranking, key=lambda x: x["dc_block_price_usd_per_kWh"])
    lines = []
    for b in ranking[1:]:
        diff = b["lcos_usd_per_MWh"] - best["lcos_usd_per_MWh"]
        if abs(diff) <= 1e-9 * best["lcos_usd_per_MWh"]:
            lines.append(f"{b['name']} ties with {best['name']}: same LCOS.")
            continue
        terms = sorted(
            ((k, b["breakdown"][k] - best["breakdown"][k]) for k in best["breakdown"]), key=lambda kv: -abs(kv[1])
        )
        parts = ", ".join(f"{TERMS[k]} {v:+.1f}" for k, v in terms if abs(v) >= 0.05)
        price = b["dc_block_price_usd_per_kWh"] - best["dc_block_price_usd_per_kWh"]
        lines.append(
            f"{b['name']} costs {diff:+.1f} USD/MWh more than {best['name']} ({parts}); its DC block price is "
            f"{price:+.1f} USD/kWh, warranty {b['warranty']} vs {best['warranty']}."
        )
    if cheapest is not best:
        lines.append(
            f"The cheapest offer, {cheapest['name']} (USD {cheapest['dc_block_price_usd_per_kWh']:g}/kWh), does not win: "
            f"its cells keep {cheapest['cell_soh_end']:.0%} after the term vs {best['cell_soh_end']:.0%} for {best['name']}, "
            f"and it needs {cheapest['augmented_MWh']:,.0f} MWh of augmentation vs {best['augmented_MWh']:,.0f}."
        )
    return lines


def load_tender(path: str | Path, sensitivity: bool = True) -> TenderResult:
    """Read a bids file and rank its bids (:func:`evaluate_tender`)."""
    return evaluate_tender(read_toml(path, "bids"), Path(path).parent, sensitivity)
