"""Sampling methods: a :class:`~cellwright.studies.spec.Study` -> a :class:`Plan` of chunks.

The runner asks the plan for waves of chunks, evaluates every chunk of a wave, then calls
``plan.tell(chunk, outputs)`` for each chunk in id order before asking for the next wave. Every
method but NSGA-II has one wave; its chunks are made when asked for (a :class:`Wave` is a lazy
sequence), so a 1e8-row grid never sits in memory. NSGA-II has one wave per generation.

Chunk ids run 0, 1, 2, ... over the whole study and ``Chunk.variant`` holds global row ids, so
the same study and seed give the same chunks whatever the backend and in whatever order the
chunks are evaluated.

Rows by method (k variables):

- ``grid``: the product of every variable's levels, the last variable varying fastest;
- ``random``: ``samples`` rows; chunk ``c`` draws from ``SeedSequence([seed, c])`` (so rows
  depend on ``chunk_size``, never on the backend);
- ``lhs``: ``samples`` rows of a Latin hypercube (``scipy.stats.qmc.LatinHypercube``);
- ``sobol``: ``samples * (k + 2)`` rows of Saltelli's scheme (``SALib.sample.sobol``,
  first and total order only);
- ``morris``: ``samples`` trajectories of ``k + 1`` rows on 4 levels (``SALib.sample.morris``);
  a continuous distribution's levels are the quantiles 1/8, 3/8, 5/8, 7/8 (equal probability,
  finite for unbounded tails), a list or range's levels span its ends;
- ``tornado``: ``1 + 2k`` rows: the base case (every variable at its nominal), then for each
  variable in order its low and its high with the others at nominal;
- ``nsga2``: ``population * generations`` rows (pymoo's NSGA-II, ask and tell).

Every sampling method draws quantiles ``u`` in [0, 1] and maps them through
:meth:`Variable.from_unit <cellwright.studies.spec.Variable.from_unit>`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from ..errors import SpecError
from .spec import Study, Variable

#: Largest number of rows a materialised sample (lhs, sobol, morris) may have ...
MAX_MATERIALISED_ROWS = 10_000_000
#: ... and of quantiles (rows x variables; 8 bytes each, so 400 MB).
MAX_MATERIALISED_VALUES = 50_000_000
#: Levels of the Morris grid.
MORRIS_LEVELS = 4
#: Objective or constraint value given to a row whose outputs are invalid or not finite: it is
#: worse than any real one, so NSGA-II treats the row as infeasible and dominated.
INFEASIBLE = 1e30


@dataclass
class Chunk:
    """Rows ``variant`` (global ids, int64) with each variable's values (key as written ->
    array; text variables as str arrays)."""

    id: int
    variant: np.ndarray
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.variant)


class Wave(Sequence[Chunk]):
    """The chunks of one wave, made when indexed or iterated (never all held at once)."""

    def __init__(self, first_id: int, first_row: int, n_rows: int, chunk_size: int, make):
        self.first_id = first_id
        self.first_row = first_row
        self.n_rows = n_rows
        self.chunk_size = chunk_size
        self._make = make  # (chunk id, global start row, global stop row) -> Chunk

    def __len__(self) -> int:
        return -(-self.n_rows // self.chunk_size)

    @property
    def ids(self) -> range:
        """The chunk ids of this wave, without making the chunks."""
        return range(self.first_id, self.first_id + len(self))

    @overload
    def __getitem__(self, i: int) -> Chunk: ...
    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...
    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        start = self.first_row + i * self.chunk_size
        stop = min(start + self.chunk_size, self.first_row + self.n_rows)
        return self._make(self.first_id + i, start, stop)


def _values_at(variables: dict[str, Variable], u: np.ndarray) -> dict[str, np.ndarray]:
    return {key: var.from_unit(u[:, j]) for j, (key, var) in enumerate(variables.items())}


class Plan:
    """The rows a study produces, as waves of chunks; see the module text."""

    def __init__(self, study: Study):
        self.study = study
        self.n_total = 0

    def waves(self) -> Iterator[Sequence[Chunk]]:
        """The waves of chunks, in order (one wave unless the method is adaptive)."""
        yield Wave(0, 0, self.n_total, self.study.chunk_size, self.chunk)

    def chunk(self, chunk_id: int, start: int, stop: int) -> Chunk:
        """Chunk ``chunk_id``: global rows ``start`` to ``stop`` (non-adaptive methods)."""
        raise NotImplementedError

    def tell(self, chunk: Chunk, outputs: dict[str, np.ndarray]) -> None:
        """The outputs of a chunk (arrays of its length); only adaptive methods use them."""


class GridPlan(Plan):
    """Every combination of the variables' levels (C order: the last variable varies fastest)."""

    def __init__(self, study: Study):
        super().__init__(study)
        self.levels = {key: var.levels() for key, var in study.variables.items()}
        self.shape = tuple(len(v) for v in self.levels.values())
        self.n_total = int(np.prod(self.shape, dtype=object))

    def chunk(self, chunk_id: int, start: int, stop: int) -> Chunk:
        variant = np.arange(start, stop, dtype=np.int64)
        index = np.unravel_index(variant, self.shape)
        return Chunk(
            chunk_id, variant, {key: lev[ix] for (key, lev), ix in zip(self.levels.items(), index, strict=True)}
        )


