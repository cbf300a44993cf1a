"""A study's model: rows of variable values in, the chain's columns out.

:func:`build` reads the files a study names once and checks every variable's address and values
before any work starts (a :class:`~cellwright.errors.SpecError` naming ``variables."<key>"``).
:meth:`Model.evaluate` then runs a chunk of rows:

1. Rows are grouped by the variables that change a cell's structure (the cell file, the format,
   a material, the sizing target, the life protocol); each group is one batched
   :func:`cellwright.chain.run` call, whatever its formats.
2. Within a group, the engine's inputs are a function of the numeric cell keys. Spec keys enter
   the inputs multilinearly (a thickness, a porosity, and the anode that follows their balance),
   so the inputs at the corners of the variables' box give them everywhere exactly: the map is
   checked against a full resolve at random points, and where it does not hold the rows are
   resolved one by one (exact, about 0.25 ms per distinct row).
3. Cost inputs come from the plant file with the plant variables applied, one per distinct
   plant row (:func:`cellwright.factory.plant_spec.cost_inputs`).
4. The storage and tender stages evaluate one project (or tender) per distinct row.

A row outside a field's allowed range (a normal distribution's tail beyond a porosity of 1)
is kept, not valid, with the reason. Nothing here is cached between calls but what the study
fixes (the groups' input maps), so a model sent to another process gives the same numbers.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from ..errors import SpecError
from ..readers import read_toml
from ..spec import CellSpec, Resolved
from .variables import Address, address, assign_many, bounds, describe_bounds

#: Stages a study may ask for, in chain order.
STAGES = ("design", "cost", "performance", "life", "storage", "tender", "venture")
#: Most numeric cell variables mapped through their box's corners (2**k resolves).
MAX_MULTILINEAR = 8
#: Relative agreement the multilinear map must reach against a full resolve.
MAP_RTOL = 1e-9


class _NotMultilinear(Exception):
    pass


class _Multilinear:
    """Fields of N = 1 input objects as a multilinear function of k numbers, from 2**k corners."""

    def __init__(self, fn, lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator):
        k = lo.size
        self.lo, self.span = lo, hi - lo
        table = [fn(lo + np.array(c) * self.span) for c in itertools.product((0, 1), repeat=k)]
        self.names = list(table[0])
        values = np.array([[row[n] for n in self.names] for row in table], dtype=float)
        self.varying = ~np.all((values == values[0]) | (np.isnan(values) & np.isnan(values[0])), axis=0)
        self.base = values[0]
        self.corners = values[:, self.varying]
        self.kinds = {n: type(table[0][n]) for n in self.names}
        for j, name in enumerate(self.names):
            if self.varying[j] and self.kinds[name] is not float:
                raise _NotMultilinear(name)
        for _ in range(3):
            x = lo + rng.uniform(0.1, 0.9, k) * self.span
            exact = fn(x)
            got = self(x[None, :])
            for name in self.names:
                a, b = float(exact[name]), float(got[name][0])
                if not np.isclose(a, b, rtol=MAP_RTOL, atol=1e-300, equal_nan=True):
                    raise _NotMultilinear(name)

    def __call__(self, x: np.ndarray) -> dict[str, np.ndarray]:
        n, k = x.shape
        t = (x - self.lo) / self.span
        w = np.ones((n, 1))
        for i in reversed(range(k)):  # the first variable is the most significant corner bit
            w = np.concatenate([w * (1.0 - t[:, i : i + 1]), w * t[:, i : i + 1]], axis=1)
        mixed = w @ self.corners
        out, j = {}, 0
        for col, name in enumerate(self.names):
            if self.varying[col]:
                out[name] = mixed[:, j]
                j += 1
            else:
                out[name] = np.full(n, self.base[col], dtype=float if self.kinds[name] is float else self.kinds[name])
        return out


@dataclasses.dataclass
class _Group:
    """Rows sharing a cell structure: their base cell, its resolution and the inputs map."""

    cell: dict
    resolved: Resolved
    spec: CellSpec
    numeric: list[str]
    map: _Multilinear | None
    cost_from_cell: bool


class Model:
    """A study's chain, ready to evaluate chunks of rows (picklable)."""

    def __init__(self, study):
        self.study = study
        self.base_dir = Path(study.base_dir)
        self.stages = tuple(study.stages)
        for s in self.stages:
            if s not in STAGES:
                raise SpecError("stages", s, "allowed: " + ", ".join(STAGES))
        # the study's paths are already taken from its folder
        self.cell_data = read_toml(study.cell, "cell") if study.cell else None
        self.plant_data = read_toml(study.plant, "plant") if study.plant else None
        self.project_data = read_toml(study.project, "project") if study.project else None
        self.tender_data = read_toml(study.tender, "tender") if study.tender else None
        self.project_dir = Path(study.project).parent if study.project else self.base_dir
        self.tender_dir = Path(study.tender).parent if study.tender else self.base_dir
        self.venture_data = read_toml(study.venture, "venture") if getattr(study, "venture", None) else None
        self.venture_dir = Path(study.venture).parent if getattr(study, "venture", None) else self.base_dir
        self.addresses: dict[str, Address] = {key: address(key) for key in study.variables}
        self._check_stages()
        self._groups: dict[tuple, _Group] = {}
        self._check_variables()

    # ------------------------------------------------------------------ checks before any work
    def _check_stages(self) -> None:
        cellish = {"design", "cost", "performance", "life"} & set(self.stages)
        if cellish and self.cell_data is None and not any(a.target == "cell-file" for a in self.addresses.values()):
            raise SpecError("cell", None, f"a cell spec file for the stages {sorted(cellish)}")
        if "storage" in self.stages and self.project_data is None:
            raise SpecError("project", None, 'a storage project file for the "storage" stage')
        if "venture" in self.stages and self.venture_data is None:
            raise SpecError("venture", None, 'a venture file for the "venture" stage')
        if any(a.target == "venture" for a in self.addresses.values()) and self.venture_data is None:
            raise SpecError("venture", None, "a venture file for venture keys")
        if "tender" in self.stages and self.tender_data is None:
            raise SpecError("tender", None, 'a tender file for the "tender" stage')
        if "life" in self.stages and not self.study.life.protocol:
            raise SpecError("life.protocol", None, 'a cycling protocol, e.g. "0.5C/0.5C, 25degC, 100% DOD"')
        for key, a in self.addresses.items():
            if a.target == "project" and self.project_data is None and self.tender_data is None:
                raise SpecError(f'variables."{key}"', key, "a project or tender file for project keys")
            if a.target == "bids" and self.tender_data is None:
                raise SpecError(f'variables."{key}"', key, "a tender file for bid keys")
            if a.target == "protocol" and "life" not in self.stages:
                raise SpecError(f'variables."{key}"', key, 'the "life" stage for protocol keys')
            if a.target in ("cell", "cell-file") and "tender" in self.stages:
                raise SpecError(f'variables."{key}"', key, "bid keys in a tender study (each bid names its cell)")

    def _check_variables(self) -> None:
        """Every variable's address and its values (a list's items, a range's ends, a
        distribution's median) must make valid files; errors name the variable's field."""
        for key, var in self.study.variables.items():
            field = f'variables."{key}"' + {"values": ".values", "range": ".range"}.get(var.kind, "")
            for value in self._probe_values(var):
                try:
                    self._check_one(self.addresses[key], _plain(value))
                except SpecError as exc:
                    raise SpecError(field, _plain(value), f"{exc.field}: {exc.allowed}") from None

    @staticmethod
    def _probe_values(var) -> list:
        if var.kind == "distribution":
            return [var.nominal]
        if var.kind == "range":
            return list(var.from_unit(np.array([0.0, 1.0])))
        return list(var.levels())

    def _check_one(self, a: Address, value) -> None:
        from ..aging.protocol import parse_protocol
        from ..factory.plant_spec import cost_inputs
        from ..spec import parse_spec, resolve

        if a.target in ("cell", "cell-file"):
            data = self._cell_dict({a.key: value})
            resolve(parse_spec(data))
            if a.target == "cell":
                self._check_bounds(a, value)
        elif a.target == "plant":
            plant = self._plant({a.key: value})
            if "cost" in self.stages and (self.cell_data is not None):
                cost_inputs(resolve(parse_spec(self.cell_data)), plant)
        elif a.target == "project":
            if self.project_data is not None:
                self._project({a.key: value})
            else:
                self._tender({a.key: value})
        elif a.target == "bids":
            self._tender({a.key: value})
        elif a.target == "venture":
            self._venture({a.key: value})
        elif a.target == "protocol":
            base = parse_protocol(self.study.life.protocol)
            names = {f.name for f in dataclasses.fields(base)}
            if len(a.path) != 1 or a.path[0] not in names:
                raise SpecError(a.key, value, "a protocol field: " + ", ".join(sorted(names)))

    def _check_bounds(self, a: Address, value) -> None:
        from ..spec import CellSpec

        if isinstance(value, (int, float)) and not isinstance(value, bool):
            b = bounds(CellSpec, a.path)
            if not _inside(np.array([float(value)]), b)[0]:
                raise SpecError(a.key, value, describe_bounds(b))

    # ------------------------------------------------------------------ files with values applied
    def _items(self, row: dict, target: str) -> list[tuple[tuple[str, ...], object]]:
        return [(self.addresses[k].path, v) for k, v in row.items() if self.addresses[k].target == target]

    def _cell_dict(self, row: dict) -> dict:
        base = self.cell_data
        for k, v in row.items():
            if self.addresses[k].target == "cell-file":
                base = read_toml(self.base_dir / str(v), "cell")
        if base is None:
            raise SpecError("cell", None, "a cell spec file")
        return assign_many(base, self._items(row, "cell"))

    def _plant(self, row: dict):
        from ..factory.plant_spec import PlantSpec, default_plant
        from ..spec import spec_error

        data = self.plant_data if self.plant_data is not None else default_plant().model_dump()
        if self.study.prices is not None:
            data = {**data, "prices": self.study.prices}
        data = assign_many(data, self._items(row, "plant"))
        try:
            return PlantSpec.model_validate(data)
        except ValidationError as exc:
            raise spec_error(exc, PlantSpec, "plant.") from None

    def _project(self, row: dict):
        from ..storage.project import parse_project

        data = assign_many(self.project_data or {}, self._items(row, "project"))
        return parse_project(data, self.project_dir, "project.")

    def _tender(self, row: dict) -> dict:
        data = assign_many(self.tender_data or {}, [(("project", *p), v) for p, v in self._items(row, "project")])
        bids = {b.get("name"): b for b in data.get("bids", [])}
        for path, value in self._items(row, "bids"):
            name = path[0]
            if name not in bids:
                raise SpecError("bids", name, "a bid of the tender: " + ", ".join(map(str, bids)))
            bids[name].update(assign_many(bids[name], [(path[1:], value)]))
        return data

    def _venture(self, row: dict):
        from ..factory.venture import parse_venture

        return parse_venture(assign_many(self.venture_data or {}, self._items(row, "venture")))

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The outputs of every row of ``values`` (variable key -> array of N), with ``valid``,
        ``invalid_reason`` and ``warnings`` (one string per row, '; '-joined)."""
        n = len(next(iter(values.values()))) if values else 1
        # only the study's variables (a plan may add columns such as ``sample``)
        values = {k: np.asarray(v) for k, v in values.items() if k in self.addresses}
        out = _Columns(n)
        if set(self.stages) & {"design", "cost", "performance", "life"}:
            self._evaluate_cells(values, n, out)
        if "storage" in self.stages:
            self._evaluate_projects(values, n, out)
        if "tender" in self.stages:
            self._evaluate_tenders(values, n, out)
        if "venture" in self.stages:
            self._evaluate_ventures(values, n, out)
        return out.finish()

    def _group_keys(self) -> list[str]:
        keys = []
        for key, a in self.addresses.items():
            var = self.study.variables[key]
            if a.target in ("cell-file", "protocol"):
                keys.append(key)
            elif a.target == "cell" and (not _numeric(var) or a.path[0] == "target"):
                keys.append(key)
        return keys

    def _numeric_cell_keys(self, group_keys: list[str]) -> list[str]:
        return [k for k, a in self.addresses.items() if a.target == "cell" and k not in group_keys]

    def _evaluate_cells(self, values: dict, n: int, out: _Columns) -> None:
        from .. import chain

        gkeys = self._group_keys()
        numeric = self._numeric_cell_keys(gkeys)
        plant_keys = [k for k, a in self.addresses.items() if a.target == "plant"]
        rows = _rows(values, gkeys, n)
        for gvals, idx in rows.items():
            grow = dict(zip(gkeys, gvals))
            group = self._group(gvals, grow, numeric, values, idx)
            x = np.column_stack([values[k][idx].astype(float) for k in numeric]) if numeric else np.zeros((idx.size, 0))
            ok = np.ones(idx.size, dtype=bool)
            reason = np.full(idx.size, "", dtype=object)
            for j, key in enumerate(numeric):
                from ..spec import CellSpec

                b = bounds(CellSpec, self.addresses[key].path)
                inside = _inside(x[:, j], b)
                bad = ~inside & ok
                reason[bad] = [f"{key} = {v:g}: allowed {describe_bounds(b)}" for v in x[bad, j]]
                ok &= inside
            fields, exact_bad = self._design_inputs(group, grow, numeric, x, ok)
            if exact_bad:
                for i, msg in exact_bad.items():
                    ok[i], reason[i] = False, msg
            sel = np.flatnonzero(ok)
            if sel.size:
                from ..design import DesignInputs

                inputs = DesignInputs(**{k: v[sel] for k, v in fields.items()})
                costs = None
                if "cost" in self.stages:
                    costs = self._cost_inputs(group, grow, numeric, plant_keys, values, idx[sel], x[sel])
                result = chain.run(
                    inputs,
                    stages=[s for s in self.stages if s in ("design", "cost", "performance", "life")],
                    costs=costs,
                    materials=group.resolved.materials,
                    chemistry=group.spec.chemistry,
                    target=_target(group),
                    performance=self._performance(),
                    life=self._life(grow),
                )
                out.put(idx[sel], result.columns, result.valid, result.invalid_reason, result.warnings)
            rejected = np.flatnonzero(~ok)
            if rejected.size:
                out.reject(idx[rejected], reason[rejected])

    def _group(self, gvals: tuple, grow: dict, numeric: list[str], values: dict, idx: np.ndarray) -> _Group:
        from ..factory.plant_spec import cost_inputs
        from ..spec import parse_spec, resolve

        if gvals in self._groups:
            return self._groups[gvals]
        base_row = dict(grow)
        lo, hi = [], []
        for key in numeric:
            var = self.study.variables[key]
            a, b = self._box(var)
            lo.append(a)
            hi.append(b)
            base_row[key] = a
        cell = self._cell_dict(base_row)
        resolved = resolve(parse_spec(cell))
        spec = resolved.spec

        def fields_at(point: np.ndarray) -> dict:
            r = resolve(parse_spec(self._cell_dict({**grow, **dict(zip(numeric, map(float, point)))})))
            return {k: v[0].item() for k, v in r.inputs.as_dict().items()}

        mapping = None
        cost_from_cell = False
        if numeric and len(numeric) <= MAX_MULTILINEAR and np.all(np.array(hi) > np.array(lo)):
            try:
                mapping = _Multilinear(fields_at, np.array(lo), np.array(hi), np.random.default_rng(self.study.seed))
            except (_NotMultilinear, SpecError):
                mapping = None
        if numeric and "cost" in self.stages:
            plant = self._plant({})
            c0 = cost_inputs(resolved, plant).as_dict()
            r1 = resolve(parse_spec(self._cell_dict({**grow, **dict(zip(numeric, hi))})))
            c1 = cost_inputs(r1, plant).as_dict()
            cost_from_cell = any(not np.array_equal(c0[k], c1[k]) for k in c0)
        group = _Group(cell, resolved, spec, numeric, mapping, cost_from_cell)
        self._groups[gvals] = group
        return group

    @staticmethod
    def _box(var) -> tuple[float, float]:
        if var.kind == "distribution":
            lo, hi = var.from_unit(np.array([0.01, 0.99]))
        else:
            v = np.asarray(var.from_unit(np.array([0.0, 1.0])) if var.kind == "range" else var.levels(), dtype=float)
            lo, hi = v.min(), v.max()
        return float(lo), float(hi)

    def _design_inputs(self, group: _Group, grow: dict, numeric: list[str], x: np.ndarray, ok: np.ndarray):
        from ..spec import parse_spec, resolve

        n = x.shape[0]
        if not numeric:
            return {k: np.repeat(v, n) for k, v in group.resolved.inputs.as_dict().items()}, {}
        if group.map is not None:
            return group.map(x), {}
        # exact: one resolve per distinct row
        uniq, inv = np.unique(x, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        rows, bad = [], {}
        template = group.resolved.inputs.as_dict()
        for u in uniq:
            try:
                r = resolve(parse_spec(self._cell_dict({**grow, **dict(zip(numeric, map(float, u)))})))
                rows.append(r.inputs.as_dict())
            except SpecError as exc:
                rows.append(template)
                bad[len(rows) - 1] = f"{exc.field} = {exc.value}: {exc.allowed}"
        fields = {k: np.concatenate([r[k] for r in rows])[inv] for k in template}
        bad_rows = {int(i): bad[int(u)] for i, u in enumerate(inv) if int(u) in bad}
        return fields, bad_rows

    def _cost_inputs(self, group: _Group, grow, numeric, plant_keys, values, idx, x):
        from ..factory.inputs import CostInputs
        from ..factory.plant_spec import cost_inputs
        from ..spec import parse_spec, resolve

        cols = [values[k][idx] for k in plant_keys]
        if group.cost_from_cell:
            cols += [x[:, j] for j in range(x.shape[1])]
        if not cols:
            c = cost_inputs(group.resolved, self._plant({}))
            return c
        keys = [tuple(_plain(c[i]) for c in cols) for i in range(idx.size)]
        distinct: dict[tuple, int] = {}
        inv = np.array([distinct.setdefault(k, len(distinct)) for k in keys])
        parts = []
        for k in distinct:
            prow = dict(zip(plant_keys, k[: len(plant_keys)]))
            resolved = group.resolved
            if group.cost_from_cell:
                cvals = dict(zip(numeric, map(float, k[len(plant_keys) :])))
                resolved = resolve(parse_spec(self._cell_dict({**grow, **cvals})))
            parts.append(cost_inputs(resolved, self._plant(prow)).as_dict())
        return CostInputs(**{f: np.concatenate([p[f] for p in parts])[inv] for f in parts[0]})

    def _performance(self):
        if "performance" not in self.stages:
            return None
        from ..chain import Performance

        p = self.study.performance
        return Performance(model=p.model, c_rates=tuple(p.c_rates), thermal=p.thermal)

    def _life(self, grow: dict):
        if "life" not in self.stages:
            return None
        from ..aging.protocol import parse_protocol
        from ..chain import Life

        protocol = parse_protocol(self.study.life.protocol)
        changes = {
            self.addresses[k].path[0]: _plain(v) for k, v in grow.items() if self.addresses[k].target == "protocol"
        }
        if changes:
            protocol = dataclasses.replace(protocol, **changes)
        return Life(protocol=protocol, eol=self.study.life.eol)

    def _distinct(self, values: dict, keys: list[str], n: int) -> tuple[list[dict], np.ndarray]:
        seen: dict[tuple, int] = {}
        inv = np.array([seen.setdefault(tuple(_plain(values[k][i]) for k in keys), len(seen)) for i in range(n)])
        return [dict(zip(keys, t)) for t in seen], inv

    def _evaluate_projects(self, values: dict, n: int, out: _Columns) -> None:
        from ..cell import Cell
        from ..storage.project import age, evaluate_prepared, prepare

        keys = [k for k, a in self.addresses.items() if a.target in ("cell", "cell-file", "project")]
        rows, inv = self._distinct(values, keys, n)
        preps, index, errors = [], [], {}
        for j, row in enumerate(rows):
            try:
                p = self._project(row)
                cell_row = {k: v for k, v in row.items() if self.addresses[k].target in ("cell", "cell-file")}
                cell = Cell.from_spec(self._cell_dict(cell_row)) if cell_row else None
                preps.append(prepare(p, cell=cell))
                index.append(j)
            except SpecError as exc:
                errors[j] = f"{exc.field} = {exc.value}: {exc.allowed}"
        results = evaluate_prepared(preps, age(preps)) if preps else []
        by_row = dict(zip(index, results))
        cols: dict[str, list[float]] = {"lcos_usd_per_MWh": [], "capex_usd": [], "energy_delivered_MWh": []}
        for j in range(len(rows)):
            r = by_row.get(j)
            for name in cols:
                cols[name].append(getattr(r, name) if r is not None else np.nan)
        columns = {k: np.asarray(v, dtype=float)[inv] for k, v in cols.items()}
        valid = np.array([j in by_row for j in range(len(rows))])[inv]
        reason = np.array([errors.get(j, "") for j in range(len(rows))], dtype=object)[inv]
        warns = np.array(["; ".join(by_row[j].warnings) if j in by_row else "" for j in range(len(rows))], dtype=object)
        out.put(np.arange(n), columns, valid, reason, warns[inv])

    def _evaluate_tenders(self, values: dict, n: int, out: _Columns) -> None:
        from ..storage.tender import evaluate_tender

        keys = [k for k, a in self.addresses.items() if a.target in ("project", "bids")]
        rows, inv = self._distinct(values, keys, n)
        names = [str(b.get("name")) for b in (self.tender_data or {}).get("bids", [])]
        lcos = np.full((len(rows), len(names)), np.nan)
        rank = np.zeros((len(rows), len(names)), dtype=np.int64)
        winner = np.full(len(rows), "", dtype=object)
        reason = np.full(len(rows), "", dtype=object)
        warns = np.full(len(rows), "", dtype=object)
        aging: dict = {}  # this chunk's aging runs by duty: rows that differ only in money share them
        for j, row in enumerate(rows):
            try:
                result = evaluate_tender(self._tender(row), self.tender_dir, sensitivity=False, known_aging=aging)
            except SpecError as exc:
                reason[j] = f"{exc.field} = {exc.value}: {exc.allowed}"
                continue
            for entry in result.ranking:
                b = names.index(entry["name"])
                lcos[j, b] = entry["lcos_usd_per_MWh"]
                rank[j, b] = entry["rank"]
            winner[j] = result.ranking[0]["name"] if result.ranking else ""
            warns[j] = "; ".join(result.warnings)
            if not result.ranking:
                reason[j] = "no valid bid"
        columns: dict[str, np.ndarray] = {"winner": winner[inv]}
        for b, name in enumerate(names):
            columns[f"{name}.lcos_usd_per_MWh"] = lcos[inv, b]
            columns[f"{name}.rank"] = rank[inv, b]
        out.put(np.arange(n), columns, (reason == "")[inv], reason[inv], warns[inv])

    #: the venture stage's columns (``cellwright venture --json``'s results)
    VENTURE_COLUMNS = ("npv_usd", "irr", "peak_funding_usd", "years_to_cost_parity", "years_to_cash_positive")

    def _evaluate_ventures(self, values: dict, n: int, out: _Columns) -> None:
        from ..factory.venture import evaluate_venture

        keys = [k for k, a in self.addresses.items() if a.target == "venture"]
        rows, inv = self._distinct(values, keys, n)
        cols = {name: np.full(len(rows), np.nan) for name in self.VENTURE_COLUMNS}
        reason = np.full(len(rows), "", dtype=object)
        for j, row in enumerate(rows):
            try:
                result = evaluate_venture(self._venture(row), self.venture_dir)
            except SpecError as exc:
                reason[j] = f"{exc.field} = {exc.value}: {exc.allowed}"
                continue
            for name in self.VENTURE_COLUMNS:
                cols[name][j] = result[name]
        warns = np.full(n, "", dtype=object)
        out.put(np.arange(n), {k: v[inv] for k, v in cols.items()}, (reason == "")[inv], reason[inv], warns)


class _Columns:
    """Output columns filled group by group; a row's validity and reasons across stages."""

    def __init__(self, n: int):
        self.n = n
        self.cols: dict[str, np.ndarray] = {}
        self.valid = np.ones(n, dtype=bool)
        self.reason = np.full(n, "", dtype=object)
        self.warnings = np.full(n, "", dtype=object)

    def _column(self, name: str, like: np.ndarray) -> np.ndarray:
        if name not in self.cols:
            kind = like.dtype.kind
            if kind == "f":
                self.cols[name] = np.full(self.n, np.nan)
            elif kind in "iu":
                self.cols[name] = np.zeros(self.n, dtype=np.int64)
            elif kind == "b":
                self.cols[name] = np.zeros(self.n, dtype=bool)
            else:
                self.cols[name] = np.full(self.n, "", dtype=object)
        return self.cols[name]

    def put(self, idx, columns: dict, valid, reason, warnings) -> None:
        for name, v in columns.items():
            v = np.asarray(v)
            self._column(name, v)[idx] = v
        self.valid[idx] &= np.asarray(valid, dtype=bool)
        self._join(self.reason, idx, reason)
        self._join(self.warnings, idx, warnings)

    def reject(self, idx, reason) -> None:
        self.valid[idx] = False
        self._join(self.reason, idx, reason)

    @staticmethod
    def _join(target: np.ndarray, idx, texts) -> None:
        for i, t in zip(np.atleast_1d(idx), np.broadcast_to(np.asarray(texts, dtype=object), np.shape(idx))):
            if t:
                target[i] = f"{target[i]}; {t}" if target[i] else str(t)

    def finish(self) -> dict[str, np.ndarray]:
        out = dict(self.cols)
        out["valid"] = self.valid
        out["invalid_reason"] = self.reason.astype(str)
        out["warnings"] = self.warnings.astype(str)
        for k, v in out.items():
            if v.dtype == object:
                out[k] = v.astype(str)
        return out


