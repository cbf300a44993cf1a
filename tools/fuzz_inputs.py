"""Generate thousands of inputs of every kind cellwright reads and run each through the library
and the command line (in-process), each in a worker process with a time and a memory limit.

    python tools/fuzz_inputs.py --n 10000 --jobs 2 --timeout 30

    # on a busy machine: every other input through each door, cheap kinds more often, then
    # the same inputs through the other door
    python tools/fuzz_inputs.py --n 10000 --seed 11 --doors alternate --weights cost --timeout 10
    python tools/fuzz_inputs.py --n 10000 --seed 11 --doors alternate --weights cost --timeout 10 --flip

Kinds: spec, plant, project, bids, protocol, profile, dispatch, measurements (study files do not
exist yet). The generators are the property-based tests' (``tests/generated/fuzzgen.py``), driven
here by a seeded ``random.Random``: input ``i`` of a run with ``--seed s`` is the same on every
machine. Each input goes through both doors (``--doors``); each run counts as one of

* ok: success, every number finite;
* clean: the project's ``SpecError`` (library) or exit 2 (CLI);
* traceback: any other exception, or exit 1;
* hang: still running after ``--timeout`` seconds (the worker is killed and replaced);
* oom: ``MemoryError`` under the worker's address-space limit (``--memory-gb``);
* nonfinite: success whose result (or ``--json`` output, read by a strict parser) holds a NaN or
  an infinity.

The report is a table per kind and door, then each distinct failure (class, place, message with
numbers and paths blanked) with its count and the smallest input that shows it, shrunk further
by dropping lines while the failure stays the same, as shell lines that rebuild it. The exit code
is 1 if there is any traceback, hang, oom or non-finite result, 0 otherwise. Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from multiprocessing.connection import wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "generated"))
sys.path.insert(0, str(ROOT / "src"))

import fuzzgen  # noqa: E402
from fuzzgen import KINDS, Case, Outcome, RandomSource  # noqa: E402

STATUSES = ("ok", "clean", "traceback", "hang", "oom", "nonfinite")
FAILURES = ("traceback", "hang", "oom", "nonfinite")


#: Relative shares of the inputs under ``--weights cost``: the kinds whose runs take seconds
#: (a fit, a warranty anchor, a life simulation) get fewer inputs than those taking milliseconds.
COST_WEIGHTS = {
    "spec": 4,
    "plant": 3,
    "project": 3,
    "bids": 2,
    "protocol": 3,
    "profile": 2,
    "dispatch": 3,
    "measurements": 1,
}


def kind_cycle(kinds: list[str], weights: str) -> list[str]:
    """The order kinds are drawn in, repeated: each kind once (even) or by its weight (cost)."""
    if weights == "even":
        return list(kinds)
    if weights != "cost":
        raise SystemExit(f"--weights: even or cost, not {weights!r}")
    cycle: list[str] = []
    for round_ in range(max(COST_WEIGHTS[k] for k in kinds)):
        cycle += [k for k in kinds if COST_WEIGHTS[k] > round_]
    return cycle


def make_case(kind: str, seed: int, index: int) -> Case:
    return fuzzgen.generate(kind, RandomSource(random.Random(f"{seed}:{kind}:{index}")))


# ----------------------------------------------------------------------------- workers


def _worker(conn, memory_bytes: int, scratch: str) -> None:
    """Run tasks (case, door) from ``conn`` until it closes; answer each with an Outcome."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    warnings.simplefilter("ignore")
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.chdir(scratch)  # plots written by default land here
    n = 0
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        case, door = task
        folder = Path(tempfile.mkdtemp(dir=scratch))
        try:
            case.materialise(folder)
            outcome = fuzzgen.DOORS[door](case, folder)
        except MemoryError as exc:
            outcome = Outcome("oom", f"MemoryError: {exc}"[:300], "worker")
        except BaseException as exc:  # the harness itself failed on this input
            outcome = Outcome("traceback", f"harness: {type(exc).__name__}: {exc}"[:300], "fuzz_inputs")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        conn.send(outcome)
        n += 1


