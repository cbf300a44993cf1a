"""Run a study: the plan's chunks through a model on an executor, into a store, resumably.

For each wave of the plan, chunks already in the store are read back (not recomputed); the
others are evaluated with a bounded number in flight (about two per worker, so memory stays
flat whatever the study's size), each written as soon as it is done. The plan is told every
chunk's outputs in chunk-id order before the next wave is asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError
from .executors import Executor, InProcess, make_executor
from .store import StudyStore

#: chunks in flight per worker: enough to keep every worker busy while results are written
IN_FLIGHT_PER_WORKER = 2


@dataclass
class Summary:
    """What a run did: ``rows`` in the store for the study, chunks evaluated now and chunks
    read back from an earlier run, wall-clock ``seconds``."""

    rows: int
    chunks_computed: int
    chunks_reused: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def rows_of(chunk: Any, outputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A chunk's stored columns: ``variant``, the variable keys as written, the outputs."""
    clash = [k for k in chunk.values if k == "variant" or k in outputs]
    if clash:
        raise SpecError(f"variables.{clash[0]!r}", clash[0], "a variable key may not be 'variant' or an output's name")
    cols: dict[str, np.ndarray] = {"variant": np.asarray(chunk.variant, dtype=np.int64)}
    cols.update({k: np.asarray(v) for k, v in chunk.values.items()})
    cols.update(outputs)
    return cols


