"""Generated bad (and good) input for every kind of file and string cellwright reads.

Shared by the property-based tests in this folder (hypothesis draws the choices, so a failure
shrinks to a small input) and by ``tools/fuzz_inputs.py`` (a seeded ``random.Random`` draws
them, for runs of tens of thousands of inputs).

Input kinds: cell spec files (``spec``), plant files (``plant``), storage project files
(``project``), tender bid files (``bids``), protocol strings (``protocol``), duty-profile CSVs
(``profile``), dispatch CSVs (``dispatch``) and aging measurement CSVs (``measurements``).
Study files do not exist yet; add a kind here when they do.

Each input is a :class:`Case`: the files to write into an empty folder (or a directory, a pipe,
a device in place of a file), the one under test, and the CLI options. It runs through two
doors: the library (:func:`run_library`: the loader and the cheapest computation behind it) and
the command line in-process (:func:`run_cli`, typer's runner). Either door must succeed or fail
with the project's :class:`~cellwright.errors.SpecError` (exit 2); a success must hold finite
numbers only, and its ``--json`` output must parse under a strict reader (no ``NaN`` or
``Infinity`` tokens, which JSON does not have).

Generation mutates the shipped examples (``examples/*.toml``, ``examples/storage/*``) and builds
files from their structure: wrong types, NaN/inf, huge, tiny and negative numbers, unknown,
missing and renamed keys, deep nesting, long arrays, markup in names, non-UTF-8 bytes, byte-order
marks, odd line ends, truncation, empty files, directories, pipes and devices. Choices are
ordered so that the first of each (what hypothesis shrinks towards) is the unmutated input.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

#: The profile CSV's temperature column. Being renamed from ``temperature_C`` to
#: ``temperature_degC`` (issue 11, item 6): change it here, the one place it is named.
TEMPERATURE_COLUMN = "temperature_degC"
PROFILE_COLUMNS = ("time_s", "soc", TEMPERATURE_COLUMN)
DISPATCH_COLUMNS = ("time_h", "power_MW")
MEASUREMENT_COLUMNS = ("time_days", "relative_capacity")

KINDS = ("spec", "plant", "project", "bids", "protocol", "profile", "dispatch", "measurements")

#: The aging model used where a command needs one named (the LFP example's own).
FIT_MODEL = "nrel-lfp-250ah"

# Markers for files that are not regular files.
DIR, FIFO, MISSING = "<directory>", "<fifo>", "<missing>"
DEVICES = ("/dev/null", "/dev/zero")


# ----------------------------------------------------------------------------- sources of choices


class RandomSource:
    """Choices from a seeded ``random.Random`` (the fuzz tool)."""

    def __init__(self, rnd):
        self.r = rnd

    def int(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def choice(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def real(self, lo: float, hi: float) -> float:
        return self.r.uniform(lo, hi)

    def text(self, max_len: int) -> str:
        n = self.r.randint(0, max_len)
        pools = (" abcXYZ019.,-_[]/\\\"'#=%", "éü°Ωµ😀\u202e\u0000\t\x7f")
        return "".join(self.r.choice(self.r.choice(pools)) for _ in range(n))

    def raw(self, max_len: int) -> bytes:
        return bytes(self.r.randrange(256) for _ in range(self.r.randint(1, max_len)))


class DrawSource:
    """Choices drawn by hypothesis (the tests); each shrinks towards its first, simplest option."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def int(self, lo: int, hi: int) -> int:
        return self.draw(self.st.integers(lo, hi))

    def choice(self, seq):
        return seq[self.draw(self.st.integers(0, len(seq) - 1))]

    def chance(self, p: float) -> bool:
        return self.draw(self.st.integers(0, 999)) >= round(1000 * (1 - p))

    def real(self, lo: float, hi: float) -> float:
        return self.draw(self.st.floats(lo, hi))

    def text(self, max_len: int) -> str:
        return self.draw(self.st.text(max_size=max_len))

    def raw(self, max_len: int) -> bytes:
        return self.draw(self.st.binary(min_size=1, max_size=max_len))


# ----------------------------------------------------------------------------- a case


