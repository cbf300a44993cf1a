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
import math
from dataclasses import asdict, dataclass, replace

import numpy as np

from .. import cache
from ..errors import SpecError
from . import temperature
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
    cycle_scalars: np.ndarray | None = None,
    cycle_activation_J_per_mol: float = 0.0,
    activation_reference_degC: float = 25.0,
) -> np.ndarray:
    """Full cycles at the protocol's DOD until the relative capacity falls below ``eol`` (or,
    if given, the relative resistance reaches ``eol_resistance``, whichever comes first).
    ``cycle_scalars``: the cycle terms' own scalars (the calendar terms take ``scalars``);
    the activation energy and its reference: the cycle terms' temperature law
    (:mod:`cellwright.aging.temperature`)."""
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
        cycle_scalar=cycle_scalars,
        cycle_activation_J_per_mol=cycle_activation_J_per_mol,
        activation_reference_degC=activation_reference_degC,
    )
    return life.efc_to_eol(eol, eol_resistance) / proto.dod


_log = logging.getLogger(__name__)

#: The modules whose code decides an anchor: a change to any of them is a new cache key.
_ANCHOR_CODE = tuple(
    f"cellwright.aging.{m}" for m in ("anchor", "models", "protocol", "simulate", "states", "stressors", "temperature")
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
        max_years = _max_years(proto, rated_arr.max())
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
                lo[r], hi[r] = _bracket(rated, cycles[r], scalars[r])
        for r, rated in enumerate(rated_arr):
            k = (float(rated), text, eol, model)
            found[k] = _loglog_at(rated, cycles[r], scalars[r])
            cache.put("aging-anchor", _stored_inputs(*k), found[k])
    return [found[(float(rated), text, float(eol), model)] for rated, text, eol in ratings]


def _max_years(proto: Protocol, cycles: float) -> float:
    """Years an aging run needs: candidates that last beyond 3x the rating cannot bracket it."""
    days_per_cycle = (proto.dod / proto.charge_C + proto.dod / proto.discharge_C + 2 * proto.rest_h) / 24.0
    return min(80.0, 3.0 * cycles * days_per_cycle / 365.0)


def _bracket(target: float, cycles: np.ndarray, candidates: np.ndarray) -> tuple[float, float]:
    """The two candidates (ascending; cycles fall as they grow) whose cycles bracket ``target``."""
    i = int(np.searchsorted(-cycles, -target))
    return candidates[max(i - 1, 0)], candidates[min(i, candidates.size - 1)]


def _loglog_at(target: float, cycles: np.ndarray, candidates: np.ndarray) -> float:
    """The candidate that gives ``target`` cycles, interpolating log(candidate) on log(cycles)
    over the candidates whose runs reached the end of life."""
    ok = np.isfinite(cycles)
    order = np.argsort(np.log(cycles[ok]))
    return float(np.exp(np.interp(np.log(target), np.log(cycles[ok])[order], np.log(candidates[ok])[order])))


def fit_cycle_activation(
    scalar: float,
    rated_protocol: str,
    second_cycles: float,
    second_protocol: str,
    eol: float = 0.8,
    model: str = "nrel-lfp-250ah",
) -> float:
    """Activation energy (J/mol) of the cycle terms' temperature law about the rating's
    temperature (:mod:`cellwright.aging.temperature`) that makes the model, anchored with
    ``scalar`` on the rating under ``rated_protocol``, also meet ``second_cycles`` under
    ``second_protocol`` (a rating at another temperature). Under the second protocol's constant
    temperature the law is one factor on the cycle terms: candidate factors run as one batch
    per round (a coarse round over the activation range, then two inside the bracket); the
    answer is interpolated in log-log, as :func:`anchor_scalars` does. Errors name
    ``second_rated_cycles`` and ``second_rated_protocol``."""
    first, second = parse_protocol(rated_protocol), _second_protocol(second_protocol, rated_protocol)
    inputs = {
        "scalar": float(scalar),
        "rated_protocol": asdict(first),
        "second_rated_cycles": float(second_cycles),
        "second_rated_protocol": asdict(second),
        "eol": float(eol),
        "model": model,
        "code": cache.source_digest(*_ANCHOR_CODE),
    }
    stored = cache.finite_float(cache.get("aging-anchor", inputs))
    if stored is not None:
        return stored
    t_ref, t_2 = first.temperature_degC + 273.15, second.temperature_degC + 273.15
    bounds = sorted(temperature.factor_from_activation(ea, t_2, t_ref) for ea in temperature.ACTIVATION_RANGE_J_PER_MOL)
    lo, hi = bounds
    max_years = _max_years(second, second_cycles)
    # 16 coarse candidates: neighbours differ by about 2x in factor, under 3x in cycles, so the
    # candidate just below the rating in factor ends within max_years
    for count in (16, 6, 6):
        factors = np.geomspace(lo, hi, count)
        cycles = cycles_to_eol(
            second, eol, np.full(count, scalar), max_years=max_years, model=model, cycle_scalars=scalar * factors
        )
        cycles = np.where(np.isnan(cycles), np.inf, cycles)  # not reached within max_years
        ok = np.isfinite(cycles)
        if not ok.any() or not (cycles[ok].min() <= second_cycles <= cycles[ok].max()):
            ea = [temperature.activation_from_factor(f, t_2, t_ref) / 1e3 for f in (lo, hi)]
            raise SpecError(
                "second_rated_cycles",
                float(second_cycles),
                f"out of this model's reach at {second.temperature_degC:g} degC (cycle activation energies "
                f"{min(ea):.0f} to {max(ea):.0f} kJ/mol give {np.nanmin(cycles):.0f}-{np.nanmax(cycles):.0f} cycles)",
            )
        lo, hi = _bracket(second_cycles, cycles, factors)
    factor = _loglog_at(second_cycles, cycles, factors)
    found = temperature.activation_from_factor(factor, t_2, t_ref)
    cache.put("aging-anchor", inputs, found)
    return found


#: A second rating's temperature is at least this far from the first's (degC).
MIN_RATING_GAP_degC = temperature.MIN_TEMPERATURE_GAP_K


def _second_protocol(text: str, rated_protocol: str) -> Protocol:
    """The second rating's protocol, checked: a cycling test at least ``MIN_RATING_GAP_degC``
    from the first rating's temperature (errors name ``second_rated_protocol``)."""
    try:
        second = parse_protocol(text)
    except SpecError as exc:
        raise SpecError("second_rated_protocol", exc.value, exc.allowed) from None
    if second.storage:
        raise SpecError("second_rated_protocol", text, "a cycling protocol: a rating in cycles needs one")
    try:
        first = parse_protocol(rated_protocol)
    except SpecError as exc:
        raise SpecError("rated_protocol", exc.value, exc.allowed) from None
    if abs(second.temperature_degC - first.temperature_degC) < MIN_RATING_GAP_degC:
        raise SpecError(
            "second_rated_protocol",
            text,
            f"a temperature at least {MIN_RATING_GAP_degC:g} degC from the rating's "
            f"({first.temperature_degC:g} degC): the second rating fits how life changes with temperature",
        )
    return second


@dataclass(frozen=True)
class ChosenModel:
    """The aging model a cell runs with: its name, the degradation scalar and what anchored it,
    and the temperature law of its cycle terms (:mod:`cellwright.aging.temperature`: activation
    energy in J/mol about a reference in degC; 0 J/mol is the model's own law)."""

    model: str
    scalar: float
    rated_cycles: float | None
    rated_protocol: str | None
    rated_eol: float
    second_rated_cycles: float | None = None
    second_rated_protocol: str | None = None
    cycle_activation_J_per_mol: float = 0.0
    activation_reference_degC: float = 25.0

    @property
    def anchored_on(self) -> str | None:
        if self.scalar == 1.0:
            return None
        text = f"{self.rated_cycles:g} cycles, {self.rated_protocol}"
        if self.second_rated_cycles is not None:
            text += f"; {self.second_rated_cycles:g} cycles, {self.second_rated_protocol}"
        return text

    @property
    def life_options(self) -> dict:
        """The keyword arguments of :func:`~cellwright.aging.simulate.simulate_life` this model
        runs with besides its degradation scalar."""
        return {
            "model": self.model,
            "cycle_activation_J_per_mol": self.cycle_activation_J_per_mol,
            "activation_reference_degC": self.activation_reference_degC,
        }


def with_second_rating(chosen: ChosenModel) -> ChosenModel:
    """``chosen`` (anchored) with its cycle activation energy fitted to its second rating, if it
    has one (:func:`fit_cycle_activation`)."""
    if chosen.second_rated_cycles is None or chosen.second_rated_protocol is None or chosen.rated_protocol is None:
        return chosen
    ea = fit_cycle_activation(
        chosen.scalar,
        chosen.rated_protocol,
        chosen.second_rated_cycles,
        chosen.second_rated_protocol,
        chosen.rated_eol,
        chosen.model,
    )
    return replace(chosen, cycle_activation_J_per_mol=ea)


def choose_model(
    chemistry_name: str,
    model: str | None = None,
    rated_cycles: float | None = None,
    rated_protocol: str | None = None,
    rated_eol: float | None = None,
    anchor: bool = True,
    prefix: str = "aging.",
    second_rated_cycles: float | None = None,
    second_rated_protocol: str | None = None,
) -> ChosenModel:
    """The chemistry preset's aging model (or ``model``), anchored on the preset's datasheet
    rating (or ``rated_cycles`` under ``rated_protocol`` to ``rated_eol``).

    A second rating at another temperature (``second_rated_cycles`` under
    ``second_rated_protocol``, or the preset's when the first rating is the preset's too) fits
    the activation energy of the cycle terms so both ratings hold; without one, the cycle terms
    take the preset's ``cycle_activation_energy_J_per_mol`` when the model is the preset's (and
    their own law otherwise). The law's reference is the first rating's temperature (25 degC
    without a rating). Errors name the fields as ``prefix`` + name (``"--"`` gives
    command-line options)."""
    from ..presets import chemistry

    def field(name: str) -> str:
        return prefix + (name.replace("_", "-") if prefix == "--" else name)

    aging = chemistry(chemistry_name).get("aging", {})
    if model is not None and model not in MODELS:
        raise SpecError(field("model"), model, "allowed: " + ", ".join(MODELS))
    preset_model = getattr(aging.get("model"), "value", None)
    name = model or preset_model
    if name is None:
        raise SpecError(
            "chemistry", chemistry_name, "has no aging model yet; give a model, one of: " + ", ".join(MODELS)
        )
    preset_rating = rated_cycles is None and rated_protocol is None
    rated = rated_cycles if rated_cycles is not None else getattr(aging.get("rated_cycles"), "value", None)
    proto = rated_protocol or getattr(aging.get("rated_protocol"), "value", None)
    eol = rated_eol if rated_eol is not None else float(getattr(aging.get("rated_eol"), "value", 0.8))
    second, second_proto = second_rated_cycles, second_rated_protocol
    if second is None and second_proto is None and preset_rating:
        second = getattr(aging.get("second_rated_cycles"), "value", None)
        second_proto = getattr(aging.get("second_rated_protocol"), "value", None)
    activation = float(getattr(aging.get("cycle_activation_energy_J_per_mol"), "value", 0.0))
    chosen = ChosenModel(
        name,
        1.0,
        None if rated is None else float(rated),
        proto,
        eol,
        cycle_activation_J_per_mol=activation if name == preset_model else 0.0,
    )
    try:
        chosen = _checked_second_rating(chosen, second, second_proto)
        if anchor and rated is not None:
            if proto is None:
                raise SpecError("rated_protocol", None, "required with " + field("rated_cycles"))
            chosen = with_second_rating(replace(chosen, scalar=anchor_scalar(float(rated), proto, eol, name)))
    except SpecError as exc:
        raise SpecError(field(exc.field), exc.value, exc.allowed) from None
    return chosen


def _checked_second_rating(chosen: ChosenModel, cycles, protocol: str | None) -> ChosenModel:
    """``chosen`` with its second rating, checked (errors name the unprefixed fields), and the
    temperature law's reference at the first rating's temperature."""
    if chosen.rated_protocol is not None:
        try:
            reference = parse_protocol(chosen.rated_protocol).temperature_degC
        except SpecError:
            pass  # the rating's own check names the field as its caller spells it
        else:
            chosen = replace(chosen, activation_reference_degC=reference)
    if cycles is None and protocol is None:
        return chosen
    if protocol is None:
        raise SpecError("second_rated_protocol", None, "required with second_rated_cycles")
    if cycles is None:
        raise SpecError("second_rated_cycles", None, "required with second_rated_protocol")
    value = cycles
    try:
        cycles = float(cycles)
    except (TypeError, ValueError):
        cycles = float("nan")
    if not (math.isfinite(cycles) and 0.0 < cycles <= MAX_RATED_CYCLES):
        raise SpecError("second_rated_cycles", value, f"a number of cycles above 0 and at most {MAX_RATED_CYCLES:,.0f}")
    if chosen.rated_cycles is None or chosen.rated_protocol is None:
        raise SpecError("second_rated_cycles", cycles, "needs a first rating (rated_cycles under rated_protocol)")
    _second_protocol(protocol, chosen.rated_protocol)
    return replace(chosen, second_rated_cycles=cycles, second_rated_protocol=protocol)


#: Largest cycle rating accepted (as a project file's ``aging.rated_cycles``).
MAX_RATED_CYCLES = 100_000.0
