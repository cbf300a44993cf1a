"""Test protocols as datasheets state them: ``"0.5C/0.5C, 25degC, 100% DOD"`` (charge rate /
discharge rate, temperature, depth of discharge; optional ``"50% SOC"`` centre of the window and
``"rest 1h"`` after each half cycle), or a storage (calendar) test: ``"storage, 45degC, 100% SOC"``.
Turned into a repeating SOC and temperature profile; a malformed protocol is a
:class:`SpecError` naming the token at fault."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import SpecError

_NUM = r"([0-9]*\.?[0-9]+)"


@dataclass(frozen=True)
class Protocol:
    charge_C: float
    discharge_C: float
    temperature_C: float
    dod: float
    soc_mid: float
    rest_h: float = 0.0
    storage: bool = False

    @property
    def soc_window(self) -> tuple[float, float]:
        lo = self.soc_mid - self.dod / 2.0
        return lo, lo + self.dod


def parse_protocol(text: str) -> Protocol:
    values: dict = {}
    for token in [t.strip() for t in text.split(",") if t.strip()]:
        low = token.lower().replace(" ", "")
        if low == "storage":
            values["storage"] = True
        elif m := re.fullmatch(_NUM + r"c/" + _NUM + r"c", low):
            values["charge_C"], values["discharge_C"] = float(m.group(1)), float(m.group(2))
        elif m := re.fullmatch(r"(-?" + _NUM[1:-1] + r")(?:degc|°c|c)", low):
            values["temperature_C"] = float(m.group(1))
        elif m := re.fullmatch(_NUM + r"%dod", low):
            values["dod"] = float(m.group(1)) / 100.0
        elif m := re.fullmatch(_NUM + r"%soc", low):
            values["soc_mid"] = float(m.group(1)) / 100.0
        elif m := re.fullmatch(r"rest" + _NUM + r"(h|min)", low):
            values["rest_h"] = float(m.group(1)) / (60.0 if m.group(2) == "min" else 1.0)
        else:
            raise SpecError(
                "protocol",
                token,
                "expected tokens like '0.5C/0.5C', '25degC', '100% DOD', '50% SOC', 'rest 1h', 'storage'",
            )
    if values.get("storage"):
        if "temperature_C" not in values or "soc_mid" not in values:
            raise SpecError(
                "protocol", text, "a storage test needs a temperature and a SOC (e.g. 'storage, 45degC, 100% SOC')"
            )
        if "charge_C" in values or "dod" in values:
            raise SpecError("protocol", text, "a storage test has no C-rates or DOD")
        if not 0 <= values["soc_mid"] <= 1:
            raise SpecError("protocol", text, "the SOC must lie within 0-100 %")
        return Protocol(0.0, 0.0, values["temperature_C"], 0.0, values["soc_mid"], 0.0, storage=True)
    for key, example in (("charge_C", "0.5C/0.5C"), ("temperature_C", "25degC"), ("dod", "100% DOD")):
        if key not in values:
            raise SpecError("protocol", text, f"missing {key.split('_')[0]} (e.g. '{example}')")
    dod = values["dod"]
    if not 0 < dod <= 1:
        raise SpecError("protocol", text, "DOD must be within (0, 100] %")
    soc_mid = values.get("soc_mid", 1.0 - dod / 2.0 if dod > 0.999 else 0.5)
    if soc_mid - dod / 2 < -1e-9 or soc_mid + dod / 2 > 1 + 1e-9:
        raise SpecError("protocol", text, "the SOC window must lie within 0-100 %")
    if min(values["charge_C"], values["discharge_C"]) <= 0:
        raise SpecError("protocol", text, "C-rates must be positive")
    return Protocol(
        values["charge_C"], values["discharge_C"], values["temperature_C"], dod, soc_mid, values.get("rest_h", 0.0)
    )


def profile(p: Protocol, cycles: int = 10, step_s: float = 60.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block of ``cycles`` back-to-back cycles: (time_s, soc, temperature_C); a storage test
    is one day at constant SOC, hourly."""
    if p.storage:
        t = np.arange(0.0, 86400.0 + 1.0, 3600.0)
        return t, np.full_like(t, p.soc_mid), np.full_like(t, p.temperature_C)
    lo, hi = p.soc_window
    t_chg, t_dis, rest = p.dod / p.charge_C * 3600.0, p.dod / p.discharge_C * 3600.0, p.rest_h * 3600.0
    period = t_chg + rest + t_dis + rest
    t = np.arange(0.0, cycles * period + step_s / 2, step_s)
    phase = np.mod(t, period)
    soc = np.where(
        phase < t_chg,
        lo + p.dod * phase / t_chg,
        np.where(
            phase < t_chg + rest,
            hi,
            np.where(phase < t_chg + rest + t_dis, hi - p.dod * (phase - t_chg - rest) / t_dis, lo),
        ),
    )
    return t, soc, np.full_like(t, p.temperature_C)
