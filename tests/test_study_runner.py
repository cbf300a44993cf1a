"""The study runner, store and executors, end to end on a fake two-wave grid plan whose model
designs real cells (tests/study_fakes.py)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import study_fakes
from cellwright.errors import SpecError
from cellwright.studies.executors import evaluate, make_executor
from cellwright.studies.runner import run_plan
from cellwright.studies.store import StudyStore
from study_fakes import POROSITY, SCALE, DesignModel, GridPlan, run_into

ROOT = Path(__file__).resolve().parents[1]
N_CHUNKS = 2 * GridPlan().n_wave // GridPlan().chunk_size


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests"), env.get("PYTHONPATH", "")])
    return env


def assert_same_rows(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for name in a:
        assert a[name].dtype.kind == b[name].dtype.kind, name
        if a[name].dtype.kind == "f":
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)  # NaN == NaN here
        else:
            assert np.array_equal(a[name], b[name]), name


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uninterrupted in-process run: (rows on disk, plan after the run, summary)."""
    out = tmp_path_factory.mktemp("reference")
    summary, plan = run_into(out)
    return StudyStore(out).read_all(), plan, summary


def test_run_writes_every_variant_once_with_the_models_outputs(reference):
    rows, plan, summary = reference
    n = GridPlan().n_total
    assert summary.rows == n and summary.chunks_computed == N_CHUNKS and summary.chunks_reused == 0
    assert np.array_equal(rows["variant"], np.arange(n))
    assert list(rows)[:3] == ["variant", SCALE, POROSITY]
    # the plan was told every chunk, in id order, and wave 2 refined around wave 1's best
    assert plan.told == list(range(N_CHUNKS))
    wave1 = rows["variant"] < plan.n_wave
    best = rows[SCALE][wave1][np.argmax(rows["specific_energy_Wh_kg"][wave1])]
    np.testing.assert_allclose(rows[SCALE][~wave1].min(), best - 0.05, rtol=0, atol=1e-12)
    # a stored row is exactly what the model gives for it; Wh/kg = Wh / kg
    k = 123
    direct = evaluate(DesignModel(), {SCALE: rows[SCALE][k : k + 1], POROSITY: rows[POROSITY][k : k + 1]})
    for name, value in direct.items():
        assert rows[name][k] == value[0], name
    np.testing.assert_allclose(rows["specific_energy_Wh_kg"], rows["energy_Wh"] / rows["mass_kg"], rtol=1e-12)
    # a thicker cathode coating in the same can gives fewer layers but more capacity per layer:
    # the capacity must change with the scale (the variable really reaches the model)
    assert np.ptp(rows["capacity_Ah"][wave1]) > 1.0


def test_rerun_reuses_every_chunk_and_tells_the_plan_the_same(reference, tmp_path):
    rows, plan, _ = reference
    run_into(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "results").iterdir()}
    summary, again = run_into(tmp_path)
    assert summary.chunks_computed == 0 and summary.chunks_reused == N_CHUNKS
    assert again.told == plan.told and again.best_scale == plan.best_scale
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "results").iterdir()} == before
    assert_same_rows(StudyStore(tmp_path).read_all(), rows)


