"""A study through a real Dask cluster on localhost (``dask scheduler`` and two ``dask worker``
processes, reached by the scheduler's TCP address) gives exactly the in-process rows."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cellwright.errors import SpecError
from cellwright.studies.executors import Dask
from cellwright.studies.store import StudyStore
from study_fakes import GridPlan, refused_run, run_into

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
SCHEDULER = [sys.executable, "-m", "dask", "scheduler"]  # the `dask scheduler` command
WORKER = [sys.executable, "-m", "dask", "worker"]  # the `dask worker` command


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests"), env.get("PYTHONPATH", "")])
    return env


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The address of a scheduler with two single-thread workers connected; torn down after."""
    folder = tmp_path_factory.mktemp("dask")
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        log = open(folder / "scheduler.log", "w+b")
        logs.append(log)
        procs.append(
            subprocess.Popen(
                [*SCHEDULER, "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
                env=_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=folder,
            )
        )
        address, deadline = None, time.monotonic() + 60
        while address is None:
            assert procs[0].poll() is None, (folder / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not say its address"
            found = re.search(r"Scheduler at:\s*(tcp://[\d.]+:\d+)", (folder / "scheduler.log").read_text())
            address = found.group(1) if found else None
            time.sleep(0.1)
        for i in range(2):
            log = open(folder / f"worker{i}.log", "w+b")
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [*WORKER, address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0"],
                    env=_env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=folder,
                )
            )
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)
        for log in logs:
            log.close()


def test_dask_cluster_gives_the_in_process_rows(cluster, tmp_path):
    local, local_plan = run_into(tmp_path / "local")
    remote, remote_plan = run_into(tmp_path / "dask", scheduler=cluster)
    assert remote.rows == local.rows == GridPlan().n_total and remote.chunks_computed == local.chunks_computed
    assert remote_plan.told == local_plan.told and remote_plan.best_scale == local_plan.best_scale
    a, b = StudyStore(tmp_path / "local").read_all(), StudyStore(tmp_path / "dask").read_all()
    assert list(a) == list(b)
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_dask_sees_both_workers(cluster):
    executor = Dask(cluster)
    try:
        assert executor.workers == 2
    finally:
        executor.close()


def test_a_users_mistake_found_on_a_worker_arrives_as_the_same_spec_error(cluster, tmp_path):
    error, _ = refused_run(tmp_path, Dask(cluster))
    assert type(error) is SpecError and error.field == "cathode.thickness_scale"
    assert error.allowed == "at most 0.6"


def test_no_scheduler_at_the_address_names_the_option():
    with pytest.raises(SpecError, match="--scheduler"):
        Dask("tcp://127.0.0.1:1", timeout_s=2)
    with pytest.raises(SpecError, match="--scheduler"):
        Dask("127.0.0.1:8786")
