"""AggMo with two buffers written in the sum and difference of the buffers, s = v_1 + v_2, d = v_1 - v_2:
s <- (beta1 + beta2)/2 s + (beta1 - beta2)/2 d + 2 g,  d <- (beta1 - beta2)/2 s + (beta1 + beta2)/2 d,
w <- w - lr s / 2.  The same algorithm as aggmo_buffers.py (``verify equivalent`` proves it)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, s, d = state("w s d")
beta1, beta2, lr = sp.symbols("beta1 beta2 lr")

METHOD = Method(
    key="aggmo-sum-difference",
    name="AggMo, sum and difference of the buffers (tests/data/equivalent)",
    reference="tests/data/equivalent",
    section="-",
    summary="AggMo's two buffers rotated into their sum and difference",
    state=(w, s, d),
    updates=(
        sp.Eq(s(t + 1), (beta1 + beta2) / 2 * s(t) + (beta1 - beta2) / 2 * d(t) + 2 * g(t)),
        sp.Eq(d(t + 1), (beta1 - beta2) / 2 * s(t) + (beta1 + beta2) / 2 * d(t)),
        sp.Eq(w(t + 1), w(t) - lr * s(t + 1) / 2),
    ),
    query=w,
    init={w(1): theta0, s(1): 0, d(1): 0},
    constants=(beta1, beta2, lr),
    defaults={beta1: sp.Rational(1, 2), beta2: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta1: sp.Interval.Ropen(0, 1), beta2: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
