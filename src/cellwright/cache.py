"""A small on-disk store for results that are slow to compute and repeat across runs, keyed by
content.

An entry's key is the SHA-256 of a canonical JSON text (sorted keys, no whitespace, exact float
repr) of everything the result depends on: the caller's inputs, cellwright's version and, since
a development install keeps its version while its code changes, a digest of the source files
that compute the result (:func:`source_digest`). Any change to one of them is a different key,
so an entry is never stale; old entries are simply no longer read.

Where: ``$CELLWRIGHT_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/cellwright``, else
``~/.cache/cellwright``; ``CELLWRIGHT_CACHE=off`` turns the store off. One JSON file per entry,
``<dir>/<namespace>/<key>.json``, holding the inputs beside the value (a read checks that they
match). Writes go to a temporary file in the same folder, then :func:`os.replace` (atomic): a
reader sees the whole entry or none, and concurrent writers of one key write the same content.

The store never fails a computation: an unreadable, corrupt or mismatched entry is a miss (the
value is recomputed and the entry rewritten), and a folder that cannot be created or written
only means the value is not kept.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_NAMESPACE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_DIGESTS: dict[tuple[str, ...], str] = {}


def cache_dir() -> Path | None:
    """The store's folder (not created here), or None when ``CELLWRIGHT_CACHE=off``."""
    if os.environ.get("CELLWRIGHT_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    if explicit := os.environ.get("CELLWRIGHT_CACHE_DIR"):
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "cellwright"


def canonical(inputs: Any) -> str:
    """Canonical JSON text of ``inputs`` (sorted keys, compact, floats as their exact repr).
    Non-finite numbers and values JSON cannot hold raise ValueError/TypeError."""
    return json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def key(namespace: str, inputs: Any) -> str:
    """SHA-256 (hex) of the namespace, cellwright's version and the canonical inputs."""
    from . import __version__

    text = canonical({"namespace": namespace, "version": __version__, "inputs": inputs})
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def source_digest(*modules: str) -> str:
    """SHA-256 (hex) of the source files of the named modules (``"cellwright.aging.models"``),
    computed once per process: put it in a key so that a change to the code that computes a
    value is a change of key."""
    if modules not in _DIGESTS:
        import importlib.util

        h = hashlib.sha256()
        for name in modules:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec is not None else None
            h.update(name.encode() + b"\0")
            try:
                h.update(Path(origin).read_bytes() if origin else b"")
            except OSError:
                h.update(b"unreadable")
        _DIGESTS[modules] = h.hexdigest()
    return _DIGESTS[modules]


def _path(namespace: str, inputs: Any) -> Path | None:
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"cache namespace {namespace!r}: lower-case letters, digits, '_', '.', '-'")
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return folder / namespace / f"{key(namespace, inputs)}.json"
    except (TypeError, ValueError):  # inputs JSON cannot hold (NaN, objects): not stored
        return None


def get(namespace: str, inputs: Any) -> Any | None:
    """The stored value for ``inputs``, or None (no entry, store off, or an entry that cannot be
    read, is not valid JSON, or holds other inputs)."""
    path = _path(namespace, inputs)
    if path is None:
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or "value" not in entry:
        return None
    try:
        if canonical(entry.get("inputs")) != canonical(inputs):
            return None
    except (TypeError, ValueError):
        return None
    return entry["value"]


def put(namespace: str, inputs: Any, value: Any) -> bool:
    """Store ``value`` (JSON-serialisable, finite numbers) for ``inputs``; True if it was
    written. Never raises for a folder that cannot be created or written."""
    path = _path(namespace, inputs)
    if path is None:
        return False
    text = json.dumps({"inputs": inputs, "value": value}, sort_keys=True, allow_nan=False, indent=1) + "\n"
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False
        ) as f:
            tmp = f.name
            f.write(text)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def cached(namespace: str, inputs: Any, compute: Callable[[], Any]) -> Any:
    """``get`` the value for ``inputs``, or ``compute()`` it and ``put`` it."""
    hit = get(namespace, inputs)
    if hit is not None:
        return hit
    value = compute()
    put(namespace, inputs, value)
    return value


def finite_float(value: Any) -> float | None:
    """``value`` as a finite float, or None (a cached number that is not one is a miss)."""
    if isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None
