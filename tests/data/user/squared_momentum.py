"""A squared momentum: m' = beta m^2 + g, w' = w - lr m'. Not in the family when beta, lr != 0: at step 2 twice
the gradients do not move twice as far (the two-gradient probe of equivalences/scaling.py)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="squared-momentum", name="squared momentum (user-declared)", reference="tests/data/user", section="-",
    summary="a momentum buffer that squares itself",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) ** 2 + g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(1, 2), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
