"""A study's results on disk: a Parquet dataset and a manifest.

Layout of ``DIR``::

    DIR/manifest.json                 the study file's text, the parsed study, package versions,
                                      seed, n_total, sources, the inputs' hash, chunks done
    DIR/results/part-<chunk:06d>.parquet   one file per chunk: ``variant`` (int64), the
                                      variable keys as written, the outputs

A chunk file is written to a temporary name and renamed into place, so a run killed mid-write
leaves either the whole chunk or nothing; :meth:`StudyStore.done` lists the chunks on disk and
is what a resumed run skips. SQL runs through DuckDB on a view named ``results`` over the files.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError

MANIFEST = "manifest.json"
RESULTS = "results"
_PART = re.compile(r"^part-(\d{6,})\.parquet$")
_VERSIONED = ("cellwright", "numpy", "scipy", "numba", "pyarrow", "duckdb")


def plain(value: Any, _depth: int = 0) -> Any:
    """``value`` in JSON's types: arrays and NumPy scalars become lists and numbers, paths
    strings, dataclasses, pydantic models and plain objects dicts, and a float that is not
    finite ``None`` (JSON has no NaN or infinity)."""
    if _depth > 12:  # a deep or cyclic object graph: its text, not its structure
        return str(value)
    d = _depth + 1
    if hasattr(value, "model_dump"):
        return plain(value.model_dump(mode="python"), d)
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value), d)
    if isinstance(value, Mapping):
        return {str(k): plain(v, d) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), d)
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v, d) for v in value]
    if isinstance(value, np.generic):
        return plain(value.item(), d)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "__dict__") and not callable(value):
        return {k: plain(v, d) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def inputs_hash(study_text: str, seed: int, files: Mapping[str, str] | None = None) -> str:
    """SHA-256 (hex) of what fixes a study's rows: its file's text, the seed and the text of
    every file it points at (``files``: name -> text). The parsed study is not hashed: it
    follows from these, and its form may hold objects with no stable text."""
    doc = {"study_text": study_text, "seed": int(seed), "files": dict(sorted((files or {}).items()))}
    blob = json.dumps(doc, sort_keys=True, allow_nan=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def versions() -> dict[str, str]:
    """Installed versions of cellwright and the libraries that shape a study's numbers."""
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name == "cellwright":  # run from a source tree
                from .. import __version__

                out[name] = __version__
            else:
                out[name] = "not installed"
    return out


