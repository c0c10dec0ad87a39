"""AggMo's two momenta on Adam-preconditioned gradients (preconditioning before the momenta, as
Schedule-Free AdamW does): u = P(g),  v_i <- beta_i v_i + u,  w <- w - lr (v_1 + v_2)/2.  Its linear part (in u)
is AggMo, a 2-momentum form."""
import sympy as sp

from equivalences.declare import Method, Transform, state
from equivalences.symbols import t, theta0

w, v1, v2 = state("w v1 v2")
u = sp.Function("u")
beta1, beta2, lr, b2, eps = sp.symbols("beta1 beta2 lr b2 eps")
P = Transform("P", "adam", params={"beta2": b2, "eps": eps})

METHOD = Method(
    key="aggmo-adam",
    name="AggMo on Adam-preconditioned gradients (tests/data/family)",
    reference="-",
    section="-",
    summary="two heavy-ball momenta of the preconditioned gradient",
    state=(w, v1, v2),
    updates=(
        sp.Eq(v1(t + 1), beta1 * v1(t) + u(t)),
        sp.Eq(v2(t + 1), beta2 * v2(t) + u(t)),
        sp.Eq(w(t + 1), w(t) - lr * (v1(t + 1) + v2(t + 1)) / 2),
    ),
    query=w,
    input=u,
    pre=P,
    init={w(1): theta0, v1(1): 0, v2(1): 0},
    constants=(beta1, beta2, lr, b2, eps),
    defaults={beta1: sp.Rational(1, 2), beta2: sp.Rational(9, 10), lr: sp.Rational(1, 10), b2: sp.Rational(999, 1000),
              eps: sp.Rational(1, 10 ** 8)},
    domain={beta1: sp.Interval.Ropen(0, 1), beta2: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo),
            b2: sp.Interval.open(0, 1), eps: sp.Interval.open(0, sp.oo)},
)
