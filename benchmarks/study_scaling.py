"""Study scaling: the same study on 1 and on 2 workers (local processes or a local Dask
cluster), printing wall time, CPU time and the speed-up (target: >= 1.6x on 2 cores for an
SPMe study).

The study is pluggable: ``--study STUDY.toml`` runs a study file (plan, model and store as
``cellwright study run`` builds them); without it, a built-in grid over cathode thickness x
porosity designs real cells (``tests/study_fakes.py``), sized by ``--n-scale``.

    python benchmarks/study_scaling.py [--study STUDY.toml] [--backend processes|dask]
                                       [--repeat 3] [--n-scale 4000] [--chunk-size 2000]

Each trial writes into a fresh folder, so nothing is reused; worker start-up (spawn, import,
the model sent once per worker) is part of the time, as it is for a user.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished children (a process pool's workers are
    counted once the pool has shut down)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def builtin_study(n_scale: int, chunk_size: int) -> Callable[[], tuple[Any, Any, dict]]:
    """A factory of (plan, model, store fields) for the built-in design grid."""
    sys.path.insert(0, str(ROOT / "tests"))
    from study_fakes import DesignModel, GridPlan

    def make():
        plan = GridPlan(n_scale=n_scale, n_porosity=10, chunk_size=chunk_size)
        study = {"n_scale": n_scale, "chunk_size": chunk_size}
        return plan, DesignModel(), {"study_text": "", "study": study, "seed": 0, "n_total": plan.n_total}

    return make


def file_study(path: Path) -> Callable[[], tuple[Any, Any, dict]]:
    """A factory of (plan, model, store fields) for a study file."""
    from cellwright.studies.methods import plan as make_plan
    from cellwright.studies.model import build
    from cellwright.studies.spec import load_study

    def make():
        study = load_study(path)
        plan = make_plan(study)
        fields = {"study_text": path.read_text(), "study": study, "seed": study.seed, "n_total": plan.n_total}
        return plan, build(study), fields

    return make


@contextlib.contextmanager
def backend(kind: str, workers: int) -> Iterator[Any]:
    from cellwright.studies.executors import Dask, Processes

    if kind == "processes":
        executor = Processes(workers)
        try:
            yield executor
        finally:
            executor.close()
        return
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        executor = Dask(cluster.scheduler_address)
        try:
            yield executor
        finally:
            executor.close()


def trial(make: Callable[[], tuple[Any, Any, dict]], kind: str, workers: int) -> tuple[float, float, int, str]:
    """One run into a fresh folder: (wall s, CPU s, rows, a digest of every stored value)."""
    import hashlib

    from cellwright.studies.runner import run_plan
    from cellwright.studies.store import StudyStore

    plan, model, fields = make()
    with tempfile.TemporaryDirectory() as out:
        store = StudyStore(out)
        store.start(**fields)
        cpu0, t0 = _cpu_s(), time.perf_counter()
        with backend(kind, workers) as executor:
            summary = run_plan(plan, model, store, executor, progress=False)
        wall, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
        digest = hashlib.sha256()
        for name, column in sorted(store.read_all().items()):
            digest.update(name.encode() + column.tobytes())
        return wall, cpu, summary.rows, digest.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", type=Path, help="a study file; default: the built-in design grid")
    ap.add_argument("--backend", choices=["processes", "dask"], default="processes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--n-scale", type=int, default=4000, help="built-in grid: thickness levels (x10 porosities x2 waves)"
    )
    ap.add_argument("--chunk-size", type=int, default=2000)
    args = ap.parse_args()

    make = file_study(args.study) if args.study else builtin_study(args.n_scale, args.chunk_size)
    best: dict[int, tuple[float, float, int, str]] = {}
    for workers in (1, 2):
        runs = [trial(make, args.backend, workers) for _ in range(args.repeat)]
        best[workers] = min(runs)
        wall, cpu, rows, _ = best[workers]
        cpu_note = "" if args.backend == "processes" else " (this process only: Dask workers not counted)"
        print(
            f"{args.backend}, {workers} worker(s): {rows:,} rows in {wall:.2f} s wall (best of {args.repeat}), "
            f"{cpu:.2f} s CPU{cpu_note}, {rows / wall:,.0f} rows/s"
        )
    ratio = best[1][0] / best[2][0]
    print(f"speed-up 1 -> 2 workers: {ratio:.2f}x (target >= 1.6x on 2 cores for an SPMe study)")
    same = best[1][3] == best[2][3]
    print(
        f"accuracy of what was timed: rows on 1 and 2 workers {'identical' if same else 'DIFFER'} (SHA-256 of every value)"
    )


if __name__ == "__main__":
    main()
