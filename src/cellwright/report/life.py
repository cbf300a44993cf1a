"""Cycle and calendar life as a result (``cellwright life``): cycles or years to end of life
under a test protocol or a duty profile, the capacity (and resistance) curve with the protocol
named, and the band of the degradation scalar at ±2σ."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError
from .common import explain, figure, number

#: Longest span ``life --profile`` simulates, years.
MAX_YEARS = 100.0
#: Span ``life --protocol`` runs a test for before it calls the end of life not reached, years.
LIFE_HORIZON_YEARS = 80.0
#: Points kept of the capacity curve in a result.
CURVE_POINTS = 200


def check_life_options(protocol, profile_csv, years: float, eol: float, eol_resistance: float | None) -> None:
    """The options of a life run, checked before any work."""
    if (protocol is None) == (profile_csv is None):
        raise SpecError("--protocol/--profile", None, "give exactly one of them")
    if not (math.isfinite(eol) and 0.3 <= eol < 1.0):
        raise SpecError("--eol", eol, "a relative capacity from 0.3 to below 1")
    if profile_csv is not None and not (math.isfinite(years) and 0.0 < years <= MAX_YEARS):
        raise SpecError("--years", years, f"a number of years above 0 and at most {MAX_YEARS:g}")
    if eol_resistance is not None and not (math.isfinite(eol_resistance) and 1.0 < eol_resistance <= 10.0):
        raise SpecError("--eol-resistance", eol_resistance, "a relative resistance within (1, 10], e.g. 2 for doubled")


def _curve(x: np.ndarray, soh: np.ndarray, resistance: np.ndarray, step: int) -> dict[str, list]:
    """Columns (K, N) thinned along K: one list per cell of the band."""
    keep = np.unique(np.r_[np.arange(0, x.shape[0], step), x.shape[0] - 1])
    return {
        "x": [[round(float(v), 5) for v in x[keep, j]] for j in range(x.shape[1])],
        "relative_capacity": [[round(float(v), 5) for v in soh[keep, j]] for j in range(soh.shape[1])],
        "relative_resistance": [[round(float(v), 5) for v in resistance[keep, j]] for j in range(resistance.shape[1])],
    }


def life_result(
    spec: Path | str | dict,
    protocol: str | None = None,
    profile_csv: Path | None = None,
    *,
    years: float = 20.0,
    eol: float = 0.8,
    eol_resistance: float | None = None,
    rated_cycles: float | None = None,
    rated_protocol: str | None = None,
    second_rated_cycles: float | None = None,
    second_rated_protocol: str | None = None,
    anchor: bool = True,
    model_name: str | None = None,
    band: bool = False,
) -> dict[str, Any]:
    """``cellwright life --json``'s object. Under a test ``protocol``: cycles, equivalent full
    cycles and years to end of life (a storage test: years, or "> N years" when not reached in
    :data:`LIFE_HORIZON_YEARS`). Under a duty ``profile_csv`` repeated for ``years``: relative
    capacity and years to end of life. The model is the chemistry's, anchored on its datasheet
    rating (or ``rated_cycles`` under ``rated_protocol``); a second rating at another
    temperature sets the activation energy of the cycle fade. ``lines`` are the result in words;
    ``curve`` holds the capacity and resistance curve (one list per cell of the ±2σ band)."""
    from ..aging.anchor import choose_model
    from ..aging.fit import band_scalars
    from ..aging.io import read_profile
    from ..aging.models import MODELS, STEPS
    from ..aging.protocol import parse_protocol, profile
    from ..aging.simulate import simulate_life
    from ..cell import Cell

    check_life_options(protocol, profile_csv, years, eol, eol_resistance)
    # the duty is checked before the model is anchored (seconds on a first run)
    proto = parse_protocol(protocol) if protocol is not None else None
    duty = read_profile(profile_csv) if profile_csv is not None else None
    cell = Cell.from_spec(spec)
    chosen = choose_model(
        cell.spec.chemistry,
        model_name,
        rated_cycles,
        rated_protocol,
        anchor=anchor,
        prefix="--",
        second_rated_cycles=second_rated_cycles,
        second_rated_protocol=second_rated_protocol,
    )
    model, scalar = chosen.model, chosen.scalar
    if eol_resistance is not None and not STEPS[model].grows_resistance:
        grows = [m for m, s in STEPS.items() if s.grows_resistance]
        raise SpecError(
            "--eol-resistance",
            eol_resistance,
            f"model {model} has no resistance growth; models with it: " + ", ".join(grows),
        )
    eol_label = f"{eol:.0%}" + (f" or resistance x{eol_resistance:g}" if eol_resistance is not None else "")
    scalars, c = (band_scalars(scalar), 1) if band else (np.array([scalar]), 0)
    out: dict[str, Any] = {
        "name": cell.spec.name,
        "model": model,
        "model_source": MODELS[model].source,
        "eol": eol,
        "eol_resistance": eol_resistance,
        "degradation_scalar": scalar,
        "cycle_activation_energy_J_per_mol": chosen.cycle_activation_J_per_mol,
        "activation_reference_degC": chosen.activation_reference_degC,
        "activation_from": "second rating" if chosen.second_rated_cycles is not None else "chemistry",
        "anchored_on": chosen.anchored_on,
    }
    if proto is not None:
        t, soc, temp = profile(proto)
        stop_r = None if eol_resistance is None else eol_resistance + 0.005
        result = simulate_life(
            t,
            soc,
            temp,
            LIFE_HORIZON_YEARS,
            n_cells=scalars.size,
            degradation_scalar=scalars,
            stop_below=eol - 0.005,
            stop_resistance_above=stop_r,
            **chosen.life_options,
        )
        efc_all = result.efc_to_eol(eol, eol_resistance)
        cycles = np.full_like(efc_all, np.nan) if proto.storage else efc_all / proto.dod
        efc = float(efc_all[c])
        out = {
            **out,
            "protocol": protocol,
            "cycles_to_eol": float(cycles[c]),
            "efc_to_eol": efc,
            "years_to_eol": float(result.years_to_eol(eol, eol_resistance)[c]),
        }
        not_reached = f"end of life not reached in {LIFE_HORIZON_YEARS:g} years"
        no_cycles = "a storage test has no cycles"
        explain(out, "cycles_to_eol", no_cycles if proto.storage else not_reached)
        explain(out, "efc_to_eol", no_cycles if proto.storage else not_reached)
        explain(out, "years_to_eol", not_reached)
        if proto.storage:
            beyond = f"> {LIFE_HORIZON_YEARS:g} (not reached in the years simulated)"
            lines = [f"years to {eol_label} in storage: " + number(out["years_to_eol"], "{:.1f}", beyond)]
        elif math.isfinite(out["cycles_to_eol"]):
            lines = [
                f"cycles to {eol_label}: {out['cycles_to_eol']:,.0f} ({efc:,.0f} EFC, {out['years_to_eol']:.1f} years)"
            ]
        else:
            lines = [f"cycles to {eol_label}: not reached in {LIFE_HORIZON_YEARS:g} years"]
        if band:
            if proto.storage:
                yrs = result.years_to_eol(eol, eol_resistance)
                out["years_to_eol_band"] = [float(yrs[2]), float(yrs[0])]
                explain(out, "years_to_eol_band", not_reached)
                lines.append(
                    "band (scalar ±2σ): "
                    + "-".join(number(y, "{:.1f}", "not reached") for y in (yrs[2], yrs[0]))
                    + " years"
                )
            else:
                out["cycles_to_eol_band"] = [float(cycles[2]), float(cycles[0])]
                explain(out, "cycles_to_eol_band", not_reached)
                lines.append(
                    "band (scalar ±2σ): "
                    + "-".join(number(n, "{:,.0f}", "not reached") for n in (cycles[2], cycles[0]))
                    + " cycles"
                )
        if proto.storage:
            x, xlabel = np.repeat(result.time_days[:, None] / 365.0, scalars.size, axis=1), "Years in storage"
        else:
            x, xlabel = result.efc / proto.dod, f"Cycles at {proto.dod:.0%} DOD"
        duty_label = f"protocol {protocol}"
    else:
        assert duty is not None  # exactly one of protocol and profile
        t, soc, temp = duty
        result = simulate_life(
            t, soc, temp, years, n_cells=scalars.size, degradation_scalar=scalars, **chosen.life_options
        )
        step = max(1, len(result.time_days) // 200)
        to_eol = result.years_to_eol(eol, eol_resistance)
        out = {
            **out,
            "profile": str(profile_csv),
            "years_to_eol": float(to_eol[c]),
            "soh": {
                "time_years": [round(x / 365.0, 4) for x in result.time_days[::step]],
                "relative_capacity": [round(float(x), 5) for x in result.soh[::step, c]],
                "relative_resistance": [round(float(x), 5) for x in result.resistance[::step, c]],
            },
        }
        y = out["years_to_eol"]
        explain(out, "years_to_eol", f"end of life not reached in the {years:g} years simulated")
        lines = [
            f"relative capacity after {years:g} years: {float(result.soh[-1, c]):.3f}",
            f"years to {eol_label}: " + ("not reached" if np.isnan(y) else f"{y:.1f}"),
        ]
        if band:
            out["relative_capacity_end_band"] = [float(result.soh[-1, 2]), float(result.soh[-1, 0])]
            lines.append(f"band (scalar ±2σ) after {years:g} years: {result.soh[-1, 2]:.3f}-{result.soh[-1, 0]:.3f}")
        x, xlabel = np.repeat(result.time_days[:, None] / 365.0, scalars.size, axis=1), "Years"
        duty_label = f"profile {Path(str(profile_csv)).name}, {years:g} years"
    out["warnings"] = result.warnings
    out["lines"] = lines
    out["curve"] = {
        "x_label": xlabel,
        "duty": duty_label,
        "central": c,
        **_curve(x, result.soh, result.resistance, max(1, x.shape[0] // CURVE_POINTS)),
    }
    out["sources"] = sorted({*cell.summary()["sources"]})
    return out


def heading(d: dict) -> list[str]:
    """The model, its source and what it was anchored on, as printed above the result."""
    scalar = d["degradation_scalar"]
    on = (d["anchored_on"] or "").replace(" cycles, ", " cycles at ")
    anchored = f", anchored on {on} (scalar {scalar:.3f})" if scalar != 1.0 else ""
    out = [f"{d['name']} — aging model {d['model']} ({d['model_source']}){anchored}"]
    if d["cycle_activation_energy_J_per_mol"] != 0.0:
        how = "fitted to the second rating" if d["activation_from"] == "second rating" else "the chemistry's"
        out.append(
            f"  cycle fade x exp(-Ea/R (1/T - 1/T_ref)): Ea {d['cycle_activation_energy_J_per_mol'] / 1e3:.1f} kJ/mol "
            f"({how}), T_ref {d['activation_reference_degC']:g} degC"
        )
    return out


def print_life(d: dict) -> None:
    """The heading and the result's lines, as ``cellwright life`` prints them."""
    for line in heading(d):
        print(line)
    for line in d["lines"]:
        print("  " + line)


