import functools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


def run_cli(*args, cwd=None, timeout=300):
    """Run ``python -m cellwright.cli`` as a user would; arguments are str()-ed."""
    return subprocess.run(
        [sys.executable, "-m", "cellwright.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


@pytest.fixture
def cli(tmp_path):
    """The command line, run in a subprocess in an empty directory (files it writes, such as
    plots, land there): ``cli("design", path, "--json")``."""
    return functools.partial(run_cli, cwd=tmp_path)
