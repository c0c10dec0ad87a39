"""The symbolic solve: one unknown at a time from the equations, branching where a factor may vanish, each
branch checked against the declared domains."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra import canonical, substitute_function
from ..declare import Method
from ..symbols import t
from .declared import _domain_of, _name
from .domains import _in_domain
from .forms import _normal, _rational_form, nice
from .solution import Condition, set_text
from .target import Target


@dataclass
class _State:
    eqs: list
    constants: dict = field(default_factory=dict)  # Symbol -> expr
    schedules: dict = field(default_factory=dict)  # Function -> expr of t
    conditions: list = field(default_factory=list)
    chosen: dict = field(default_factory=dict)
    reason: str | None = None
    original: list = field(default_factory=list)
    recurrence: bool = False
    split: tuple | None = None


def _unknowns_in(expr, constants, schedules):
    syms = [s for s in constants if expr.has(s)]
    apps = sorted({a for a in expr.atoms(AppliedUndef) if a.func in schedules}, key=sp.default_sort_key)
    return syms, apps


def _solve_one(expr, x):
    """Solutions of ``expr = 0`` for ``x`` (exact); linear first, sympy otherwise."""
    d = sp.diff(expr, x)
    if not d.has(x):
        if _rational_form(d) == 0:
            return []
        return [_rational_form(-expr.subs(x, 0) / d)]
    try:
        return [_rational_form(s) for s in sp.solve(expr, x)]
    except (NotImplementedError, ValueError):
        return []


def _substitute(expr, st: _State):
    e = sp.sympify(expr).xreplace(st.constants) if st.constants else sp.sympify(expr)
    for f, body in st.schedules.items():
        e = substitute_function(e, f, body)
    return e


def _classify(expr, start, coefficient, target: Target):
    """A residual with no TO unknown left: None (holds), a Condition, or a reason (impossible)."""
    r = _normal(expr)
    if r == 0:
        return None
    if r.is_number:
        return f"{coefficient}: would need {sp.sstr(r)} = 0"
    has_t = r.has(t) or bool(r.atoms(AppliedUndef))
    if not has_t:
        params = sorted(r.free_symbols, key=lambda s: s.name)
        sols = []
        for p in params:
            sols += [(p, s) for s in _solve_one(r, p)]
        if params and sols and all(s.is_number and p in target.domain and not target.domain[p].contains(s)
                                   for p, s in sols):
            return (f"{coefficient}: would need {sp.sstr(r)} = 0, i.e. "
                    + " or ".join(f"{p} = {s}" for p, s in sols) + ", outside the domain of " + target.name)
    return Condition("identity", r, start, coefficient=coefficient)


def _step(st: _State, method: Method, target: Target):
    """Solve equations until none is left (done) or none can be solved for a single unknown (stuck)."""
    constants = [c for c in method.constants if c not in st.constants]
    schedules = [f for f in method.schedules if f not in st.schedules]
    while True:
        progress = False
        remaining = []
        for expr, start, coef in st.eqs:
            raw = _substitute(expr, st)
            factors = _unknown_factors(raw, constants, schedules)
            if len(factors) > 1:
                st.eqs = [(raw, start, coef)] + [x for x in st.eqs if x[0] is not expr]
                st.split = (0, factors)
                return "split"
            e = _normal(raw)
            syms, apps = _unknowns_in(e, constants, schedules)
            if not syms and not apps:
                res = _classify(e, start, coef, target)
                if isinstance(res, str):
                    st.reason = res
                    return "never"
                if res is not None:
                    st.conditions.append(res)
                continue
            remaining.append((e, start, coef, syms, apps))
        st.eqs = [(e, s, c) for e, s, c, _, _ in remaining]
        if not remaining:
            return "done"
        choice = _pick(remaining)
        if choice is None:
            return "stuck"
        e, start, coef, x = choice
        sols = _solve_one(e, x)
        if not sols:
            st.reason = f"{coef}: {method.key} cannot produce it (no value of {x} solves {sp.sstr(e)} = 0)"
            return "never"
        sol = sols[0]
        if isinstance(x, sp.Symbol):
            if _rational_form(sol.subs(t, t + 1) - sol) != 0 and (sol.has(t) or sol.atoms(AppliedUndef)):
                st.conditions.append(Condition("constant", _rational_form(sol), start, coefficient=coef,
                                               name=x.name))
            st.constants[x] = sol
            constants.remove(x)
        else:
            k = int(x.args[0] - t)
            st.schedules[x.func] = _rational_form(sol.subs(t, t - k))
            schedules.remove(x.func)
        progress = True
        if not progress:
            return "stuck"


def _unknown_factors(e, constants, schedules) -> list:
    """The factors of ``e`` that hold an unknown (a product vanishes when one of them does); only a product
    as written is split (no polynomial factorisation: that is slow and rarely needed)."""
    fs = [b for b in (a.as_base_exp()[0] for a in sp.Mul.make_args(e))]
    return [f for f in fs if any(f.has(c) for c in constants)
            or any(a.func in schedules for a in f.atoms(AppliedUndef))]


def _pick(remaining):
    """An equation and the unknown to solve it for: one unknown first; else a schedule that appears
    at a single step and linearly (a closed form, not a recurrence)."""
    for e, start, coef, syms, apps in remaining:
        if len(syms) + len(apps) == 1:
            return e, start, coef, (syms or apps)[0]
    for e, start, coef, syms, apps in sorted(remaining, key=lambda r: len(r[3]) + len(r[4])):
        funcs = [a.func for a in apps]
        for a in apps:
            if funcs.count(a.func) == 1 and not sp.diff(e, a).has(a):
                return e, start, coef, a
    for e, start, coef, syms, apps in sorted(remaining, key=lambda r: len(r[3]) + len(r[4])):
        if apps:
            continue
        for x in syms:  # several constants in one equation: eliminate one that enters linearly
            if not sp.diff(e, x).has(x):
                return e, start, coef, x
    return None


def _neutral(method: Method, unknown) -> list:
    dom = _domain_of(method, unknown)
    if isinstance(dom, sp.FiniteSet):
        return list(dom)
    vals = [sp.Integer(0), sp.Integer(1)]
    return [v for v in vals if dom is None or dom.contains(v) == sp.true]


def _verdict(st: _State) -> str:
    if st.reason:
        return "never"
    return "conditional" if st.conditions else "always"


def _check_domains(st: _State, method: Method, target: Target):
    for x, v in list(st.constants.items()) + list(st.schedules.items()):
        dom = _domain_of(method, x)
        if dom is None:
            continue
        ok = _in_domain(v, dom, target)
        if ok is False:
            st.reason = (f"{method.key}'s {_name(x)} would be {sp.sstr(nice(v))}, but it must be "
                         f"{set_text(dom)}")
            return
        if ok is None:
            st.conditions.append(Condition("domain", _rational_form(v), domain=dom, coefficient=_name(x),
                                           name=_name(x) if isinstance(x, sp.Symbol) else f"{_name(x)}(t)"))


def _search(st: _State, method: Method, target: Target, depth: int = 2) -> list[_State]:
    """Solve; where unknowns stay free, fix one to a neutral value (0 or 1 in its domain) and go on."""
    outcome = _step(st, method, target)
    if outcome == "split":  # a product = 0: one branch per factor
        i, factors = st.split
        out = []
        for f in factors:
            e, start, coef = st.eqs[i]
            child = _State(st.eqs[:i] + [(f, start, coef)] + st.eqs[i + 1:], dict(st.constants), dict(st.schedules),
                           list(st.conditions), dict(st.chosen), original=st.original)
            out += _search(child, method, target, depth)
            if out and _verdict(out[-1]) == "always":
                break
        return out
    if outcome != "stuck":
        _namesakes(st, method, target)
        _close(st)
        if not st.reason:
            _check_domains(st, method, target)
        return [st]
    free = [f for f in method.schedules if f not in st.schedules
            and any(a.func == f for e, _, _ in st.eqs for a in e.atoms(AppliedUndef))]
    free += [c for c in method.constants if c not in st.constants and any(e.has(c) for e, _, _ in st.eqs)]
    if depth == 0 or not free:
        st.reason = (f"the equations leave {', '.join(map(_name, free))} tied by a recurrence the solver "
                     "does not close")
        return [st]
    out = [_recurrence(st, method, target)] if not st.chosen else []
    for x in free:
        for v in _neutral(method, x) + _target_guesses(x, st, target):
            child = _State(list(st.eqs), dict(st.constants), dict(st.schedules), list(st.conditions),
                           {**st.chosen, _name(x): v}, original=st.original)
            if isinstance(x, sp.Symbol):
                child.constants[x] = v
            else:
                child.schedules[x] = v
            out += _search(child, method, target, depth - 1)
            if out and _verdict(out[-1]) == "always":
                return out
    return out


def _namesakes(st: _State, method: Method, target: Target) -> None:
    """A constant no equation constrains takes the value of the target's constant of the same name (written
    ``<name>_from``), when there is one: converting a method into itself then gives the identity."""
    if st.reason:
        return
    names = {c.name: c for c in target.constants}
    for c in method.constants:
        if c in st.constants:
            continue
        match = names.get(f"{c.name}_from") or names.get(c.name)
        if match is not None:
            st.constants[c] = match
            st.chosen[c.name] = match


def _recurrence(st: _State, method: Method, target: Target) -> _State:
    """The honest answer when the equations tie schedules across steps: the solution in terms of those
    schedules, existing exactly when the remaining equations (a recurrence) have a solution in the domain."""
    leaf = _State(list(st.eqs), dict(st.constants), dict(st.schedules), list(st.conditions), dict(st.chosen),
                  original=[])
    for e, start, coef in leaf.eqs:
        leaf.conditions.append(Condition("recurrence", e, start, coefficient=coef))
    leaf.eqs = []
    _close(leaf)
    leaf.recurrence = True
    return leaf


def _target_guesses(x, st: _State, target: Target) -> list:
    """For a schedule tied by a recurrence: each target schedule of the equations, as is (``f(t) = g(t)``)."""
    if isinstance(x, sp.Symbol):
        return []
    seen = {a.func for e, _, _ in st.eqs for a in e.atoms(AppliedUndef) if a.func in set(target.schedules)}
    return [f(t) for f in target.schedules if f in seen]


def _close(st: _State):
    """Write every solved value in the target's terms only (constants solved later substituted), refuse a
    value that divides by zero, and confirm an unconditional solution on the original equations."""
    for _ in range(3):
        st.constants = {k: _rational_form(_substitute(v, st)) for k, v in st.constants.items()}
        st.schedules = {k: _rational_form(_substitute(v, st)) for k, v in st.schedules.items()}
    st.conditions = [replace(c, expr=_rational_form(_substitute(c.expr, st))) for c in st.conditions]
    st.conditions = [c for c in st.conditions if c.kind == "domain" or _rational_form(c.expr) != 0]
    if st.reason:
        return
    for k, v in list(st.constants.items()) + list(st.schedules.items()):
        if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            st.reason = f"{_name(k)} would have to divide by zero (with {_chosen_text(st)})"
            return
    for expr, start, coef in st.original:
        r = _normal(_substitute(expr, st))
        if r.has(sp.zoo, sp.nan):
            st.reason = f"{coef}: undefined at the solution (with {_chosen_text(st)})"
            return
        if r != 0 and not st.conditions and canonical(r) != 0:
            st.conditions.append(Condition("identity", _rational_form(r), start, coefficient=coef))


def _chosen_text(st: _State) -> str:
    return ", ".join(f"{k} = {v}" for k, v in st.chosen.items()) or "no free choice"