def csv_rows(d: dict) -> list[dict[str, Any]]:
    """``--csv``: the curve of the central cell (x as the figure's axis names it)."""
    cv, c = d["curve"], d["curve"]["central"]
    return [
        {
            "x": x,
            "x_is": cv["x_label"],
            "relative_capacity": q,
            "relative_resistance": r,
        }
        for x, q, r in zip(cv["x"][c], cv["relative_capacity"][c], cv["relative_resistance"][c])
    ]


def life_figure(d: dict) -> Any:
    """Relative capacity (and relative resistance on a right axis, for models that grow it)
    against cycles or years, the protocol or profile named; the band's edges dashed."""
    fig, ax = figure(7.5, 4.6)
    cv, c = d["curve"], d["curve"]["central"]
    edges = [j for j in range(len(cv["x"])) if j != c]
    for k, j in enumerate(edges):
        ax.plot(
            cv["x"][j],
            cv["relative_capacity"][j],
            color="C0",
            ls="--",
            lw=0.8,
            label="band (scalar ±2σ)" if k == 0 else None,
        )
    ax.plot(cv["x"][c], cv["relative_capacity"][c], color="C0", label="relative capacity")
    ax.axhline(d["eol"], color="C0", ls=":", lw=1, label=f"end of life, {d['eol']:.0%}")
    ax.set_xlabel(cv["x_label"])
    ax.set_ylabel("Relative capacity")
    ax.set_title(f"{d['name']}: {d['model']}\n{cv['duty']}", fontsize=10)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if any(v != 1.0 for v in cv["relative_resistance"][c]):
        right = ax.twinx()
        right.plot(cv["x"][c], cv["relative_resistance"][c], color="C3", label="relative resistance")
        right.set_ylabel("Relative resistance")
        more = right.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    ax.legend(handles, labels, loc="lower left", fontsize=8)
    return fig