@dataclass
class Case:
    """One generated input: ``files`` (name -> bytes, or DIR / FIFO / MISSING / a device path)
    written into an empty folder, the file under test ``target`` (or the protocol string), the
    CLI arguments (``{dir}`` stands for the folder) and, for the library, its own options."""

    kind: str
    files: dict[str, bytes | str]
    target: str
    cli: list[str]
    options: dict = field(default_factory=dict)
    note: str = ""

    def size(self) -> int:
        return sum(len(v) for v in self.files.values()) + len(self.target) + sum(map(len, self.cli))

    def materialise(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            path = folder / name
            if content == DIR:
                path.mkdir()
            elif content == FIFO:
                os.mkfifo(path)
            elif content == MISSING:
                pass
            elif isinstance(content, str) and content in DEVICES:
                path.symlink_to(content)
            else:
                path.write_bytes(content)

    def args(self, folder: Path) -> list[str]:
        return [a.replace("{dir}", str(folder)) for a in self.cli]

    def reproducer(self) -> str:
        """Shell lines that rebuild the input and run the CLI on it."""
        lines = ["d=$(mktemp -d) && cd $d"]
        for name, content in self.files.items():
            if content == DIR:
                lines.append(f"mkdir {name}")
            elif content == FIFO:
                lines.append(f"mkfifo {name}")
            elif content == MISSING:
                lines.append(f"# {name} does not exist")
            elif isinstance(content, str):
                lines.append(f"ln -s {content} {name}")
            else:
                shown = content if len(content) <= 1500 else content[:1500]
                esc = "".join(
                    chr(b) if 32 <= b < 127 and chr(b) not in "'\\%" else ("\\n" if b == 10 else f"\\{b:03o}")
                    for b in shown
                )
                cut = f"  # first 1500 of {len(content)} bytes" if len(content) > 1500 else ""
                lines.append(f"printf '{esc}' > {name}{cut}")
        args = " ".join(_quote(a.replace("{dir}/", "").replace("{dir}", ".")) for a in self.cli)
        lines.append(f"cellwright {args}")
        return "\n".join(lines)

    def library_call(self) -> str:
        """The library door's call on this case, in words (see :func:`library_result`)."""
        call = LIBRARY_CALLS[self.kind].replace("PATH", repr(self.target))
        return call + (f"  # options {self.options}" if self.options else "")


def _quote(a: str) -> str:
    return a if re.fullmatch(r"[A-Za-z0-9_./=:,%+-]+", a) else "'" + a.replace("'", "'\\''") + "'"


# ----------------------------------------------------------------------------- TOML writing


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _string(k)


def _string(s: str) -> str:
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 32 or o == 127:
            out.append(f"\\u{o:04x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v) -> str:
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    return _string(str(v))


def dumps_toml(doc: dict) -> str:
    """A dict as TOML text: scalars and arrays first, then tables and arrays of tables."""
    lines: list[str] = []

    def table(d: dict, prefix: list[str]) -> None:
        subs = []
        for k, v in d.items():
            if (isinstance(v, dict) and v) or _is_tables(v):
                subs.append((k, v))
            else:
                lines.append(f"{_key(k)} = {_value(v)}")
        for k, v in subs:
            path = [*prefix, _key(k)]
            if _is_tables(v):
                for item in v:
                    lines.append(f"\n[[{'.'.join(path)}]]")
                    table(item, path)
            else:
                lines.append(f"\n[{'.'.join(path)}]")
                table(v, path)

    table(doc, [])
    return "\n".join(lines).lstrip("\n") + "\n"


class Raw(str):
    """TOML text written as is (nesting too deep to build as Python objects)."""


def _is_tables(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


# ----------------------------------------------------------------------------- base inputs


def _example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


SPEC_FILES = ("lfp-280ah-prismatic.toml", "lg-m50-21700.toml", "batpac-nmc811-pouch.toml")
PLANT_FILES = ("plants/newcomer-us.toml", "plants/batpac-baseline.toml")
LFP_SPEC = EXAMPLES / "lfp-280ah-prismatic.toml"


def base_specs() -> list[dict]:
    return [tomllib.loads(_example(n).decode()) for n in SPEC_FILES]


def base_plants() -> list[dict]:
    own_policy = {
        "name": "own policy",
        "region": "united-states",
        "policy": {
            "switches": ["mine"],
            "define": {"mine": {"start": "2020-01-01", "regions": ["united-states"], "credit_usd_per_kWh": 5.0}},
        },
    }
    return [tomllib.loads(_example(n).decode()) for n in PLANT_FILES] + [own_policy, {}]


def cheap_project(dispatch: bool = False) -> dict:
    """The shipped China project (or its dispatch variant) on the cheapest valid settings: two
    years, no anchoring of the aging model on the datasheet (each anchor costs seconds)."""
    name = "storage/lfp-100mw-4h-dispatch.toml" if dispatch else "storage/lfp-100mw-4h-china.toml"
    doc = tomllib.loads(_example(name).decode())
    doc["cell"] = "cell.toml"
    doc["years"] = 2
    doc.setdefault("aging", {})["anchor"] = False
    if dispatch:
        doc["operation"]["dispatch"] = "dispatch.csv"
    return doc


def cheap_tender() -> dict:
    """The shipped tender, two of its bids, on the cheapest valid settings."""
    doc = tomllib.loads(_example("storage/tender-100mw-4h.toml").decode())
    doc["project"]["years"] = 2
    doc["project"].setdefault("aging", {})["anchor"] = False
    doc["bids"] = doc["bids"][:2]
    # each distinct warranty anchors the aging model (seconds each): short ones, at a fast rate
    for bid, cycles in zip(doc["bids"], (1000, 1500)):
        bid.update(cell="cell.toml", warranty_cycles=cycles, warranty_eol=0.9, warranty_protocol=FAST_PROTOCOL)
    return doc


BASE_PROFILE_ROWS = [(3600.0 * i, (0.2, 0.9)[i % 2], 25.0) for i in range(6)]
BASE_MEASUREMENT_ROWS = [(0.0, 1.0), (10.0, 0.995), (20.0, 0.991), (30.0, 0.988)]
FAST_PROTOCOL = "2C/2C, 25degC, 100% DOD"
BASE_PROTOCOLS = (
    "1C/1C, 25degC, 100% DOD",
    "0.5C/0.5C, 35degC, 80% DOD, 50% SOC",
    "1C/2C, 25degC, 50% DOD, rest 1h",
    "storage, 45degC, 100% SOC",
)


def _csv(header: list[str], rows: list[list[str]], end: str = "\n") -> bytes:
    return (end.join([",".join(header), *(",".join(r) for r in rows)]) + end).encode()


def profile_bytes(rows=BASE_PROFILE_ROWS) -> bytes:
    return _csv(list(PROFILE_COLUMNS), [[f"{t:g}", f"{s:g}", f"{T:g}"] for t, s, T in rows])


def measurement_bytes(rows=BASE_MEASUREMENT_ROWS) -> bytes:
    return _csv(list(MEASUREMENT_COLUMNS), [[f"{d:g}", f"{q:g}"] for d, q in rows])


def dispatch_bytes() -> bytes:
    return _example("storage/dispatch-week.csv")


# ----------------------------------------------------------------------------- values


NASTY_NUMBER_TEXT = (
    "1",
    "0",
    "-1",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-1e308",
    "1e400",
    "9" * 400,
    "5e-324",
    "1e-9",
    "0.000001",
    "-0",
    "1e6",
    "1e12",
    "",
    " ",
    "abc",
    "1,5",
    "0x10",
    "1_000",
    "٣",
    "25°",
    '"3"',
)

NASTY_VALUES = (
    0,
    -1,
    1,
    0.5,
    -0.0,
    1e308,
    -1e308,
    5e-324,
    float("nan"),
    float("inf"),
    float("-inf"),
    2**63 - 1,
    -(2**63),
    10**6,
    1e-9,
    3000.0,
    "",
    "abc",
    "1e2",
    "173.9",
    "nan",
    True,
    False,
    [],
    [1, 2],
    ["a"],
    {},
    {"a": 1},
    "x" * 5000,
    "Cell [/b]",
    "[link=file:///etc/passwd]x[/link] [blink]y[/blink]",
    "café ☃ 😀",
    "\u202e",
    "../../../../etc/passwd",
    "/dev/zero",
    ".",
    "2020-13-45",
    "next year",
)

#: Values a key may take that the code knows by name (so mutations reach past validation).
KNOWN = {
    "chemistry": (
        "lfp-graphite",
        "lfp-graphite-ev",
        "lmfp-graphite",
        "nca-graphite",
        "nmc622-graphite",
        "nmc811-graphite",
        "nmc811-sigraphite",
    ),
    "format": ("prismatic", "pouch", "blade", "cylindrical"),
    "region": ("china", "united-states", "germany", "hungary", "india", "poland", "south-korea", "batpac-us"),
    "prices": ("china-2025", "batpac-2022"),
    "scenario": ("none", "decoupling", "export-controls", "us-ira", "india-pli"),
    "archetype": ("incumbent", "joint-venture", "newcomer", "batpac"),
    "cost_set": ("china", "united-states"),
    "cell_price_from": ("factory", "cost-set"),
    "strategy": ("none", "periodic", "threshold", "replace"),
    "model": ("nrel-lfp-250ah", "naumann-lfp-3ah", "wang-lfp-a123", "bui-nmc811-sigr-5ah"),
    "dollars": ("real", "nominal"),
    "energy_boundary": ("dc", "pcs_ac", "poi"),
    "discharged_energy": ("gross", "net"),
    "end_of_life": ("after_last_year", "in_last_year", "exclude"),
    "sizing_boundary": ("dc", "poi"),
    "switches": (["us-45x"], ["mine"], ["china-graphite-export-controls", "us-section-301-graphite"], ["nope"]),
    "rated_protocol": BASE_PROTOCOLS,
    "warranty_protocol": BASE_PROTOCOLS,
    "material": ("graphite-artificial", "PE", "PP", "LFP", "unobtainium"),
    "cell": ("cell.toml", "missing.toml", "adir", ".", "/dev/zero"),
    "dispatch": ("dispatch.csv", "missing.csv", "adir", "/dev/zero"),
}

EXTRA_SECTIONS = {
    "spec": ("dimensions", "target", "cathode", "anode", "separator", "electrolyte", "casing", "cell"),
    "plant": ("commodities", "policy"),
    "project": ("operation", "aging", "augmentation", "finance"),
    "bids": ("project",),
}
EXTRA_KEYS = (
    "width_mm", "thickness_mm", "height_mm", "diameter_mm", "energy_Wh", "capacity_Ah", "porosity",
    "specific_capacity_mAh_g", "first_cycle_efficiency", "lithium_carbonate_usd_per_kg", "credit_usd_per_kWh",
    "start", "regions", "cycles_per_day", "temperature_C", "temperature_degC", "discount_rate", "years",
    "annual_GWh", "year", "unknown_key", "nme",
)  # fmt: skip


def number_text(src, valid: tuple[str, ...]) -> str:
    """A number as text: one of ``valid`` or, less often, a nasty one."""
    if src.chance(0.75):
        return src.choice(valid)
    return src.choice(NASTY_NUMBER_TEXT)


def nasty_value(src):
    v = src.choice(NASTY_VALUES)
    if v == [] and src.chance(0.3):
        return [float(i) for i in range(src.choice((100, 5000, 100000)))]
    return v


def deep(depth: int, table: bool) -> Raw:
    """A value nested ``depth`` levels deep, as inline arrays or inline tables."""
    if table:
        return Raw("{a = " * depth + "1" + "}" * depth)
    return Raw("[" * depth + "1" + "]" * depth)


# ----------------------------------------------------------------------------- document mutations


def _slots(doc, path=()):
    """(path, value) of every key in a document (tables, arrays of tables and leaves)."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append(((*path, k), v))
            out.extend(_slots(v, (*path, k)))
    elif _is_tables(doc):
        for i, v in enumerate(doc):
            out.extend(_slots(v, (*path, i)))
    return out


def _tables(doc, path=()):
    out = [path] if isinstance(doc, dict) else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(_tables(v, (*path, k)))
    elif _is_tables(doc):
        for i, v in enumerate(doc):
            out.extend(_tables(v, (*path, i)))
    return out


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def mutate_doc(src, doc: dict, kind: str) -> tuple[dict, list[str]]:
    """1-4 structure-aware mutations of a parsed document (a copy); returns it and their names."""
    doc = json.loads(json.dumps(doc))
    done = []
    for _ in range(src.choice((1, 1, 1, 2, 3, 4))):
        slots = _slots(doc)
        op = src.choice(
            ("perturb", "perturb", "perturb", "known", "known", "value", "value", "scale", "delete", "unknown",
             "section", "deep", "retype", "rename")
        )  # fmt: skip
        if op != "unknown" and op != "section" and not slots:
            op = "unknown"
        if op == "value":
            path, _ = src.choice(slots)
            _get(doc, path[:-1])[path[-1]] = nasty_value(src)
        elif op in ("scale", "perturb"):  # perturb: within a factor of two, mostly still valid
            numeric = [(p, v) for p, v in slots if isinstance(v, int | float) and not isinstance(v, bool)]
            if not numeric:
                continue
            path, v = src.choice(numeric)
            if op == "perturb":
                factor = src.choice((0.8, 1.25, 0.5, 2.0, 0.9, 1.1))
            else:
                factor = src.choice((-1.0, 10.0, 0.1, 1e3, 1e-3, 1e6, 1e-6, -1e3, 1e30, 0.0, 1.0000001))
            new = v * factor
            _get(doc, path[:-1])[path[-1]] = round(new) if isinstance(v, int) and abs(new) < 2**63 else new
        elif op == "known":
            known = [(p, v) for p, v in slots if p[-1] in KNOWN]
            if not known:
                continue
            path, _ = src.choice(known)
            _get(doc, path[:-1])[path[-1]] = src.choice(KNOWN[path[-1]])
        elif op == "delete":
            path, _ = src.choice(slots)
            del _get(doc, path[:-1])[path[-1]]
        elif op == "unknown":
            table = _get(doc, src.choice(_tables(doc)))
            table[src.choice(EXTRA_KEYS)] = nasty_value(src) if src.chance(0.5) else 1.0
        elif op == "section":
            name = src.choice(EXTRA_SECTIONS[kind])
            section = doc.setdefault(name, {})
            if not isinstance(section, dict):
                continue
            if name == "policy":
                section.update(_policy(src))
            else:
                section[src.choice(EXTRA_KEYS)] = nasty_value(src) if src.chance(0.6) else src.choice((1.0, 25, 0.5))
        elif op == "deep":
            path, _ = src.choice(slots)
            _get(doc, path[:-1])[path[-1]] = deep(src.choice((3, 50, 400, 1200)), src.chance(0.3))
        elif op == "retype":
            path, v = src.choice(slots)
            new = {"a": v} if not isinstance(v, dict) else src.choice(([], "table", 1))
            _get(doc, path[:-1])[path[-1]] = new
        elif op == "rename":
            path, v = src.choice(slots)
            if isinstance(path[-1], int):
                continue
            parent = _get(doc, path[:-1])
            del parent[path[-1]]
            parent[src.choice((path[-1].upper(), path[-1] + "s", path[-1][:-1] or "x", " " + path[-1]))] = v
        done.append(op)
    return doc, done


def _policy(src) -> dict:
    """A plant's own policy, its switch defined in the file with generated fields."""
    define = {}
    for key, good in (
        ("start", "2020-01-01"),
        ("regions", ["united-states"]),
        ("credit_usd_per_kWh", 5.0),
        ("end", "2040-01-01"),
    ):
        r = src.int(0, 9)
        if r < 6:
            define[key] = good
        elif r < 9:
            define[key] = nasty_value(src)
    if src.chance(0.2):
        define[src.choice(EXTRA_KEYS)] = nasty_value(src)
    entry = define if src.chance(0.9) else nasty_value(src)
    return {"switches": src.choice((["mine"], ["mine", "us-45x"], [], ["nope"], "mine")), "define": {"mine": entry}}


# ----------------------------------------------------------------------------- byte mutations


def mutate_bytes(src, data: bytes) -> tuple[bytes, str]:
    """One damage to a file's bytes (encoding, line ends, truncation, garbage)."""
    op = src.choice(
        ("latin1", "bom", "utf16", "crlf", "cr", "truncate", "drop_line", "dup_line", "insert_byte", "nul",
         "garbage", "empty", "whitespace", "append_junk")
    )  # fmt: skip
    lines = data.split(b"\n")
    if op == "latin1":
        i = data.find(b'"')
        data = data[: i + 1] + b"caf\xe9 " + data[i + 1 :] if i >= 0 else b"\xe9" + data
    elif op == "bom":
        data = b"\xef\xbb\xbf" + data
    elif op == "utf16":
        data = data.decode("utf-8", "replace").encode("utf-16")
    elif op == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif op == "cr":
        data = data.replace(b"\n", b"\r")
    elif op == "truncate":
        data = data[: src.int(0, max(len(data) - 1, 0))]
    elif op == "drop_line" and lines:
        del lines[src.int(0, len(lines) - 1)]
        data = b"\n".join(lines)
    elif op == "dup_line" and lines:
        i = src.int(0, len(lines) - 1)
        lines.insert(i, lines[i])
        data = b"\n".join(lines)
    elif op == "insert_byte":
        i = src.int(0, len(data))
        data = data[:i] + bytes([src.choice((0xFF, 0xE9, 0x80, 0xC3, 0xFE, 0x00))]) + data[i:]
    elif op == "nul":
        data = data.replace(b"\n", b"\n\x00", 1)
    elif op == "garbage":
        i = src.int(0, len(data))
        data = data[:i] + src.raw(40) + data[i:]
    elif op == "empty":
        data = src.choice((b"", b"\n", b" ", b"\xef\xbb\xbf"))
    elif op == "whitespace":
        data = b"\n\n  \t\n" + data.replace(b",", b" , ")
    elif op == "append_junk":
        data = data + src.choice((b"\n[", b"\n[[bids]]\n", b"\n=", b"\n,,,\n", b'\n"', b"\n" + b"[" * 5000))
    return data, op


def path_damage(src) -> str:
    return src.choice((DIR, MISSING, FIFO, "/dev/null", "/dev/zero"))


# ----------------------------------------------------------------------------- TOML kinds


def _toml_case(src, kind: str, bases: list[dict]) -> tuple[dict[str, bytes | str], list[str]]:
    """The target file (and its name, ``input.toml``) for a TOML kind, and what was done."""
    doc = bases[src.int(0, len(bases) - 1)]
    mode = src.choice(("doc", "doc", "doc", "doc", "doc", "bytes", "path"))
    notes: list[str] = []
    if mode == "path":
        damage = path_damage(src)
        return {"input.toml": damage}, [f"path {damage}"]
    if mode == "doc" and src.chance(0.9):
        doc, notes = mutate_doc(src, doc, kind)
    data = dumps_toml(doc).encode("utf-8", "surrogatepass")
    if mode == "bytes":
        data, op = mutate_bytes(src, data)
        notes.append(op)
    return {"input.toml": data}, notes


def _cell_file(src) -> bytes | str:
    """The cell spec a project or a bid names: mostly the LFP example, sometimes broken."""
    data = LFP_SPEC.read_bytes()
    r = src.int(0, 19)
    if r < 16:
        return data
    if r < 18:
        return mutate_bytes(src, data)[0]
    return path_damage(src)


def _json_flag(src) -> list[str]:
    """``--json`` (whose output is checked for non-finite numbers) mostly; sometimes the tables."""
    return [] if src.chance(0.2) else ["--json"]


def gen_spec(src) -> Case:
    files, notes = _toml_case(src, "spec", base_specs())
    command = src.choice(("design", "cost"))
    cli = [command, "{dir}/input.toml", *_json_flag(src)]
    if command == "cost" and src.chance(0.3):
        option, valid = src.choice(
            (
                ("--lce", ("15", "80", "0.5")),
                ("--gwh", ("20", "1", "100")),
                ("--year", ("1", "3", "10")),
                ("--trajectory", ("3", "5", "0")),
            )
        )
        cli += [option, number_text(src, valid)]
    return Case("spec", files, "input.toml", cli, note="; ".join(notes))


def gen_plant(src) -> Case:
    files, notes = _toml_case(src, "plant", base_plants())
    cli = ["cost", str(LFP_SPEC), "--plant", "{dir}/input.toml", *_json_flag(src)]
    return Case("plant", files, "input.toml", cli, note="; ".join(notes))


def gen_project(src) -> Case:
    dispatch = src.chance(0.25)
    files, notes = _toml_case(src, "project", [cheap_project(dispatch)])
    files["cell.toml"] = _cell_file(src)
    if dispatch:
        files["dispatch.csv"] = dispatch_bytes()
    files.setdefault("adir", DIR)
    cli = ["lcos", "{dir}/input.toml", *_json_flag(src)]
    return Case("project", files, "input.toml", cli, note="; ".join(notes))


def gen_bids(src) -> Case:
    files, notes = _toml_case(src, "bids", [cheap_tender()])
    files["cell.toml"] = _cell_file(src)
    files.setdefault("adir", DIR)
    cli = ["tender", "{dir}/input.toml", "--no-sensitivity", *_json_flag(src)]
    return Case("bids", files, "input.toml", cli, note="; ".join(notes))


# ----------------------------------------------------------------------------- protocol strings


def protocol_text(src) -> tuple[str, str]:
    """A protocol string: a shipped one, one built from its tokens (numbers valid or nasty,
    tokens missing, repeated or shuffled, separators and case varied), or junk."""
    mode = src.choice(("base", "built", "built", "built", "junk"))
    if mode == "base":
        return src.choice(BASE_PROTOCOLS), "base"
    if mode == "junk":
        return src.choice(("", ",", " , ,", "storage", "C/C", "1C/1C", "25degC", "1C/1C,,25degC")) + src.text(
            20
        ), "junk"
    storage = src.chance(0.25)
    num = lambda valid: number_text(src, valid)  # noqa: E731
    tokens = []
    if storage:
        tokens.append(src.choice(("storage", "Storage", "STORAGE", "storag")))
    else:
        tokens.append(f"{num(('1', '0.5', '2', '0.33'))}C/{num(('1', '0.5', '2', '3'))}C")
    unit = src.choice(("degC", "°C", "C", " degC", "K", "degF"))
    tokens.append(f"{num(('25', '35', '45', '-10', '0', '60', '-300', '298.15'))}{unit}")
    if storage or src.chance(0.2):
        tokens.append(f"{num(('100', '50', '0', '80', '150'))}% SOC")
    if not storage or src.chance(0.2):
        tokens.append(f"{num(('100', '80', '50', '10', '0', '120'))}% DOD")
    if src.chance(0.25):
        tokens.append(f"rest {num(('1', '0.5', '10', '1000', '100000'))}{src.choice(('h', 'min'))}")
    if src.chance(0.15):
        tokens.append(src.text(8))
    if src.chance(0.1) and tokens:
        del tokens[src.int(0, len(tokens) - 1)]
    if src.chance(0.1) and tokens:
        tokens.append(src.choice(tokens))
    if src.chance(0.15):
        i, j = src.int(0, len(tokens) - 1), src.int(0, len(tokens) - 1)
        tokens[i], tokens[j] = tokens[j], tokens[i]
    sep = src.choice((", ", ",", " ,  ", ";", " "))
    text = sep.join(tokens)
    if src.chance(0.1):
        text = text.upper() if src.chance(0.5) else text.lower()
    return text, mode


def gen_protocol(src) -> Case:
    text, note = protocol_text(src)
    files: dict[str, bytes | str] = {}
    if src.chance(0.2):  # a fit to measured data under that protocol
        files["meas.csv"] = measurement_bytes()
        cli = ["life-fit", "{dir}/meas.csv", "--model", FIT_MODEL, "--protocol", text, "--json"]
    else:
        # end of life at 95 %: the simulation stops decades sooner than at the default 80 %
        cli = ["life", str(LFP_SPEC), "--protocol", text, "--no-anchor", "--eol", "0.95", "--plot", "{dir}/life.png"]
        cli += _json_flag(src)
        if src.chance(0.15):
            cli.append("--band")
    return Case("protocol", files, text, cli, note=note)


# ----------------------------------------------------------------------------- CSV kinds


def _csv_case(src, columns: tuple[str, ...], rows: list[list[str]], valid_text: bytes) -> tuple[bytes | str, str]:
    """A CSV built from ``columns`` and ``rows`` (already generated) with the header, the row
    shapes and the line ends damaged; or the valid file with its bytes damaged; or no file."""
    mode = src.choice(("table", "table", "table", "table", "table", "bytes", "path"))
    if mode == "path":
        damage = path_damage(src)
        return damage, f"path {damage}"
    if mode == "bytes":
        data, op = mutate_bytes(src, valid_text)
        return data, op
    header = list(columns)
    notes = []
    h = src.int(0, 19)
    if h >= 17:
        what = src.choice(("missing", "extra", "reorder", "typo", "upper", "spaces", "semicolon", "dup", "none"))
        notes.append(f"header {what}")
        if what == "missing":
            del header[src.int(0, len(header) - 1)]
        elif what == "extra":
            header.append(src.choice(("comment", "temperature_degC", "temperature_C", "")))
            rows = [[*r, src.choice(("x", "1", ""))] for r in rows]
        elif what == "reorder":
            header = header[::-1]
        elif what == "typo":
            i = src.int(0, len(header) - 1)
            header[i] = header[i][:-1]
        elif what == "upper":
            header = [c.upper() for c in header]
        elif what == "spaces":
            header = [f" {c} " for c in header]
        elif what == "semicolon":
            return (";".join(header) + "\n" + "\n".join(";".join(r) for r in rows) + "\n").encode(), "semicolons"
        elif what == "dup":
            header.append(header[0])
            rows = [[*r, r[0]] for r in rows]
        elif what == "none":
            header = []
    lines = [",".join(header)] if header else []
    damaged = {src.int(0, len(rows) - 1) for _ in range(src.int(1, 2))} if rows and src.chance(0.2) else set()
    for i, r in enumerate(rows):
        if i in damaged:
            shape = src.choice(("short", "long", "blank", "quoted", "empty"))
            notes.append(f"{shape} row")
            if shape == "short":
                r = r[: src.int(0, len(r) - 1)]
            elif shape == "long":
                r = [*r, "1", "2"]
            elif shape == "blank":
                lines.append("")
            elif shape == "quoted":
                r = [f'"{c}"' for c in r]
            elif shape == "empty":
                r = [""] * len(r)
        lines.append(",".join(r))
    end = src.choice(("\n", "\n", "\n", "\r\n", "\r"))
    text = end.join(lines) + (end if src.chance(0.9) else "")
    data = text.encode("utf-8", "surrogatepass")
    if src.chance(0.05):
        data = b"\xef\xbb\xbf" + data
        notes.append("bom")
    return data, "; ".join(notes)


def _times(src, n: int, step: float) -> tuple[list[float], str]:
    mode = src.choice(("step",) * 8 + ("tiny", "decreasing", "repeat", "huge", "negative", "jitter"))
    if mode == "tiny":
        step = src.choice((1e-6, 1e-9, 1e-3))
    if mode == "huge":
        step = src.choice((1e9, 1e15, 1e300))
    t = [i * step for i in range(n)]
    if mode == "decreasing":
        t = t[::-1]
    elif mode == "repeat" and n > 1:
        t[-1] = t[-2]
    elif mode == "negative":
        t = [x - src.choice((1e3, 4.7e16)) for x in t]
    elif mode == "jitter":
        t = [x + src.real(-step, step) for x in t]
    return t, mode


def _cell(src, value: float, nasty: float, valid: tuple[str, ...] = ()) -> str:
    if src.chance(nasty):
        return src.choice(NASTY_NUMBER_TEXT)
    if valid and src.chance(0.05):
        return src.choice(valid)
    return f"{value:g}"


def gen_profile(src) -> Case:
    n = src.choice((6, 6, 6, 6, 24, 200, 3, 2, 1, 0))
    t, tmode = _times(src, n, src.choice((3600.0, 60.0, 900.0)))
    nasty = src.choice((0.0, 0.0, 0.0, 0.02, 0.1))
    temp = src.choice((25.0, 25.0, 25.0, 45.0, -10.0, 60.0, 2000.0, 298.15, -300.0))
    rows = [
        [
            _cell(src, x, nasty),
            _cell(src, (0.2, 0.9)[i % 2], nasty, ("1.5", "-0.1", "80", "0")),
            _cell(src, temp, nasty, ("25", "-273.15", "1e308")),
        ]
        for i, x in enumerate(t)
    ]
    data, note = _csv_case(src, PROFILE_COLUMNS, rows, profile_bytes())
    years = number_text(src, ("0.2", "0.5", "0.1")) if src.chance(0.3) else "0.2"
    files = {"profile.csv": data}
    cli = ["life", str(LFP_SPEC), "--profile", "{dir}/profile.csv", "--years", years, "--no-anchor"]
    cli += ["--plot", "{dir}/life.png", *_json_flag(src)]
    return Case("profile", files, "profile.csv", cli, options={"years": years}, note=f"time {tmode}; {note}")


def gen_dispatch(src) -> Case:
    base = dispatch_bytes()
    if src.chance(0.3):
        data, note = _csv_case(src, DISPATCH_COLUMNS, [], base)
        if isinstance(data, bytes) and note in ("", "bom"):
            data = base
        note = note or "base"
    else:
        n = src.choice((170, 25, 3, 2, 1, 0, 1000))
        t, tmode = _times(src, n, src.choice((1.0, 0.25, 24.0)))
        nasty = src.choice((0.0, 0.0, 0.0, 0.02, 0.1))
        power = src.choice((50.0, 100.0, 25.0, 1e6, -1e6, 0.0))
        with_temp = src.chance(0.2)
        rows = []
        for i, x in enumerate(t):
            hour = i % 24  # charge 9-12 h, discharge 18-21 h
            p = -power if 9 <= hour < 13 else 0.85 * power if 18 <= hour < 22 else 0.0
            row = [_cell(src, x, nasty), _cell(src, p, nasty, ("1e308", "-1e308"))]
            if with_temp:
                row.append(_cell(src, 25.0, nasty, ("-300", "2000", "298.15")))
            rows.append(row)
        columns = (*DISPATCH_COLUMNS, TEMPERATURE_COLUMN) if with_temp else DISPATCH_COLUMNS
        data, note = _csv_case(src, columns, rows, base)
        note = f"time {tmode}; {note}"
    files = {
        "input.toml": dumps_toml(cheap_project(dispatch=True)).encode(),
        "cell.toml": LFP_SPEC.read_bytes(),
        "dispatch.csv": data,
    }
    cli = ["lcos", "{dir}/input.toml", *_json_flag(src)]
    return Case("dispatch", files, "dispatch.csv", cli, note=note)


def gen_measurements(src) -> Case:
    n = src.choice((4, 4, 4, 12, 3, 2, 1, 0))
    days, tmode = _times(src, n, src.choice((10.0, 30.0, 5.0)))  # a fit runs the model over all of them
    nasty = src.choice((0.0, 0.0, 0.0, 0.02, 0.1))
    rows = [
        [_cell(src, d, nasty), _cell(src, 1.0 - 0.004 * i, nasty, ("-5", "0", "1.5", "98", "1e-300"))]
        for i, d in enumerate(days)
    ]
    data, note = _csv_case(src, MEASUREMENT_COLUMNS, rows, measurement_bytes())
    rates = src.chance(0.2)
    files = {"meas.csv": data, "profile.csv": profile_bytes()}
    cli = ["life-fit", "{dir}/meas.csv", "--model", FIT_MODEL, "--profile", "{dir}/profile.csv", "--json"]
    if rates:
        cli.append("--rates")
    return Case("measurements", files, "meas.csv", cli, options={"rates": rates}, note=f"time {tmode}; {note}")


GENERATORS = {
    "spec": gen_spec,
    "plant": gen_plant,
    "project": gen_project,
    "bids": gen_bids,
    "protocol": gen_protocol,
    "profile": gen_profile,
    "dispatch": gen_dispatch,
    "measurements": gen_measurements,
}


def generate(kind: str, src) -> Case:
    return GENERATORS[kind](src)


def strategy(kind: str):
    """A hypothesis strategy of cases of one kind."""
    from hypothesis import strategies as st

    return st.composite(lambda draw: generate(kind, DrawSource(draw)))()


# ----------------------------------------------------------------------------- running a case


class Hang(BaseException):  # not an Exception: nothing under test may catch it
    """Raised by a timer when a case runs past its deadline."""


@dataclass
class Outcome:
    """``status``: ok, clean (SpecError / exit 2), traceback, hang, oom, nonfinite."""

    status: str
    message: str = ""
    where: str = ""

    def signature(self) -> str:
        """What makes two failures the same failure: the class, where, and the message with
        numbers, paths and quoted values blanked."""
        msg = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", self.message)
        msg = re.sub(r"0x[0-9a-f]+|[-+]?\d+(\.\d+)?(e[-+]?\d+)?", "N", msg)
        msg = re.sub(r"/\S+", "PATH", msg)
        return f"{self.status} | {self.where} | {msg[:160]}"


_CACHE: dict = {}


def _lfp_cell():
    if "cell" not in _CACHE:
        from cellwright.cell import Cell

        _CACHE["cell"] = Cell.from_spec(LFP_SPEC)
    return _CACHE["cell"]


LIBRARY_CALLS = {
    "spec": "Cell.from_spec(PATH).summary()",
    "plant": "cost_of(Cell.from_spec('examples/lfp-280ah-prismatic.toml'), load_plant(PATH)).row(0)",
    "project": "evaluate(load_project(PATH)).as_dict()",
    "bids": "load_tender(PATH, sensitivity=False).as_dict()",
    "protocol": f"simulate_life(*profile(parse_protocol(PATH)), 0.5, model={FIT_MODEL!r})",
    "profile": f"simulate_life(*read_profile(PATH), years, model={FIT_MODEL!r})",
    "dispatch": "dispatch_soc(*read_dispatch(PATH)[:2], dc_nameplate_kWh=500_000.0, soc_window=0.9)",
    "measurements": f"fit_scalar(*read_profile('profile.csv'), *read_measurements(PATH), {FIT_MODEL!r})"
    " (fit_rates with rates)",
}


def library_result(case: Case, folder: Path):
    """Run a case through the library: its loader and the cheapest computation behind it."""
    path = folder / case.target
    kind = case.kind
    if kind == "spec":
        from cellwright.cell import Cell

        return Cell.from_spec(path).summary()
    if kind == "plant":
        from cellwright.factory.evaluate import cost_of
        from cellwright.factory.plant_spec import load_plant

        return cost_of(_lfp_cell(), load_plant(path)).row(0)
    if kind == "project":
        from cellwright.storage.project import evaluate, load_project

        return evaluate(load_project(path)).as_dict()
    if kind == "bids":
        from cellwright.storage.tender import load_tender

        return load_tender(path, sensitivity=False).as_dict()
    if kind == "protocol":
        from cellwright.aging.protocol import parse_protocol, profile
        from cellwright.aging.simulate import simulate_life

        t, soc, temp = profile(parse_protocol(case.target))
        life = simulate_life(t, soc, temp, 0.5, model=FIT_MODEL)
        return {"time_s": t, "soc": soc, "temperature": temp, "soh": life.soh, "efc": life.efc}
    if kind == "profile":
        from cellwright.aging.io import read_profile
        from cellwright.aging.simulate import simulate_life

        t, soc, temp = read_profile(path)
        try:  # the text the CLI's --years was given; text that is no number is the CLI's to refuse
            years = float(case.options.get("years", "0.2"))
        except ValueError:
            years = 0.2
        life = simulate_life(t, soc, temp, years, model=FIT_MODEL)
        return {"time_s": t, "soc": soc, "temperature": temp, "soh": life.soh, "resistance": life.resistance}
    if kind == "dispatch":
        from cellwright.storage.operation import dispatch_soc, read_dispatch

        time_h, power, temp = read_dispatch(path)
        soc = dispatch_soc(time_h, power, dc_nameplate_kWh=500_000.0, soc_window=0.9)
        return {"time_h": time_h, "power_MW": power, "temperature": temp, "soc": soc}
    if kind == "measurements":
        from cellwright.aging.fit import Test, fit_rates, fit_scalar, read_measurements
        from cellwright.aging.io import read_profile

        days, q = read_measurements(path)
        t, soc, temp = read_profile(folder / "profile.csv")
        if case.options.get("rates"):
            return vars(fit_rates([Test(str(path), t, soc, temp, days, q)], FIT_MODEL))
        return vars(fit_scalar(t, soc, temp, days, q, FIT_MODEL))
    raise ValueError(kind)


def first_nonfinite(obj, path: str = "result") -> str | None:
    """Where the first NaN or infinity in a result is (dicts, lists, arrays, dataclasses)."""
    import numpy as np

    if obj is None or isinstance(obj, str | bool):
        return None
    if isinstance(obj, int | float | np.number):
        return None if math.isfinite(float(obj)) else f"{path} = {obj}"
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc" and obj.size and not np.isfinite(obj).all():
            i = int(np.argmin(np.isfinite(obj).reshape(-1)))
            return f"{path}[flat {i}] = {obj.reshape(-1)[i]}"
        if obj.dtype == object:
            return first_nonfinite(obj.tolist(), path)
        return None
    if isinstance(obj, dict):
        for k, v in obj.items():
            if found := first_nonfinite(v, f"{path}.{k}"):
                return found
        return None
    if isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            if found := first_nonfinite(v, f"{path}[{i}]"):
                return found
        return None
    if hasattr(obj, "model_dump"):
        return first_nonfinite(obj.model_dump(), path)
    if hasattr(obj, "__dataclass_fields__"):
        return first_nonfinite({k: getattr(obj, k) for k in obj.__dataclass_fields__}, path)
    return None


def _reject_constant(token: str):
    raise ValueError(f"JSON has no {token}")


def strict_json(text: str):
    """Parse JSON as RFC 8259 has it: NaN, Infinity and -Infinity are refused."""
    return json.loads(text, parse_constant=_reject_constant)


def _where(exc: BaseException) -> str:
    """The innermost frame of cellwright (or the innermost frame) of an exception."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "cellwright" in f.filename] or frames
    if not ours:
        return ""
    f = ours[-1]
    name = f.filename.split("cellwright/", 1)[-1] if "cellwright/" in f.filename else Path(f.filename).name
    return f"{name}:{f.lineno} {f.name}"


def _failure(exc: BaseException) -> Outcome:
    from cellwright.errors import SpecError

    if isinstance(exc, SpecError):
        return Outcome("clean", str(exc)[:300])
    if isinstance(exc, MemoryError):
        return Outcome("oom", f"{type(exc).__name__}: {exc}"[:300], _where(exc))
    return Outcome("traceback", f"{type(exc).__name__}: {exc}"[:300], _where(exc))


@contextlib.contextmanager
def bounded(seconds: float, memory_gb: float = 0.0):
    """Raise :class:`Hang` in the block after ``seconds`` (a timer signal, main thread only)
    and, with ``memory_gb``, let the process's address space grow by at most that much within
    it (an allocation beyond is a ``MemoryError``). Both limits are lifted afterwards."""
    import resource
    import signal

    def on_timer(signum, frame):
        raise Hang(f"still running after {seconds:g} s")

    old_handler = signal.signal(signal.SIGALRM, on_timer)
    old_limit = resource.getrlimit(resource.RLIMIT_AS)
    if memory_gb > 0:
        size = _address_space()
        if size:
            hard = old_limit[1]
            soft = size + int(memory_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        resource.setrlimit(resource.RLIMIT_AS, old_limit)


def _address_space() -> int:
    """The process's virtual memory size in bytes (0 where /proc is not there)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_case(case: Case, door: str, seconds: float, memory_gb: float = 2.0) -> Outcome:
    """Materialise a case in a fresh folder and run it through a door, time and memory bounded."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cellwright-generated-") as d:
        folder = Path(d)
        case.materialise(folder)
        try:
            with bounded(seconds, memory_gb):
                return DOORS[door](case, folder)
        except Hang:
            return Outcome("hang", f"still running after {seconds:g} s", "timeout")


def run_library(case: Case, folder: Path) -> Outcome:
    try:
        result = library_result(case, folder)
    except Hang:
        raise
    except Exception as exc:
        return _failure(exc)
    bad = first_nonfinite(result)
    return Outcome("nonfinite", bad) if bad else Outcome("ok")


def run_cli(case: Case, folder: Path) -> Outcome:
    from typer.testing import CliRunner

    from cellwright.cli import app

    result = CliRunner().invoke(app, case.args(folder))
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        if isinstance(exc, Hang):
            raise exc
        out = _failure(exc)
        return out if out.status != "clean" else Outcome("traceback", "SpecError escaped the CLI: " + out.message)
    code = result.exit_code
    if code == 2:
        return Outcome("clean", (result.stderr or result.output).strip()[:300])
    if code == 0:
        if "--json" in case.cli:
            try:
                strict_json(result.stdout)
            except ValueError as err:
                if "JSON has no" in str(err):
                    token = re.search(r"-?\b(NaN|Infinity)\b", result.stdout)
                    context = result.stdout[max(0, token.start() - 60) : token.end()] if token else ""
                    return Outcome("nonfinite", f"{err}: …{' '.join(context.split())}")
                return Outcome("traceback", f"exit 0 but stdout is not JSON: {err}")
        return Outcome("ok")
    # exit 1 (or another code): find the exception the CLI turned into one line
    cause = exc
    while cause is not None and (isinstance(cause, SystemExit) or type(cause).__name__ == "Exit"):
        cause = cause.__context__
    text = (result.stderr or result.output).strip().splitlines()
    line = text[-1] if text else ""
    if cause is not None and isinstance(cause, MemoryError):
        return Outcome("oom", f"exit {code}: {line}"[:300], _where(cause))
    if "Unable to allocate" in line:
        return Outcome("oom", f"exit {code}: {line}"[:300], _where(cause) if cause else "")
    where = _where(cause) if cause is not None else ""
    return Outcome("traceback", f"exit {code}: {line}"[:300], where)


DOORS = {"library": run_library, "cli": run_cli}
