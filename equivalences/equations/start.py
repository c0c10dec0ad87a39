"""The start of every state: the ``start`` clause, then the rule for the others."""
from __future__ import annotations

import sympy as sp

from ..symbols import t, theta0
from .builder import _Builder, _expanded
from .errors import EquationError
from .query import _points
from .tokens import THETA0


def _start(b: _Builder, state, updates, define, query, lags):
    """``t0`` and the start of every state: the ``start`` clause, then the rule for the others."""
    src, s = b.src, b.step
    entries = []
    for lhs, value, _ in b.text.start:
        nm, pos = lhs[1], lhs[-1]
        lag_of = next((n for n, lag in lags.items() if lag.__name__ == nm), None)
        if nm not in b.updates and lag_of is None:
            what = "a definition (it follows from the state)" if nm in b.defs else "not a state"
            src.fail(pos, f"start gives {nm}, which is {what}", f"give the states' starts: {', '.join(b.order)}")
        if lhs[0] == "at":
            kind, k = b._offset(lhs[2], nm)
            if kind != "abs":
                src.fail(pos, f"start gives {nm} at a step number", f"write {nm}[1] = ...")
        elif lhs[0] == "prime":
            src.fail(pos, "start gives the first values", f"write {nm}[1] = ...")
        else:
            k = None
        entries.append((nm, lag_of, k, _start_value(value, b), pos))
    steps = [(k + 1 - b.shift[nm]) if lag_of is None else k for nm, lag_of, k, _, _ in entries if k is not None]
    t0 = max(steps) if steps else 1
    init, given = {}, {}
    for nm, lag_of, k, value, pos in entries:
        at = t0 if k is None else (k + 1 - b.shift[nm] if lag_of is None else k)
        target = sp.Function(nm) if lag_of is None else lags[lag_of]
        if lag_of is None and at == t0 - 1 and nm in lags:
            target, at = lags[nm], t0
        if at != t0:
            first = t0 - 1 + b.shift[nm] if lag_of is None else t0
            src.fail(pos, f"start gives {nm}[{k}], but the first step is {t0}", f"write {nm}[{first}] = ...")
        if target.__name__ in given:
            src.fail(pos, f"start gives {target.__name__} twice", "give each start once")
        given[target.__name__] = value
    missing = [f for f in state if f.__name__ not in given]
    if missing:
        rule = _start_rule(b, updates, define, query, lags)
        for f in missing:
            lag_of = next((n for n, lag in lags.items() if lag is f), None)
            if lag_of is not None:
                given[f.__name__] = given.get(lag_of, rule(lag_of))
            else:
                given[f.__name__] = rule(f.__name__)
    for f in state:
        init[f(t0)] = given[f.__name__]
    return t0, init


def _start_rule(b: _Builder, updates, define, query, lags):
    """The start of a state the ``start`` clause does not give: ``theta0`` for a point, 0 otherwise (the one
    set of points of :func:`_points`); without exactly one such set, the query state at ``theta0`` and every
    other state at 0 (a query point that is a definition then needs the clause)."""
    bodies = {f.__name__: body for f, body in define.items()}
    maps = {}
    for u in updates:
        e = _expanded(u.rhs, bodies).xreplace({f(t + 1): v for f, v in ((sp.Function(k), v) for k, v in maps.items())})
        maps[u.lhs.func.__name__] = e
    names = [u.lhs.func.__name__ for u in updates]
    sets = _points(maps, _expanded(query(t), bodies), names)
    if len(sets) == 1:
        points = sets[0]
        return lambda n: theta0 if n in points else sp.Integer(0)
    if query.__name__ in b.updates:
        return lambda n: theta0 if n == query.__name__ else sp.Integer(0)
    s = b.step
    raise EquationError(f"{b.src.where(b.updates[b.order[0]].pos)}: the start of {', '.join(b.order)} does not "
                        f"follow from the equations (the query point {query.__name__} is a definition); give it: "
                        f"start: {', '.join(f'{n}[1] = theta0' for n in b.order)} (or 0 for a velocity)")


def _start_value(node, b: _Builder):
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        if node[1] in THETA0:
            return theta0
        if node[1] in b.constants:
            return b.constants[node[1]]
        b.src.fail(node[2], f"a start is a multiple of theta0, and {node[1]} is not a constant of the equations",
                   "write e.g. theta0 or 0")
    if kind == "neg":
        return -_start_value(node[1], b)
    if kind in ("*", "/", "+", "-"):
        x, y = _start_value(node[1], b), _start_value(node[2], b)
        return {"*": x * y, "/": x / y if y != 0 else sp.nan, "+": x + y, "-": x - y}[kind]
    b.src.fail(node[-1], "a start is a multiple of theta0", "write e.g. w[1] = theta0, m[1] = 0")
