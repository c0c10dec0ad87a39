"""Heavy ball that also queries the gradient at its lookahead point w + beta m (a probe, e.g. for logging) and never
reads it: two calls per step, and the sequence of the first call's points is heavy ball."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.oracles import gradients
from equivalences.symbols import t, theta0

w, m = state("w m")
y = sp.Function("y")
g1, g2 = gradients("g1 g2")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="heavy-ball-probe",
    name="Heavy ball with an unread probe (tests/data/multicall)",
    reference="-",
    section="-",
    summary="heavy ball, plus a gradient at w + beta m that no update reads",
    state=(w, m),
    define={y: w(t) + beta * m(t)},
    updates=(sp.Eq(m(t + 1), beta * m(t) + g1(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w,
    calls=((w, g1), (y, g2)),
    init={w(1): theta0, m(1): 0},
    constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
