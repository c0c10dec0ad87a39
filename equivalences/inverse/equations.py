"""The equations of an inverse: TO's coefficients of its form (Eq. (1)) equal to the target's, step by step, read
off the form: its direction's weights (times ``K``) from the first step, its decays from the second."""
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
    form = mp.form
    on = lambda x, c: getattr(x, c.name)  # noqa: E731 -- a map's or the target's value of coefficient c
    weights = [c for c in form.coefficients if c in form.on_buffers() + form.on_input()]
    sign = mp.post is not None and not mp.post.linear
    if sign:  # sign is positively homogeneous: K, and the weights only up to a positive factor per step
        eqs.append((mp.K - tg(target.K), t0, "K (the step size in front of sign)"))
        for a, b in form.swaps():
            eqs.append((on(mp, a) * tg(on(target, b)) - on(mp, b) * tg(on(target, a)), t0,
                        f"{a.name} : {b.name} (the direction inside sign)"))
    else:  # the weight of u(t) and of each buffer in the move, K times the direction's weights
        eqs += [(mp.K * on(mp, c) - tg(target.K * on(target, c)), t0, c.name) for c in weights]
    memory = not all(canonical(on(mp, c)) == 0 and canonical(on(target, c)) == 0 for c in form.on_buffers())
    if memory:  # the decays show in the older gradients' weights, from the second step on
        eqs += [(on(mp, c) - tg(on(target, c)), t0 + 1, c.name) for c in form.decays()]
    start = canonical(mp.beta_a.subs(t, t0) * mp.m_init - (target.beta_a * target.m_init).subs(t, target.t0))
    if start != 0:
        eqs.append((start, None, "the initial momentum beta_a,t0 m_init"))
    if mp.gamma_avg is not None and target.gamma_avg is not None:
        eqs.append((mp.gamma_avg - tg(target.gamma_avg), t0 + 1, "gamma_avg (the averaging weight)"))
    eqs += [(e, s, c) for e, s, c in _transform_equations(mp.post, target.post, offset)]
    eqs += [(e, s, c) for e, s, c in _transform_equations(method.pre, target.pre, offset)]
    return eqs
