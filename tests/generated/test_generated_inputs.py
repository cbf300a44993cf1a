"""Generated input of every kind cellwright reads: the library and the CLI either succeed or fail
with the project's ``SpecError`` (exit 2), within a time limit, and a success holds finite numbers
only (its ``--json`` output read by a strict parser that refuses ``NaN`` and ``Infinity``).

Input kinds: cell spec files, plant files, storage project files, tender bid files, protocol
strings, duty-profile CSVs, dispatch CSVs and aging measurement CSVs. Study files do not exist
yet: when they do, add a generator to ``fuzzgen.py`` and a pair of tests here.

Generators (``fuzzgen.py``) mutate the shipped examples and build files from their structure; the
same generators drive ``tools/fuzz_inputs.py`` for runs of 10,000 inputs and more. Each run has a
hard time limit (a timer signal) and a memory allowance (an address-space limit), so a hang or a
memory blow-up fails the test instead of stalling CI. The ``ci`` hypothesis profile (the default,
``conftest.py``) is reproducible and keeps this folder under two minutes on a 2-core machine; the
expensive paths are avoided (two-year projects, no datasheet anchoring, short warranties, profiles
run for a fifth of a year, ``--no-anchor`` and ``--no-sensitivity``).
"""

import os

import pytest
from fuzzgen import (
    DEVICES,
    DIR,
    DOORS,
    FIFO,
    KINDS,
    MISSING,
    PROFILE_COLUMNS,
    TEMPERATURE_COLUMN,
    Case,
    generate,
    run_case,
    strategy,
)
from hypothesis import given, note, settings

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")

EXAMPLE_SCALE = {"ci": 1, "thorough": 10}[os.environ.get("HYPOTHESIS_PROFILE", "ci")]

#: Examples per kind and door under the ci profile, and the time limit of one run, s. The
#: limits are far above what a run takes (a second or two at most); past one is a hang.
BUDGET = {
    ("spec", "library"): (60, 20),
    ("spec", "cli"): (40, 20),
    ("plant", "library"): (40, 20),
    ("plant", "cli"): (25, 20),
    ("project", "library"): (20, 30),
    ("project", "cli"): (15, 30),
    ("bids", "library"): (8, 45),
    ("bids", "cli"): (8, 45),
    ("protocol", "library"): (20, 20),
    ("protocol", "cli"): (12, 30),
    ("profile", "library"): (12, 20),
    ("profile", "cli"): (8, 20),
    ("dispatch", "library"): (40, 20),
    ("dispatch", "cli"): (12, 30),
    ("measurements", "library"): (10, 30),
    ("measurements", "cli"): (8, 30),
}
GOOD = ("ok", "clean")


def _assert_good(case: Case, door: str, seconds: float) -> None:
    outcome = run_case(case, door, seconds)
    note(f"shell reproducer:\n{case.reproducer()}")
    if door == "library":
        note(f"library call: {case.library_call()}")
    assert outcome.status in GOOD, f"{case.kind} via {door}: {outcome.status} at {outcome.where}: {outcome.message}"


def _property(kind: str, door: str):
    n, seconds = BUDGET[kind, door]

    @settings(max_examples=n * EXAMPLE_SCALE)
    @given(case=strategy(kind))
    def test(case):
        _assert_good(case, door, seconds)

    test.__name__ = test.__qualname__ = f"test_generated_{kind}_{door}"
    test.__doc__ = f"Generated {kind} input through the {door}: success with finite numbers, or SpecError / exit 2."
    return test


