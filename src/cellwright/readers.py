"""Reading a user's files: TOML specs and numeric CSV tables.

Every reader checks the file before any work starts and turns whatever is wrong with it into a
one-line :class:`~cellwright.errors.SpecError` naming the file (and the line and column): a
missing file, a directory, a device or pipe, a file too large, text that is not UTF-8, TOML
that does not parse or nests too deeply, a CSV with missing columns, no rows, a value that is
not a finite number. A UTF-8 byte-order mark is accepted; CRLF and CR line ends work.
"""

from __future__ import annotations

import csv
import io
import stat
import tomllib
from pathlib import Path

import numpy as np

from .errors import SpecError

#: Largest TOML file read (a spec, plant, project, bids or study file is a few kB).
MAX_TOML_BYTES = 4 * 1024**2
#: Largest CSV read (a 10-million-row duty profile is about 200 MB).
MAX_CSV_BYTES = 512 * 1024**2


def read_text(path: str | Path, field: str, max_bytes: int = MAX_TOML_BYTES) -> str:
    """The text of a user's file, decoded as UTF-8 (a byte-order mark is dropped).

    Only regular files are read, and only up to ``max_bytes``: a directory, a pipe or a device
    (``/dev/zero``) is refused before it is opened for reading, so nothing blocks or grows.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SpecError(field, str(path), "file not found") from None
    except OSError as exc:
        raise SpecError(field, str(path), f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise SpecError(field, str(path), "is a directory; give a file")
    if not stat.S_ISREG(info.st_mode):
        raise SpecError(field, str(path), "not a regular file (a pipe or a device); give a file")
    if info.st_size > max_bytes:
        raise SpecError(field, str(path), f"{info.st_size:,} bytes; at most {max_bytes:,} are read")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(field, str(path), f"cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            field, str(path), f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); save it as UTF-8"
        ) from None


def read_toml(path: str | Path, field: str) -> dict:
    """A user's TOML file as a dict; anything wrong with it is a SpecError naming ``field``."""
    text = read_text(path, field, MAX_TOML_BYTES)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(field, str(path), f"not valid TOML ({exc})") from None
    except RecursionError:
        raise SpecError(field, str(path), "arrays or tables nested too deeply to read") from None


class Columns(dict):
    """A CSV's columns by name (float arrays), and ``lines``: the file's line number of each row,
    so that checks made after reading can still name the line."""

    lines: np.ndarray

    def line(self, row: int) -> int:
        """The file's line number of data row ``row`` (0 = the first row after the header)."""
        return int(self.lines[row])


def read_csv(
    path: str | Path,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    field: str = "data",
    min_rows: int = 1,
) -> Columns:
    """Numeric columns of a comma-separated file with a header row.

    Returns the ``required`` columns and those of ``optional`` the file has, as float arrays
    (a :class:`Columns`, which also knows each row's line). Blank lines are skipped; errors
    give the file's own line numbers. Every value must be a finite number: ``nan``, ``inf`` or
    text is a SpecError naming the line and the column.
    """
    path = Path(path)
    text = read_text(path, field, MAX_CSV_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""))
    wanted = ", ".join(required) + (f" (optional {', '.join(optional)})" if optional else "")
    header: list[str] = []
    for header in reader:
        if any(cell.strip() for cell in header):
            break
    names = [h.strip() for h in header]
    if not any(names):
        raise SpecError(path.name, "an empty file", f"a header row naming the columns {wanted}, then the data")
    if any(c not in names for c in required):
        hint = "; the file looks semicolon-separated, use commas" if len(names) == 1 and ";" in names[0] else ""
        shown = ",".join(names)[:200]
        raise SpecError(f"{path.name}: line {reader.line_num}", shown, f"needs columns {wanted}{hint}")
    cols = list(required) + [c for c in optional if c in names]
    index = {c: names.index(c) for c in cols}
    data: dict[str, list[float]] = {c: [] for c in cols}
    lines: list[int] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        for c, i in index.items():
            cell = row[i].strip() if i < len(row) else ""
            try:
                value = float(cell)
            except ValueError:
                raise SpecError(f"{path.name}: line {reader.line_num}, column {c}", cell[:80], "a number") from None
            if not np.isfinite(value):
                raise SpecError(f"{path.name}: line {reader.line_num}, column {c}", cell, "a finite number")
            data[c].append(value)
        lines.append(reader.line_num)
    n = len(data[cols[0]])
    if n < min_rows:
        raise SpecError(path.name, f"{n} data rows", f"at least {min_rows} row(s) of {wanted}")
    out = Columns((c, np.asarray(v, dtype=float)) for c, v in data.items())
    out.lines = np.asarray(lines, dtype=int)
    return out
