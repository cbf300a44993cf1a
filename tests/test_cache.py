"""The on-disk store of repeated work (cellwright.cache) and the aging anchors kept in it.

Every test points CELLWRIGHT_CACHE_DIR at its own tmp_path, so nothing is read from or written
to the home directory.
"""

import json
from pathlib import Path

import pytest

from cellwright import cache
from cellwright.aging import anchor

RATING = (2000.0, "1C/1C, 25degC, 100% DOD", 0.8)  # a short anchoring run (~1 s)
MODEL = "nrel-lfp-250ah"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CELLWRIGHT_CACHE_DIR", str(folder))
    monkeypatch.delenv("CELLWRIGHT_CACHE", raising=False)
    return folder


@pytest.fixture
def solver_calls(monkeypatch) -> list:
    """Count the aging runs (anchors are kept on disk only, never in the process)."""
    calls: list = []
    real = anchor.cycles_to_eol

    def counting(*args, **kwargs):
        calls.append(args[2].size)
        return real(*args, **kwargs)

    monkeypatch.setattr(anchor, "cycles_to_eol", counting)
    return calls


@pytest.fixture
def fake_solver_calls(monkeypatch) -> list:
    """As ``solver_calls``, with a closed-form stand-in for the aging runs (cycles = 3000 /
    scalar^1.3): what is stored and when it is read does not depend on the model."""
    calls: list = []

    def fake(proto, eol, scalars, max_years=80.0, model=MODEL, eol_resistance=None):
        calls.append(scalars.size)
        return 3000.0 / scalars**1.3

    monkeypatch.setattr(anchor, "cycles_to_eol", fake)
    return calls


def entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


# ---------------------------------------------------------------- the store itself


def test_a_value_put_is_got_back_and_other_inputs_miss(store):
    inputs = {"rated": 6000.0, "protocol": "0.5C/0.5C", "nested": [1, 2.5, None]}
    assert cache.get("demo", inputs) is None
    assert cache.put("demo", inputs, 1.2345678901234567)
    assert cache.get("demo", inputs) == 1.2345678901234567  # exact float round trip
    assert cache.get("demo", dict(inputs, rated=6000.5)) is None
    assert cache.get("other", inputs) is None  # namespaces do not share entries
    # key order does not matter (canonical JSON); one entry, no temporary file left behind
    assert cache.get("demo", dict(reversed(list(inputs.items())))) == 1.2345678901234567
    assert [p.parent.name for p in entries(store)] == ["demo"]
    assert not list(store.rglob(".tmp-*"))


def test_cached_computes_once_and_recomputes_a_corrupt_entry(store):
    calls = []

    def compute():
        calls.append(1)
        return {"scalar": 0.75}

    assert cache.cached("demo", {"x": 1}, compute) == {"scalar": 0.75}
    assert cache.cached("demo", {"x": 1}, compute) == {"scalar": 0.75}
    assert len(calls) == 1
    (path,) = entries(store)
    for garbage in (b"{not json", b"\xff\xfe\x00", b"", b'{"inputs": {"x": 2}, "value": 9}', b"[1, 2]"):
        path.write_bytes(garbage)
        assert cache.get("demo", {"x": 1}) is None
        assert cache.cached("demo", {"x": 1}, compute) == {"scalar": 0.75}
        assert json.loads(path.read_text())["value"] == {"scalar": 0.75}  # rewritten whole
    assert len(calls) == 6


