"""Heavy ball with a bias-corrected step: m' = beta m + g, w' = w - lr m'/(1 - beta^t)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="bias-heavy-ball", name="heavy ball, bias-corrected step (user-declared)", reference="tests/data/user",
    section="-", summary="heavy ball with a step divided by 1 - beta^t",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1) / (1 - beta ** t))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
