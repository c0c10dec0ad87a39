"""Plain (preconditioned) SGD: ``w(t+1) = w(t) - alpha_t u_t``.  Order 0: nothing is carried between steps, so
the strictly lower part of the gradient response is 0."""
from __future__ import annotations

import sympy as sp

from ..declare import state
from ..symbols import g, t
from .family import Family, Fit
from .proof import member, prove
from .transfer import z


def fit(s) -> Fit:
    if s.F is None:
        return Fit(None, "coefficients that move with the step: left to Eq. (1)'s verdict (plain SGD is in it)")
    if s.F.has(z):
        return Fit(False, "the move reads older gradients (its transfer function depends on z)")
    (w,) = state("w")
    step = sp.Eq(w(t + 1), w(t) - s.F * g(t))
    return prove(s.method, member(s.method, "sgd", (w,), [step], "plain SGD"), {"alpha": s.F})


FAMILY = Family("sgd", "plain (preconditioned) SGD", 0, "w(t+1) = w(t) - alpha_t u_t", fit)
