"""A sign step plus an extra SGD step: m' = beta m + (1 - beta) g, w' = w - lr sign(m') - lr2 g.
Not in the family when lr, lr2 != 0: coordinates with different gradient magnitudes move by different
multiples of their gradients, which no single transformed Eq. (1) direction gives."""
import sympy as sp

from equivalences.declare import Method, Transform, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr, lr2 = sp.symbols("beta lr lr2")
sign = Transform("sign", "sign")

METHOD = Method(
    key="sign-plus-sgd", name="sign momentum plus an SGD step (user-declared)", reference="tests/data/user",
    section="-", summary="signSGD with momentum, plus a plain gradient step",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + (1 - beta) * g(t)),
             sp.Eq(w(t + 1), w(t) - lr * sign(t, m(t + 1)) - lr2 * g(t))),
    query=w, init={w(1): theta0, m(1): 0}, posts=(sign,), constants=(beta, lr, lr2),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 100), lr2: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo), lr2: sp.Interval.open(0, sp.oo)},
)