class StudyStore:
    """The results folder of one study (``out_dir``), created on :meth:`start`.

    Parameters
    ----------
    out_dir : str or Path
        The folder (``--out``); it is created if missing.
    """

    def __init__(self, out_dir: str | Path):
        self.dir = Path(out_dir)
        self.results_dir = self.dir / RESULTS

    # ------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST

    def manifest(self) -> dict[str, Any]:
        """The manifest as written (an error naming ``DIR`` when the folder holds no study)."""
        try:
            return json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            raise SpecError("DIR", str(self.dir), "holds no study results (no manifest.json)") from None

    def start(
        self,
        *,
        study_text: str,
        study: Any,
        seed: int,
        n_total: int,
        sources: Sequence[str] = (),
        files: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Open the folder for a run: write the manifest, or check that the one there is this
        study's (same inputs' hash) so the run resumes it.

        ``study`` is the parsed study (any dataclass, pydantic model or mapping; written as
        JSON), ``files`` the text of each file the study points at (cell spec, plant, ...);
        the study's text, the seed and ``files`` make the hash; ``extra`` is written as it is
        (e.g. the study file's path and folder). Raises :class:`SpecError` naming ``--out`` when the folder
        holds another study, or files that are not a study's.
        """
        digest = inputs_hash(study_text, seed, files)
        if self.manifest_path.exists():
            old = self.manifest()
            if old.get("hash") != digest:
                raise SpecError("--out", str(self.dir), "holds another study; choose an empty folder")
        elif self.dir.exists() and any(self.dir.iterdir()):
            raise SpecError("--out", str(self.dir), "holds another study; choose an empty folder")
        self.results_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.results_dir.glob(".part-*.tmp*"):  # a write cut short by a kill
            stale.unlink(missing_ok=True)
        doc = {
            "study_text": study_text,
            "study": plain(study),
            "files": dict(files or {}),
            "versions": versions(),
            "seed": int(seed),
            "n_total": int(n_total),
            "sources": sorted({str(s) for s in sources}),
            "hash": digest,
            "chunks_done": len(self.done()),
            **dict(extra or {}),
        }
        self._write_manifest(doc)
        return doc

    def finish(self, **fields: Any) -> None:
        """Record the chunks on disk (and any ``fields``, e.g. the run's summary) in the manifest."""
        doc = self.manifest()
        doc["chunks_done"] = len(self.done())
        doc.update(plain(fields))
        self._write_manifest(doc)

    def _write_manifest(self, doc: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{MANIFEST}.tmp{os.getpid()}"
        tmp.write_text(json.dumps(plain(doc), indent=2, allow_nan=False) + "\n")
        os.replace(tmp, self.manifest_path)

    # ------------------------------------------------------------------ chunks
    def chunk_path(self, chunk_id: int) -> Path:
        return self.results_dir / f"part-{int(chunk_id):06d}.parquet"

    def write_chunk(self, chunk_id: int, columns: Mapping[str, np.ndarray]) -> Path:
        """Write one chunk's rows (``columns``: name -> array, all the same length) as
        ``results/part-<chunk_id:06d>.parquet``, atomically. Strings are stored as strings,
        booleans as booleans, ``variant`` as int64, numbers as they are."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrays, names = [], []
        for name, values in columns.items():
            arrays.append(_to_arrow(name, np.asarray(values), pa))
            names.append(name)
        lengths = {len(a) for a in arrays}
        if len(lengths) > 1:
            raise ValueError(f"chunk {chunk_id}: columns of different lengths {sorted(lengths)}")
        table = pa.Table.from_arrays(arrays, names=names)
        self.results_dir.mkdir(parents=True, exist_ok=True)
        path = self.chunk_path(chunk_id)
        tmp = self.results_dir / f".{path.name}.tmp{os.getpid()}"
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
        return path

    def done(self) -> set[int]:
        """The ids of the chunks whose file is on disk."""
        if not self.results_dir.is_dir():
            return set()
        return {int(m.group(1)) for p in self.results_dir.iterdir() if (m := _PART.match(p.name))}

    def read_chunk(self, chunk_id: int) -> dict[str, np.ndarray]:
        """One chunk's columns as NumPy arrays (strings as ``str`` arrays)."""
        import pyarrow.parquet as pq

        return _to_numpy(pq.read_table(self.chunk_path(chunk_id)))

    def _files(self) -> list[Path]:
        return sorted(self.chunk_path(i) for i in self.done())

    def read_all(self, columns: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Every row on disk (or only ``columns``), sorted by ``variant``, as NumPy arrays.
        All of it sits in memory: for large studies use :meth:`query`."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        files = self._files()
        if not files:
            return {}
        wanted = None if columns is None else list(dict.fromkeys(["variant", *columns]))
        tables = [pq.read_table(f, columns=wanted) for f in files]
        table = pa.concat_tables(tables, promote_options="default")
        table = table.sort_by("variant")
        out = _to_numpy(table)
        if columns is not None and "variant" not in columns:
            out.pop("variant")
        return out

    # ------------------------------------------------------------------ SQL
    def query(self, sql: str):
        """Run ``sql`` (DuckDB's dialect) on a view named ``results`` over the chunk files and
        return a :class:`pyarrow.Table`. A wrong query is a :class:`SpecError` naming ``SQL``."""
        import duckdb

        if not self._files():
            raise SpecError("DIR", str(self.dir), "holds no study results yet")
        pattern = str(self.results_dir / "part-*.parquet").replace("'", "''")
        con = duckdb.connect()
        try:
            con.execute(f"CREATE VIEW results AS SELECT * FROM read_parquet('{pattern}', union_by_name = true)")
            try:
                rel = con.sql(sql)
                if rel is None:  # a statement with no rows (CREATE, SET, ...)
                    raise SpecError("SQL", sql, "a query that returns rows (SELECT ..., FROM results ...)")
                fetch = getattr(rel, "to_arrow_table", None) or rel.fetch_arrow_table
                table = fetch()
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise SpecError("SQL", sql, f"DuckDB says: {first}") from None
            if not hasattr(table, "column_names"):  # a record batch reader
                table = table.read_all()
            return table
        finally:
            con.close()

    def to_csv(self, sql: str, path: str | Path) -> Path:
        """Write the answer to ``sql`` as CSV (header row) at ``path``."""
        import pyarrow.csv as pcsv

        table = self.query(sql)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pcsv.write_csv(table, path)
        return path


def _to_arrow(name: str, values: np.ndarray, pa: Any):
    if name == "variant":
        return pa.array(values.astype(np.int64, copy=False), type=pa.int64())
    kind = values.dtype.kind
    if kind in "UO" or kind == "S":
        return pa.array(values.astype(str, copy=False), type=pa.string())  # NumPy str -> Arrow, no Python list
    if kind == "b":
        return pa.array(values, type=pa.bool_())
    if kind in "iu":
        return pa.array(values.astype(np.int64, copy=False), type=pa.int64())
    return pa.array(values.astype(np.float64, copy=False), type=pa.float64())


def _to_numpy(table: Any) -> dict[str, np.ndarray]:
    import pyarrow as pa

    out: dict[str, np.ndarray] = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            out[name] = col.to_numpy(zero_copy_only=False).astype(str) if len(col) else np.array([], dtype=str)
        else:
            out[name] = col.to_numpy()
    return out
