"""A signed AggMo whose first buffer also reads the last step taken (w_t - w_(t-1), the sign's output): the
direction inside the sign is no function of the gradients alone, so it has no linear part to place."""
import sympy as sp

from equivalences.declare import Method, Transform, state
from equivalences.symbols import g, t, theta0

w, w_prev, v1, v2 = state("w w_prev v1 v2")
beta1, beta2, lr = sp.symbols("beta1 beta2 lr")
sign = Transform("sign", "sign")

METHOD = Method(
    key="aggmo-sign-fed-back",
    name="AggMo under a sign, fed back (tests/data/family)",
    reference="-",
    section="-",
    summary="a signed AggMo whose buffer reads the last step",
    state=(w, w_prev, v1, v2),
    updates=(
        sp.Eq(v1(t + 1), beta1 * v1(t) + g(t) + (w(t) - w_prev(t))),
        sp.Eq(v2(t + 1), beta2 * v2(t) + g(t)),
        sp.Eq(w_prev(t + 1), w(t)),
        sp.Eq(w(t + 1), w(t) - lr * sign(t, (v1(t + 1) + v2(t + 1)) / 2)),
    ),
    query=w,
    posts=(sign,),
    init={w(1): theta0, w_prev(1): theta0, v1(1): 0, v2(1): 0},
    constants=(beta1, beta2, lr),
    defaults={beta1: sp.Rational(1, 2), beta2: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta1: sp.Interval.Ropen(0, 1), beta2: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
