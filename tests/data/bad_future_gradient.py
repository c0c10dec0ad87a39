"""Deliberately broken: the update reads g(t + 1), a gradient step t does not know yet."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="bad-future", name="reads g(t+1)", reference="tests/data", section="-", summary="broken",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t + 1)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
)
