"""The state divides by a constant: m' = (beta m + g)/c, w' = w - lr c m' (heavy ball; c = 0 leaves the declaration undefined)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr, c = sp.symbols("beta lr c")

METHOD = Method(
    key="state-divides-constant", name="momentum divided by a constant (user-declared)", reference="tests/data/user",
    section="-", summary="heavy ball with the buffer stored divided by c",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), (beta * m(t) + g(t)) / c), sp.Eq(w(t + 1), w(t) - lr * c * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr, c),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10), c: 2},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo), c: sp.Interval.open(0, sp.oo)},
)
