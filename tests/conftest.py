"""Fixtures shared by every test: the command line (in-process, and as a subprocess for the few
end-to-end smoke tests) and a cache directory of the session's own."""

import contextlib
import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory):
    """The on-disk caches (``CELLWRIGHT_CACHE_DIR``) in a folder of the session's own, so tests
    never write to the home directory and every session starts cold."""
    path = tmp_path_factory.mktemp("cellwright-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CELLWRIGHT_CACHE_DIR", str(path))
        yield path


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@dataclass
class Run:
    """What a run of the command line left: its exit code and its two streams (as text)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, cwd=None, timeout=300) -> Run:
    """Run ``python -m cellwright.cli`` as a user would, in a new process; arguments are str()-ed.
    The process imports the same cellwright as the tests (whatever ``cwd`` is)."""
    import cellwright

    package_root = str(Path(cellwright.__file__).resolve().parents[1])
    path = os.pathsep.join(x for x in (package_root, os.environ.get("PYTHONPATH")) if x)
    out = subprocess.run(
        [sys.executable, "-m", "cellwright.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": path},
    )
    return Run(out.returncode, out.stdout, out.stderr)


def invoke_cli(*args, cwd=None) -> Run:
    """Run the command line in this process (typer's runner) from the folder ``cwd``: the same
    arguments, exit code and streams as :func:`run_cli`, without starting Python again. A
    successful ``--json`` run's output must parse as strict JSON (no NaN or Infinity)."""
    from typer.testing import CliRunner

    from cellwright.cli import app, route

    with contextlib.chdir(cwd or os.getcwd()):
        result = CliRunner().invoke(app, route([str(a) for a in args]), prog_name="cellwright")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a failure the command line did not turn into an exit code
    if "--json" in args and result.exit_code == 0:
        json.loads(result.stdout, parse_constant=_refuse)  # JSON has no NaN or Infinity
    return Run(result.exit_code, result.stdout, result.stderr)


def _refuse(token: str):
    raise ValueError(f"--json output holds {token}, which JSON does not have")


@pytest.fixture
def cli(tmp_path):
    """The command line, run in-process from an empty folder (so a file it writes where it should
    not would land there): ``cli("design", path, "--json")`` gives ``returncode``, ``stdout``
    and ``stderr``."""
    return functools.partial(invoke_cli, cwd=tmp_path)


@pytest.fixture(scope="session")
def cli_once(tmp_path_factory):
    """The command line in-process, each distinct command run once per session and its result
    shared: for tests that read the same result (commands that write no file)."""
    cwd = tmp_path_factory.mktemp("cli-once")

    @functools.cache
    def run(*args) -> Run:
        return invoke_cli(*args, cwd=cwd)

    return lambda *args: run(*map(str, args))


@pytest.fixture
def cli_process(tmp_path):
    """The command line as a new process, for end-to-end smoke tests only (each start costs
    seconds)."""
    return functools.partial(run_cli, cwd=tmp_path)
