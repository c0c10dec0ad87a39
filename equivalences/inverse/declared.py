"""The domains a method declares for its hyperparameters (a schedule inherits the domain of its
default's bounded parameter)."""
from __future__ import annotations

import sympy as sp

from ..declare import Method
from ..symbols import t


def schedule_domain(method: Method, f) -> sp.Set | None:
    """A schedule's domain, read from its default: a bare parameter's domain, or the union over the
    pieces of a piecewise default (numbers and parameters).  ``None`` when it cannot be read."""
    d = method.defaults.get(f)
    if d is None:
        return None
    d = sp.sympify(d)
    pieces = [e for e, _ in d.args] if isinstance(d, sp.Piecewise) else [d]
    out = sp.EmptySet
    for p in pieces:
        if p.is_number:
            out = out | sp.FiniteSet(p)
        elif isinstance(p, sp.Symbol) and p in method.domain:
            out = out | method.domain[p]
        else:
            return None
    return out


def _default_positive(method: Method, f) -> bool:
    """Whether ``f``'s default is positive at every step for every valid value of its parameters."""
    d = method.defaults.get(f)
    if d is None:
        return False
    n = sp.Symbol("n", integer=True, positive=True)
    stand = {s: sp.Symbol(s.name, positive=True) for s, dom in method.domain.items()
             if isinstance(s, sp.Symbol) and dom.is_subset(sp.Interval.open(0, sp.oo))}
    try:
        return bool(sp.sympify(d).xreplace(stand).subs(t, n + method.t0 - 1).is_positive)
    except (TypeError, ValueError):
        return False


def _domain_of(method: Method, unknown) -> sp.Set | None:
    if isinstance(unknown, sp.Symbol):
        return method.domain.get(unknown)
    return schedule_domain(method, unknown)


def _name(unknown) -> str:
    return unknown.name if isinstance(unknown, sp.Symbol) else unknown.__name__
