"""Heavy ball with a nonlinear term that is identically 0: ((beta + 1)^2 - beta^2 - 2 beta - 1) g^2."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="zero-nonlinear-term", name="heavy ball plus a vanishing g^2 term (user-declared)", reference="tests/data/user",
    section="-", summary="heavy ball with a term whose coefficient is identically 0",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t) + ((beta + 1) ** 2 - beta ** 2 - 2 * beta - 1) * g(t) ** 2),
             sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
