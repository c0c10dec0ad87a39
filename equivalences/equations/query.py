"""The query point, the points (states that move with the iterate), the step maps and the gradients."""
from __future__ import annotations

from itertools import combinations

import sympy as sp
from sympy.core.function import AppliedUndef

from ..symbols import g, t
from .builder import _Builder, _GRAD_AT, _expanded, _lagged, _show, _zero


def _query(b: _Builder, bodies, rhs, lags):
    """The function at which step t takes its gradient: the ``query`` clause, the point of ``grad(...)``, or the
    one point of the state (:func:`_points`)."""
    src, s = b.src, b.step
    names = list(b.order) + list(b.defs)
    clause = None
    if b.text.query is not None:
        nm, pos = b.text.query
        if nm not in b.updates and nm not in b.defs:
            src.fail(pos, f"query {nm} is not a state or a definition", f"use one of {', '.join(names)}")
        clause = sp.Function(nm)
    calls = [(p, pos) for p, pos in b.grad_calls if not _at_previous(p, b)]
    b._query_body = None
    for point, pos in b.grad_calls:
        if not any(isinstance(a, AppliedUndef) and (a.func.__name__ in b.updates or a.func.__name__ in b.defs)
                   for a in sp.sympify(point).atoms(AppliedUndef)):
            src.fail(pos, f"the gradient is taken at {_show(point, b.step)}, which is not a point of the equations (no state "
                          f"or definition in it)", f"take it at a state, grad(w[{s}]), or at a defined point (y = ...)")
    if clause is None and calls:
        point, pos = calls[0]
        clause = _named_point(point, b, bodies)
        if clause is None:
            _check_point(point, pos, b)
            nm = next(n for n in ("y", "q", "q1", "q2", "q3") if n not in set(names) | set(b.constants) | set(b.schedules))
            clause = sp.Function(nm)
            b._query_body = point
            bodies = {**bodies, nm: point}
    if clause is None:
        clause = _default_query(b, bodies, rhs, lags)
    b._bodies = {**bodies}
    target = _expanded(clause(t), bodies)
    for point, pos in b.grad_calls:
        here = _expanded(point, bodies)
        if _zero(here - target) or _zero(here - target.subs(t, t - 1)):
            continue
        where = b.text.query and "the query clause" or f"the first gradient's point"
        src.fail(pos, f"this gradient is taken at {_show(point, b.step)}, not at the query point {clause.__name__} "
                      f"({where})", "a step takes one gradient, at one point: write every gradient at it "
                                    f"(or g[{s}])")
    return clause


def _at_previous(point, b: _Builder) -> bool:
    return any(isinstance(a, AppliedUndef) and a.args and sp.sympify(a.args[0] - t) == -1
               and (a.func.__name__ in b.updates or a.func.__name__ in b.defs) for a in sp.sympify(point).atoms(AppliedUndef))


def _check_point(point, pos, b: _Builder):
    for a in sp.sympify(point).atoms(AppliedUndef):
        if a.func.__name__ in b.updates and sp.sympify(a.args[0] - t) != 0:
            s = b.step
            b.src.fail(pos, f"the gradient is taken at {_show(point, b.step)}, which reads {a.func.__name__} after the step",
                       f"step {s} takes its gradient before it updates: write the point at {s}, e.g. grad({a.func.__name__}[{s}])")


def _named_point(point, b: _Builder, bodies):
    """The state or definition that ``point`` is (None if it is another expression)."""
    if isinstance(point, AppliedUndef) and point.args == (t,) and (point.func.__name__ in b.updates
                                                                   or point.func.__name__ in b.defs):
        return point.func
    here = _expanded(point, bodies)
    for n in list(b.defs):
        if _zero(here - _expanded(sp.Function(n)(t), bodies)):
            return sp.Function(n)
    return None


def _step_maps(b: _Builder, rhs: dict, bodies: dict, lags: dict) -> dict:
    """Each state at t + 1 as an expression of the state at t and the gradients (earlier updates substituted)."""
    out = {}
    for n in b.order:
        e = _expanded(rhs[n], bodies).replace(lambda e: isinstance(e, AppliedUndef) and e.func == _GRAD_AT,
                                              lambda e: g(t))
        e = e.xreplace({sp.Function(k)(t + 1): v for k, v in out.items()})
        out[n] = _lagged(e, lags)
    for n, lag in lags.items():
        out[lag.__name__] = sp.Function(n)(t)
    return out


def _points(maps: dict, query_expr, names: list[str]) -> list[frozenset]:
    """The sets P of states ("points") for which shifting every point by the same vector shifts the whole
    trajectory: in every update the coefficients of the points sum to 1 for a point and to 0 for any other
    state, and (with ``query_expr``) the query point's coefficients of the points sum to 1.  Checked exactly
    (every coefficient is a rational function of the hyperparameters); up to 10 states are tried."""
    if len(names) > 10:
        return []
    coeff = {n: {m: sp.diff(maps[n], sp.Function(m)(t)) for m in names} for n in names}
    q = {m: sp.diff(query_expr, sp.Function(m)(t)) for m in names} if query_expr is not None else None
    out = []
    for r in range(1, len(names) + 1):
        for subset in combinations(names, r):
            pts = set(subset)
            if q is not None and not _zero(sum(q[m] for m in pts) - 1):
                continue
            if all(_zero(sum(coeff[n][m] for m in pts) - (1 if n in pts else 0)) for n in names):
                out.append(frozenset(pts))
    return out


def _default_query(b: _Builder, bodies, rhs, lags):
    src, s = b.src, b.step
    maps = _step_maps(b, rhs, bodies, lags)
    names = list(b.order) + [lag.__name__ for lag in lags.values()]
    labellings = [p & set(b.order) for p in _points(maps, None, names)]
    candidates = set().union(*labellings)
    if len(labellings) == 1 and len(labellings[0]) == 1:
        return sp.Function(next(iter(labellings[0])))
    options = ", ".join(list(b.order) + list(b.defs))
    pos = b.updates[b.order[0]].pos
    why = (f"the state has several points ({', '.join(sorted(candidates))})" if len(candidates) > 1 else
           "no state is the one point that moves with the iterate")
    src.fail(pos, f"g[{s}] does not say where the gradient is taken: {why}",
             f"add query=NAME (one of {options}) or write the gradient at its point, grad(w[{s}])")


def _gradients(expr, query, b: _Builder, bodies):
    """``grad(P)`` -> ``g(t)`` at the query point, ``g(t - 1)`` at its previous value."""
    target = _expanded(query(t), {**bodies, **({query.__name__: b._query_body} if b._query_body is not None else {})})

    def at(e):
        here = _expanded(e.args[0], b._bodies)
        return g(t) if _zero(here - target) else g(t - 1)

    return sp.sympify(expr).replace(lambda e: isinstance(e, AppliedUndef) and e.func == _GRAD_AT, at)