class _Bar:
    """A rich progress bar on stderr with rows done, rows/s (rows evaluated in this run) and
    time left; nothing when disabled."""

    def __init__(self, total: int, enabled: bool, on_rows: Callable[[int, int], None] | None = None):
        self.enabled = enabled
        self.total, self.on_rows = total, on_rows
        self.start = time.perf_counter()
        self.done = 0
        self.computed = 0
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("[bold]study"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows  {task.fields[rate]}  ETA {task.fields[eta]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task("study", total=max(int(total), 1), rate="-", eta="-")
        self.progress.start()

    def advance(self, rows: int, computed: bool) -> None:
        self.done += rows
        if computed:
            self.computed += rows
        if self.on_rows is not None:
            self.on_rows(self.done, self.total)
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        rate = self.computed / elapsed if elapsed > 0 and self.computed else 0.0
        total = self.progress.tasks[0].total or 0
        left = max(total - self.done, 0)
        eta = f"{left / rate:,.0f} s" if rate > 0 else "-"
        self.progress.update(self.task, completed=self.done, rate=f"{rate:,.0f}/s" if rate else "-", eta=eta)

    def close(self) -> None:
        if self.enabled:
            self.progress.stop()


def run_plan(
    plan: Any,
    model: Any,
    store: StudyStore,
    executor: Executor | None = None,
    progress: bool = True,
    on_rows: Callable[[int, int], None] | None = None,
) -> Summary:
    """Evaluate every chunk of ``plan`` with ``model`` on ``executor`` (in-process when None)
    into ``store`` (already started), reusing the chunks it holds; see the module's notes.

    ``plan`` has ``n_total``, ``waves()`` and ``tell(chunk, outputs)``; ``model`` has
    ``evaluate(values) -> outputs``. ``on_rows(done, total)`` is told the rows done after each
    chunk. Returns a :class:`Summary`.
    """
    executor = executor or InProcess()
    started = time.perf_counter()
    bar = _Bar(int(getattr(plan, "n_total", 0)), progress, on_rows)
    limit = max(1, IN_FLIGHT_PER_WORKER * int(getattr(executor, "workers", 1)))
    computed = reused = rows = 0
    ready: dict[int, tuple[Any, dict[str, np.ndarray]]] = {}  # id -> (chunk, outputs) not yet told
    inflight: dict[Future, Any] = {}

    def collect(block: bool) -> None:
        """Write the chunks that have finished (one at least when ``block``)."""
        nonlocal computed, rows
        if not inflight:
            return
        finished, _ = wait(list(inflight), timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for fut in sorted(finished, key=lambda f: inflight[f].id):
            chunk = inflight.pop(fut)
            outputs = fut.result()
            store.write_chunk(chunk.id, rows_of(chunk, outputs))
            ready[chunk.id] = (chunk, outputs)
            computed += 1
            rows += len(chunk.variant)
            bar.advance(len(chunk.variant), computed=True)

    try:
        for wave in plan.waves():
            on_disk = store.done()
            order: list[int] = []  # chunk ids of this wave, increasing
            told = 0  # how many of ``order`` the plan has been told
            for chunk in _chunks(wave):
                order.append(chunk.id)
                # bound the chunks held: in flight, plus done but waiting for an earlier one
                while len(inflight) + len(ready) >= limit and inflight:
                    collect(block=True)
                if chunk.id in on_disk:
                    stored = store.read_chunk(chunk.id)
                    _check_stored(store, chunk, stored)
                    outputs = {k: v for k, v in stored.items() if k != "variant" and k not in chunk.values}
                    ready[chunk.id] = (chunk, outputs)
                    reused += 1
                    rows += len(chunk.variant)
                    bar.advance(len(chunk.variant), computed=False)
                else:
                    inflight[executor.submit(model, chunk)] = chunk
                    collect(block=False)
                told = _tell_in_order(plan, order, ready, told, wave_done=False)
            while inflight:
                collect(block=True)
            told = _tell_in_order(plan, order, ready, told, wave_done=True)
    finally:
        bar.close()
    summary = Summary(rows, computed, reused, round(time.perf_counter() - started, 3))
    store.finish(last_run=summary.as_dict())
    return summary


def _chunks(wave: Iterable[Any]) -> Iterable[Any]:
    last = -1
    for chunk in wave:
        if chunk.id <= last:
            raise ValueError(f"the plan gave chunk {chunk.id} after chunk {last}; ids must increase")
        last = chunk.id
        yield chunk


def _tell_in_order(plan: Any, order: list[int], ready: dict, told: int, *, wave_done: bool) -> int:
    """Tell the plan every chunk whose outputs are in and whose predecessors (by id) in this
    wave have been told; at the end of a wave, all of them. Returns how many are told."""
    # ids increase along a wave (checked in _chunks), so ``order`` is sorted
    while told < len(order) and order[told] in ready:
        chunk, outputs = ready.pop(order[told])
        plan.tell(chunk, outputs)
        told += 1
    if wave_done and told != len(order):  # pragma: no cover - every chunk was collected
        raise RuntimeError("chunks of the wave were not evaluated")
    return told


def _check_stored(store: StudyStore, chunk: Any, stored: Mapping[str, np.ndarray]) -> None:
    variant = stored.get("variant")
    if variant is None or not np.array_equal(variant, np.asarray(chunk.variant)):
        raise SpecError(
            "--out", str(store.dir), f"chunk {chunk.id} on disk holds other variants; choose an empty folder"
        )


# ---------------------------------------------------------------------------- from a study file


def _study_files(study: Any) -> dict[str, str]:
    """The text of every file the study points at (cell spec, plant, project, tender, prices
    when a path), keyed by the study's field: they enter the store's hash."""
    base = Path(getattr(study, "base_dir", ".") or ".")
    out = {}
    for name in ("cell", "plant", "prices", "project", "tender", "venture"):
        value = getattr(study, name, None)
        if value is None:
            continue
        path = Path(value)
        path = path if path.is_absolute() else base / path
        if path.is_file():
            out[name] = path.read_text()
    return out


def load_stored_study(store: StudyStore) -> Any:
    """The study a results folder was run from, parsed again from the text in its manifest
    (relative paths from the study file's folder, as at run time)."""
    import tomllib

    from .spec import parse_study

    manifest = store.manifest()
    base = Path(manifest.get("base_dir") or store.dir)
    try:
        data = tomllib.loads(manifest["study_text"])
    except (KeyError, tomllib.TOMLDecodeError) as exc:
        raise SpecError("DIR", str(store.dir), f"its manifest holds no readable study ({exc})") from None
    return parse_study(data, base)


def run(
    study_path: str | Path,
    out_dir: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    on_rows: Callable[[int, int], None] | None = None,
    max_rows: int | None = None,
) -> Summary:
    """Run the study file ``study_path`` into ``out_dir`` (resuming what is there), in this
    process, on ``workers`` local processes, or on the Dask scheduler at ``scheduler``.

    Every input is checked (the study, each variable's address and values, the options)
    before any chunk is evaluated; mistakes are :class:`SpecError` naming the field. A study of
    more than ``max_rows`` rows is refused before it starts. ``on_rows(done, total)`` follows
    the progress.
    """
    from .methods import plan as make_plan
    from .model import build
    from .spec import load_study

    if workers is not None and scheduler is not None:
        raise SpecError("--workers", workers, "give --workers or --scheduler, not both")
    study_path = Path(study_path)
    study = load_study(study_path)
    model = build(study)
    plan = make_plan(study)
    if max_rows is not None and int(plan.n_total) > max_rows:
        raise SpecError("study", f"{int(plan.n_total):,} rows", f"a study of at most {max_rows:,} rows here")
    store = StudyStore(out_dir)
    store.start(
        study_text=study_path.read_text(),
        study=study,
        seed=int(getattr(study, "seed", 0)),
        n_total=int(plan.n_total),
        sources=list(getattr(model, "sources", []) or []),
        files=_study_files(study),
        extra={"study_path": str(study_path.resolve()), "base_dir": str(getattr(study, "base_dir", study_path.parent))},
    )
    executor = make_executor(workers, scheduler)
    try:
        return run_plan(plan, model, store, executor, progress, on_rows)
    finally:
        executor.close()