def test_a_folder_that_cannot_be_written_never_fails_the_computation(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CELLWRIGHT_CACHE_DIR", str(blocker / "cache"))  # its parent is a file
    assert cache.put("demo", {"x": 1}, 2.0) is False
    assert cache.get("demo", {"x": 1}) is None
    assert cache.cached("demo", {"x": 1}, lambda: 3.0) == 3.0


def test_inputs_json_cannot_hold_are_a_miss_not_an_error(store):
    assert cache.put("demo", {"x": float("nan")}, 1.0) is False
    assert cache.get("demo", {"x": float("inf")}) is None
    assert cache.cached("demo", {"x": object()}, lambda: 4.0) == 4.0
    assert entries(store) == []


def test_where_the_store_lives(tmp_path, monkeypatch):
    monkeypatch.delenv("CELLWRIGHT_CACHE", raising=False)
    monkeypatch.delenv("CELLWRIGHT_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "cellwright"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "cellwright"
    monkeypatch.setenv("CELLWRIGHT_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("CELLWRIGHT_CACHE", "off")
    assert cache.cache_dir() is None
    assert cache.put("demo", {"x": 1}, 1.0) is False
    assert not (tmp_path / "mine").exists()


def test_the_key_changes_with_the_version(store, monkeypatch):
    import cellwright

    before = cache.key("demo", {"x": 1})
    monkeypatch.setattr(cellwright, "__version__", "999.0")
    assert cache.key("demo", {"x": 1}) != before


# ---------------------------------------------------------------- aging anchors


def test_a_second_anchoring_reads_the_store_and_gives_the_same_scalar(store, solver_calls, monkeypatch):
    first = anchor.anchor_scalars([RATING], MODEL)[0]
    runs = len(solver_calls)
    assert runs == 2  # a coarse and a fine round
    assert len(entries(store)) == 1
    second = anchor.anchor_scalars([RATING], MODEL)[0]
    assert len(solver_calls) == runs  # no aging run
    assert second == first  # to the bit
    # another spelling of the same protocol is the same content
    assert anchor.anchor_scalar(RATING[0], "1C/1C,25degC,100%DOD", RATING[2], MODEL) == first
    assert len(solver_calls) == runs


def test_a_changed_rating_or_model_code_misses(store, fake_solver_calls, monkeypatch):
    base = anchor.anchor_scalars([RATING], MODEL)[0]
    assert base == pytest.approx(1.5**0.769, rel=0.02)  # 3000 / s^1.3 = 2000
    runs = len(fake_solver_calls)
    other = anchor.anchor_scalars([(1500.0, RATING[1], RATING[2])], MODEL)[0]
    assert len(fake_solver_calls) == runs + 2
    assert other > base  # fewer rated cycles need a larger degradation scalar
    anchor.anchor_scalars([(RATING[0], "0.5C/0.5C, 25degC, 100% DOD", RATING[2])], MODEL)
    anchor.anchor_scalars([(RATING[0], RATING[1], 0.7)], MODEL)
    anchor.anchor_scalars([RATING], "naumann-lfp-3ah")
    assert len(fake_solver_calls) == runs + 8  # another protocol, end of life or model: misses
    # the aging code is part of the key: other code, other entry
    monkeypatch.setattr(cache, "_DIGESTS", {anchor._ANCHOR_CODE: "0" * 64})
    assert anchor.anchor_scalars([RATING], MODEL)[0] == base
    assert len(fake_solver_calls) == runs + 10
    assert len(entries(store)) == 6


def test_a_corrupt_anchor_entry_is_recomputed(store, fake_solver_calls, monkeypatch):
    base = anchor.anchor_scalars([RATING], MODEL)[0]
    (path,) = entries(store)
    inputs = json.loads(path.read_text())["inputs"]
    for bad in ['{"inputs": '] + [json.dumps({"inputs": inputs, "value": v}) for v in ("x", -1, True, None, [1.0])]:
        path.write_text(bad)
        runs = len(fake_solver_calls)
        assert anchor.anchor_scalars([RATING], MODEL)[0] == base
        assert len(fake_solver_calls) == runs + 2
        assert json.loads(path.read_text())["value"] == base


def test_anchoring_works_when_the_store_cannot_be_written(tmp_path, monkeypatch, fake_solver_calls):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CELLWRIGHT_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("CELLWRIGHT_CACHE", raising=False)
    first = anchor.anchor_scalars([RATING], MODEL)[0]
    assert anchor.anchor_scalars([RATING], MODEL)[0] == first
    assert len(fake_solver_calls) == 4  # nothing kept on disk: computed twice
