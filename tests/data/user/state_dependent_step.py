"""A state-dependent step size: m' = beta m + g, w' = w - lr m'/(1 + lam m'^2): not in the family (lam != 0)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr, lam = sp.symbols("beta lr lam")

METHOD = Method(
    key="state-dependent-step", name="momentum with a state-dependent step (user-declared)", reference="tests/data/user",
    section="-", summary="the step shrinks with the momentum",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1) / (1 + lam * m(t + 1) ** 2))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr, lam),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10), lam: sp.Rational(1, 2)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo), lam: sp.Interval.Ropen(0, sp.oo)},
)
