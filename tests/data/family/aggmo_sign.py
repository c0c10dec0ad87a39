"""AggMo's two momenta under a sign (a Lion-like AggMo): v_i <- beta_i v_i + g,  w <- w - lr sign((v_1 + v_2)/2).
Outside Eq. (1) (two decay rates inside the sign); its linear part is AggMo, a 2-momentum form."""
import sympy as sp

from equivalences.declare import Method, Transform, state
from equivalences.symbols import g, t, theta0

w, v1, v2 = state("w v1 v2")
beta1, beta2, lr = sp.symbols("beta1 beta2 lr")
sign = Transform("sign", "sign")

METHOD = Method(
    key="aggmo-sign",
    name="AggMo under a sign (tests/data/family)",
    reference="-",
    section="-",
    summary="the sign of the average of two heavy-ball momenta",
    state=(w, v1, v2),
    updates=(
        sp.Eq(v1(t + 1), beta1 * v1(t) + g(t)),
        sp.Eq(v2(t + 1), beta2 * v2(t) + g(t)),
        sp.Eq(w(t + 1), w(t) - lr * sign(t, (v1(t + 1) + v2(t + 1)) / 2)),
    ),
    query=w,
    posts=(sign,),
    init={w(1): theta0, v1(1): 0, v2(1): 0},
    constants=(beta1, beta2, lr),
    defaults={beta1: sp.Rational(1, 2), beta2: sp.Rational(9, 10), lr: sp.Rational(1, 10)},
    domain={beta1: sp.Interval.Ropen(0, 1), beta2: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
