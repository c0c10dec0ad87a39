"""A factor (1 + (-1)^t)/2 written inline in an update: refused in one line (declare it as a schedule)."""
import sympy as sp
from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0
w, m = state("w m")
beta, lr = sp.symbols("beta lr")
METHOD = Method(key="parity", name="momentum fed on even steps", reference="user", section="-", summary="-",
    state=(w, m), updates=(sp.Eq(m(t + 1), beta * m(t) + (1 + (-1)**t) / 2 * g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)})
