"""Heavy ball with an extra second-moment buffer v that nothing reads: v' = rho v + g^2."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m, v = state("w m v")
beta, lr, rho = sp.symbols("beta lr rho")

METHOD = Method(
    key="unread-nonlinear-state", name="heavy ball with an unread v (user-declared)", reference="tests/data/user",
    section="-", summary="heavy ball keeping a second moment it never uses",
    state=(w, m, v),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(v(t + 1), rho * v(t) + g(t) ** 2),
             sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0, v(1): 0}, constants=(beta, lr, rho),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10), rho: sp.Rational(99, 100)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo), rho: sp.Interval.Ropen(0, 1)},
)
