"""Signum (sign of an EMA momentum) with its step size written inside the EMA: m' = beta m + (1 - beta) lr g,
w' = w - eta sign(m'). In the family with the sign transform (K_t = eta), whatever lr > 0."""
import sympy as sp

from equivalences.declare import Method, Transform, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, eta = sp.symbols("beta eta")
lr = sp.Symbol("lr", positive=True)
sign = Transform("sign", "sign")

METHOD = Method(
    key="signum-user", name="Signum (user-declared)", reference="tests/data/user", section="-",
    summary="the sign of an EMA momentum",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + (1 - beta) * lr * g(t)), sp.Eq(w(t + 1), w(t) - eta * sign(t, m(t + 1)))),
    query=w, init={w(1): theta0, m(1): 0}, posts=(sign,), constants=(beta, eta, lr),
    defaults={beta: sp.Rational(9, 10), eta: sp.Rational(1, 100), lr: sp.Rational(1, 2)},
    domain={beta: sp.Interval.Ropen(0, 1), eta: sp.Interval.open(0, sp.oo), lr: sp.Interval.open(0, sp.oo)},
)
