"""The exact values a declaration is run at: its defaults with overrides, or random values inside its domains."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import sympy as sp

from ..declare import Method, setting


# -- the values being judged ----------------------------------------------------------------------------
@dataclass
class Point:
    """Exact values: every constant, and every schedule either as a body in ``t`` or as one value per step."""

    label: str
    constants: dict
    schedules: dict
    """schedule -> an expression of ``t`` (its body at these constants) or ``{step: value}`` (drawn on first use)."""
    rng: random.Random | None = field(default=None, repr=False, compare=False)
    drawn: bool = False
    """Drawn at random inside the domains (:func:`random_point`), not values a user judges."""

    def describe(self) -> str:
        parts = [f"{k} = {v}" for k, v in sorted(self.constants.items(), key=lambda kv: str(kv[0]))]
        for f, v in self.schedules.items():
            parts.append(f"{f.__name__}_t = {v}" if not isinstance(v, dict) else f"{f.__name__}_t random")
        return ", ".join(parts)


def point_at(method: Method, overrides: dict | None = None, label: str = "defaults") -> Point:
    """The method's defaults with ``overrides`` (``{symbol: value}``): the values a user runs."""
    values = setting(method, overrides)
    consts = {k: v for k, v in values.items() if isinstance(k, sp.Symbol)}
    scheds = {}
    for f in method.schedules:
        if f in values:
            scheds[f] = sp.sympify(values[f]).subs(consts)
    return Point(label, consts, scheds)


def _sample(dom, rng: random.Random, integer: bool) -> sp.Rational:
    """An exact value inside ``dom`` (a SymPy set), away from its ends."""
    if isinstance(dom, sp.FiniteSet):
        return sp.sympify(rng.choice(sorted(dom, key=sp.default_sort_key)))
    if isinstance(dom, sp.Union):
        return _sample(rng.choice([a for a in dom.args if not a.is_empty]), rng, integer)
    lo, hi = (dom.inf, dom.sup) if isinstance(dom, sp.Interval) else (sp.Integer(0), sp.Integer(1))
    if integer:
        a = int(sp.ceiling(lo)) if lo.is_finite else 1
        return sp.Integer(max(a, 1) + rng.randrange(0, 6))
    r = sp.Rational(rng.randrange(1, 30), 31)
    if lo.is_finite and hi.is_finite:
        v = lo + (hi - lo) * r
    elif lo.is_finite:
        v = lo + 2 * r
    elif hi.is_finite:
        v = hi - 2 * r
    else:
        v = 2 * r - 1
    return v if dom.contains(v) == sp.true else (lo + hi) / 2


def random_point(method: Method, seed: int, fixed: dict | None = None) -> Point:
    """Random exact constants inside their declared domains (those in ``fixed`` kept) and a random value in
    (0, 1) for every schedule at every step: the proof claims every schedule, so the check draws them freely."""
    rng = random.Random(seed)
    base = setting(method)
    consts = {}
    for k in [k for k in base if isinstance(k, sp.Symbol)]:
        if fixed and k in fixed:
            consts[k] = fixed[k]
            continue
        dom = method.domain.get(k)
        if dom is None:
            dom = sp.Interval.open(0, sp.oo) if k.is_positive else sp.Interval.open(0, 1)
        if isinstance(dom, sp.FiniteSet):  # a flag: each random point takes the next value (a default is one too)
            consts[k] = sorted(dom, key=sp.default_sort_key)[seed % len(dom)]
            continue
        consts[k] = _sample(dom, rng, bool(k.is_integer))
    return Point(f"random point {seed}", consts, {f: {} for f in method.schedules}, rng, drawn=True)