class RandomPlan(Plan):
    """Independent uniform quantiles per chunk from ``SeedSequence([seed, chunk id])``."""

    def __init__(self, study: Study):
        super().__init__(study)
        assert study.samples is not None
        self.n_total = study.samples

    def chunk(self, chunk_id: int, start: int, stop: int) -> Chunk:
        rng = np.random.default_rng(np.random.SeedSequence([self.study.seed, chunk_id]))
        u = rng.random((stop - start, len(self.study.variables)))
        return Chunk(chunk_id, np.arange(start, stop, dtype=np.int64), _values_at(self.study.variables, u))


class MaterialisedPlan(Plan):
    """A sample drawn whole as quantiles ``unit`` (n_total x k), sliced into chunks."""

    unit: np.ndarray

    def __init__(self, study: Study, n_rows: int):
        super().__init__(study)
        k = len(study.variables)
        if n_rows > MAX_MATERIALISED_ROWS or n_rows * k > MAX_MATERIALISED_VALUES:
            raise SpecError(
                "samples",
                study.samples,
                f"method '{study.method}' draws its sample whole: {n_rows:,} rows x {k} variables is more than "
                f"{MAX_MATERIALISED_ROWS:,} rows or {MAX_MATERIALISED_VALUES:,} values; use fewer samples "
                "(or method 'random', which streams)",
            )
        self.n_total = n_rows

    def chunk(self, chunk_id: int, start: int, stop: int) -> Chunk:
        return Chunk(
            chunk_id, np.arange(start, stop, dtype=np.int64), _values_at(self.study.variables, self.unit[start:stop])
        )


class LHSPlan(MaterialisedPlan):
    """A Latin hypercube: each variable's [0, 1] cut into ``samples`` equal strata, one row in
    each (``scipy.stats.qmc.LatinHypercube``, seeded)."""

    def __init__(self, study: Study):
        from scipy.stats import qmc

        assert study.samples is not None
        super().__init__(study, study.samples)
        self.unit = qmc.LatinHypercube(d=len(study.variables), rng=np.random.default_rng(study.seed)).random(
            study.samples
        )


