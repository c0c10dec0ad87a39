"""Accelerated-SGD-based AdamW with weight averaging: Algorithm 3 of the paper.

As intended (descent, the gradient g_t = +grad):

    N_t       = P_t(beta3 m_{t-1} + (1 - beta3) g_t)     (line 4; P_t = Adam's 1/(sqrt(v_hat)+eps))
    w_{t+1}   = w_t - eta_t N_t                          (line 5)
    m_t       = beta1 m_{t-1} + (1 - beta1) g_t          (line 6)
    wavg_{t+1} = c_t wavg_t + (1 - c_t) w_{t+1}           (lines 7-8)

Algorithm 3 as printed negates the gradient (line 2, ``g <- -grad``) and then also subtracts the
step (line 5): that ascends; the claim below checks the printed line against the descent step.
Line 4 divides by ``sqrt(n_hat)``, undefined in the algorithm; it is read as ``v_hat``.
"""
import sympy as sp

from ..declare import Claim, Method, Transform, state
from ..symbols import g, gamma_avg, t, theta0

w, m, wavg = state("w m wavg")
beta1, beta2, beta3, eps, delta = sp.symbols("beta1 beta2 beta3 epsilon delta")
eta, c = sp.Function("eta"), sp.Function("c")
lr = sp.Symbol("lr", positive=True)
# Line 7 for a step t >= 1 (a positive t) and 0 < delta <= 1, written delta = 1/(1 + k) with k >= 0 so that
# sympy decides the max exactly.
t_pos, k = sp.Symbol("t", positive=True), sp.Symbol("k", nonnegative=True)
line7 = sp.Max(1 - 1 / t_pos, 1 - 1 / (delta * t_pos), evaluate=False)
P = Transform("P_acc", "adam", params={"beta2": beta2, "eps": eps}, latex="P")

METHOD = Method(
    key="accelerated-adamw",
    name="Accelerated-SGD AdamW with weight averaging",
    reference="the paper, Algorithm 3",
    section="Alg. 3",
    summary="accelerated SGD direction, Adam-preconditioned, then averaged",
    state=(w, m, wavg),
    updates=(
        sp.Eq(w(t + 1), w(t) - eta(t) * P(t, beta3 * m(t) + (1 - beta3) * g(t))),
        sp.Eq(m(t + 1), beta1 * m(t) + (1 - beta1) * g(t)),
        sp.Eq(wavg(t + 1), c(t) * wavg(t) + (1 - c(t)) * w(t + 1)),
    ),
    query=w,
    evaluate=wavg,
    init={w(1): theta0, m(1): 0, wavg(1): theta0},
    posts=(P,),
    constants=(beta1, beta2, beta3, eps, delta),
    schedules=(eta, c),
    defaults={beta1: sp.Rational(999, 1000), beta2: sp.Rational(999, 1000), beta3: sp.Rational(9, 10),
              eps: sp.Rational(1, 10 ** 8), delta: sp.Rational(1, 10),
              eta: lr, lr: sp.Rational(1, 1000), c: sp.Max(1 - 1 / t, 1 - 1 / (delta * t))},
    domain={beta1: sp.Interval.open(0, 1), beta2: sp.Interval.open(0, 1), beta3: sp.Interval(0, 1),
            eps: sp.Interval.open(0, sp.oo), delta: sp.Interval.Lopen(0, 1), lr: sp.Interval.open(0, sp.oo)},
    claims=(
        Claim("Alg. 3, lines 2 and 5 as printed (g <- -grad, then w <- w - eta N)", w(t + 1),
              w(t) - eta(t) * P(t, beta3 * m(t) + (1 - beta3) * (-g(t))),
              fix=(w(t + 1), w(t) - eta(t) * P(t, beta3 * m(t) + (1 - beta3) * g(t)))),
        Claim("Alg. 3, line 8 (an average with weight 1 - c_t on the newest iterate)", gamma_avg(t + 1), 1 - c(t),
              origin="prose"),
        Claim("Alg. 3, line 7 (delta sets a tail-averaging window: c_t = 1 - 1/(delta t))", line7,
              1 - 1 / (delta * t_pos), assume={delta: 1 / (1 + k)},
              printed=r"c = \max(1 - 1/t,\ 1 - 1/(\delta t))",
              note="for 0 < delta <= 1 the max is always 1 - 1/t, so delta has no effect", origin="prose",
              fix=(line7, 1 - 1 / t_pos)),
    ),
)

ORDER = 13  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta1, "eta_a": beta3 * (1 - beta1) / beta1, "alpha_a": 1 - beta3 - beta3 * (1 - beta1) / beta1}
