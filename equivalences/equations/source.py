"""The Python declaration (a ``verify --module`` file) equivalent to a method read from equations."""
from __future__ import annotations

import keyword

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter

from ..declare import Method
from ..symbols import theta0


# -- the Python declaration ----------------------------------------------------------------------------


_MODULE_NAMES = {"sp", "t", "g", "theta0", "Method", "state", "METHOD", "Eq", "Function", "Symbol", "Rational",
                 "Min", "Max", "sqrt"}


class _PyPrinter(StrPrinter):
    """SymPy's text with exact numbers (``Rational(9, 10)``, never ``9/10``, which Python would divide)."""

    def __init__(self, names: dict):
        super().__init__()
        self.names = names

    def _print_Rational(self, expr):
        return f"Rational({expr.p}, {expr.q})"

    def _print_Half(self, expr):
        return "Rational(1, 2)"

    def _print_Symbol(self, expr):
        return "theta0" if expr == theta0 else self.names.get(expr.name, expr.name)

    def _print_Function(self, expr):
        if isinstance(expr, AppliedUndef):
            return f"{self.names.get(expr.func.__name__, expr.func.__name__)}({self.stringify(expr.args, ', ')})"
        return super()._print_Function(expr)


def _py(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) or name in _MODULE_NAMES else name


def module_source(method: Method, text: str | None = None) -> str:
    """A Python module declaring ``method`` (``METHOD``), which ``verify --module`` accepts: the same
    declaration, to grow (claims, domains) as in docs/declaring-a-method.md."""
    names = {}
    grads = [gf for _, gf in getattr(method, "calls", ())]
    for f in (*method.state, *method.define, *method.schedules, *grads):
        names[f.__name__] = _py(f.__name__)
    symbols = list(method.constants) + [k for k in method.defaults if isinstance(k, sp.Symbol) and k not in method.constants]
    for s in symbols:
        names[s.name] = _py(s.name)
    pr = _PyPrinter(names)
    p = pr.doprint
    state_names = [names[f.__name__] for f in method.state]
    lines = ['"""' + f"{method.key}: declared in one line with `verify --equations`.", ""]
    for part in (text or method.summary).strip().splitlines():
        lines.append("    " + part.rstrip())
    lines += ["", "Written by `verify --equations ... --print-module`; grow it as in docs/declaring-a-method.md.",
              '"""', "from sympy import Eq, Function, Max, Min, Rational, Symbol, sqrt  # noqa: F401", "",
              "from equivalences.declare import Method, state",
              *(["from equivalences.oracles import gradients"] if grads else []),
              "from equivalences.symbols import g, t, theta0  # noqa: F401", ""]
    lines.append(f"{', '.join(state_names)}{',' if len(state_names) == 1 else ''} = state({' '.join(f.__name__ for f in method.state)!r})")
    for f in (*method.define, *method.schedules):
        lines.append(f"{names[f.__name__]} = Function({f.__name__!r})")
    if grads:
        lines.append(f"{', '.join(names[f.__name__] for f in grads)} = gradients({' '.join(f.__name__ for f in grads)!r})")
    for s in symbols:
        lines.append(f"{names[s.name]} = Symbol({s.name!r})")
    tup = lambda items: "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"  # noqa: E731
    lines += ["", "METHOD = Method("]
    for fld in ("key", "name", "reference", "section", "summary"):
        lines.append(f"    {fld}={getattr(method, fld)!r},")
    lines.append(f"    state={tup(state_names)},")
    lines.append("    updates=(")
    for u in method.updates:
        lines.append(f"        Eq({p(u.lhs)}, {p(u.rhs)}),")
    lines.append("    ),")
    if method.define:
        lines.append("    define={" + ", ".join(f"{names[f.__name__]}: {p(v)}" for f, v in method.define.items()) + "},")
    lines.append(f"    query={names[method.query.__name__]},")
    if grads:
        lines.append("    calls=" + tup([f"({names[f.__name__]}, {names[gf.__name__]})" for f, gf in method.calls]) + ",")
    if method.evaluate is not None:
        lines.append(f"    evaluate={names[method.evaluate.__name__]},")
    lines.append("    init={" + ", ".join(f"{p(k)}: {p(v)}" for k, v in method.init.items()) + "},")
    lines.append(f"    t0={method.t0},")
    lines.append(f"    constants={tup([names[s.name] for s in method.constants])},")
    lines.append(f"    schedules={tup([names[f.__name__] for f in method.schedules])},")
    lines.append("    defaults={" + ", ".join(f"{names[k.name if isinstance(k, sp.Symbol) else k.__name__]}: {p(v)}"
                                          for k, v in method.defaults.items()) + "},")
    lines.append(")")
    return "\n".join(lines) + "\n"
