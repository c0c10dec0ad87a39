"""Plain (preconditioned) SGD: ``w(t+1) = w(t) - alpha_t u_t``.  Order 0: nothing is carried between steps, so
the strictly lower part of the gradient response is 0."""
from __future__ import annotations

from ..declare import state
from ..forms.sgd import FORM
from ..symbols import g
from .family import Family, Fit
from .proof import member, prove
from .transfer import z


def fit(s) -> Fit:
    if s.F is None:
        return Fit(None, "coefficients that move with the step: left to Eq. (1)'s verdict (plain SGD is in it)")
    if s.F.has(z):
        return Fit(False, "the move reads older gradients (its transfer function depends on z)")
    (w,) = state("w")
    (c,) = FORM.coefficients
    steps = FORM.instantiate({c.name: s.F}, {FORM.iterate.name: w}, input=g)
    return prove(s.method, member(s.method, "sgd", (w,), steps, "plain SGD"), {c.json_key: s.F})


FAMILY = Family(FORM.key, FORM.title, FORM.order, FORM.summary, fit)
