"""The step itself: the gradient calls, the transforms, the definitions and updates (each state variable updated once,
from what is known at that point, definitions acyclic), the query and evaluation points, and the start values
(multiples of ``theta_0``)."""
from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from ..declare import Method
from ..symbols import t, theta0
from ..transform_kinds import KINDS as TRANSFORM_KINDS
from .names import RESERVED, _Names, _uses
from .problem import _fail, _is_function, _kind, _show, _sympy


def _calls(method: Method, names: _Names):
    if getattr(method, "calls", ()) == ():
        return
    from ..oracles import CallProblem, check_calls

    try:
        check_calls(method, set(names.state), set(names.define),
                    set(names.constants) | set(names.schedules) | set(names.parameters) | RESERVED)
    except CallProblem as err:
        _fail(str(err))


def _transforms(method: Method, names: _Names):
    for tr in method.transforms:
        if not isinstance(tr.name, str) or not tr.name.isidentifier():
            _fail(f"transform name {tr.name!r}: give an identifier, e.g. Transform('P', 'sign')")
        if tr.kind not in TRANSFORM_KINDS:
            _fail(f"transform {tr.name}: unknown kind {tr.kind!r}; use one of {', '.join(TRANSFORM_KINDS)}")
        if not isinstance(tr.params, Mapping):
            _fail(f"transform {tr.name}: params is a {type(tr.params).__name__}; write a dict, e.g. "
                  "{'beta2': beta2, 'eps': epsilon}")
        missing = [p for p in TRANSFORM_KINDS[tr.kind].params if p not in tr.params]
        if missing:
            _fail(f"transform {tr.name} ({tr.kind}) has no {', '.join(missing)} in params; add "
                  f"{', '.join(repr(p) + ': ...' for p in missing)}")
        for p, v in tr.params.items():
            if not isinstance(v, bool):
                value = _sympy(f"transform {tr.name}: params[{p!r}]", v)
                _uses(f"transform {tr.name}: params[{p!r}]", value, names, names.values | {t.name}, set())
        if tr.input is not None:
            value = _sympy(f"transform {tr.name}: input", tr.input)
            _uses(f"transform {tr.name}: input", value, names, names.values | {t.name}, {"g"})
            lags = {_step_offset(a.args[0]) for a in value.atoms(AppliedUndef)}
            if not lags <= {0, -1}:
                _fail(f"transform {tr.name}: input {value} may read g(t) and g(t - 1) only")
    if method.pre is not None and method.input.__name__ == "g":
        _fail(f"pre {method.pre.name} is declared but the updates read the raw gradient g; write them in "
              "u = equivalences.symbols.u and set input=u")
    if method.pre is None and method.input.__name__ != "g":
        _fail(f"input {method.input.__name__} is not the gradient g, so it must be a preconditioned gradient: "
              "declare pre=Transform(...), or write the updates in g")


def _step_offset(arg) -> int | None:
    d = sp.sympify(arg) - t
    return int(d) if d.is_Integer else None


def _define_and_updates(method: Method, names: _Names):
    symbols = names.values | {t.name}
    for f, body in method.define.items():
        body = _sympy(f"define[{f.__name__}]", body)
        _uses(f"define[{f.__name__}]", body, names, symbols, names.sequences - {f.__name__})
    _acyclic(method)
    targets: list[str] = []
    for i, eq in enumerate(method.updates, 1):
        if eq is sp.true or eq is sp.false:
            _fail(f"update {i} is {eq} (sympy evaluated an equation whose two sides are identical); "
                  "write Eq(s(t + 1), expression of the state at t)")
        if isinstance(eq, str):
            _sympy(f"update {i}", eq)
        if not isinstance(eq, sp.Equality):
            _fail(f"update {i} is {_kind(eq)}, not an equation; write sp.Eq(s(t + 1), ...)")
        lhs = eq.lhs
        if not (isinstance(lhs, AppliedUndef) and len(lhs.args) == 1):
            _fail(f"update {i}: the left side {lhs} is not a state variable at t + 1; write sp.Eq(s(t + 1), ...)")
        name = lhs.func.__name__
        if name not in names.state:
            _fail(f"update {i} updates {lhs}, but {name} is not a state variable ({names.what(name)}); add {name} to "
                  f"state or update one of {', '.join(names.state)}")
        foreign = {x for x in lhs.args[0].free_symbols if x.name == t.name and x != t}
        if foreign:
            _fail(f"update {i}: the left side {lhs} uses a t of its own (sp.Symbol('t')), not the engine's step; "
                  "import it: from equivalences.symbols import t")
        if _step_offset(lhs.args[0]) != 1:
            _fail(f"update {i}: the left side is {lhs}; an update gives the next state, {name}(t + 1)")
        if name in targets:
            _fail(f"{name} is updated twice (updates {targets.index(name) + 1} and {i}); give one equation per state "
                  "variable")
        targets.append(name)
        rhs = _sympy(f"the update of {name}", eq.rhs)
        _uses(f"the update of {name}", rhs, names, symbols, names.sequences)
        for a in rhs.atoms(AppliedUndef):
            k = _step_offset(a.args[0]) if a.func.__name__ == names.input else 0
            if k is None or k > 0:
                _fail(f"the update of {name} reads the gradient {a}, which step t does not know yet; a step may read "
                      f"{names.input}(t) and older gradients only")
        for a in sorted(_expanded(rhs, method).atoms(AppliedUndef), key=sp.default_sort_key):
            other, k = a.func.__name__, _step_offset(a.args[0]) if len(a.args) == 1 else None
            if other in names.state and k is not None and (k > 1 or k < 0 or (k == 1 and other not in targets[:-1])):
                fix = (f"put the update of {other} first, or read {other}(t)" if k == 1 else
                       f"an update reads the state at t (and, once updated, at t + 1)")
                _fail(f"the update of {name} uses {a}, which is not known yet at that point; {fix}")
    missing = [s for s in names.state if s not in targets]
    if missing:
        _fail(f"no update for {', '.join(missing)}; add sp.Eq({missing[0]}(t + 1), ...) to updates")


