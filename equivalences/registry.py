"""The methods ``verify`` knows, by key, imported on first use.

Besides the built-in declarations, a user's own method is loaded from a Python file
(``verify --module my_method.py``) or from an installed plugin's entry point in the group
``optimizer_equivalences.methods``; either exposes ``METHOD``, a :class:`~equivalences.declare.Method`.
Both are imported as Python code (importlib): nothing a user types or a data file holds is ever
evaluated as an expression.
"""
from __future__ import annotations

import sympy as sp

import difflib
import importlib
import importlib.util
import sys
from pathlib import Path

from .declare import Method
from .symbols import t

MODULES = {
    "schedule-free": "schedule_free",
    "lion": "lion",
    "heavy-ball": "heavy_ball",
    "sgd-nesterov": "sgd_nesterov",
    "qhm": "qhm",
    "agnes": "agnes",
    "asgd": "asgd",
    "mass": "mass",
    "nesterov-sgd": "nesterov_sgd",
    "mars": "mars",
    "ademamix": "ademamix",
    "simplified-ademamix": "simplified_ademamix",
    "accelerated-adamw": "accelerated_adamw",
    "accelerated-adamw-printed": "accelerated_adamw_printed",
    "schedule-free-adamw": "schedule_free_adamw",
}


ENTRY_POINTS = "optimizer_equivalences.methods"


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
    return list(MODULES) + sorted(_plugins())


def get(name: str) -> Method:
    key = name.strip().lower().replace("_", "-")
    if key in MODULES:
        return importlib.import_module(f".methods.{MODULES[key]}", __package__).METHOD
    plugins = _plugins()
    if name in plugins or key in plugins:
        ep = plugins.get(name) or plugins[key]
        try:
            obj = ep.load()
        except Exception as err:  # noqa: BLE001 -- a plugin's own error, reported in one line
            raise BadModule(f"plugin {ep.name!r} ({ep.value}) failed to import: {type(err).__name__}: {err}; "
                            "fix or uninstall that package") from None
        return checked(getattr(obj, "METHOD", obj), f"plugin {ep.name!r} ({ep.value})")
    raise UnknownMethod(name)


def load_module(path: str) -> Method:
    """Import the Python file ``path`` and return its ``METHOD``, checked (see :func:`checked`)."""
    file = Path(path)
    if file.suffix != ".py":
        raise BadModule(f"--module {path}: give a Python file (my_method.py) that defines METHOD")
    if not file.is_file():
        raise BadModule(f"--module {path}: no such file; check the path")
    name = f"_verify_user_{abs(hash(str(file.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise BadModule(f"--module {path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # noqa: BLE001 -- the user's own code: one line, where and what
        sys.modules.pop(name, None)
        where = ""
        tb = err.__traceback__
        while tb is not None:
            if Path(tb.tb_frame.f_code.co_filename).resolve() == file.resolve():
                where = f" (line {tb.tb_lineno})"
            tb = tb.tb_next
        hint = ""
        if isinstance(err, ImportError) and "relative import" in str(err):
            hint = ("; a file outside the package imports absolutely: from equivalences.declare import Method, "
                    "state (and from equivalences.symbols import g, t, theta0)")
        raise BadModule(f"--module {path}: importing it failed{where}: {type(err).__name__}: {err}{hint}") from None
    if not hasattr(module, "METHOD"):
        raise BadModule(f"--module {path}: it defines no METHOD; add METHOD = Method(...) "
                        "(see equivalences/methods/heavy_ball.py)")
    return checked(module.METHOD, f"--module {path}")


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
        StepSystem(method)
    except DeclarationError as err:
        raise BadModule(f"{where}: {err}") from None
    except Exception as err:  # noqa: BLE001
        raise BadModule(f"{where}: the declaration does not solve: {type(err).__name__}: {err}") from None
    return method
