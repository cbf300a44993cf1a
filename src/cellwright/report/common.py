"""What every report shares: JSON-ready values, the files a command writes only when asked
(``--plot PATH``, ``--csv PATH``, ``--html PATH``), figures on Matplotlib's Agg canvas (no
pyplot state, no display), and the user's own text shown as written.
"""

from __future__ import annotations

import contextvars
import csv
import datetime
import io
import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError

#: File types a figure can be written as (Matplotlib's writers for these suffixes).
PLOT_SUFFIXES = (".png", ".pdf", ".svg")
CSV_SUFFIXES = (".csv",)
HTML_SUFFIXES = (".html", ".htm")


def plain(value: Any) -> Any:
    """``value`` in JSON's types: NumPy scalars and arrays become numbers and lists, paths and
    dates strings (ISO 8601), and a float that is not finite (NaN, infinity) becomes None (JSON
    has no such numbers)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray | np.generic):
        return plain(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def to_json(out: Mapping[str, Any]) -> str:
    """One JSON object, indented; non-finite numbers are null at any depth (never NaN)."""
    return json.dumps(plain(dict(out)), indent=2, allow_nan=False)


def number(value: float | None, fmt: str, missing: str = "n/a") -> str:
    """``value`` formatted, or ``missing`` when it is None or not a finite number."""
    return fmt.format(value) if value is not None and math.isfinite(value) else missing


def explain(out: dict, key: str, reason: str) -> None:
    """Beside a value that is not a finite number (null in JSON), ``<key>_reason`` says why."""
    value = out[key]
    if not all(v is not None and math.isfinite(v) for v in (value if isinstance(value, list) else [value])):
        out[f"{key}_reason"] = reason


def text(value: Any) -> Any:
    """A user's string (a name from a spec, project or bids file) for a rich table or title:
    shown as written, never read as markup or emoji codes."""
    from rich.text import Text

    return Text(str(value))


def output_target(option: str, path: Path | None, suffixes: tuple[str, ...]) -> Path | None:
    """An output path (``--plot``, ``--csv``, ``--html``), checked before any work: a file (not a
    directory) with one of ``suffixes``, in a folder that exists and can be written to."""
    if path is None:
        return None
    path = Path(path)
    if path.is_dir():
        raise SpecError(option, str(path), "a file to write, not a directory")
    if path.suffix.lower() not in suffixes:
        raise SpecError(option, str(path), "a file name ending in " + ", ".join(suffixes))
    folder = path.parent
    if not folder.is_dir():
        raise SpecError(option, str(path), f"a file in a folder that exists ({str(folder)!r} does not)")
    if not os.access(folder, os.W_OK):
        raise SpecError(option, str(path), f"a file in a folder that can be written to ({str(folder)!r} cannot)")
    return path


def figure(width: float = 7.0, height: float = 4.5, ncols: int = 1, nrows: int = 1) -> tuple[Any, Any]:
    """A new figure on the Agg canvas and its axes (one, or an array for several)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


def figure_grid(width: float, height: float, mosaic: Any, height_ratios: list[float]) -> tuple[Any, dict]:
    """A new figure on the Agg canvas with named axes laid out as ``mosaic`` (Matplotlib's
    ``subplot_mosaic``), rows in ``height_ratios``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplot_mosaic(mosaic, height_ratios=height_ratios)


def save_figure(fig: Any, path: Path) -> Path:
    """Write ``fig`` to ``path`` in the format its suffix names."""
    path = Path(path)
    fig.savefig(path, dpi=120, format=path.suffix.lower().lstrip("."))
    return path


#: How SVG figures carry their text: ``"path"`` (drawn as outlines: the same in any browser, with
#: no fonts; for report files) or ``"none"`` (text elements in the browser's fonts: several times
#: faster to write; the web app's pages).
SVG_TEXT: contextvars.ContextVar[str] = contextvars.ContextVar("svg_text", default="path")


def figure_svg(fig: Any) -> str:
    """``fig`` as an SVG element, its text as :data:`SVG_TEXT` says (by default drawn as paths:
    it shows the same in any browser, with no fonts or network)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": SVG_TEXT.get(), "svg.hashsalt": "cellwright"}):
        fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    return svg[svg.find("<svg") :]


def csv_text(rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows (dicts with the same keys) as CSV text with a header; missing numbers are empty."""
    rows = list(rows)
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in plain(dict(row)).items()})
    return buf.getvalue()


def write_text(path: Path, content: str) -> Path:
    """Write ``content`` to ``path`` whole: to a temporary file beside it, then renamed, so a
    failure leaves no half-written file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def source_keys(obj: Any) -> set[str]:
    """Every citation key under a ``source`` key at any depth of ``obj`` (a data table as read
    from TOML); ``a;b`` holds two keys. Our own assumptions (``cellwright-assumption``) count."""
    keys: set[str] = set()
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if k in ("source", "phase_down_source") and isinstance(v, str):
                keys.update(s.strip() for s in v.split(";") if s.strip())
            else:
                keys |= source_keys(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            keys |= source_keys(v)
    return keys