@pytest.mark.parametrize("kill_after", [4, N_CHUNKS * 5 // 8], ids=["in-wave-1", "in-wave-2"])
def test_resume_after_kill_loses_and_duplicates_nothing(reference, tmp_path, kill_after):
    rows, plan, _ = reference
    out = tmp_path / "killed"
    script = [sys.executable, str(ROOT / "tests" / "study_fakes.py"), str(out), "--delay", "0.15"]
    proc = subprocess.Popen(script, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(StudyStore(out).done()) < kill_after:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run wrote no chunks"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    written = StudyStore(out).done()
    assert kill_after <= len(written) < N_CHUNKS  # killed mid-way
    summary, resumed = run_into(out)
    assert summary.chunks_reused == len(written) and summary.chunks_computed == N_CHUNKS - len(written)
    assert resumed.told == plan.told and resumed.best_scale == plan.best_scale
    after = StudyStore(out).read_all()
    assert np.array_equal(after["variant"], np.arange(GridPlan().n_total))  # none lost, none twice
    assert_same_rows(after, rows)
    assert not list((out / "results").glob(".*"))  # no temporary file left


def test_processes_give_the_in_process_rows(reference, tmp_path):
    rows, plan, _ = reference
    summary, again = run_into(tmp_path, workers=2)
    assert summary.chunks_computed == N_CHUNKS
    assert again.told == plan.told
    assert_same_rows(StudyStore(tmp_path).read_all(), rows)


class _Threads:
    """A backend whose chunks finish out of order, counting the chunks in flight."""

    workers = 2

    def __init__(self):
        self.pool = ThreadPoolExecutor(4)
        self.inflight = self.peak = 0
        self.lock = threading.Lock()

    def submit(self, model, chunk):
        with self.lock:
            self.inflight += 1
            self.peak = max(self.peak, self.inflight)

        def work():
            time.sleep(0.02 * (3 - chunk.id % 3))  # later chunks finish first
            out = evaluate(model, chunk.values)
            with self.lock:
                self.inflight -= 1
            return out

        return self.pool.submit(work)

    def close(self):
        self.pool.shutdown()


def test_chunks_in_flight_stay_bounded_and_are_told_in_order(reference, tmp_path):
    rows, plan, _ = reference
    store = StudyStore(tmp_path)
    fake = GridPlan()
    store.start(study_text="", study={}, seed=0, n_total=fake.n_total)
    backend = _Threads()
    try:
        run_plan(fake, DesignModel(), store, backend, progress=False)
    finally:
        backend.close()
    assert 2 <= backend.peak <= 2 * backend.workers
    assert fake.told == plan.told
    assert_same_rows(store.read_all(), rows)


def test_store_refuses_another_study_and_a_foreign_folder(tmp_path):
    store = StudyStore(tmp_path / "a")
    store.start(study_text="x = 1\n", study={"x": 1}, seed=0, n_total=10)
    store.start(study_text="x = 1\n", study={"x": 1}, seed=0, n_total=10)  # the same: resumes
    with pytest.raises(SpecError, match="holds another study") as err:
        StudyStore(tmp_path / "a").start(study_text="x = 1\n", study={"x": 1}, seed=1, n_total=10)
    assert err.value.field == "--out"
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("mine")
    with pytest.raises(SpecError, match="--out"):
        StudyStore(tmp_path / "b").start(study_text="", study={}, seed=0, n_total=1)


def test_manifest_is_strict_json_with_versions_and_no_nan(tmp_path):
    store = StudyStore(tmp_path)
    store.start(
        study_text="a = nan\n",
        study={"a": float("nan"), "b": np.array([1.0, np.inf]), "c": Path("x.toml")},
        seed=7,
        n_total=3,
        sources=["b-key", "a-key", "b-key"],
    )

    def refuse(token):
        raise AssertionError(f"{token} in the manifest")

    doc = json.loads((tmp_path / "manifest.json").read_text(), parse_constant=refuse)
    assert doc["study"] == {"a": None, "b": [1.0, None], "c": "x.toml"}
    assert doc["seed"] == 7 and doc["n_total"] == 3 and doc["sources"] == ["a-key", "b-key"]
    assert set(doc["versions"]) == {"cellwright", "numpy", "scipy", "numba", "pyarrow", "duckdb"}
    assert doc["versions"]["numpy"] == np.__version__
    assert len(doc["hash"]) == 64


def test_chunk_round_trip_keeps_types_and_ignores_partial_writes(tmp_path):
    store = StudyStore(tmp_path)
    store.start(study_text="", study={}, seed=0, n_total=3)
    cols = {
        "variant": np.array([4, 5, 6], dtype=np.int32),
        "plant.region": np.array(["china", "united-states", ""]),
        "x": np.array([1.5, np.nan, -np.inf]),
        "valid": np.array([True, False, True]),
        "layers": np.array([3, 4, 5]),
    }
    store.write_chunk(2, cols)
    (tmp_path / "results" / ".part-000003.parquet.tmp999").write_bytes(b"cut short")
    assert store.done() == {2}
    back = store.read_chunk(2)
    assert back["variant"].dtype == np.int64 and back["layers"].dtype == np.int64
    assert back["valid"].dtype == bool and back["plant.region"].dtype.kind == "U"
    for name, value in cols.items():
        np.testing.assert_array_equal(back[name], value)
    StudyStore(tmp_path).start(study_text="", study={}, seed=0, n_total=3)  # cleans the leftover
    assert not list((tmp_path / "results").glob(".*"))


def test_query_and_csv_agree_with_the_rows(reference, tmp_path):
    rows, _, _ = reference
    run_into(tmp_path)
    store = StudyStore(tmp_path)
    table = store.query(f'SELECT count(*) AS n, avg(capacity_Ah) AS c, max("{SCALE}") AS s FROM results')
    assert table.column("n")[0].as_py() == len(rows["variant"])
    np.testing.assert_allclose(table.column("c")[0].as_py(), rows["capacity_Ah"].mean(), rtol=1e-12)
    assert table.column("s")[0].as_py() == rows[SCALE].max()
    csv = store.to_csv("SELECT variant, energy_Wh FROM results WHERE variant < 5 ORDER BY variant", tmp_path / "o.csv")
    lines = csv.read_text().splitlines()
    assert lines[0] == '"variant","energy_Wh"' and len(lines) == 6
    assert float(lines[3].split(",")[1]) == rows["energy_Wh"][2]
    with pytest.raises(SpecError, match="SQL"):
        store.query("SELECT nope FROM results")


@pytest.fixture
def cli():
    from cellwright.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["study", *args])


def test_cli_query_prints_csv_and_exit_codes(cli, tmp_path):
    run_into(tmp_path / "r")
    result = cli("query", str(tmp_path / "r"), "SELECT count(*) AS n FROM results", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"rows": [{"n": GridPlan().n_total}]}
    result = cli("query", str(tmp_path / "r"), "SELECT variant FROM results", "--csv", str(tmp_path / "v.csv"))
    assert result.exit_code == 0 and len((tmp_path / "v.csv").read_text().splitlines()) == GridPlan().n_total + 1
    result = cli("query", str(tmp_path / "r"), "SELECT nope FROM results")
    assert result.exit_code == 2 and "error: SQL" in result.stderr
    result = cli("query", str(tmp_path / "missing"), "SELECT 1")
    assert result.exit_code == 2 and "DIR" in result.stderr
    result = cli("run", "study.toml", "--out", str(tmp_path / "o"), "--workers", "2", "--scheduler", "tcp://x:1")
    assert result.exit_code == 2 and "--workers" in result.stderr and not (tmp_path / "o").exists()
    result = cli("run", "study.toml", "--out", str(tmp_path / "o"), "--workers", "0")
    assert result.exit_code == 2 and "--workers" in result.stderr


def test_make_executor_refuses_both_backends():
    with pytest.raises(SpecError, match="not both"):
        make_executor(2, "tcp://127.0.0.1:1")
    with pytest.raises(SpecError, match="--workers"):
        make_executor(0)
    assert study_fakes.DesignModel().output_names  # the fake model is importable by name


@pytest.fixture
def study_modules(monkeypatch, tmp_path):
    """The study file's loader, planner and model builder (the modules the runner imports),
    standing in with the fake grid: a study file naming a cell file, and its folder."""
    (tmp_path / "cell.toml").write_text('chemistry = "lfp-graphite"\n')
    path = tmp_path / "study.toml"
    path.write_text('name = "fake grid"\ncell = "cell.toml"\nseed = 3\n')

    def load_study(p):
        if Path(p).name == "bad.toml":
            raise SpecError('variables."cathode.thickness_um".range', [120, 60], "an increasing pair")
        return types.SimpleNamespace(name="fake grid", cell="cell.toml", seed=3, base_dir=Path(p).parent)

    for name, attrs in {
        "spec": {"load_study": load_study},
        "methods": {"plan": lambda study: GridPlan(n_scale=4, n_porosity=3, chunk_size=5)},
        "model": {"build": lambda study: DesignModel()},
    }.items():
        module = types.ModuleType(f"cellwright.studies.{name}")
        module.__dict__.update(attrs)
        monkeypatch.setitem(sys.modules, module.__name__, module)
    return path


def test_cli_run_a_study_file_resumes_and_refuses_a_changed_input(cli, study_modules, tmp_path):
    out = tmp_path / "out"
    result = cli("run", str(study_modules), "--out", str(out), "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == 24 and summary["chunks_computed"] == 6 and summary["chunks_reused"] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["files"] == {"cell": 'chemistry = "lfp-graphite"\n'}
    assert manifest["study_text"] == study_modules.read_text() and manifest["chunks_done"] == 6
    result = cli("run", str(study_modules), "--out", str(out), "--no-progress", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["chunks_reused"] == 6
    (tmp_path / "cell.toml").write_text('chemistry = "lfp-graphite-ev"\n')  # the same study file, another cell
    result = cli("run", str(study_modules), "--out", str(out), "--no-progress")
    assert result.exit_code == 2 and "--out" in result.stderr and "holds another study" in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("")
    result = cli("run", str(bad), "--out", str(tmp_path / "never"))
    assert result.exit_code == 2 and "cathode.thickness_um" in result.stderr
    assert not (tmp_path / "never").exists()  # refused before any work


@pytest.mark.parametrize("workers", [None, 2], ids=["in-process", "processes"])
def test_a_users_mistake_found_in_a_worker_arrives_as_the_same_spec_error(tmp_path, workers):
    error, store = study_fakes.refused_run(tmp_path, make_executor(workers))
    assert type(error) is SpecError and error.field == "cathode.thickness_scale"
    assert error.allowed == "at most 0.6" and error.value == pytest.approx(0.7222222222)
    assert store.done() <= {0, 1, 2, 3}  # what was written before the mistake stays
