"""A family member declared as a Method beside the method, and the exact proof that the two are one algorithm
(:func:`equivalences.equivalent.equivalent`: the same query points for every gradient sequence, on the joint
system; the same names are the same values)."""
from __future__ import annotations

import sympy as sp

from ..declare import Method
from ..symbols import g, t, theta0
from .family import Fit


def member(method: Method, key: str, state: tuple, updates: list, summary: str) -> Method:
    """A member of a family in ``method``'s hyperparameters: query ``state[0]`` from ``theta_0``, buffers from 0."""
    w, t0 = state[0], method.t0
    from sympy.core.function import AppliedUndef

    syms = set().union(*(sp.sympify(e.rhs).free_symbols for e in updates)) - {t}
    used = set().union(*(sp.sympify(e.rhs).atoms(AppliedUndef) for e in updates))
    schedules = tuple(f for f in method.schedules if any(a.func == f for a in used))
    consts = tuple(c for c in method.constants if c in syms)
    consts += tuple(sorted(syms - set(consts), key=sp.default_sort_key))
    return Method(key=f"{method.key}:{key}", name=f"{method.key} as {key}", reference="equivalences.families",
                  section="-", summary=summary, state=state, updates=tuple(updates), query=w,
                  init={w(t0): theta0, **{m(t0): 0 for m in state[1:]}}, t0=t0, constants=consts,
                  schedules=schedules, defaults={k: v for k, v in method.defaults.items() if k in consts or k in schedules},
                  domain={k: v for k, v in method.domain.items() if k in consts})


def prove(method: Method, candidate: Method, coefficients: dict, notes=()) -> Fit:
    """Fit(True) when ``candidate`` and ``method`` are proved equivalent; Fit(None) otherwise (with the reason)."""
    from ..equivalent import equivalent

    e = equivalent(method, candidate, conversion=False, shifts=False, conditions=False)
    if e.equivalent:
        return Fit(True, "proved: the same query points for every gradient sequence (the joint system's closure)",
                   coefficients, candidate, e, list(notes))
    why = e.reason or (e.closure.failed.name if e.closure is not None and e.closure.failed else e.verdict)
    return Fit(None, f"the map from the transfer function is not proved ({why})", coefficients, candidate, e,
               list(notes))


def gradient():
    return g(t)
