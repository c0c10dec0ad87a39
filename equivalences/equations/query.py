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
    b.calls = None
    distinct = _distinct(calls, bodies)
    if len(distinct) > 1:
        return _several_calls(b, bodies, distinct, clause)
    for point, pos in calls:
        if _expanded(point, bodies).has(g(t)):
            src.fail(pos, f"the gradient is taken at {_show(point, s)}, which reads g[{s}], the gradient at that same "
                          "point (an implicit step)", f"write the inner gradient at its own point, e.g. "
                          f"grad(x[{s}] - lr*grad(x[{s}])) (two gradient calls), or read g[{s}-1]")
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


def _distinct(calls, bodies) -> list:
    """The calls at different points, each once (its first occurrence), in the order of the text."""
    out = []
    for point, pos in calls:
        here = _expanded(point, bodies)
        if not any(_zero(here - _expanded(p, bodies)) for p, _ in out):
            out.append((point, pos))
    return out


def _several_calls(b: _Builder, bodies, distinct, clause):
    """A step that takes gradients at several points (extragradient): one call per point, in the order of the
    text (the ``query`` clause's point first), each a state or a definition (an expression becomes a new
    definition ``y``, ``q``, ...) with its own gradient ``g1``, ``g2``, ...; ``g[t]`` is the first call's.  Sets
    ``b.calls`` to ``[(point function, gradient function, body or None)]`` and returns the first point."""
    src, s = b.src, b.step
    for point, pos in b.grad_calls:
        if _at_previous(point, b):
            src.fail(pos, f"this gradient is taken at {_show(point, s)}, a point of the previous step, in a step that "
                          "takes gradients at several points", f"keep the earlier gradient as a state, e.g. "
                          f"h[{s}+1] = grad(...), and read h[{s}]")
    if b.reads_lagged_g:
        src.fail(b.reads_lagged_g, f"g[{s}-1] is the previous gradient at the query point, but this step takes gradients "
                                   "at several points", f"write the gradient at its point, grad(...), kept as a state")
    taken = set(b.order) | set(b.defs) | set(b.constants) | set(b.schedules)
    fresh = (n for n in ("y", "q", "q1", "q2", "q3", "q4", "q5", "q6") if n not in taken)
    named = []
    for point, pos in distinct:
        f = _named_point(point, b, bodies)
        body = None
        if f is None:
            _check_point(point, pos, b)
            f, body = sp.Function(next(fresh)), point
        named.append((f, body, pos))
    if clause is not None:
        first = [i for i, (f, body, _) in enumerate(named) if f == clause
                 or _zero(_expanded(clause(t), bodies) - _expanded(body if body is not None else f(t), bodies))]
        if not first:
            nm, pos = b.text.query
            src.fail(pos, f"query {nm} is not a point where the step takes a gradient",
                     f"name one of {', '.join(f.__name__ for f, _, _ in named)}, or leave the clause out")
        named.insert(0, named.pop(first[0]))
    used = taken | {f.__name__ for f, _, _ in named}
    grads = (n for n in (f"{p}{i}" for p in ("g", "grad", "gk") for i in range(1, 10)) if n not in used)
    b.calls = [(f, sp.Function(next(grads)), body) for f, body, _ in named]
    b._bodies = {**bodies, **{f.__name__: body for f, _, body in b.calls if body is not None}}
    return b.calls[0][0]


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
    """``grad(P)`` -> ``g(t)`` at the query point, ``g(t - 1)`` at its previous value; in a step with several
    calls, ``grad(P)`` -> the gradient of the call at ``P`` and ``g(t)`` -> the first call's."""
    if b.calls:
        first = b.calls[0][1]
        points = [(_expanded(f(t), b._bodies), gf) for f, gf, _ in b.calls]

        def call(e):
            here = _expanded(e.args[0], b._bodies)
            return next(gf(t) for p, gf in points if _zero(here - p))

        expr = sp.sympify(expr)  # every grad(P) at once, matched as written (a point may hold another grad)
        sites = {e: call(e) for e in expr.atoms(AppliedUndef) if e.func == _GRAD_AT}
        return expr.xreplace(sites).xreplace({g(t): first(t)})
    target = _expanded(query(t), {**bodies, **({query.__name__: b._query_body} if b._query_body is not None else {})})

    def at(e):
        here = _expanded(e.args[0], b._bodies)
        return g(t) if _zero(here - target) else g(t - 1)

    return sp.sympify(expr).replace(lambda e: isinstance(e, AppliedUndef) and e.func == _GRAD_AT, at)