def _rows(values: dict, keys: list[str], n: int) -> dict[tuple, np.ndarray]:
    """Row indices by the distinct tuple of ``keys``' values (in first-seen order)."""
    if not keys:
        return {(): np.arange(n)}
    groups: dict[tuple, list[int]] = {}
    for i in range(n):
        groups.setdefault(tuple(_plain(values[k][i]) for k in keys), []).append(i)
    return {k: np.array(v) for k, v in groups.items()}


def _numeric(var) -> bool:
    probe = np.asarray(var.levels() if var.kind == "values" else var.from_unit(np.array([0.5])))
    return probe.dtype.kind in "fiu"


def _inside(x: np.ndarray, b: tuple[float, bool, float, bool]) -> np.ndarray:
    lo, lo_in, hi, hi_in = b
    above = x >= lo if lo_in else x > lo
    below = x <= hi if hi_in else x < hi
    return above & below & np.isfinite(x)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _target(group: _Group):
    spec = group.spec
    if spec.target is None:
        return None
    from ..chain import SizingTarget

    kind = "energy_Wh" if spec.target.energy_Wh is not None else "capacity_Ah"
    value = spec.target.energy_Wh if kind == "energy_Wh" else spec.target.capacity_Ah
    free = group.resolved.free_dimension or ""  # set in target mode by resolve()
    return SizingTarget(kind, float(value or 0.0), free, spec.target.aspect_ratio or 3.0)


def build(study) -> Model:
    """The model of ``study``; every variable is checked before any work (SpecError)."""
    return Model(study)
