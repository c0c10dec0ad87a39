"""The methods ``verify`` knows, by key, discovered from their folders and imported on first use.

A method is one file: ``equivalences/methods/NAME.py`` exposing ``METHOD`` (a
:class:`~equivalences.declare.Method` whose key is the file name with ``-`` for ``_``), and optionally
``EXPECTED`` (its map into Eq. (1) derived by hand, which tests/test_methods.py checks the engine against) and
``ORDER`` (its place in ``verify list``).  Nothing else lists the methods.

Besides the built-in declarations, a user's own method is loaded from a Python file
(``verify --module my_method.py``), from a folder of such files named in the environment variable
``OPTIMIZER_EQUIVALENCES_METHODS`` (folders separated by ``os.pathsep``; each ``NAME.py`` there is the method
``NAME``, found like the built-in ones), or from an installed plugin's entry point in the group
``optimizer_equivalences.methods``; each exposes ``METHOD``.  All are imported as Python code (importlib):
nothing a user types or a data file holds is ever evaluated as an expression.

The order of :func:`names` (``verify list``, ``verify all``, the appendix) is fixed by the files, never by
the file system's listing order: the built-in methods by their ``ORDER`` (a whole number written
``ORDER = n`` at the top level; files without one come after, by name), then each folder of
``OPTIMIZER_EQUIVALENCES_METHODS`` in turn under the same rule, then the installed plugins by name.  A name
already taken by an earlier source is not replaced by a later one.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path

from .declare import Method

METHODS_DIR = Path(__file__).resolve().parent / "methods"
PATH_VARIABLE = "OPTIMIZER_EQUIVALENCES_METHODS"
ENTRY_POINTS = "optimizer_equivalences.methods"
_ORDER = re.compile(r"^ORDER\s*=\s*(\d+)\s*(?:#.*)?$", re.MULTILINE)


def key_of(file: Path) -> str:
    """The method name of a declaration file: ``heavy_ball.py`` -> ``heavy-ball``."""
    return file.stem.replace("_", "-")


def discover(folder: Path) -> dict[str, Path]:
    """The declaration files of ``folder``, name -> path, in ``verify list`` order (see the module docstring);
    the files are read as text for their ``ORDER``, not imported."""
    if not folder.is_dir():
        return {}
    files = [f for f in folder.glob("*.py") if not f.name.startswith("_")]

    def rank(f: Path):
        found = _ORDER.search(f.read_text(encoding="utf-8"))
        return (0, int(found.group(1)), key_of(f)) if found else (1, 0, key_of(f))

    return {key_of(f): f for f in sorted(files, key=rank)}


MODULES = {name: path.stem for name, path in discover(METHODS_DIR).items()}
"""The built-in methods: name -> module of :mod:`equivalences.methods`, in ``verify list`` order."""


def _folders() -> dict[str, Path]:
    """Methods in the folders of ``OPTIMIZER_EQUIVALENCES_METHODS``: name -> file (built-in names win)."""
    out: dict[str, Path] = {}
    for entry in os.environ.get(PATH_VARIABLE, "").split(os.pathsep):
        if entry.strip():
            for name, path in discover(Path(entry).expanduser()).items():
                if name not in MODULES and name not in out:
                    out[name] = path
    return out


class BadModule(ValueError):
    """A user module or plugin that does not provide a usable METHOD (the message says what to fix)."""


class UnknownMethod(LookupError):
    def __init__(self, name: str):
        close = difflib.get_close_matches(name, names(), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "run 'verify list' to see them"
        super().__init__(f"unknown method {name!r}: {hint}")


def _plugins() -> dict:
    """Installed plugins: entry point name -> entry point (loaded only when asked for)."""
    from importlib.metadata import entry_points

    try:
        return {ep.name: ep for ep in entry_points(group=ENTRY_POINTS) if ep.name not in MODULES}
    except Exception:  # noqa: BLE001 -- broken metadata of some other package must not break verify
        return {}


def names() -> list[str]:
    folders = _folders()
    return list(MODULES) + list(folders) + sorted(n for n in _plugins() if n not in folders)


_FROM_FOLDERS: dict[Path, object] = {}
"""Folder methods imported so far, by file: one module (and one Method object) per file per process."""


def module_of(name: str):
    """The module (or entry point object) that declares ``name``: where ``METHOD`` and ``EXPECTED`` live."""
    key = name.strip().lower().replace("_", "-")
    if key in MODULES:
        return importlib.import_module(f".methods.{MODULES[key]}", __package__)
    folders = _folders()
    if key in folders:
        file = folders[key].resolve()
        if file not in _FROM_FOLDERS:
            _FROM_FOLDERS[file] = _import_file(str(file), f"{PATH_VARIABLE} method {key!r}")
        return _FROM_FOLDERS[file]
    plugins = _plugins()
    if name in plugins or key in plugins:
        ep = plugins.get(name) or plugins[key]
        try:
            return ep.load()
        except Exception as err:  # noqa: BLE001 -- a plugin's own error, reported in one line
            raise BadModule(f"plugin {ep.name!r} ({ep.value}) failed to import: {type(err).__name__}: {err}; "
                            "fix or uninstall that package") from None
    raise UnknownMethod(name)


def get(name: str) -> Method:
    key = name.strip().lower().replace("_", "-")
    module = module_of(name)
    if key in MODULES:
        return module.METHOD
    folders = _folders()
    if key in folders:
        where = f"{folders[key]} (from {PATH_VARIABLE})"
        if not hasattr(module, "METHOD"):
            raise BadModule(f"{where}: it defines no METHOD; add METHOD = Method(...) "
                            "(see equivalences/methods/heavy_ball.py)")
        method = checked(module.METHOD, where)
        if method.key != key:
            raise BadModule(f"{where}: METHOD.key is {method.key!r}; name the file {method.key.replace('-', '_')}.py "
                            f"or set key={key!r}")
        return method
    ep = _plugins().get(name) or _plugins()[key]
    return checked(getattr(module, "METHOD", module), f"plugin {ep.name!r} ({ep.value})")


def expected(name: str) -> dict | None:
    """The hand-derived map ``{"beta_a": ..., "eta_a": ..., "alpha_a": ...}`` that ``name``'s file declares as
    ``EXPECTED``, or None."""
    return getattr(module_of(name), "EXPECTED", None)


def load_module(path: str) -> Method:
    """Import the Python file ``path`` and return its ``METHOD``, checked (see :func:`checked`)."""
    module = _import_file(path, f"--module {path}")
    if not hasattr(module, "METHOD"):
        raise BadModule(f"--module {path}: it defines no METHOD; add METHOD = Method(...) "
                        "(see equivalences/methods/heavy_ball.py)")
    return checked(module.METHOD, f"--module {path}")


def _import_file(path: str, where: str):
    """The Python file ``path``, imported as a fresh module; every failure is one line starting with ``where``."""
    file = Path(path)
    if file.suffix != ".py":
        raise BadModule(f"{where}: give a Python file (my_method.py) that defines METHOD")
    if not file.is_file():
        raise BadModule(f"{where}: no such file; check the path")
    name = f"_verify_user_{abs(hash(str(file.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise BadModule(f"{where}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # noqa: BLE001 -- the user's own code: one line, where and what
        sys.modules.pop(name, None)
        line = ""
        tb = err.__traceback__
        while tb is not None:
            if Path(tb.tb_frame.f_code.co_filename).resolve() == file.resolve():
                line = f" (line {tb.tb_lineno})"
            tb = tb.tb_next
        hint = ""
        if isinstance(err, ImportError) and "relative import" in str(err):
            hint = ("; a file outside the package imports absolutely: from equivalences.declare import Method, "
                    "state (and from equivalences.symbols import g, t, theta0)")
        raise BadModule(f"{where}: importing it failed{line}: {type(err).__name__}: {err}{hint}") from None
    return module


def checked(method, where: str) -> Method:
    """A user's METHOD, refused in one line when it is not a usable declaration.

    :func:`equivalences.validate.check` reads every field (types, names, defaults, domains; strings are
    refused, never parsed), then the update equations must solve (:class:`StepSystem`)."""
    from .steps import refuse_opaque_steps
    from .system import DeclarationError, StepSystem
    from .validate import DeclarationProblem, check

    if not isinstance(method, Method):
        raise BadModule(f"{where}: METHOD is a {type(method).__name__}, not an equivalences.declare.Method")
    try:
        check(method)
    except DeclarationProblem as err:
        raise BadModule(f"{where}: {err}") from None
    except Exception as err:  # noqa: BLE001 -- a declaration odd enough to trip a check: still one line
        raise BadModule(f"{where}: the declaration could not be checked ({type(err).__name__}: {err}); compare it "
                        "with tests/data/ema_momentum.py") from None
    try:
        refuse_opaque_steps(method)
        if method.calls:  # several gradient calls per step: solved by equivalences/oracles.py
            from .oracles import NotLinearCalls, calls_form
            try:
                calls_form(method)
            except NotLinearCalls:
                pass  # a verdict (undecided), not a malformed declaration
        else:
            StepSystem(method)
    except DeclarationError as err:
        raise BadModule(f"{where}: {err}") from None
    except Exception as err:  # noqa: BLE001
        raise BadModule(f"{where}: the declaration does not solve: {type(err).__name__}: {err}") from None
    return method