class Pool:
    """Worker processes, each running one task at a time under a wall-clock limit; a worker
    past its limit is killed and replaced (the task counts as a hang)."""

    def __init__(self, jobs: int, timeout: float, memory_gb: float, recycle: int = 400):
        self.jobs, self.timeout, self.recycle = jobs, timeout, recycle
        self.memory = int(memory_gb * 1024**3) if memory_gb > 0 else 0
        self.scratch = tempfile.mkdtemp(prefix="cellwright-fuzz-")
        self.ctx = mp.get_context("fork")
        self.workers: list[dict] = [self._start() for _ in range(jobs)]

    def _start(self) -> dict:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child, self.memory, self.scratch), daemon=True)
        proc.start()
        child.close()
        return {"proc": proc, "conn": parent, "task": None, "t0": 0.0, "done": 0}

    def _replace(self, w: dict, kill: bool) -> dict:
        if kill and w["proc"].is_alive():
            w["proc"].kill()
        w["proc"].join(5)
        w["conn"].close()
        return self._start()

    def run(self, tasks, deadline: float | None = None):
        """Yield (key, outcome, seconds) for tasks (key, case, door); stop starting new ones
        after ``deadline`` (time.monotonic)."""
        tasks = iter(tasks)
        pending = True
        while True:
            for i, w in enumerate(self.workers):
                if w["task"] is None and pending:
                    if deadline is not None and time.monotonic() > deadline:
                        pending = False
                        break
                    task = next(tasks, None)
                    if task is None:
                        pending = False
                        break
                    if w["done"] >= self.recycle:
                        w = self.workers[i] = self._replace(w, kill=True)
                    try:
                        w["conn"].send(task[1:])
                    except (BrokenPipeError, OSError):
                        w = self.workers[i] = self._replace(w, kill=True)
                        w["conn"].send(task[1:])
                    w["task"], w["t0"] = task, time.monotonic()
            busy = [w for w in self.workers if w["task"] is not None]
            if not busy:
                return
            now = time.monotonic()
            wait_for = max(0.05, min(w["t0"] + self.timeout - now for w in busy))
            ready = wait([w["conn"] for w in busy], timeout=wait_for)
            for i, w in enumerate(self.workers):
                if w["task"] is None:
                    continue
                key = w["task"][0]
                elapsed = time.monotonic() - w["t0"]
                if w["conn"] in ready:
                    try:
                        outcome = w["conn"].recv()
                        w["task"], w["done"] = None, w["done"] + 1
                    except (EOFError, OSError):
                        code = w["proc"].exitcode
                        self.workers[i] = self._replace(w, kill=True)
                        outcome = Outcome("oom" if code == -9 else "traceback", f"worker died (exit {code})", "worker")
                    yield key, outcome, elapsed
                elif elapsed > self.timeout:
                    self.workers[i] = self._replace(w, kill=True)
                    yield key, Outcome("hang", f"still running after {self.timeout:g} s", "timeout"), elapsed

    def close(self) -> None:
        for w in self.workers:
            w["conn"].close()
            w["proc"].join(2)
            if w["proc"].is_alive():
                w["proc"].kill()
        shutil.rmtree(self.scratch, ignore_errors=True)


def hang_signature(case: Case, door: str) -> str:
    """Hangs have no message: they are told apart by kind, door, command and the generator's
    first note (e.g. the shape of a CSV's time column)."""
    command = case.cli[0] if door == "cli" else "library"
    first = case.note.split(";")[0].strip() if case.note else ""
    return f"hang | {case.kind}/{door} | {command} | {first}"


# ----------------------------------------------------------------------------- shrinking


def _target_bytes(case: Case) -> bytes | None:
    content = case.files.get(case.target)
    return content if isinstance(content, bytes) else None


