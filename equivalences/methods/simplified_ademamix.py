"""Simplified-AdEMAMix, Algorithm 2 of the paper (§4.5): theory-style momentum plus a fixed weight on g.

    m1_t    = beta1_t m1_{t-1} + g_t
    theta_t = theta_{t-1} - eta_t P_t(m1_t + alpha g_t)     (P_t = Adam's 1/(sqrt(nu_hat)+eps))
"""
import sympy as sp

from ..declare import Claim, Method, Transform, state
from ..symbols import alpha_a, beta_a, eta_a, g, t, theta0

theta, m1 = state("theta m1")
beta1, eta = sp.Function("beta1"), sp.Function("eta")
alpha, beta2, eps = sp.symbols("alpha beta2 epsilon")
b1, b_start, T_b, lr = sp.symbols("b1 beta_start T lr", positive=True)
P = Transform("P_sim", "adam", params={"beta2": beta2, "eps": eps}, latex="P")
f_beta1 = sp.Min(sp.exp(sp.log(b_start) * sp.log(b1) / ((1 - t / T_b) * sp.log(b1) + (t / T_b) * sp.log(b_start))), b1)

METHOD = Method(
    key="simplified-ademamix",
    name="Simplified-AdEMAMix",
    reference="the paper, Algorithm 2 (§4.5)",
    section="§4.5, Alg. 2",
    summary="one theory-style momentum and a fixed gradient weight alpha, Adam-preconditioned",
    state=(theta, m1),
    updates=(
        sp.Eq(m1(t + 1), beta1(t) * m1(t) + g(t)),
        sp.Eq(theta(t + 1), theta(t) - eta(t) * P(t, m1(t + 1) + alpha * g(t))),
    ),
    query=theta,
    init={theta(1): theta0, m1(1): 0},
    posts=(P,),
    constants=(alpha, beta2, eps),
    schedules=(beta1, eta),
    defaults={alpha: 2, beta2: sp.Rational(999, 1000), eps: sp.Rational(1, 10 ** 8), beta1: f_beta1, eta: lr,
              lr: sp.Rational(1, 10 ** 5), b1: sp.Rational(99, 100), b_start: sp.Rational(9, 10), T_b: 200},
    domain={alpha: sp.Interval(0, sp.oo), beta2: sp.Interval.open(0, 1), eps: sp.Interval.open(0, sp.oo),
            b1: sp.Interval.open(0, 1), b_start: sp.Interval.open(0, 1), T_b: sp.Interval(1, sp.oo),
            lr: sp.Interval.open(0, sp.oo)},
    claims=(
        Claim("§4.5 (theory-style momentum: beta_a = beta1)", beta_a(t), beta1(t), origin="prose"),
        Claim("§4.5 (a fixed weight alpha on the gradient)", alpha_a(t) / eta_a(t), alpha, origin="prose"),
        Claim("§4.5 (alpha = 0 recovers Adam's momentum-only update)", alpha_a(t), 0, assume={alpha: 0}, origin="prose"),
        Claim("§5.1 (at alpha = 0, Simplified-AdEMAMix reduces to standard Adam with momentum scheduling)",
              alpha_a(t), 0, assume={alpha: 0}, origin="prose"),
    ),
)

ORDER = 12  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta1(t), "eta_a": 1, "alpha_a": alpha}
