"""The same method as ema_bias_corrected.py with the buffer holding the plain sum s_(t+1) = beta s_t + g_t and the
factor (1 - beta) moved into the step: w_(t+1) = w_t - lr (1 - beta) s_(t+1) / (1 - beta^t)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, s = state("w s")
beta, lr = sp.symbols("beta lr")

METHOD = Method(
    key="ema-bias-corrected-sum",
    name="EMA momentum, bias-corrected, as a weighted sum (tests/data/equivalent)",
    reference="tests/data/equivalent",
    section="-",
    summary="the bias-corrected average written with an undamped buffer",
    state=(w, s),
    updates=(sp.Eq(s(t + 1), beta * s(t) + g(t)),
             sp.Eq(w(t + 1), w(t) - lr * (1 - beta) * s(t + 1) / (1 - beta ** t))),
    query=w,
    init={w(1): theta0, s(1): 0},
    constants=(beta, lr),
    defaults={beta: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