def shrink(pool: Pool, case: Case, door: str, signature: str, budget: int) -> Case:
    """Drop lines (then chunks of them) of the file under test, or tokens of a protocol, while
    the failure keeps its signature; at most ``budget`` runs."""
    import dataclasses

    def variants(c: Case):
        if c.kind == "protocol":
            tokens = c.target.split(",")
            for i in range(len(tokens)):
                text = ",".join(tokens[:i] + tokens[i + 1 :])
                cli = [text if a == c.target else a for a in c.cli]
                yield dataclasses.replace(c, target=text, cli=cli)
            return
        data = _target_bytes(c)
        if data is None:
            return
        lines = data.split(b"\n")
        for size in (max(1, len(lines) // 2), max(1, len(lines) // 4), 1):
            for i in range(0, len(lines), size):
                smaller = b"\n".join(lines[:i] + lines[i + size :])
                if smaller != data:
                    yield dataclasses.replace(c, files={**c.files, c.target: smaller})

    best, runs, improved = case, 0, True
    while improved and runs < budget:
        improved = False
        for candidate in variants(best):
            if runs >= budget:
                break
            runs += 1
            (_, outcome, _), *_ = list(pool.run([(0, candidate, door)]))
            if outcome.signature() == signature:
                best, improved = candidate, True
                break
    return best


# ----------------------------------------------------------------------------- report


def report(counts, failures, examples, n_inputs, seconds, shrunk, busy) -> str:
    out = [f"{n_inputs} inputs, {sum(sum(c.values()) for c in counts.values())} runs in {seconds / 60:.1f} min", ""]
    head = f"{'kind':<14}{'door':<9}" + "".join(f"{s:>11}" for s in (*STATUSES, "total")) + f"{'s/run':>8}"
    out += [head, "-" * len(head)]
    totals = Counter()
    for (kind, door), c in sorted(counts.items(), key=lambda kv: (KINDS.index(kv[0][0]), kv[0][1])):
        mean = busy[kind, door] / max(sum(c.values()), 1)
        out.append(
            f"{kind:<14}{door:<9}" + "".join(f"{c[s]:>11}" for s in STATUSES) + f"{sum(c.values()):>11}{mean:>8.2f}"
        )
        totals.update(c)
    out.append("-" * len(head))
    out.append(f"{'all':<23}" + "".join(f"{totals[s]:>11}" for s in STATUSES) + f"{sum(totals.values()):>11}")
    out += ["", f"{len(failures)} distinct failures", ""]
    for n, (sig, hits) in enumerate(sorted(failures.items(), key=lambda kv: -len(kv[1])), start=1):
        kinds = Counter(f"{k}/{d}" for k, d in hits)
        case, door, outcome = examples[sig]
        case = shrunk.get(sig, case)
        out.append(f"[{n}] {outcome.status}: {len(hits)} run(s) ({', '.join(f'{k} {v}' for k, v in kinds.items())})")
        out.append(f"    at {outcome.where or '?'}")
        out.append(f"    {outcome.message}")
        out.append(f"    input ({case.kind}, door {door}; {case.note or 'no note'}):")
        lines = case.reproducer().splitlines()
        if door == "library":  # the files, then the library call instead of the command
            lines = [*lines[:-1], f"# library: {case.library_call()}", f"# (the CLI on it: {lines[-1]})"]
        out += ["      " + line for line in lines]
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="number of inputs (shared among the kinds by --weights)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS))
    ap.add_argument(
        "--doors",
        default="library,cli",
        help="library, cli, library,cli (every input through both) or alternate (every other input through each)",
    )
    ap.add_argument(
        "--flip",
        action="store_true",
        help="with --doors alternate, the other door for each input (a second run covers both)",
    )
    ap.add_argument(
        "--weights",
        default="even",
        help="share of the inputs per kind: even, or cost (fewer of the kinds whose runs take seconds: "
        + ", ".join(f"{k} {w:g}" for k, w in COST_WEIGHTS.items())
        + ")",
    )
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per run before it counts as a hang")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--memory-gb", type=float, default=3.0, help="address-space limit per worker (0: none)")
    ap.add_argument("--time-limit", type=float, default=0, help="stop starting new runs after this many minutes")
    ap.add_argument("--shrink-budget", type=int, default=25, help="runs spent shrinking each distinct failure")
    ap.add_argument("--out", type=Path, help="also write the report (and a JSON summary next to it)")
    args = ap.parse_args(argv)

    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    alternate = args.doors == "alternate"
    doors = list(fuzzgen.DOORS) if alternate else [d.strip() for d in args.doors.split(",") if d.strip()]
    unknown = [k for k in kinds if k not in KINDS] + [d for d in doors if d not in fuzzgen.DOORS]
    if unknown:
        ap.error(f"unknown kind or door: {', '.join(unknown)}")

    cycle = kind_cycle(kinds, args.weights)

    def tasks():
        for i in range(args.n):
            kind = cycle[i % len(cycle)]
            case = make_case(kind, args.seed, i)
            for door in [doors[(i // len(cycle) + args.flip) % 2]] if alternate else doors:
                yield (i, case, door), case, door

    pool = Pool(args.jobs, args.timeout, args.memory_gb)
    counts: dict = defaultdict(Counter)
    failures: dict = defaultdict(list)
    examples: dict = {}
    busy: Counter = Counter()
    started = time.monotonic()
    deadline = started + 60 * args.time_limit if args.time_limit else None
    inputs_seen: set = set()
    try:
        for done, ((i, case, door), outcome, elapsed) in enumerate(pool.run(tasks(), deadline), start=1):
            inputs_seen.add(i)
            busy[case.kind, door] += elapsed
            counts[case.kind, door][outcome.status] += 1
            if outcome.status in FAILURES:
                sig = outcome.signature() if outcome.status != "hang" else hang_signature(case, door)
                failures[sig].append((case.kind, door))
                if sig not in examples or case.size() < examples[sig][0].size():
                    examples[sig] = (case, door, outcome)
            if done % 200 == 0:
                bad = sum(len(v) for v in failures.values())
                rate = done / (time.monotonic() - started)
                print(f"{done} runs, {len(inputs_seen)} inputs, {bad} failures, {rate:.1f} runs/s", file=sys.stderr)
        shrunk = {}
        if args.shrink_budget > 0:
            for sig, (case, door, outcome) in examples.items():
                if outcome.status in ("traceback", "nonfinite", "oom"):
                    shrunk[sig] = shrink(pool, case, door, outcome.signature(), args.shrink_budget)
    finally:
        pool.close()
    seconds = time.monotonic() - started
    text = report(counts, failures, examples, len(inputs_seen), seconds, shrunk, busy)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
        summary = {
            "inputs": len(inputs_seen),
            "seed": args.seed,
            "timeout_s": args.timeout,
            "counts": {f"{k}/{d}": dict(c) for (k, d), c in counts.items()},
            "failures": {sig: len(hits) for sig, hits in failures.items()},
        }
        args.out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    failed = sum(counts[key][s] for key in counts for s in FAILURES)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
