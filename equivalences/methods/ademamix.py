"""AdEMAMix (Pagliardini, Ablin & Grangier, 2024) with beta1 = 0: Algorithm 1 and §4.4 of the paper,
with the schedulers beta3(t), alpha(t) and a learning-rate schedule eta(t).

    m1_t    = g_t                                          (line 5 with beta1 = 0)
    m2_t    = beta3_t m2_{t-1} + (1 - beta3_t) g_t         (line 6)
    theta_t = theta_{t-1} - eta_t P_t(m1_t + alpha_t m2_t) (line 8; P_t = Adam's 1/(sqrt(nu_hat)+eps))
"""
import sympy as sp

from ..claim_kinds import ForAll, proportional
from ..declare import Claim, Method, Transform, state
from ..symbols import alpha_a, beta_a, g, m, t, theta0

theta, m1, m2 = state("theta m1 m2")
beta3, alpha, eta = sp.Function("beta3"), sp.Function("alpha"), sp.Function("eta")
beta2, eps = sp.symbols("beta2 epsilon")
b3, b_start, a_max, T_ab, lr = sp.symbols("b3 beta_start alpha_max T lr", positive=True)
P = Transform("P_adam", "adam", params={"beta2": beta2, "eps": eps}, latex="P")

# The AdEMAMix schedulers: alpha grows linearly to alpha_max over T steps; beta3 moves from beta_start to b3
# so that the EMA half-life grows linearly (their f_beta3).
f_alpha = sp.Min(t * a_max / T_ab, a_max)
f_beta3 = sp.Min(sp.exp(sp.log(b_start) * sp.log(b3) / ((1 - t / T_ab) * sp.log(b3) + (t / T_ab) * sp.log(b_start))), b3)

METHOD = Method(
    key="ademamix",
    name="AdEMAMix (beta1 = 0)",
    reference="Pagliardini, Ablin & Grangier (2024), The AdEMAMix optimizer: better, faster, older",
    section="§4.4, Alg. 1",
    summary="a slow EMA plus the current gradient, Adam-preconditioned",
    state=(theta, m1, m2),
    updates=(
        sp.Eq(m1(t + 1), g(t)),
        sp.Eq(m2(t + 1), beta3(t) * m2(t) + (1 - beta3(t)) * g(t)),
        sp.Eq(theta(t + 1), theta(t) - eta(t) * P(t, m1(t + 1) + alpha(t) * m2(t + 1))),
    ),
    query=theta,
    init={theta(1): theta0, m1(1): 0, m2(1): 0},
    posts=(P,),
    constants=(beta2, eps),
    schedules=(beta3, alpha, eta),
    defaults={beta2: sp.Rational(999, 1000), eps: sp.Rational(1, 10 ** 8), beta3: f_beta3, alpha: f_alpha,
              eta: lr, lr: sp.Rational(1, 1000), b3: sp.Rational(999, 1000), b_start: sp.Rational(9, 10),
              a_max: 8, T_ab: 400},
    domain={beta2: sp.Interval.open(0, 1), eps: sp.Interval.open(0, sp.oo), b3: sp.Interval.open(0, 1),
            b_start: sp.Interval.open(0, 1), a_max: sp.Interval.open(0, sp.oo), T_ab: sp.Interval(1, sp.oo),
            lr: sp.Interval.open(0, sp.oo)},
    claims=(
        Claim("§5.1 (AdEMAMix assigns a fixed weight of 1 to the current gradient)", alpha_a(t), 1, origin="prose"),
        Claim("§4.4 (AdEMAMix maintains a fixed weight of 1 on the current gradient)", alpha_a(t), 1, origin="prose"),
        Claim("§4.4 (beta3 is the momentum coefficient of Eq. (1))", beta_a(t), beta3(t), origin="prose",
              note="read from 'the prescribed schedules for beta3 (momentum coefficient)'"),
        Claim("§4.4 (m_2 is the standard-form momentum up to its EMA factor: m_t = m_2/(1 - beta3))", m(t),
              m2(t + 1) / (1 - beta3(t)), origin="prose",
              note="the EMA m_2 <- beta3 m_2 + (1 - beta3) g against the standard form m_t = beta_a m_(t-1) + g_t"),
        proportional("§4.4 (the coefficient alpha in AdEMAMix also scales proportionally to t)", alpha(t), t,
                     assume={alpha: f_alpha}, origin="prose", note="alpha^(t) = f_alpha(t), AdEMAMix's scheduler"),
        ForAll("§4.4 (alpha proportional to t, read on the warmup 1 <= t <= T_(alpha,beta3) = 400)",
               sp.Eq(alpha(t) / t, a_max / T_ab), sp.true, hi=400, assume={alpha: f_alpha, a_max: 8, T_ab: 400},
               origin="prose", note="alpha_max = 8, T = 400 (the declaration's defaults)"),
    ),
)

ORDER = 11  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta3(t) * (1 - beta3(t - 1)) / (1 - beta3(t)), "eta_a": alpha(t) * (1 - beta3(t)), "alpha_a": 1}
