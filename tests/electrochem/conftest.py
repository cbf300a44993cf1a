"""Designed cells shared by the electrochemistry tests."""

from pathlib import Path

import pytest

from cellwright.cell import Cell
from cellwright.electrochem.from_design import from_cell

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def m50():
    return from_cell(Cell.from_spec(ROOT / "examples" / "lg-m50-21700.toml"))


@pytest.fixture(scope="module")
def lfp():
    return from_cell(Cell.from_spec(ROOT / "examples" / "lfp-280ah-prismatic.toml"))
