"""EMA momentum with Adam's bias correction and no preconditioner: m_(t+1) = beta m_t + (1 - beta) g_t,
w_(t+1) = w_t - lr m_(t+1) / (1 - beta^t) -- a coefficient with the step in the exponent."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="ema-bias-corrected",
    name="EMA momentum, bias-corrected (tests/data/equivalent)",
    reference="tests/data/equivalent",
    section="-",
    summary="an exponential average of the gradients, divided by 1 - beta^t",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + (1 - beta) * g(t)),
             sp.Eq(w(t + 1), w(t) - lr * m(t + 1) / (1 - beta ** t))),
    query=w,
    init={w(1): theta0, m(1): 0},
    constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
