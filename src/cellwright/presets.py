"""Chemistry presets and format (casing) defaults, each value with its source.

``data/chemistries.toml`` bundles typical commercial designs; ``data/formats.toml`` holds the
casing defaults of each format. A numeric entry is written ``{ value = ..., source = "key",
note = "..." }``; a material name is a plain string. A chemistry may carry casing values of its
own per format (``[<chemistry>.casing.<format>]``), which take precedence over the format's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import SpecError


@dataclass(frozen=True)
class Sourced:
    """A value and where it came from (a citation key, or ``spec`` for the user's file)."""

    value: object
    source: str
    note: str = ""


def _read(name: str) -> dict:
    text = (resources.files("cellwright") / "data" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _sourced_table(table: dict, where: str) -> dict[str, Sourced]:
    out = {}
    for key, entry in table.items():
        if isinstance(entry, dict):
            if "value" not in entry or "source" not in entry:
                raise ValueError(f"{where}.{key}: a numeric entry needs value and source")
            out[key] = Sourced(entry["value"], entry["source"], entry.get("note", ""))
        else:
            out[key] = Sourced(entry, "")
    return out


@cache
def chemistries() -> dict[str, dict]:
    """Every chemistry preset: section -> key -> :class:`Sourced` (``casing`` -> format -> ...)."""
    out = {}
    for name, preset in _read("chemistries.toml").items():
        entry: dict = {"description": preset.get("description", ""), "casing": {}}
        for section, table in preset.items():
            if section == "description":
                continue
            if section == "casing":
                entry["casing"] = {f: _sourced_table(t, f"{name}.casing.{f}") for f, t in table.items()}
            else:
                entry[section] = _sourced_table(table, f"{name}.{section}")
        out[name] = entry
    return out


@cache
def formats() -> dict[str, dict[str, Sourced]]:
    """Casing defaults per format."""
    return {name: _sourced_table(t, name) for name, t in _read("formats.toml").items() if name != "meta"}


def chemistry(name: str) -> dict:
    try:
        return chemistries()[name]
    except KeyError:
        raise SpecError("chemistry", name, "allowed: " + ", ".join(sorted(chemistries()))) from None


#: Cylinders this wide or wider are built tabless (full-tab): every 46 mm cell announced so far
#: (Tesla 4680, BYD FC4680, the 4695/46120 class) collects current along a whole foil edge,
#: since one tab per foil would leave metres of foil between the reaction and the terminal.
TABLESS_FROM_DIAMETER_MM = 40.0


def is_tabless(fmt: str, diameter_mm: float | None) -> bool:
    """Whether a cell of format ``fmt`` and outer diameter ``diameter_mm`` is built tabless."""
    return fmt == "cylindrical" and diameter_mm is not None and diameter_mm >= TABLESS_FROM_DIAMETER_MM


def casing_defaults(chem: str, fmt: str, diameter_mm: float | None = None) -> dict[str, Sourced]:
    """The casing of ``fmt`` as the chemistry ``chem`` builds it; a cylinder of
    :data:`TABLESS_FROM_DIAMETER_MM` or more takes the ``[cylindrical-tabless]`` values over the
    ``[cylindrical]`` ones."""
    if fmt not in formats() or fmt == "cylindrical-tabless":
        raise SpecError("format", fmt, "allowed: " + ", ".join(f for f in formats() if f != "cylindrical-tabless"))
    merged = dict(formats()[fmt])
    if is_tabless(fmt, diameter_mm):
        merged.update(formats()["cylindrical-tabless"])
    merged.update(chemistry(chem)["casing"].get(fmt, {}))
    return merged
