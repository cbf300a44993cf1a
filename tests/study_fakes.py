"""A small plan and model for the study runner's tests (picklable, so they travel to worker
processes and Dask workers), and a script entry that runs them into a folder:

    python tests/study_fakes.py OUT_DIR [--workers N] [--scheduler ADDR] [--delay S]

The plan is a grid over two variables, cathode thickness scale x cathode porosity, in two waves:
the first wave is a coarse grid; the second refines thickness around the first wave's best
specific energy, so it depends on what ``tell`` received. The model designs real cells
(``cellwright.design.design_cells``) from the LFP 280 Ah prismatic example.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lfp-280ah-prismatic.toml"

SCALE = "cathode.thickness_scale"
POROSITY = "cathode.porosity"


@dataclass
class Chunk:
    id: int
    variant: np.ndarray
    values: dict[str, np.ndarray]


@dataclass
class GridPlan:
    """``n_scale`` thickness scales in [0.5, 1.5] x ``n_porosity`` porosities in [0.25, 0.40]
    (wave 1), then as many rows again with the scales refined to +-0.05 around wave 1's best
    specific energy (wave 2); ``chunk_size`` rows per chunk."""

    n_scale: int = 40
    n_porosity: int = 10
    chunk_size: int = 50
    told: list[int] = field(default_factory=list)
    best_scale: float | None = None
    _best_value: float = -np.inf

    @property
    def n_wave(self) -> int:
        return self.n_scale * self.n_porosity

    @property
    def n_total(self) -> int:
        return 2 * self.n_wave

    def _grid(self, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        porosity = np.linspace(0.25, 0.40, self.n_porosity)
        s, p = np.meshgrid(scales, porosity, indexing="ij")
        return s.ravel(), p.ravel()

    def _chunks(self, first_variant: int, first_id: int, scales: np.ndarray):
        s, p = self._grid(scales)
        for k, start in enumerate(range(0, len(s), self.chunk_size)):
            stop = min(start + self.chunk_size, len(s))
            yield Chunk(
                first_id + k,
                np.arange(first_variant + start, first_variant + stop, dtype=np.int64),
                {SCALE: s[start:stop], POROSITY: p[start:stop]},
            )

    def waves(self):
        n_chunks = -(-self.n_wave // self.chunk_size)
        yield list(self._chunks(0, 0, np.linspace(0.5, 1.5, self.n_scale)))
        assert self.best_scale is not None, "wave 1 was not told"
        refined = self.best_scale + np.linspace(-0.05, 0.05, self.n_scale)
        yield list(self._chunks(self.n_wave, n_chunks, refined))

    def tell(self, chunk: Chunk, outputs: dict[str, np.ndarray]) -> None:
        self.told.append(chunk.id)
        value = np.where(outputs["valid"], outputs["specific_energy_Wh_kg"], -np.inf)
        i = int(np.argmax(value))
        if value[i] > self._best_value:
            self._best_value, self.best_scale = float(value[i]), float(chunk.values[SCALE][i])


class DesignModel:
    """Designs the example cell with its cathode coating scaled and its porosity set.
    ``delay_s`` sleeps per chunk (to make a run slow enough to be killed mid-way)."""

    output_names: ClassVar[list[str]] = ["capacity_Ah", "energy_Wh", "mass_kg", "specific_energy_Wh_kg"]

    def __init__(self, delay_s: float = 0.0):
        from cellwright.spec import load_spec, resolve

        self.base = resolve(load_spec(EXAMPLE)).inputs
        self.delay_s = delay_s

    def evaluate(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from cellwright.design import design_cells

        if self.delay_s:
            time.sleep(self.delay_s)
        scale, porosity = values[SCALE], values[POROSITY]
        inp = self.base.take(np.zeros(len(scale), dtype=int))
        inp = inp.replace(pos_thickness=inp.pos_thickness * scale, pos_porosity=porosity)
        res = design_cells(inp)
        out = {k: res[k] for k in self.output_names}
        out["valid"] = np.asarray(res.valid, dtype=bool)
        out["invalid_reason"] = np.asarray(res.invalid_reason, dtype=str)
        out["warnings"] = np.full(len(scale), "", dtype=str)
        return out


class RefusingModel(DesignModel):
    """A model that finds a user's mistake in a chunk's values: a thickness scale above 0.6."""

    def evaluate(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from cellwright.errors import SpecError

        if values[SCALE][0] > 0.6:
            raise SpecError("cathode.thickness_scale", float(values[SCALE][0]), "at most 0.6")
        return super().evaluate(values)


def refused_run(out_dir, executor):
    """Run the refusing model into a fresh store at ``out_dir`` on ``executor`` (closed after);
    returns the SpecError it raised and the store."""
    import pytest

    from cellwright.errors import SpecError
    from cellwright.studies.runner import run_plan
    from cellwright.studies.store import StudyStore

    store = StudyStore(out_dir)
    plan = GridPlan(n_scale=10, n_porosity=10, chunk_size=20)
    store.start(study_text="", study={}, seed=0, n_total=plan.n_total)
    try:
        with pytest.raises(SpecError) as err:
            run_plan(plan, RefusingModel(), store, executor, progress=False)
    finally:
        executor.close()
    return err.value, store


def run_into(out_dir, *, workers=None, scheduler=None, delay_s=0.0, progress=False, plan=None):
    """Run the fake study into ``out_dir``; returns (summary, plan)."""
    from cellwright.studies.executors import make_executor
    from cellwright.studies.runner import run_plan
    from cellwright.studies.store import StudyStore

    plan = plan or GridPlan()
    store = StudyStore(out_dir)
    study = {"n_scale": plan.n_scale, "n_porosity": plan.n_porosity, "chunk_size": plan.chunk_size}
    store.start(
        study_text="".join(f"{k} = {v}\n" for k, v in study.items()),
        study=study,
        seed=0,
        n_total=plan.n_total,
        sources=["cellwright-assumption"],
    )
    executor = make_executor(workers, scheduler)
    try:
        return run_plan(plan, DesignModel(delay_s), store, executor, progress), plan
    finally:
        executor.close()


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--scheduler")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    summary, _ = run_into(
        args.out, workers=args.workers, scheduler=args.scheduler, delay_s=args.delay, progress=args.progress
    )
    print(summary.as_dict())


if __name__ == "__main__":
    # the classes must be pickled as ``study_fakes.X``, not ``__main__.X``
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import study_fakes

    study_fakes.main(sys.argv[1:])
