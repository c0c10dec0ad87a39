"""The command line's side of :mod:`equivalences.equations`: the shared ``--equations`` option, and a method
argument (``verify convert FROM --to TO``, ``verify identify --expect``) that is equations instead of a name.

Equations are given as the text itself or as ``@FILE`` (the text in a file); a method name never contains
``=``, so an argument with one is read as equations."""
from __future__ import annotations

from .commands import UsageError

HELP = ("a method in one line, in the papers' notation: \"m[t+1] = beta*m[t] + g[t]; w[t+1] = w[t] - lr*m[t+1]\" "
        "(or @FILE); --set gives the values (docs/declaring-a-method.md)")


def add_option(parser) -> None:
    parser.add_argument("--equations", metavar="TEXT|@FILE", help=HELP)


def is_equations(arg: str | None) -> bool:
    """Is a method argument equations (text with ``=``, or ``@FILE``) rather than a method's name?"""
    return isinstance(arg, str) and ("=" in arg or arg.startswith("@"))


def method(arg: str, *, option: str, name: str | None = None, values: dict | None = None,
           values_from: str = "--set NAME=VALUE"):
    """The Method of equations ``arg`` (text or @FILE); every problem a one-line UsageError naming ``option``."""
    from ..equations import EquationError, parse_method, read_text

    try:
        return parse_method(read_text(arg), name=name, values=values, label=option)
    except EquationError as err:
        msg = str(err)
        if err.missing and values_from != "--set NAME=VALUE":
            names = ", ".join(err.missing)
            msg = (f"{option}: {names} {'has' if len(err.missing) == 1 else 'have'} no value: add "
                   f"`with {', '.join(n + '=...' for n in err.missing)}` at the end of these equations "
                   f"({values_from})")
        elif not msg.startswith((option, "--set")):
            msg = f"{option}: {msg}"
        raise UsageError(msg) from None


def constant_settings(method, sets: dict) -> dict:
    """The ``--set`` values that are constants (or a schedule's parameters): a schedule's value is part of the
    declaration the equations give, and ``--set`` then names only numbers."""
    import sympy as sp

    return {k: v for k, v in sets.items() if isinstance(method.hyperparameter(k), sp.Symbol)}
