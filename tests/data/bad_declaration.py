"""A declaration whose update targets a variable that is not state."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
v = sp.Function("v")
beta = sp.Symbol("beta")

METHOD = Method(
    key="bad-declaration", name="bad", reference="-", section="-", summary="-",
    state=(w, m),
    updates=(sp.Eq(v(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - m(t))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta,), defaults={beta: sp.Rational(1, 2)},
)
