"""Where a study's variable lives: the file it addresses and the key inside it.

A variable's key is written as the files name it, in TOML's dotted form:

- ``"cathode.thickness_um"``, ``"format"`` -- a key of the cell spec (``cell = ...``);
- ``"cell"`` -- the cell spec file itself (a list of files, e.g. one per format);
- ``"plant.region"``, ``"plant.commodities.lithium_carbonate_usd_per_kg"`` -- a key of the plant
  file (or of the default plant); the plant's ``prices`` key names the price set;
- ``"project.finance.charging_price_usd_per_MWh"`` -- a key of the storage project (or, in a
  tender study, of the tender's common ``[project]``);
- ``'bids."Supplier A".dc_block_price_usd_per_kWh'`` -- a key of one bid of the tender;
- ``"protocol.temperature_degC"`` -- a field of the life stage's cycling protocol
  (:class:`cellwright.aging.protocol.Protocol`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import annotated_types
from pydantic import BaseModel

from ..errors import SpecError

TARGETS = ("cell", "plant", "project", "bids", "protocol", "venture")


@dataclass(frozen=True)
class Address:
    """A variable's key split into the file it addresses (``target``) and the path inside it."""

    key: str
    target: str  # "cell", "cell-file", "plant", "project", "bids", "protocol", "venture"
    path: tuple[str, ...]


def split_key(key: str) -> tuple[str, ...]:
    """A dotted TOML key's parts; a part in double quotes may hold dots and spaces."""
    parts, part, quoted, i = [], "", False, 0
    while i < len(key):
        ch = key[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(part.strip())
            part = ""
        else:
            part += ch
        i += 1
    parts.append(part.strip())
    if quoted or any(not p for p in parts):
        raise SpecError(f'variables."{key}"', key, 'a dotted key such as "cathode.thickness_um"')
    return tuple(parts)


def address(key: str) -> Address:
    """Where ``key`` points (see the module docstring)."""
    parts = split_key(key)
    if parts == ("cell",):
        return Address(key, "cell-file", ())
    head = parts[0]
    if head in ("plant", "project", "protocol", "venture"):
        if len(parts) < 2:
            raise SpecError(f'variables."{key}"', key, f'a key inside the {head}, e.g. "{head}.<key>"')
        return Address(key, head, parts[1:])
    if head == "bids":
        if len(parts) < 3:
            raise SpecError(f'variables."{key}"', key, "a bid's key, e.g. 'bids.\"Supplier A\".rte_dc'")
        return Address(key, "bids", parts[1:])
    return Address(key, "cell", parts)


def assign_many(data: dict, items: list[tuple[tuple[str, ...], object]]) -> dict:
    """``data`` with every (path, value) of ``items`` set, copied once."""
    out = copy.deepcopy(data)
    for path, value in items:
        node = out
        for part in path[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = node[part] = {}
            node = nxt
        node[path[-1]] = value
    return out


def bounds(model: type[BaseModel], path: tuple[str, ...]) -> tuple[float, bool, float, bool]:
    """The numeric bounds a pydantic model puts on the field at ``path``:
    (low, low inclusive, high, high inclusive); infinite where none is given."""
    lo, lo_in, hi, hi_in = float("-inf"), True, float("inf"), True
    cls: object = model
    info = None
    for part in path:
        fields = getattr(cls, "model_fields", None)
        if not fields or part not in fields:
            return lo, lo_in, hi, hi_in
        info = fields[part]
        cls = _model_of(info.annotation)
    if info is None:
        return lo, lo_in, hi, hi_in
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Gt):
            lo, lo_in = float(meta.gt), False  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Ge):
            lo, lo_in = float(meta.ge), True  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Lt):
            hi, hi_in = float(meta.lt), False  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Le):
            hi, hi_in = float(meta.le), True  # type: ignore[arg-type]
    return lo, lo_in, hi, hi_in


def _model_of(annotation) -> object:
    """The pydantic model inside an annotation such as ``Cathode | None``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def describe_bounds(b: tuple[float, bool, float, bool]) -> str:
    lo, lo_in, hi, hi_in = b
    parts = []
    if lo > float("-inf"):
        parts.append(f"{'>=' if lo_in else '>'} {lo:g}")
    if hi < float("inf"):
        parts.append(f"{'<=' if hi_in else '<'} {hi:g}")
    return " and ".join(parts) or "any number"
