"""Test protocols as datasheets state them: ``"0.5C/0.5C, 25degC, 100% DOD"`` (charge rate /
discharge rate, temperature, depth of discharge; optional ``"50% SOC"`` centre of the window and
``"rest 1h"`` after each half cycle), or a storage (calendar) test: ``"storage, 45degC, 100% SOC"``.
Turned into a repeating SOC and temperature profile; a malformed protocol, or a part of it
outside the limits below, is a :class:`SpecError` naming that part.

Rates may be given as C-rates (``0.5C``: current / rated capacity, 1/h) or as the P-rates of
storage datasheets (``0.5P``: power / rated energy, 1/h). The models are driven by the SOC
the current moves, so a P-rate is taken as the C-rate it equals at the nominal voltage
(P / E_nom = I V_nom / (Q V_nom) = I / Q): a constant-power test draws a few per cent more
current where the voltage is below nominal (within about 5 % on LFP's flat curve).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import checks
from ..errors import SpecError
from .duty import TEMPERATURE_RANGE_degC

_NUM = r"([0-9]*\.?[0-9]+)"

#: C- or P-rates of a cycling test (1/h): from C/100 (slower is an open-circuit test) to 20C
#: (beyond every model here).
RATE_RANGE_C = (0.01, 20.0)
#: Depth of discharge of a cycling test: from 1 % (shallower swings are below the models'
#: resolution) to 100 %.
DOD_RANGE = (0.01, 1.0)
#: Rest after each half cycle (h): none, or from a minute to a day (a longer rest is a storage
#: period; give the duty as a profile).
REST_RANGE_H = (1.0 / 60.0, 24.0)
#: Most samples of an expanded profile.
MAX_PROFILE_SAMPLES = 1_000_000


@dataclass(frozen=True)
class Protocol:
    """A cycling or storage test: rates (1/h), temperature (degC), DOD and SOC-window centre
    (fractions), rest after each half cycle (h). Checked on creation."""

    charge_C: float
    discharge_C: float
    temperature_degC: float
    dod: float
    soc_mid: float
    rest_h: float = 0.0
    storage: bool = False

    def __post_init__(self):
        checks.temperature_degC("protocol temperature", self.temperature_degC, *TEMPERATURE_RANGE_degC)
        soc = float(checks.as_finite("protocol SOC", self.soc_mid))
        if not 0.0 <= soc <= 1.0:
            raise SpecError("protocol SOC", f"{100 * soc:g}%", "within 0-100 %")
        if self.storage:
            return
        lo, hi = RATE_RANGE_C
        for name, rate in (("charge rate", self.charge_C), ("discharge rate", self.discharge_C)):
            checks.in_range(f"protocol {name}", rate, lo, hi, f"a C- or P-rate within {lo:g}-{hi:g}")
        dod = float(checks.as_finite("protocol DOD", self.dod))
        if not DOD_RANGE[0] <= dod <= DOD_RANGE[1]:
            raise SpecError("protocol DOD", f"{100 * dod:g}%", f"within {DOD_RANGE[0]:.0%}-{DOD_RANGE[1]:.0%}")
        if self.soc_mid - self.dod / 2 < -1e-9 or self.soc_mid + self.dod / 2 > 1 + 1e-9:
            raise SpecError(
                "protocol SOC",
                f"{self.soc_mid:.0%} SOC at {self.dod:.0%} DOD",
                "the SOC window must lie within 0-100 %",
            )
        rest = float(checks.as_finite("protocol rest", self.rest_h))
        if rest != 0.0 and not REST_RANGE_H[0] - 1e-12 <= rest <= REST_RANGE_H[1]:
            raise SpecError("protocol rest", f"{rest:g} h", "none, or within 1 min to 24 h")

    @property
    def soc_window(self) -> tuple[float, float]:
        lo = self.soc_mid - self.dod / 2.0
        return lo, lo + self.dod


_EXAMPLES = "expected tokens like '0.5C/0.5C', '0.5P/0.5P', '25degC', '100% DOD', '50% SOC', 'rest 1h', 'storage'"


def parse_protocol(text: str) -> Protocol:
    """A :class:`Protocol` from its datasheet text (module docstring); every part once."""
    if not isinstance(text, str):
        raise SpecError("protocol", text, "a text such as '0.5C/0.5C, 25degC, 100% DOD'")
    values: dict[str, Any] = {}
    for token in [t.strip() for t in text.split(",") if t.strip()]:
        low = token.lower().replace(" ", "")
        value: Any
        if low == "storage":
            key, value = "storage", True
        elif m := re.fullmatch(_NUM + r"[cp]/" + _NUM + r"[cp]", low):
            key, value = "rates", (float(m.group(1)), float(m.group(2)))
        elif m := re.fullmatch(r"(-?" + _NUM[1:-1] + r")(?:degc|°c|c)", low):
            key, value = "temperature_degC", float(m.group(1))
        elif re.fullmatch(r"-?" + _NUM[1:-1] + r"(?:k|degk)", low):
            raise SpecError("protocol temperature", token, "degrees Celsius, e.g. '25degC' (not kelvin)")
        elif m := re.fullmatch(_NUM + r"%dod", low):
            key, value = "dod", float(m.group(1)) / 100.0
        elif m := re.fullmatch(_NUM + r"%soc", low):
            key, value = "soc_mid", float(m.group(1)) / 100.0
        elif m := re.fullmatch(r"rest" + _NUM + r"(h|min)", low):
            key, value = "rest_h", float(m.group(1)) / (60.0 if m.group(2) == "min" else 1.0)
        else:
            raise SpecError("protocol", token, _EXAMPLES)
        if key in values:
            raise SpecError("protocol", token, f"each part once; {key.split('_')[0]} is given twice")
        values[key] = value
    if values.get("storage"):
        if "temperature_degC" not in values or "soc_mid" not in values:
            raise SpecError(
                "protocol", text, "a storage test needs a temperature and a SOC (e.g. 'storage, 45degC, 100% SOC')"
            )
        if "rates" in values or "dod" in values or "rest_h" in values:
            raise SpecError("protocol", text, "a storage test has no rates, DOD or rest")
        return Protocol(0.0, 0.0, values["temperature_degC"], 0.0, values["soc_mid"], 0.0, storage=True)
    for key, example in (("rates", "0.5C/0.5C"), ("temperature_degC", "25degC"), ("dod", "100% DOD")):
        if key not in values:
            raise SpecError("protocol", text, f"missing {key.split('_')[0]} (e.g. '{example}')")
    dod = values["dod"]
    soc_mid = values.get("soc_mid", 1.0 - dod / 2.0 if dod > 0.999 else 0.5)
    charge_C, discharge_C = values["rates"]
    return Protocol(charge_C, discharge_C, values["temperature_degC"], dod, soc_mid, values.get("rest_h", 0.0))


def profile(p: Protocol, cycles: int = 10, step_s: float = 60.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block of ``cycles`` back-to-back cycles: (time_s, soc, temperature_degC), each
    charge, rest and discharge sampled in equal steps of at most ``step_s`` (s) from its start
    to its end (the corners of the SOC path are samples); a storage test is one day at constant
    SOC, hourly. At most ``MAX_PROFILE_SAMPLES`` samples."""
    if not isinstance(p, Protocol):
        raise SpecError("protocol", p, "a Protocol (see parse_protocol)")
    if p.storage:
        t = np.arange(0.0, 86400.0 + 1.0, 3600.0)
        return t, np.full_like(t, p.soc_mid), np.full_like(t, p.temperature_degC)
    cycles = int(checks.in_range("cycles", cycles, 1, 10_000, "a whole number of cycles within 1-10,000"))
    step_s = float(checks.in_range("step_s", step_s, 1.0, 3600.0, "a time step within 1-3,600 s"))
    lo, hi = p.soc_window
    rest = p.rest_h * 3600.0
    # (duration s, SOC at start, SOC at end) of each part of one cycle
    parts = [(p.dod / p.charge_C * 3600.0, lo, hi), (rest, hi, hi), (p.dod / p.discharge_C * 3600.0, hi, lo)]
    parts += [(rest, lo, lo)]
    counts = [math.ceil(d / step_s - 1e-9) if d > 0 else 0 for d, _, _ in parts]
    if cycles * sum(counts) + 1 > MAX_PROFILE_SAMPLES:
        raise SpecError(
            "protocol", f"{cycles * sum(counts) + 1:,} samples", f"at most {MAX_PROFILE_SAMPLES:,} in a profile"
        )
    t_cycle, soc_cycle, start = [], [], 0.0
    for (d, s0, s1), k in zip(parts, counts):
        if k:
            f = np.arange(1, k + 1) / k
            t_cycle.append(start + d * f)
            soc_cycle.append(s0 + (s1 - s0) * f)
            start += d
    period = start
    t = np.concatenate([[0.0]] + [np.concatenate(t_cycle) + i * period for i in range(cycles)])
    soc = np.concatenate([[lo]] + [np.concatenate(soc_cycle)] * cycles)
    return t, soc, np.full_like(t, p.temperature_degC)
