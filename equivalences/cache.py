"""A derivation, once proved, is kept on disk under a key that pins everything it depends on.

The key is a SHA-256 of: the exact text of every module of the symbolic core (``equivalences/*.py``, the
method declarations included), the SymPy and Python versions, and the declaration itself written out with
``sympy.srepr`` (every symbol with its assumptions, every update, start, schedule, domain and claim).
Change any of them -- edit a line of the engine, a coefficient of a declaration, upgrade SymPy -- and the
key changes, so a cached result is only ever the result the same code would compute again.  A file that
cannot be read back is ignored and recomputed.  The derivation is one file (``KEY.pickle``); each result
computed from it later (the proof, the claims, the degenerate sets, ...) is kept beside it when it is first
computed (``KEY.NAME.pickle``), so that a run pays only for what it shows and a later run reads it back.

Where: ``$OPTIMIZER_EQUIVALENCES_CACHE`` (a directory; ``0``/``off`` turns the cache off), else
``$XDG_CACHE_HOME/optimizer-equivalences``, else ``~/.cache/optimizer-equivalences``.  ``verify
--no-cache`` sets it off for one run.  Standard library only (core layer).
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import platform
import tempfile
from pathlib import Path

_CORE = Path(__file__).resolve().parent
_SOURCE_DIGEST: str | None = None
FORMAT = "2"
_KEYS: dict[int, tuple] = {}


def directory() -> Path | None:
    """The cache directory, or None when the cache is off."""
    env = os.environ.get("OPTIMIZER_EQUIVALENCES_CACHE")
    if env is not None and env.strip().lower() in ("", "0", "off", "no", "false"):
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "optimizer-equivalences"


def _source_digest() -> str:
    """Every core module's text (the application layer does not enter a derivation)."""
    global _SOURCE_DIGEST
    if _SOURCE_DIGEST is None:
        import sympy

        h = hashlib.sha256(f"{FORMAT}|{sympy.__version__}|{platform.python_version()}".encode())
        for path in sorted(p for p in _CORE.rglob("*.py") if "app" not in p.relative_to(_CORE).parts):
            h.update(str(path.relative_to(_CORE)).encode())
            h.update(path.read_bytes())
        _SOURCE_DIGEST = h.hexdigest()
    return _SOURCE_DIGEST


def _written(x) -> str:
    """A canonical text of a declaration: sympy objects by ``srepr`` (with assumptions), containers in order."""
    import sympy as sp

    if isinstance(x, (sp.Basic, sp.FunctionClass)):
        return sp.srepr(x) + (repr(sorted(getattr(x, "_kwargs", {}).items())) if isinstance(x, sp.FunctionClass) else "")
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return f"{type(x).__qualname__}(" + ",".join(
            f"{f.name}={_written(getattr(x, f.name))}" for f in dataclasses.fields(x)) + ")"
    if isinstance(x, dict) or hasattr(x, "items"):
        return "{" + ",".join(f"{_written(k)}:{_written(v)}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        return "[" + ",".join(_written(v) for v in x) + "]"
    return repr(x)


def key(method) -> str:
    """The cache key of a declaration (or of any other tuple of statements the core checks); a declaration (a
    frozen dataclass) is written out once per object and engine text."""
    digest = _source_digest()
    frozen = dataclasses.is_dataclass(method) and type(method).__dataclass_params__.frozen
    known = _KEYS.get(id(method)) if frozen else None
    if known is not None and known[0] is method and known[1] == digest:
        return known[2]
    out = hashlib.sha256((digest + "|" + _written(method)).encode()).hexdigest()
    if frozen:
        _KEYS[id(method)] = (method, digest, out)
    return out


def _path(folder: Path, method, part: str | None) -> Path:
    return folder / (f"{key(method)}.pickle" if part is None else f"{key(method)}.{part}.pickle")


def _read(path: Path) -> dict | None:
    try:
        with open(path, "rb") as f:
            out = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 -- a damaged or foreign file is recomputed, never trusted
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return out if isinstance(out, dict) and out.get("format") == FORMAT else None


def load(method, parts: tuple = ()) -> dict | None:
    """The cached results of ``method`` (a dict), or None (no cache, a miss, or an unreadable file); each of
    ``parts`` stored beside it (:func:`store_part`) and readable is added under its name."""
    folder = directory()
    if folder is None:
        return None
    out = _read(_path(folder, method, None))
    if out is None:
        return None
    for part in parts:
        got = _read(_path(folder, method, part))
        if got is not None and "value" in got:
            out[part] = got["value"]
    return out


def _write(path: Path, payload: dict) -> None:
    """Write ``payload`` atomically; a cache that cannot be written is silently skipped."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            pickle.dump({**payload, "format": FORMAT}, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 -- e.g. a read-only home, an unpicklable user object: just not cached
        with contextlib.suppress(Exception):
            os.unlink(tmp)


def store(method, results: dict) -> None:
    """Write ``results`` atomically; a cache that cannot be written is silently skipped."""
    folder = directory()
    if folder is not None:
        _write(_path(folder, method, None), results)


def store_part(method, part: str, value) -> None:
    """Keep one more result of ``method``'s derivation (``part`` names it) beside its file."""
    folder = directory()
    if folder is not None:
        _write(_path(folder, method, part), {"value": value})