test_generated_spec_library = _property("spec", "library")
test_generated_spec_cli = _property("spec", "cli")
test_generated_plant_library = _property("plant", "library")
test_generated_plant_cli = _property("plant", "cli")
test_generated_project_library = _property("project", "library")
test_generated_project_cli = _property("project", "cli")
test_generated_bids_library = _property("bids", "library")
test_generated_bids_cli = _property("bids", "cli")
test_generated_protocol_library = _property("protocol", "library")
test_generated_protocol_cli = _property("protocol", "cli")
test_generated_profile_library = _property("profile", "library")
test_generated_profile_cli = _property("profile", "cli")
test_generated_dispatch_library = _property("dispatch", "library")
test_generated_dispatch_cli = _property("dispatch", "cli")
test_generated_measurements_library = _property("measurements", "library")
test_generated_measurements_cli = _property("measurements", "cli")


def test_every_kind_and_door_has_a_budget():
    assert set(BUDGET) == {(k, d) for k in KINDS for d in DOORS}


class _First:
    """Every choice its first option: the unmutated base input of a kind."""

    def int(self, lo, hi):
        return lo

    def choice(self, seq):
        return seq[0]

    def chance(self, p):
        return False

    def real(self, lo, hi):
        return lo

    def text(self, max_len):
        return ""

    def raw(self, max_len):
        return b"\0"


@pytest.mark.parametrize("door", sorted(DOORS))
@pytest.mark.parametrize("kind", KINDS)
def test_base_input_of_every_kind_succeeds(kind, door):
    """The input every generator starts from is valid, so mutations reach past validation (if
    the profile's temperature column is renamed, ``fuzzgen.TEMPERATURE_COLUMN`` must follow)."""
    case = generate(kind, _First())
    outcome = run_case(case, door, 120)
    assert outcome.status == "ok", f"{outcome.status}: {outcome.message}\n{case.reproducer()}"


def test_profile_columns_are_the_readers():
    from cellwright.aging import io

    assert tuple(io.COLUMNS) == PROFILE_COLUMNS, f"set fuzzgen.TEMPERATURE_COLUMN (now {TEMPERATURE_COLUMN!r})"


_FILE_OF = {
    "spec": "input.toml",
    "plant": "input.toml",
    "project": "input.toml",
    "bids": "input.toml",
    "profile": "profile.csv",
    "dispatch": "dispatch.csv",
    "measurements": "meas.csv",
}
_DAMAGE = {
    "directory": DIR,
    "missing": MISSING,
    "pipe": FIFO,
    **{dev: dev for dev in DEVICES},
    "empty": b"",
    "bom only": b"\xef\xbb\xbf",
    "latin-1": b'name = "caf\xe9"\n',
    "utf-16": "name = 'x'\n".encode("utf-16"),
    "nul": b"\x00\x00\x00",
}


@pytest.mark.parametrize("damage", sorted(_DAMAGE))
@pytest.mark.parametrize("kind", sorted(_FILE_OF))
@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_file_that_cannot_be_read_is_a_spec_error(kind, damage, door):
    """Each file a command reads, replaced by a directory, a pipe, a device, nothing or bytes
    that are not UTF-8 text: a SpecError naming it (exit 2), at once. An empty file is read."""
    case = generate(kind, _First())
    case.files[_FILE_OF[kind]] = _DAMAGE[damage]
    outcome = run_case(case, door, 10, memory_gb=1.0)
    # an empty TOML file is a document with every default (a plant file may be)
    expected = GOOD if damage in ("empty", "bom only") else ("clean",)
    assert outcome.status in expected, f"{outcome.status} at {outcome.where}: {outcome.message}"


@pytest.mark.parametrize("damage", ["directory", "latin-1", "missing"])
@pytest.mark.parametrize("kind", ["project", "bids"])
@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_cell_file_that_cannot_be_read_is_reported(kind, damage, door):
    """The cell file a project or a bid names, unreadable: the project fails with a SpecError;
    the tender reports the bid (exit 2 when no bid is left to rank) instead of aborting."""
    case = generate(kind, _First())
    case.files["cell.toml"] = _DAMAGE[damage]
    outcome = run_case(case, door, 60)
    assert outcome.status in GOOD, f"{outcome.status} at {outcome.where}: {outcome.message}"
