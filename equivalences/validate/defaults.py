"""The numbers the replay needs: a default for every constant and schedule (a schedule's sums stop at a step), the
domains (numeric sets that hold the defaults), and the paper's setting."""
from __future__ import annotations

import sympy as sp

from ..declare import Method
from ..symbols import t
from .names import _Names, _uses
from .problem import _fail, _is_function, _kind, _show, _sympy, set_text


def _schedule_symbols(method: Method) -> set[str]:
    out = set()
    for k, v in method.defaults.items():
        if _is_function(k) and isinstance(v, sp.Basic):
            out |= {s.name for s in v.free_symbols}
    return out


def _sum_limits(where: str, expr):
    for s in expr.atoms(sp.Sum):
        for limit in s.limits:
            if len(limit) != 3:
                _fail(f"{where}: {s} needs explicit limits, e.g. sp.Sum(f(k), (k, 1, t))")
            k, lo, hi = limit
            if any(b.has(sp.oo, -sp.oo, sp.zoo) for b in (lo, hi)):
                _fail(f"{where}: {s} sums to infinity; a schedule's sum must stop at a step, e.g. (k, 1, t)")
            if k == t:
                _fail(f"{where}: {s} sums over t, the step itself; use another index, e.g. k = sp.Symbol('k')")


def _defaults(method: Method, names: _Names):
    used = _schedule_symbols(method)
    for k in method.defaults:
        if _is_function(k):
            if k.__name__ not in names.schedules:
                _fail(f"defaults gives {k.__name__}, which is {names.what(k.__name__)}, not a schedule; add it to "
                      "schedules or remove it")
        elif isinstance(k, sp.Symbol):
            if k.name not in names.constants and k.name not in used:
                _fail(f"defaults gives {k.name}, which is neither a constant nor a parameter of a schedule's default; "
                      "add it to constants or remove it")
        else:
            _fail(f"defaults key {_kind(k)} is not a constant or a schedule")
    by_name = {(k.__name__ if _is_function(k) else k.name): k for k in method.defaults}
    for name in list(names.constants) + list(names.schedules):
        if name not in by_name:
            example = "sp.Rational(1, 10)" if name in names.constants else "sp.Rational(1, 10) (or an expression of t)"
            _fail(f"{names.what(name)} {name} has no default value: add defaults={{{name}: {example}}} -- the replay "
                  "needs a number")
    for key, value in method.defaults.items():
        name = key.__name__ if _is_function(key) else key.name
        where = f"the default of {name}"
        if _is_function(key):
            if isinstance(value, (list, tuple, dict)):
                _fail(f"{where} is a Python {type(value).__name__}; a schedule's default is one sympy expression of t, "
                      "e.g. 1/t, lr*sp.Min(1, t/T_w) or sp.Piecewise((a, t <= 10), (b, True))")
            value = _sympy(where, value)
            _uses(where, value, names, names.values | {t.name} | _sum_indices(value), set())
            _sum_limits(where, value)
        else:
            if isinstance(value, (list, tuple, dict)):
                _fail(f"{where} is a Python {type(value).__name__}; a constant has one number (use --sweep/--grid to "
                      "replay several)")
            value = _sympy(where, value)
            if not (value.is_number and value.is_extended_real and value.is_finite):
                _fail(f"{where} is {_show(value)}; a constant's default is one finite real number, e.g. "
                      "sp.Rational(9, 10)")


def _sum_indices(expr) -> set[str]:
    return {lim[0].name for s in expr.atoms(sp.Sum) for lim in s.limits}


def _domain(method: Method, names: _Names):
    for key, dom in method.domain.items():
        if not isinstance(key, sp.Symbol) or key.name not in names.values:
            label = key.__name__ if _is_function(key) else _show(key)
            what = names.what(label) if isinstance(label, str) else "not a symbol"
            _fail(f"domain key {label} is {what}; domains are for constants and schedule parameters "
                  "(bound a schedule through its parameters)")
        if not isinstance(dom, sp.Set):
            _fail(f"domain[{key.name}] is {_kind(dom)}, not a sympy set; write e.g. sp.Interval.Ropen(0, 1) "
                  "or sp.FiniteSet(0, 1)")
        if dom.free_symbols:
            _fail(f"domain[{key.name}] = {set_text(dom)} depends on {', '.join(sorted(map(str, dom.free_symbols)))}; "
                  "give numeric bounds (a relation between hyperparameters is a degenerate set the engine derives)")
        default = method.defaults.get(key)
        if default is not None and dom.contains(sp.sympify(default)) is not sp.true:
            _fail(f"the default {key.name} = {_show(default)} is outside its domain {set_text(dom)}; fix the default or the domain")


def _paper_setting(method: Method, names: _Names):
    for key, value in method.paper_setting.items():
        name = key.__name__ if _is_function(key) else getattr(key, "name", None)
        if name not in names.values and name not in names.schedules:
            _fail(f"paper_setting key {_show(key)} is not a constant or schedule of the method; use one of "
                  f"{', '.join(sorted(names.values | set(names.schedules)))}")
        _sympy(f"paper_setting[{name}]", value)
