"""Protocols as sequences of steps, as PyBaMM's ``Experiment`` writes them.

``"Discharge at 1C until 2.5 V"``, ``"Charge at 0.5C until 4.2 V"``, ``"Hold at 4.2 V until
C/20"``, ``"Rest for 30 minutes"``, ``"Discharge at 10 W until 2.5 V"``,
``"Discharge at 2 A for 10 minutes"``. A malformed step is a :class:`SpecError` naming the
token at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SpecError

_UNITS_S = {
    "s": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}


@dataclass(frozen=True)
class Step:
    """One step. ``kind``: current, power, voltage or rest. Currents and powers are positive
    for discharge. ``value`` is in C-rate (``unit`` "C"), A, W or V."""

    kind: str
    value: float = 0.0
    unit: str = ""
    until_voltage: float | None = None
    until_current_C: float | None = None  # CV end: |I| below this C-rate
    duration_s: float | None = None
    text: str = ""


_NUM = r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"


def parse_step(text: str) -> Step:
    s = text.strip()
    low = s.lower()
    m = re.fullmatch(r"rest for " + _NUM + r"\s*([a-z]+)", low)
    if m:
        return Step("rest", duration_s=_duration(m.group(1), m.group(2), text), text=s)
    m = re.fullmatch(r"hold at " + _NUM + r"\s*v until (?:c/" + _NUM + r"|" + _NUM + r"\s*c|" + _NUM + r"\s*a)", low)
    if m:
        v = float(m.group(1))
        if m.group(2):
            return Step("voltage", v, "V", until_current_C=1.0 / float(m.group(2)), text=s)
        if m.group(3):
            return Step("voltage", v, "V", until_current_C=float(m.group(3)), text=s)
        raise SpecError("protocol", text, "end a hold with a C-rate (until C/20 or until 0.05C)")
    m = re.fullmatch(r"(discharge|charge) at " + _NUM + r"\s*(c|a|w)\s+(until|for)\s+" + _NUM + r"\s*([a-z]+)", low)
    if m:
        sign = 1.0 if m.group(1) == "discharge" else -1.0
        kind = {"c": "current", "a": "current", "w": "power"}[m.group(3)]
        unit = {"c": "C", "a": "A", "w": "W"}[m.group(3)]
        value = sign * float(m.group(2))
        if m.group(4) == "until":
            if m.group(6) != "v":
                raise SpecError("protocol", text, f"'until' takes a voltage, e.g. 'until 2.5 V' (got {m.group(6)!r})")
            return Step(kind, value, unit, until_voltage=float(m.group(5)), text=s)
        return Step(kind, value, unit, duration_s=_duration(m.group(5), m.group(6), text), text=s)
    raise SpecError(
        "protocol",
        text,
        "expected e.g. 'Discharge at 1C until 2.5 V', 'Charge at 0.5C until 4.2 V', 'Hold at 4.2 V until C/20', 'Rest for 1 hour'",
    )


def _duration(number: str, unit: str, text: str) -> float:
    if unit not in _UNITS_S:
        raise SpecError("protocol", text, f"unknown time unit {unit!r}; allowed: s, min, h")
    return float(number) * _UNITS_S[unit]


def parse(steps: list[str] | str) -> list[Step]:
    if isinstance(steps, str):
        steps = [t for t in re.split(r"[;\n]", steps) if t.strip()]
    return [parse_step(t) for t in steps]
