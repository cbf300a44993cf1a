"""Anchor an aging model on a datasheet claim, and say when a duty leaves its fitted range.

A datasheet's "6,000 cycles to 80 % at 0.5P/0.5P, 25 degC, 100 % DOD" fixes the model's
degradation scalar (BLAST-Lite's ``degradation_scalar``, multiplying every loss rate): the
scalar whose cycles to end of life under the rated protocol equal the rating. Many candidate
scalars run as one batch; the answer is interpolated in log-log between them.

Anchoring is the slow part of a project or tender run (tens of aging runs of many years), and
its answer depends only on the rating and the code, so it is kept across runs in the on-disk
store of :mod:`cellwright.cache` (namespace ``aging-anchor``, keyed by the rating, the parsed
protocol and a digest of the aging code). There is no in-process cache: a caller that needs an
anchor twice passes the first answer on (see :func:`cellwright.storage.project.prepare_many`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import numpy as np

from .. import cache
from ..errors import SpecError
from .models import MODELS
from .protocol import Protocol, parse_protocol, profile
from .ranges import profile_ranges, protocol_ranges, range_warnings  # noqa: F401  (callers import them from here)
from .simulate import simulate_life


def cycles_to_eol(
    proto: Protocol,
    eol: float,
    scalars: np.ndarray,
    max_years: float = 80.0,
    model: str = "nrel-lfp-250ah",
    eol_resistance: float | None = None,
) -> np.ndarray:
    """Full cycles at the protocol's DOD until the relative capacity falls below ``eol`` (or,
    if given, the relative resistance reaches ``eol_resistance``, whichever comes first)."""
    t, soc, temp = profile(proto)
    life = simulate_life(
        t,
        soc,
        temp,
        max_years,
        n_cells=len(scalars),
        degradation_scalar=scalars,
        stop_below=eol - 0.005,
        model=model,
        stop_resistance_above=None if eol_resistance is None else eol_resistance + 0.005,
    )
    return life.efc_to_eol(eol, eol_resistance) / proto.dod


_log = logging.getLogger(__name__)

#: The modules whose code decides an anchor: a change to any of them is a new cache key.
_ANCHOR_CODE = tuple(
    f"cellwright.aging.{m}" for m in ("anchor", "models", "protocol", "simulate", "states", "stressors")
)


def _stored_inputs(rated: float, text: str, eol: float, model: str) -> dict:
    """What an anchor depends on, as the on-disk store's key: the rating, the protocol as parsed
    (two spellings of one protocol share an entry), the model and the aging code."""
    return {
        "rated_cycles": rated,
        "protocol": asdict(parse_protocol(text)),
        "eol": eol,
        "model": model,
        "code": cache.source_digest(*_ANCHOR_CODE),
    }


def anchor_scalar(rated_cycles: float, rated_protocol: str, eol: float = 0.8, model: str = "nrel-lfp-250ah") -> float:
    """Degradation scalar that makes the model meet ``rated_cycles`` under ``rated_protocol``
    (a coarse then a fine batch of candidates, each run as one batch)."""
    return anchor_scalars([(rated_cycles, rated_protocol, eol)], model)[0]


def anchor_scalars(ratings: list[tuple[float, str, float]], model: str = "nrel-lfp-250ah") -> list[float]:
    """:func:`anchor_scalar` for many ratings ``(cycles, protocol, eol)`` at once: ratings under
    the same protocol and end of life share one aging run per round (six candidate scalars each,
    a coarse round over 0.25-2.5 then a fine one inside the bracket; log-log interpolation)."""
    found: dict[tuple, float] = {}  # (rated cycles, protocol text, end of life, model) -> scalar
    todo: dict[tuple, list[float]] = {}
    for rated, text, eol in ratings:
        k = (float(rated), text, float(eol), model)
        if k in found:
            continue
        stored = cache.finite_float(cache.get("aging-anchor", _stored_inputs(*k)))
        if stored is not None and stored > 0:
            found[k] = stored
        else:
            found[k] = np.nan  # computed below
            todo.setdefault((text, float(eol)), []).append(float(rated))
    if todo:
        where = cache.cache_dir()
        _log.info(
            "anchoring %s on %d rating(s): an aging run of a few seconds each, done once%s",
            model,
            sum(len(v) for v in todo.values()),
            f" (kept in {where})" if where is not None else "",
        )
    for (text, eol), rated_list in todo.items():
        proto = parse_protocol(text)
        if proto.storage:
            raise SpecError("rated_protocol", text, "a cycling protocol: a rating in cycles needs one")
        rated_arr = np.array(sorted(set(rated_list)))
        lo, hi = np.full(rated_arr.size, 0.25), np.full(rated_arr.size, 2.5)
        # candidates that last beyond 3x the largest rating cannot bracket it: stop there
        days_per_cycle = (proto.dod / proto.charge_C + proto.dod / proto.discharge_C + 2 * proto.rest_h) / 24.0
        max_years = min(80.0, 3.0 * rated_arr.max() * days_per_cycle / 365.0)
        for _ in range(2):
            scalars = np.geomspace(lo, hi, 6, axis=1)  # (R, 6)
            cycles = cycles_to_eol(proto, eol, scalars.ravel(), max_years=max_years, model=model).reshape(scalars.shape)
            cycles = np.where(np.isnan(cycles), np.inf, cycles)  # not reached within max_years
            for r, rated in enumerate(rated_arr):
                c, ok = cycles[r], np.isfinite(cycles[r])
                if not ok.any() or not (c[ok].min() <= rated <= c[ok].max()):
                    raise SpecError(
                        "rated_cycles",
                        float(rated),
                        f"out of this model's reach (scalars {lo[r]:g}-{hi[r]:g} give "
                        f"{np.nanmin(c):.0f}-{np.nanmax(c):.0f} cycles)",
                    )
                # cycles fall as the scalar grows: bracket, then interpolate log(scalar) on log(cycles)
                i = int(np.searchsorted(-c, -rated))
                lo[r], hi[r] = scalars[r, max(i - 1, 0)], scalars[r, min(i, scalars.shape[1] - 1)]
        for r, rated in enumerate(rated_arr):
            ok = np.isfinite(cycles[r])
            order = np.argsort(np.log(cycles[r][ok]))
            k = (float(rated), text, eol, model)
            found[k] = float(
                np.exp(np.interp(np.log(rated), np.log(cycles[r][ok])[order], np.log(scalars[r][ok])[order]))
            )
            cache.put("aging-anchor", _stored_inputs(*k), found[k])
    return [found[(float(rated), text, float(eol), model)] for rated, text, eol in ratings]


@dataclass(frozen=True)
class ChosenModel:
    """The aging model a cell runs with: its name, the degradation scalar and what anchored it."""

    model: str
    scalar: float
    rated_cycles: float | None
    rated_protocol: str | None
    rated_eol: float

    @property
    def anchored_on(self) -> str | None:
        return f"{self.rated_cycles:g} cycles, {self.rated_protocol}" if self.scalar != 1.0 else None


def choose_model(
    chemistry_name: str,
    model: str | None = None,
    rated_cycles: float | None = None,
    rated_protocol: str | None = None,
    rated_eol: float | None = None,
    anchor: bool = True,
    prefix: str = "aging.",
) -> ChosenModel:
    """The chemistry preset's aging model (or ``model``), anchored on the preset's datasheet
    rating (or ``rated_cycles`` under ``rated_protocol`` to ``rated_eol``). Errors name the
    fields as ``prefix`` + name (``"--"`` gives command-line options)."""
    from ..presets import chemistry

    def field(name: str) -> str:
        return prefix + (name.replace("_", "-") if prefix == "--" else name)

    aging = chemistry(chemistry_name).get("aging", {})
    if model is not None and model not in MODELS:
        raise SpecError(field("model"), model, "allowed: " + ", ".join(MODELS))
    name = model or getattr(aging.get("model"), "value", None)
    if name is None:
        raise SpecError(
            "chemistry", chemistry_name, "has no aging model yet; give a model, one of: " + ", ".join(MODELS)
        )
    rated = rated_cycles if rated_cycles is not None else getattr(aging.get("rated_cycles"), "value", None)
    proto = rated_protocol or getattr(aging.get("rated_protocol"), "value", None)
    eol = rated_eol if rated_eol is not None else float(getattr(aging.get("rated_eol"), "value", 0.8))
    scalar = 1.0
    if anchor and rated is not None:
        if proto is None:
            raise SpecError(field("rated_protocol"), None, "required with " + field("rated_cycles"))
        try:
            scalar = anchor_scalar(float(rated), proto, eol, name)
        except SpecError as exc:
            raise SpecError(field(exc.field), exc.value, exc.allowed) from None
    return ChosenModel(name, scalar, None if rated is None else float(rated), proto, eol)
