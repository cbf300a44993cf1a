"""The bibliography: every citation key used in ``data/`` resolves to a full reference here.

References live in ``data/sources/*.toml``, one TOML table per key. ``cite(keys)`` formats the
references a result used, as PyBaMM's ``print_citations`` does.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources


@cache
def bibliography() -> dict[str, dict]:
    """All references, keyed by citation key."""
    refs: dict[str, dict] = {}
    folder = resources.files("cellwright") / "data" / "sources"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".toml"):
            continue
        for key, ref in tomllib.loads(entry.read_text(encoding="utf-8")).items():
            if key in refs:
                raise ValueError(f"citation key {key!r} is defined twice (data/sources/{entry.name})")
            refs[key] = ref
    return refs


def format_reference(key: str) -> str:
    """One reference as a line of text: authors (year). title. publication. doi/url."""
    ref = bibliography()[key]
    parts = [f"{ref.get('authors', '').strip()} ({ref.get('year', 'n.d.')})", ref.get("title", "")]
    if ref.get("publication"):
        parts.append(ref["publication"])
    if ref.get("doi"):
        parts.append(f"doi:{ref['doi']}")
    elif ref.get("url"):
        parts.append(ref["url"])
    return ". ".join(p for p in parts if p) + "."


def cite(keys: Iterable[str]) -> list[str]:
    """Formatted references for the given keys, sorted, each once."""
    return [f"[{k}] {format_reference(k)}" for k in sorted(set(keys))]
