"""Material price sets, with commodity-indexed cathodes.

Data: ``data/prices.toml``. A price set names each material's price with its unit, source,
year and currency. Cathodes under ``[<set>.indexed]`` are priced from commodities:

    price (USD/kg) = sum_i (kg of input i per kg of cathode) x (input price, USD/kg) + margin

so setting lithium carbonate to another price moves the cathode, and the cell, accordingly
(method of Batt_Sust_Model [bsm-battery-cost-py], which re-implements BatPaC's metal-indexed
cathode prices). A commodity under ``[<set>.derived]`` is priced from another: lithium
hydroxide is lithium carbonate x (1 + a premium), so every lithium-bearing cathode stands on one
lithium price. Prices in other calendar years: :mod:`.commodities`. Prices come out in
SI-based units: USD/kg, USD/m2, USD/m3.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from ..errors import SpecError

_UNIT_TO_SI = {"usd/kg": 1.0, "usd/m2": 1.0, "usd/L": 1000.0}  # usd/L -> usd/m3


@dataclass(frozen=True)
class Price:
    value: float
    unit: str
    source: str
    year: int | None = None
    plus_usd: float = 0.0
    note: str = ""

    @property
    def si(self) -> float:
        return self.value * _UNIT_TO_SI[self.unit]


@dataclass
class PriceSet:
    name: str
    description: str
    currency: str
    year: int
    materials: dict[str, Price] = field(default_factory=dict)
    purchased: dict[str, Price] = field(default_factory=dict)
    commodities: dict[str, Price] = field(default_factory=dict)
    indexed: dict[str, dict] = field(default_factory=dict)
    derived: dict[str, dict] = field(default_factory=dict)

    @property
    def commodity_names(self) -> tuple[str, ...]:
        """Every commodity a plant may price: the quoted and the derived ones."""
        return tuple(sorted({*self.commodities, *self.derived}))

    def price(self, material: str, field_name: str = "material") -> Price:
        """A material's price (commodity-indexed cathodes included); error lists the priced ones."""
        if material in self.indexed:
            return self.indexed_price(material)
        for table in (self.materials, self.purchased):
            if material in table:
                return table[material]
        priced = sorted({*self.materials, *self.purchased, *self.indexed})
        raise SpecError(field_name, material, f"no price in price set {self.name!r}; priced: " + ", ".join(priced))

    def indexed_price(self, cathode: str, commodities: dict[str, float] | None = None) -> Price:
        """Price of a commodity-indexed cathode, USD/kg, at the set's commodity prices in its
        year; ``commodities`` overrides input prices (USD/kg by commodity name, each finite and
        > 0: a commodity is never paid to be taken; a derived one follows its base)."""
        from .commodities import prices_for_year

        for name, value in (commodities or {}).items():
            check_commodity_price(name, value)
        total = self.indexed_value(cathode, prices_for_year(self, self.year, "base", commodities))
        spec = self.indexed[cathode]
        sources = {spec["margin_usd_per_kg"]["source"]}
        for name, amount in spec["inputs_kg_per_kg"].items():
            quoted = self.commodities.get(name)
            sources.add(quoted.source if quoted else self.derived[name]["premium"]["source"])
            sources.add(amount["source"])
        return Price(total, "usd/kg", ";".join(sorted(sources)), self.year, note="commodity-indexed")

    def indexed_value(self, cathode: str, prices: dict[str, float]) -> float:
        """USD/kg of an indexed cathode at commodity ``prices`` (USD/kg by name, every input
        present): inputs x prices + the set's margin."""
        spec = self.indexed[cathode]
        return spec["margin_usd_per_kg"]["value"] + sum(
            amount["value"] * prices[name] for name, amount in spec["inputs_kg_per_kg"].items()
        )


#: Highest commodity price accepted, USD/kg: above gold's; no battery input comes near it.
MAX_COMMODITY_USD_PER_KG = 1e5


def check_commodity_price(name: str, value) -> float:
    """A commodity price (USD/kg) as a float: finite, > 0 and at most
    :data:`MAX_COMMODITY_USD_PER_KG`, else a SpecError naming the commodity as a plant file
    writes it (``plant.commodities.<name>_usd_per_kg``)."""
    field_name = f"plant.commodities.{name.removesuffix('_usd_per_kg')}_usd_per_kg"
    if isinstance(value, bool):
        raise SpecError(field_name, value, "a price in USD/kg (a number)")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise SpecError(field_name, value, "a price in USD/kg (a number)") from None
    if not (math.isfinite(x) and 0.0 < x <= MAX_COMMODITY_USD_PER_KG):
        raise SpecError(field_name, x, f"a finite price > 0 and <= {MAX_COMMODITY_USD_PER_KG:g} USD/kg")
    return x


def _price(entry: dict) -> Price:
    return Price(
        float(entry["value"]),
        entry.get("unit", "usd/kg"),
        entry["source"],
        entry.get("year"),
        float(entry.get("plus_usd", 0.0)),
        entry.get("note", ""),
    )


@cache
def price_sets() -> dict[str, PriceSet]:
    raw = tomllib.loads((resources.files("cellwright") / "data" / "prices.toml").read_text(encoding="utf-8"))
    out = {}
    for name, t in raw.items():
        out[name] = PriceSet(
            name,
            t.get("description", ""),
            t.get("currency", "USD"),
            int(t.get("year", 0)),
            {k: _price(v) for k, v in t.get("materials", {}).items()},
            {k: _price(v) for k, v in t.get("purchased", {}).items()},
            {k: _price(v) for k, v in t.get("commodities", {}).items()},
            t.get("indexed", {}),
            t.get("derived", {}),
        )
    return out


def price_set(name: str) -> PriceSet:
    try:
        return price_sets()[name]
    except KeyError:
        raise SpecError("prices", name, "allowed: " + ", ".join(sorted(price_sets()))) from None
