"""A user-declared method (loaded with ``verify --module tests/data/ema_momentum.py``): SGD with an
exponential-moving-average momentum, m_{t+1} = beta m_t + (1 - beta) g_t, w_{t+1} = w_t - lr m_{t+1}."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr", positive=True)

METHOD = Method(
    key="ema-momentum",
    name="EMA momentum (user-declared)",
    reference="tests/data",
    section="-",
    summary="SGD with an exponential moving average of the gradients",
    state=(w, m),
    updates=(
        sp.Eq(m(t + 1), beta * m(t) + (1 - beta) * sp.Function("g")(t)),
        sp.Eq(w(t + 1), w(t) - lr * m(t + 1)),
    ),
    query=w,
    init={w(1): theta0, m(1): 0},
    constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
