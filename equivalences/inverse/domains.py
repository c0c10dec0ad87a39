"""Where the TO method's hyperparameters may lie: declared domains (a schedule inherits its default's), and
whether a symbolic value stays inside them."""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from .forms import _rational_form
from .target import Target


def _positive_stand_ins(target: Target) -> dict:
    """Target parameters whose domain is positive, as positive symbols (to decide signs)."""
    out = {}
    for s, dom in target.domain.items():
        if isinstance(s, sp.Symbol) and dom.is_subset(sp.Interval.open(0, sp.oo)):
            out[s] = sp.Symbol(s.name, positive=True)
    return out


def _positive_schedules(expr, target: Target):
    """Applications of the target's positive schedules replaced by positive symbols."""
    pos = set(target.positive)
    return sp.sympify(expr).replace(lambda a: isinstance(a, AppliedUndef) and a.func in pos,
                                    lambda a: sp.Symbol(f"{a.func.__name__}_{a.args[0]}_", positive=True))


def _in_domain(value, dom: sp.Set, target: Target):
    """True / False when decided, None when the value is symbolic and undecided."""
    v = sp.sympify(value)
    if isinstance(v, sp.Symbol) and v in target.domain:
        if target.domain[v].is_subset(dom):
            return True
    if isinstance(v, AppliedUndef) and v.func in target.schedule_domains:
        if target.schedule_domains[v.func].is_subset(dom):
            return True
    if v.is_number:
        try:
            return bool(dom.contains(v))
        except TypeError:
            return None
    return True if _holds_throughout(v, dom, target) else None


def _interior(target: Target) -> dict:
    """Each bounded-below parameter of the target as a point strictly inside its interval:
    ``a + (b - a)/(1 + s)`` or ``a + s`` with ``s > 0``."""
    out = {}
    for x, dom in target.domain.items():
        if not isinstance(x, sp.Symbol) or not isinstance(dom, sp.Interval) or not dom.start.is_finite:
            continue
        s = sp.Symbol(f"{x.name}_s_", positive=True)
        out[x] = dom.start + (s if not dom.end.is_finite else (dom.end - dom.start) / (1 + s))
    return out


def _holds_throughout(v, dom: sp.Set, target: Target) -> bool:
    return _holds_cached(v, dom, tuple(sorted(target.domain.items(), key=lambda kv: sp.default_sort_key(kv[0]))),
                         tuple(target.positive))


@functools.lru_cache(maxsize=4096)
def _holds_cached(v, dom, domain_items, positive) -> bool:
    return _holds(v, dom, _DomainView(dict(domain_items), positive))


@dataclass(frozen=True)
class _DomainView:
    domain: dict
    positive: tuple


def _holds(v, dom: sp.Set, target) -> bool:
    """``v`` in ``dom`` for every value of the target's parameters in their domains (inside and at each
    closed end) and every positive value of its positive schedules -- proved, or False (not decided)."""
    inner = _interior(target)

    def decided(expr):
        try:
            res = dom.contains(_positive_schedules(_rational_form(expr), target))
        except TypeError:
            return False
        return res == sp.true

    finite = [x for x, d in target.domain.items() if isinstance(d, sp.FiniteSet) and v.has(x)]
    for values in itertools.product(*(list(target.domain[x]) for x in finite)):
        w = v.xreplace(dict(zip(finite, values)))
        if not decided(w.xreplace(inner)):
            return False
        for x, dom_x in target.domain.items():
            if x in inner and w.has(x):
                for end, closed in ((dom_x.start, not dom_x.left_open), (dom_x.end, not dom_x.right_open)):
                    if closed and end.is_finite and not decided(w.xreplace({**inner, x: end})):
                        return False
    return True
