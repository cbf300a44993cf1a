"""Constant-current discharges as a result (``cellwright simulate``): rate capability, the
discharge curves and, with the thermal model, the cell's temperature."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError
from .common import figure, number, text

#: C-rates ``simulate`` runs: above 0 and at most this.
MAX_C_RATE = 50.0
#: Points kept of each discharge curve in a result (every k-th recorded point, the last kept).
CURVE_POINTS = 100


def parse_c_rates(value: str | list[float], field: str = "--c-rates") -> list[float]:
    """C-rates as comma-separated text or a list: finite numbers within (0, :data:`MAX_C_RATE`]."""
    if isinstance(value, str):
        try:
            rates = [float(x) for x in value.split(",") if x.strip()]
        except ValueError:
            raise SpecError(field, value, "comma-separated numbers, e.g. 0.5,1,2") from None
    else:
        rates = [float(x) for x in value]
    if not rates or not all(math.isfinite(r) and 0.0 < r <= MAX_C_RATE for r in rates):
        raise SpecError(field, value, f"each C-rate a finite number > 0 and <= {MAX_C_RATE:g}")
    return rates


def _thin(values: np.ndarray) -> list[float]:
    keep = np.unique(np.r_[np.arange(0, len(values), max(1, len(values) // CURVE_POINTS)), len(values) - 1])
    return [round(float(x), 6) for x in values[keep]] if len(values) else []


def rate_result(
    spec: Path | str | dict, c_rates: str | list[float] = "0.5,1,2", thermal: bool = False, model: str = "spme"
) -> dict[str, Any]:
    """``cellwright simulate --json``'s object: one constant-current discharge from full charge
    per C-rate with the SPMe or the DFN, isothermal at 25 degC or with the lumped thermal model.
    Each rate's ``curve`` holds about :data:`CURVE_POINTS` points of time, voltage, current,
    state of charge, temperature and the capacity discharged so far. A run whose capacity,
    energy, voltage or temperature is not a finite number, or which delivers no capacity, is not
    valid, with its reason."""
    from ..cell import Cell
    from ..electrochem.from_design import from_cell
    from ..electrochem.rate import rate_capability
    from ..electrochem.solve import MODELS

    rates = parse_c_rates(c_rates)
    if model not in MODELS:
        raise SpecError("--model", model, " or ".join(MODELS))
    if model == "dfn" and thermal:
        raise SpecError("--thermal", "with --model dfn", "the DFN is isothermal; use --model spme for a thermal run")
    cell = Cell.from_spec(spec)
    params = from_cell(cell)
    with np.errstate(all="ignore"):  # a run that is not finite is flagged invalid, with its reason
        rc = rate_capability(params, rates, thermal=thermal, model=model)
    rows: list[dict[str, Any]] = []
    for j, rate in enumerate(rates):
        curve = rc.solution.curve(j)
        discharged = np.cumsum(np.r_[0.0, np.diff(curve["time_s"]) * curve["current_A"][1:] / 3600.0])
        thin = {k: _thin(v) for k, v in curve.items()}
        thin["discharged_Ah"] = _thin(discharged)
        rows.append(
            {
                "c_rate": rate,
                "capacity_Ah": float(rc.capacity_Ah[0, j]),
                "energy_Wh": float(rc.energy_Wh[0, j]),
                "mean_power_W": float(rc.mean_power_W[0, j]),
                "max_temperature_degC": float(rc.max_temperature_K[0, j] - 273.15),
                "valid": bool(rc.valid[0, j]),
                "reason": rc.reason[0, j] or None,
                "curve": thin,
            }
        )
    return {
        "name": cell.spec.name,
        "model": model,
        "thermal": thermal,
        "cutoff_V": float(params.V_min[0]),
        "nominal_capacity_Ah": float(params.capacity[0] / 3600.0),
        "rates": rows,
        "sources": cell.summary()["sources"],
    }


def label(d: dict) -> str:
    return "DFN" if d["model"] == "dfn" else "SPMe"


def mode(d: dict) -> str:
    return "lumped thermal, still air" if d["thermal"] else "isothermal 25 degC"


def csv_rows(d: dict) -> list[dict[str, Any]]:
    """``--csv``: every kept point of every discharge, one row each, with its C-rate."""
    out = []
    for r in d["rates"]:
        c = r["curve"]
        for i in range(len(c["time_s"])):
            out.append({"c_rate": r["c_rate"], **{k: v[i] for k, v in c.items()}})
    return out


def print_rates(d: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    nominal = d["nominal_capacity_Ah"]
    table = Table(title=text(f"{d['name']}: rate capability ({label(d)}, {mode(d)}, to {d['cutoff_V']:g} V)"))
    for col in ("C-rate", "Capacity, Ah", "of nominal", "Energy, Wh", "Mean power, W", "Max temp, degC", "Valid"):
        table.add_column(col, justify="right")
    for r in d["rates"]:
        table.add_row(
            f"{r['c_rate']:g}C",
            number(r["capacity_Ah"], "{:.3f}"),
            number(100 * r["capacity_Ah"] / nominal, "{:.1f} %"),
            number(r["energy_Wh"], "{:.2f}"),
            number(r["mean_power_W"], "{:.1f}"),
            number(r["max_temperature_degC"], "{:.1f}"),
            "yes" if r["valid"] else "no",
        )
    console = Console()
    console.print(table)
    for r in d["rates"]:  # below the table, where a long reason is not wrapped into a narrow column
        if not r["valid"]:
            console.print(text(f"  {r['c_rate']:g}C not valid: {r['reason']}"))


def discharge_figure(d: dict) -> Any:
    """Left: terminal voltage against discharged capacity, one curve per C-rate (an invalid
    run's label gives its reason), with the cell's temperature on a right axis in a thermal run.
    Right: rate capability, delivered capacity as a share of nominal against C-rate."""
    fig, (ax, rate_ax) = figure(12, 4.6, ncols=2)
    temp_ax = ax.twinx() if d["thermal"] else None
    for k, r in enumerate(d["rates"]):
        c = r["curve"]
        name = f"{r['c_rate']:g}C" + ("" if r["valid"] else f" (invalid: {r['reason'][:60]})")
        ax.plot(c["discharged_Ah"], c["voltage_V"], color=f"C{k}", label=name)
        if temp_ax is not None:
            temp_ax.plot(c["discharged_Ah"], np.asarray(c["temperature_K"]) - 273.15, color=f"C{k}", ls=":", lw=1)
    ax.set_xlabel("Discharged capacity, Ah")
    ax.set_ylabel("Terminal voltage, V")
    ax.set_title(f"{d['name']}: {label(d)} discharges, {mode(d)}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if temp_ax is not None:
        temp_ax.set_ylabel("Temperature, degC (dotted)")
    ok = [r for r in d["rates"] if r["valid"]]
    nominal = d["nominal_capacity_Ah"]
    rate_ax.plot([r["c_rate"] for r in ok], [100 * r["capacity_Ah"] / nominal for r in ok], "o-")
    bad = [r for r in d["rates"] if not r["valid"]]
    if bad:
        rate_ax.plot([r["c_rate"] for r in bad], [0.0] * len(bad), "x", color="tab:red", label="not valid")
        rate_ax.legend(fontsize=8)
    rate_ax.set_xscale("log")
    rate_ax.set_xlabel("C-rate")
    rate_ax.set_ylabel("Delivered capacity, % of nominal")
    rate_ax.set_title(f"Rate capability (nominal {nominal:.3g} Ah, to {d['cutoff_V']:g} V)", fontsize=10)
    rate_ax.grid(alpha=0.3, which="both")
    return fig
