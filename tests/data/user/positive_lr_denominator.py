"""A constant declared positive=True alone in a denominator of the map: m' = beta m + lr g, w' = w - m'
(heavy ball with the step inside the buffer; the change of variables m_a = beta m/lr + g divides by lr)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta = sp.Symbol("beta")
lr = sp.Symbol("lr", positive=True)

METHOD = Method(
    key="positive-lr-denominator", name="heavy ball, step inside the buffer (user-declared)",
    reference="tests/data/user", section="-", summary="m' = beta m + lr g, w' = w - m', with lr declared positive",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + lr * g(t)), sp.Eq(w(t + 1), w(t) - m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