class CrossedPlan(Plan):
    """Random or LHS samples of the sampled variables, each run at every combination of the
    ``each = true`` variables' levels (the last varying fastest): rows ``samples * P``, row
    ``r`` is sample ``r // P`` at combination ``r % P``; the sample index is the ``sample`` column.

    A sample's draw does not depend on the chunk it falls in: random samples come in blocks of
    :data:`BLOCK` from ``SeedSequence([seed, block])``; LHS samples from one hypercube."""

    BLOCK = 1024

    def __init__(self, study: Study):
        super().__init__(study)
        assert study.samples is not None
        self.sampled = {k: v for k, v in study.variables.items() if not v.each}
        self.crossed = {k: v.levels() for k, v in study.variables.items() if v.each}
        self.shape = tuple(len(v) for v in self.crossed.values())
        self.per_sample = int(np.prod(self.shape))
        self.n_total = study.samples * self.per_sample
        self.unit: np.ndarray | None = None
        if study.method == "lhs":
            from scipy.stats import qmc

            rng = np.random.default_rng(study.seed)
            self.unit = qmc.LatinHypercube(d=len(self.sampled), rng=rng).random(study.samples)

    def _unit(self, first: int, stop: int) -> np.ndarray:
        if self.unit is not None:
            return self.unit[first:stop]
        k = len(self.sampled)
        blocks = range(first // self.BLOCK, (stop - 1) // self.BLOCK + 1)
        u = np.concatenate(
            [
                np.random.default_rng(np.random.SeedSequence([self.study.seed, b])).random((self.BLOCK, k))
                for b in blocks
            ]
        )
        offset = blocks[0] * self.BLOCK
        return u[first - offset : stop - offset]

    def chunk(self, chunk_id: int, start: int, stop: int) -> Chunk:
        variant = np.arange(start, stop, dtype=np.int64)
        sample, combo = np.divmod(variant, self.per_sample)
        u = self._unit(int(sample[0]), int(sample[-1]) + 1)[sample - sample[0]]
        drawn = _values_at(self.sampled, u)
        index = np.unravel_index(combo, self.shape)
        crossed = {key: lev[ix] for (key, lev), ix in zip(self.crossed.items(), index, strict=True)}
        values = {key: drawn[key] if key in drawn else crossed[key] for key in self.study.variables}
        return Chunk(chunk_id, variant, {"sample": sample, **values})


def salib_problem(study: Study) -> dict[str, Any]:
    """SALib's problem for a study: every variable a quantile in [0, 1]."""
    k = len(study.variables)
    return {"num_vars": k, "names": list(study.variables), "bounds": [[0.0, 1.0]] * k}


class SobolPlan(MaterialisedPlan):
    """Saltelli's sampling for first- and total-order Sobol' indices (``SALib.sample.sobol``):
    ``samples * (k + 2)`` rows."""

    def __init__(self, study: Study):
        from SALib.sample import sobol

        assert study.samples is not None
        k = len(study.variables)
        super().__init__(study, study.samples * (k + 2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's advice on sample size; samples is a power of 2
            self.unit = sobol.sample(salib_problem(study), study.samples, calc_second_order=False, seed=study.seed)


class MorrisPlan(MaterialisedPlan):
    """Morris trajectories (``SALib.sample.morris``, 4 levels): ``samples * (k + 1)`` rows.

    ``unit`` holds the trajectory levels in [0, 1] (what ``SALib.analyze.morris`` needs); a
    continuous distribution is evaluated at the stratum midpoints of those levels."""

    def __init__(self, study: Study):
        from SALib.sample import morris

        assert study.samples is not None
        k = len(study.variables)
        super().__init__(study, study.samples * (k + 1))
        self.unit = morris.sample(salib_problem(study), study.samples, num_levels=MORRIS_LEVELS, seed=study.seed)

    def chunk(self, chunk_id: int, start: int, stop: int) -> Chunk:
        u = self.unit[start:stop].copy()
        p = MORRIS_LEVELS
        for j, var in enumerate(self.study.variables.values()):
            if var.kind == "distribution" and var.is_continuous:
                u[:, j] = (u[:, j] * (p - 1) + 0.5) / p
        return Chunk(chunk_id, np.arange(start, stop, dtype=np.int64), _values_at(self.study.variables, u))


class TornadoPlan(Plan):
    """One at a time: row 0 the base case, rows ``1 + 2i`` and ``2 + 2i`` variable ``i`` at
    its low and high with every other variable at its nominal."""

    def __init__(self, study: Study):
        super().__init__(study)
        keys = list(study.variables)
        self.n_total = 1 + 2 * len(keys)
        self.table: dict[str, np.ndarray] = {}
        for i, (key, var) in enumerate(study.variables.items()):
            col = [var.nominal] * self.n_total
            col[1 + 2 * i], col[2 + 2 * i] = var.low, var.high
            self.table[key] = np.array(col)

    def chunk(self, chunk_id: int, start: int, stop: int) -> Chunk:
        return Chunk(
            chunk_id, np.arange(start, stop, dtype=np.int64), {k: v[start:stop] for k, v in self.table.items()}
        )


class NSGA2Plan(Plan):
    """NSGA-II (pymoo) over the variables' quantiles, one wave per generation.

    Objectives ``{column: "min"|"max"}`` and constraints ``"column <= value"`` /
    ``"column >= value"`` read the outputs told; a row that is not valid (``outputs["valid"]``
    false) or has a non-finite objective or constraint is infeasible. After the last wave,
    :attr:`result` holds pymoo's result (the non-dominated feasible rows).
    """

    def __init__(self, study: Study):
        from pymoo.algorithms.moo.nsga2 import NSGA2
        from pymoo.core.problem import Problem

        super().__init__(study)
        opt = study.optimize
        assert opt is not None
        self.objectives = opt.objectives
        self.constraints = opt.parsed_constraints
        self.population = opt.population
        self.generations = opt.generations
        self.n_total = self.population * self.generations
        k = len(study.variables)
        # one extra constraint: the row is valid (0) or not (1)
        self.problem = Problem(
            n_var=k, n_obj=len(self.objectives), n_ieq_constr=len(self.constraints) + 1, xl=0.0, xu=1.0
        )
        self.algorithm = NSGA2(pop_size=self.population, eliminate_duplicates=False)
        self.algorithm.setup(self.problem, termination=("n_gen", self.generations), seed=study.seed, verbose=False)
        self._told: dict[int, dict[str, np.ndarray]] = {}
        self.result: Any = None

    def _evaluated(self, chunks: Sequence[Chunk], n: int) -> tuple[np.ndarray, np.ndarray]:
        missing = [c.id for c in chunks if c.id not in self._told]
        if missing:
            raise RuntimeError(f"NSGA-II: chunks {missing} were not told before the next generation was asked for")
        out: dict[str, np.ndarray] = {}
        names = set(self.objectives) | {c for c, _, _ in self.constraints}
        for name in names:
            out[name] = np.concatenate([np.asarray(self._told[c.id][name], dtype=float) for c in chunks])
        valid = np.concatenate([np.asarray(self._told[c.id].get("valid", np.ones(len(c), bool)), bool) for c in chunks])
        F = np.column_stack([out[c] if sense == "min" else -out[c] for c, sense in self.objectives.items()])
        G = np.zeros((n, len(self.constraints) + 1))
        for j, (col, op, value) in enumerate(self.constraints):
            G[:, j] = out[col] - value if op == "<=" else value - out[col]
        bad = ~valid | ~np.isfinite(F).all(axis=1) | ~np.isfinite(G).all(axis=1)
        F[bad] = INFEASIBLE
        G[bad, :-1] = INFEASIBLE
        G[:, -1] = bad.astype(float)
        for c in chunks:
            del self._told[c.id]
        return F, G

    def waves(self) -> Iterator[Sequence[Chunk]]:
        from pymoo.core.evaluator import Evaluator
        from pymoo.problems.static import StaticProblem

        next_id, next_row = 0, 0
        while self.algorithm.has_next():
            pop = self.algorithm.ask()
            X = np.asarray(pop.get("X"), dtype=float)
            n = len(X)
            first_row, size = next_row, self.study.chunk_size
            chunks = [
                Chunk(
                    next_id + i,
                    np.arange(first_row + s, first_row + min(s + size, n), dtype=np.int64),
                    _values_at(self.study.variables, X[s : s + size]),
                )
                for i, s in enumerate(range(0, n, size))
            ]
            next_id += len(chunks)
            next_row += n
            yield chunks
            F, G = self._evaluated(chunks, n)
            Evaluator().eval(StaticProblem(self.problem, F=F, G=G), pop)
            self.algorithm.tell(infills=pop)
        self.result = self.algorithm.result()

    def tell(self, chunk: Chunk, outputs: dict[str, np.ndarray]) -> None:
        for name in [*self.objectives, *(c for c, _, _ in self.constraints)]:
            if name not in outputs:
                field = "optimize.objectives" if name in self.objectives else "optimize.constraints"
                raise SpecError(field, name, "an output column; the outputs are: " + ", ".join(sorted(outputs)))
        self._told[chunk.id] = outputs


_PLANS: dict[str, type[Plan]] = {
    "grid": GridPlan,
    "random": RandomPlan,
    "lhs": LHSPlan,
    "sobol": SobolPlan,
    "morris": MorrisPlan,
    "tornado": TornadoPlan,
    "nsga2": NSGA2Plan,
}


def plan(study: Study) -> Plan:
    """The plan of a study: its rows (``n_total``) and how they come, as waves of chunks."""
    if any(v.each for v in study.variables.values()):
        return CrossedPlan(study)
    return _PLANS[study.method](study)
