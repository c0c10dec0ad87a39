"""The equations of an inverse: TO's coefficients of Eq. (1) equal to the target's, step by step."""
from __future__ import annotations

import sympy as sp

from ..algebra import canonical
from ..declare import Method
from ..derive import Map
from ..symbols import t
from .structure import _transform_equations
from .target import Target


def _equations(method: Method, mp: Map, target: Target, offset: int):
    """``(expr, start, coefficient)``: ``expr = 0`` for every TO step ``t >= start`` (None: no ``t``)."""
    tg = lambda e: sp.sympify(e).subs(t, t + offset)  # noqa: E731 -- the target at the TO step t
    t0 = method.t0
    eqs = []
    sign = mp.post is not None and not mp.post.linear
    if sign:
        eqs.append((mp.K - tg(target.K), t0, "K (the step size in front of sign)"))
        eqs.append((mp.eta_a * tg(target.alpha_a) - mp.alpha_a * tg(target.eta_a), t0,
                    "eta_a : alpha_a (the direction inside sign)"))
    else:
        eqs.append((mp.K * mp.eta_a - tg(target.K * target.eta_a), t0, "eta_a"))
        eqs.append((mp.K * mp.alpha_a - tg(target.K * target.alpha_a), t0, "alpha_a"))
    memory = not (canonical(mp.eta_a) == 0 and canonical(target.eta_a) == 0)
    if memory:
        eqs.append((mp.beta_a - tg(target.beta_a), t0 + 1, "beta_a"))
    start = canonical(mp.beta_a.subs(t, t0) * mp.m_init - (target.beta_a * target.m_init).subs(t, target.t0))
    if start != 0:
        eqs.append((start, None, "the initial momentum beta_a,t0 m_init"))
    if mp.gamma_avg is not None and target.gamma_avg is not None:
        eqs.append((mp.gamma_avg - tg(target.gamma_avg), t0 + 1, "gamma_avg (the averaging weight)"))
    eqs += [(e, s, c) for e, s, c in _transform_equations(mp.post, target.post, offset)]
    eqs += [(e, s, c) for e, s, c in _transform_equations(method.pre, target.pre, offset)]
    return eqs
