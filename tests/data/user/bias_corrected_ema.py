"""EMA momentum with Adam's bias correction: m' = beta m + (1 - beta) g, w' = w - lr m'/(1 - beta^t).
In the family with beta_a = beta, eta_a,t = lr (1 - beta)/(1 - beta^t), m_a = beta m/(1 - beta) + g; at beta = 1
the declaration itself divides by 1 - 1^t = 0."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="bias-corrected-ema",
    name="EMA momentum with bias correction (user-declared)",
    reference="tests/data/user",
    section="-",
    summary="Adam's first-moment bias correction without the second moment",
    state=(w, m),
    updates=(
        sp.Eq(m(t + 1), beta * m(t) + (1 - beta) * g(t)),
        sp.Eq(w(t + 1), w(t) - lr * m(t + 1) / (1 - beta ** t)),
    ),
    query=w,
    init={w(1): theta0, m(1): 0},
    constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