def _acyclic(method: Method):
    """Definitions may use each other, but not in a cycle (y defined through z defined through y)."""
    uses = {f.__name__: {a.func.__name__ for a in sp.sympify(body).atoms(AppliedUndef)} for f, body in method.define.items()}

    def visit(name, path):
        if name in path:
            cycle = " -> ".join(path[path.index(name):] + [name])
            _fail(f"define: the definitions refer to each other in a cycle ({cycle}); write one of them in the state")
        for other in uses.get(name, ()):
            visit(other, path + [name])

    for name in uses:
        visit(name, [])


def _expanded(expr, method: Method) -> sp.Expr:
    """``expr`` with the definitions written out (they are acyclic)."""
    for _ in range(len(method.define) + 1):
        for f, body in method.define.items():
            expr = expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func.__name__ == f.__name__ and len(e.args) == 1,
                                lambda e: sp.sympify(body).subs(t, e.args[0]))
    return expr


def _points(method: Method, names: _Names):
    for field in ("query", "evaluate"):
        f = getattr(method, field)
        if f is None and field == "evaluate":
            continue
        if not _is_function(f):
            _fail(f"{field} is {_kind(f)}; give a state variable or a definition (the function, e.g. {field}=y)")
        if f.__name__ not in names.state and f.__name__ not in names.define:
            _fail(f"{field} {f.__name__} is {names.what(f.__name__)}, not a state variable or a definition; "
                  f"use one of {', '.join(list(names.state) + list(names.define))} or add it to define")
    if not getattr(method, "calls", ()):  # several calls: each point's gradients are checked with the calls
        q = _expanded(method.query(t), method)
        if any(a.func.__name__ == names.input and len(a.args) == 1 and _step_offset(a.args[0]) == 0
               for a in q.atoms(AppliedUndef)):
            _fail(f"query {method.query.__name__} reads {names.input}(t), the gradient taken at {method.query.__name__} "
                  "itself: the step would have to solve for its own query point (an implicit step); write the point "
                  f"from the state (and earlier gradients, {names.input}(t - 1)), or declare a first gradient call "
                  "with calls=((x, g1), (y, g2))")


def _init(method: Method, names: _Names):
    t0 = int(method.t0)
    given = {}
    for k, v in method.init.items():
        if not (isinstance(k, AppliedUndef) and k.func.__name__ in names.state and len(k.args) == 1):
            _fail(f"init key {_show(k)} is not a state variable at the first step; write {{s({t0}): ...}} "
                  f"for each of {', '.join(names.state)}")
        if k.args[0] != t0:
            _fail(f"init gives {k}, but the first step is t0 = {t0}; write {k.func.__name__}({t0}) or set t0")
        value = _sympy(f"init[{k}]", v)
        _uses(f"init[{k}]", value, names, names.values | {theta0.name}, set())
        coeff = sp.diff(value, theta0)
        if coeff.has(theta0) or sp.simplify(value - coeff * theta0) != 0:
            _fail(f"init[{k}] = {value} is not a multiple of theta_0; start from c*theta_0 (c a number or a "
                  "constant, e.g. 0 or theta0)")
        given[k.func.__name__] = value
    missing = [s for s in names.state if s not in given]
    if missing:
        _fail(f"init leaves out {', '.join(missing)}; give every state variable its start, e.g. "
              f"init={{..., {missing[0]}({t0}): 0}} (or theta0)")
