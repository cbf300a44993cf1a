"""The compiled kernels are cached on disk, and the first compile says so on stderr, once.

Runs a small SPMe discharge in a subprocess with a fresh ``NUMBA_CACHE_DIR``: the first run
compiles (and must announce it, naming the cache), the second loads from the cache (and must
say nothing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

from cellwright.electrochem import _jit, _jit_dfn

SCRIPT = """
from cellwright.cell import Cell
from cellwright.electrochem.from_design import from_cell
from cellwright.electrochem.solve import simulate

p = from_cell(Cell.from_spec({"chemistry": "lfp-graphite", "format": "prismatic",
              "dimensions": {"width_mm": 173.9, "thickness_mm": 71.7, "height_mm": 207.0}}))
sol = simulate(p, ["Discharge at 1C until 2.5 V"])
print(float(sol.discharge_capacity_Ah[0]))
"""

MESSAGE = "cellwright: compiling the SPMe kernels once (cached in"


def test_kernels_are_cached_on_disk():
    kernels = [_jit.step, _jit.voltage, _jit.advance, _jit.run_constant, _jit_dfn.electrode_newton]
    # cache=True gives each dispatcher an on-disk FunctionCache (NullCache otherwise)
    assert all(k._cache.__class__.__name__ == "FunctionCache" for k in kernels)


def _run(cache_dir: Path) -> subprocess.CompletedProcess:
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = os.environ | {"NUMBA_CACHE_DIR": str(cache_dir), "CELLWRIGHT_NUMBA": "1"}
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)


def test_first_compile_says_so_once(tmp_path):
    cache = tmp_path / "numba-cache"
    first = _run(cache)
    assert first.returncode == 0, first.stderr
    lines = [ln for ln in first.stderr.splitlines() if ln.startswith("cellwright: compiling")]
    assert len(lines) == 1, first.stderr
    assert lines[0].startswith(MESSAGE) and str(cache) in lines[0]
    assert any(cache.rglob("*.nbi")), "no Numba cache index written"

    second = _run(cache)
    assert second.returncode == 0, second.stderr
    assert "cellwright: compiling" not in second.stderr
    # the cached kernels give the same discharge
    assert float(second.stdout.strip()) == float(first.stdout.strip()) > 0
