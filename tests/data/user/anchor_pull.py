"""Heavy ball pulled towards a fixed anchor: w' = w - lr m' + mu (anchor - w). The move has a term outside the
state and the gradients and is affine in the gradients, so neither a map nor a witness is found: undecided,
never "not an instance"."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr, mu, anchor = sp.symbols("beta lr mu anchor")

METHOD = Method(
    key="anchor-pull", name="heavy ball pulled to an anchor (user-declared)", reference="tests/data/user",
    section="-", summary="heavy ball with a pull towards a fixed point",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1) + mu * (anchor - w(t)))),
    query=w, init={w(1): theta0, m(1): 0}, constants=(beta, lr, mu, anchor),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10), mu: sp.Rational(1, 100), anchor: 1},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
