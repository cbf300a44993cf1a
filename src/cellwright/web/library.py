"""The built-in inputs the web app offers, and how an uploaded file may refer to them.

The library is a folder of cellwright's examples (``examples/`` of a checkout by default): cell
specs (``*.toml``), storage projects and bids files (``storage/*.toml``), dispatch profiles
(``storage/*.csv``) and study files (``studies/*.toml``).

An uploaded file is parsed, never used as a path: its own text is read as TOML, and every file it
names (a project's or bid's ``cell``, a ``dispatch`` profile) must be a file of the library, named
by its file name (``"../lfp-280ah-prismatic.toml"`` is read as ``lfp-280ah-prismatic.toml``). A
name the library does not hold is an error listing the names it does.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SpecError

#: Largest uploaded file, bytes (a bids file of 20 bids is about 4 kB).
MAX_UPLOAD_BYTES = 256 * 1024
#: Keys of a project or bids file that name another file, and the kind of library file each is.
FILE_KEYS = {"cell": "cell", "dispatch": "dispatch"}


def default_library() -> Path:
    """The examples folder of the checkout this package runs from."""
    return Path(__file__).resolve().parents[3] / "examples"


@dataclass(frozen=True)
class Library:
    root: Path

    def _files(self, folder: str, pattern: str) -> dict[str, Path]:
        base = self.root / folder if folder else self.root
        return {p.name: p for p in sorted(base.glob(pattern)) if p.is_file()} if base.is_dir() else {}

    def cells(self) -> dict[str, Path]:
        found = self._files("", "*.toml")
        found.update({k: v for k, v in self._files("studies/cells", "*.toml").items() if k not in found})
        return found

    def storage(self) -> dict[str, Path]:
        return self._files("storage", "*.toml")

    def projects(self) -> dict[str, Path]:
        return {k: v for k, v in self.storage().items() if "bids" not in _toml(v)}

    def bids(self) -> dict[str, Path]:
        return {k: v for k, v in self.storage().items() if "bids" in _toml(v)}

    def dispatch(self) -> dict[str, Path]:
        return self._files("storage", "*.csv")

    def studies(self) -> dict[str, Path]:
        return self._files("studies", "*.toml")

    def kind(self, kind: str) -> dict[str, Path]:
        return {"cell": self.cells, "dispatch": self.dispatch}[kind]()

    def pick(self, kind: str, name: str, field: str) -> Path:
        """The library file ``name`` of ``kind`` (any folder part of ``name`` is ignored)."""
        choices = {"cell": self.cells, "project": self.projects, "bids": self.bids, "study": self.studies}.get(
            kind, lambda: self.kind(kind)
        )()
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if base not in choices:
            raise SpecError(field, name, f"a built-in {kind} file: " + (", ".join(choices) or "none here"))
        return choices[base]


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def parse_upload(content: bytes, field: str = "file") -> dict[str, Any]:
    """An uploaded TOML file's table; its size, encoding and syntax are checked."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpecError(field, f"{len(content):,} bytes", f"a file of at most {MAX_UPLOAD_BYTES:,} bytes")
    if not content.strip():
        raise SpecError(field, "an empty file", "a TOML file")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(field, "not UTF-8 text", "a TOML file in UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(field, "not TOML", f"a TOML file ({exc})") from None


def link(data: Any, library: Library, where: str = "") -> Any:
    """``data`` with every file it names (:data:`FILE_KEYS`) replaced by the library file of that
    name, at any depth; errors name the key's dotted path."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            path = f"{where}.{key}" if where else str(key)
            if key in FILE_KEYS and isinstance(value, str):
                out[key] = str(library.pick(FILE_KEYS[key], value, path))
            else:
                out[key] = link(value, library, path)
        return out
    if isinstance(data, list):
        return [link(v, library, f"{where}[{i + 1}]") for i, v in enumerate(data)]
    return data
