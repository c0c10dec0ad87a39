"""Heavy ball with the step lr / (t + 1): m_(t+1) = beta m_t + g_t, w_(t+1) = w_t - lr/(t + 1) m_(t+1)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="heavy-ball-harmonic",
    name="Heavy ball, step lr/(t + 1) (tests/data/equivalent)",
    reference="tests/data/equivalent",
    section="-",
    summary="heavy ball whose step decays as 1/(t + 1)",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr / (t + 1) * m(t + 1))),
    query=w,
    init={w(1): theta0, m(1): 0},
    constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
