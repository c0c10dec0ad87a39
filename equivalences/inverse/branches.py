"""``invert``: the symbolic solve run on each branch (a constant of finite domain fixed up front), the
answers joined, polished and ranked."""
from __future__ import annotations

import itertools
from dataclasses import replace

import sympy as sp

from ..declare import Method
from ..derive import Map
from .declared import _name
from .equations import _equations
from .forms import _rational_form, nice
from .solution import Condition, Inverse, RANK
from .solve import _State, _search, _verdict
from .structure import structure_mismatch
from .target import Target, _renamed_transform


def _finite_branches(method: Method):
    finite = [c for c in method.constants if isinstance(method.domain.get(c), sp.FiniteSet)]
    if not finite:
        return [{}]
    return [dict(zip(finite, vals)) for vals in itertools.product(*(list(method.domain[c]) for c in finite))]


def _to_inverse(st: _State, method: Method, offset: int, branch: dict) -> Inverse:
    consts = {c.name: _rational_form(st.constants[c]) for c in method.constants if c in st.constants}
    scheds = {f.__name__: _rational_form(st.schedules[f]) for f in method.schedules if f in st.schedules}
    conds = [] if st.reason else _dedupe(st.conditions)
    free = {} if st.reason or st.recurrence else {
        _name(x): sp.sympify(method.defaults.get(x)) if method.defaults.get(x) is not None else None
        for x in list(method.constants) + list(method.schedules) if x not in st.constants and x not in st.schedules}
    return Inverse(method.key, _verdict(st), consts, scheds, conds, st.reason,
                   {k: v for k, v in st.chosen.items()}, [], offset, {c.name: v for c, v in branch.items()},
                   st.recurrence, free=free)


def _dedupe(conditions):
    seen, out = set(), []
    for c in conditions:
        key = (c.kind, _rational_form(c.expr), c.start, c.domain)
        neg = (c.kind, _rational_form(-c.expr), c.start, c.domain)
        if key in seen or neg in seen:
            continue
        seen.add(key)
        out.append(c)
    return out


def invert(method: Method, target: Target, *, mp: Map) -> Inverse:
    """Solve ``method``'s map = ``target`` for ``method``'s constants and schedules (see the module doc).

    A target constant with a finite domain (``nesterov`` in {0, 1}) is solved value by value; where every
    value gives ``always``, the per-value formulas are joined exactly by Lagrange interpolation over the
    set (``nesterov = 0 (1 - n) + 1 n = n``), else the answer is conditional on the value."""
    finite = [c for c in target.constants if isinstance(target.domain.get(c), sp.FiniteSet)]
    if not finite or target.values is not None:
        return _polished(_invert_one(method, target, mp))
    combos = [dict(zip(finite, vals)) for vals in itertools.product(*(list(target.domain[c]) for c in finite))]
    parts = [(combo, _invert_one(method, _fix_target(target, combo), mp)) for combo in combos]
    return _polished(_join(method, target, parts))


def _polished(inv: Inverse) -> Inverse:
    """The answer in readable exact forms (:func:`nice`); alternatives stay in rational normal form."""
    inv.constants = {k: nice(v) for k, v in inv.constants.items()}
    inv.schedules = {k: nice(v) for k, v in inv.schedules.items()}
    inv.conditions = [replace(c, expr=nice(c.expr)) for c in inv.conditions]
    return inv


def _fix_target(target: Target, values: dict) -> Target:
    def fix(e):
        return None if e is None else sp.sympify(e).xreplace(values)

    def fix_tr(tr):
        return None if tr is None else _renamed_transform(tr, fix)

    return replace(target, beta_a=fix(target.beta_a), eta_a=fix(target.eta_a), alpha_a=fix(target.alpha_a),
                   K=fix(target.K), m_init=fix(target.m_init), gamma_avg=fix(target.gamma_avg),
                   avg_init=fix(target.avg_init), post=fix_tr(target.post), pre=fix_tr(target.pre),
                   constants=tuple(c for c in target.constants if c not in values),
                   domain={k: v for k, v in target.domain.items() if k not in values})


def _lagrange(var, points: list, values: list) -> sp.Expr:
    """The polynomial in ``var`` through ``(points[i], values[i])``: exact on the finite set."""
    out = sp.Integer(0)
    for i, (x_i, y_i) in enumerate(zip(points, values)):
        basis = sp.Integer(1)
        for j, x_j in enumerate(points):
            if j != i:
                basis *= (var - x_j) / (x_i - x_j)
        out += y_i * basis
    return nice(out)


def _join(method: Method, target: Target, parts) -> Inverse:
    """One answer from the answers at each value of the target's finite-domain constants."""
    verdicts = [inv.exists for _, inv in parts]
    if all(v == "never" for v in verdicts):
        first = parts[0][1]
        first.reason = "; ".join(dict.fromkeys(f"at {_combo_text(c)}: {inv.reason}" for c, inv in parts))
        return first
    names_c = [c.name for c in method.constants]
    names_s = [f.__name__ for f in method.schedules]
    if all(v == "always" for v in verdicts) and len(parts[0][0]) == 1:
        var = next(iter(parts[0][0]))
        points = [c[var] for c, _ in parts]
        ok = all(set(inv.constants) == set(parts[0][1].constants) and set(inv.schedules) == set(parts[0][1].schedules)
                 for _, inv in parts)
        if ok:
            joined = replace(parts[0][1], alternatives=[], chosen={k: v for _, inv in parts for k, v in inv.chosen.items()},
                             branch={})
            joined.constants = {n: _lagrange(var, points, [inv.constants[n] for _, inv in parts])
                                for n in names_c if n in parts[0][1].constants}
            joined.schedules = {n: _lagrange(var, points, [inv.schedules[n] for _, inv in parts])
                                for n in names_s if n in parts[0][1].schedules}
            return joined
    ranked = sorted(parts, key=lambda p: (RANK[p[1].exists], len(p[1].conditions)))
    combo, best = ranked[0]
    cond = [Condition("identity", k - v, None, coefficient=f"{method.key} only at this value of {k}")
            for k, v in combo.items()]
    best.conditions = cond + list(best.conditions)
    best.exists = "conditional"
    best.alternatives = [inv for _, inv in ranked[1:] if inv.exists != "never"]
    others = [f"at {_combo_text(c)}: {inv.exists}" + (f" ({inv.reason})" if inv.reason else "")
              for c, inv in ranked[1:]]
    best.reason = None
    best.notes_other = others
    return best


def _combo_text(combo: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in combo.items())


def _invert_one(method: Method, target: Target, mp: Map) -> Inverse:
    offset = target.t0 - method.t0
    clash = structure_mismatch(method, mp, target)
    if clash:
        return Inverse(method.key, "never", reason=clash, offset=offset)
    eqs = _equations(method, mp, target, offset)
    results = []
    for branch in _finite_branches(method):
        first = [(sp.sympify(e).xreplace(branch), s, c) for e, s, c in eqs]
        st = _State(list(first), dict(branch), original=first)
        for leaf in _search(st, method, target):
            results.append(_to_inverse(leaf, method, offset, branch))
    # exact answers first: a condition found after fixing a free unknown is only sufficient
    results.sort(key=lambda r: (RANK[r.exists], r.exists == "conditional" and bool(r.chosen), r.recurrence,
                                len(r.conditions), len(r.chosen)))
    best = results[0]
    best.alternatives = [r for r in results[1:] if r.exists != "never" or best.exists == "never"]
    if best.exists == "never":
        reasons = list(dict.fromkeys(r.reason for r in results))
        best.reason = "; ".join(reasons)
    return best
