"""Algorithm 3 of the paper exactly as printed, line by line (accelerated-SGD-based Adam with weight averaging).

    2: g <- -grad_w phi_B(w_t)                        (the printed sign: g is the NEGATIVE gradient)
    3: v <- beta2 v + (1 - beta2) g.g                   (the preconditioner P_t)
    4: N <- (beta3 m + (1 - beta3) g) / (sqrt(n_hat) + eps)
    5: w <- w - eta N
    6: m <- beta1 m + (1 - beta1) g                     (after line 4: N reads the previous m)
    7: c = max(1 - 1/t, 1 - 1/(delta t))
    8: w_avg <- c w_avg + (1 - c) w

Nothing is corrected here (``accelerated-adamw`` is the intended descent version): the engine derives
what the printed lines compute, and the paper's statements about Algorithm 3 are checked against it.
Line 4's ``sqrt(n_hat)`` is read as the ``v`` of line 3 (the preconditioner is opaque to the proof).
"""
import sympy as sp

from ..claim_kinds import ForAll, limit
from ..declare import Method, Transform, state
from ..symbols import alpha_a, eta_a, g, gamma_avg, t, theta0

w, m, wavg = state("w m wavg")
g_printed, N = sp.Function("g_alg3"), sp.Function("N")
beta1, beta2, beta3, eps, delta = sp.symbols("beta1 beta2 beta3 epsilon delta")
eta, c = sp.Function("eta"), sp.Function("c")
lr = sp.Symbol("lr", positive=True)
P = Transform("P_alg3", "adam", params={"beta2": beta2, "eps": eps}, latex="P")
line7 = sp.Max(1 - 1 / t, 1 - 1 / (delta * t))
APP_A = {beta1: sp.Rational(999, 1000), beta3: sp.Rational(9, 10)}  # App. A, small-batch sweep 6

METHOD = Method(
    key="accelerated-adamw-printed",
    name="Algorithm 3 as printed",
    reference="the paper, Algorithm 3, line by line (g <- -grad as printed)",
    section="Alg. 3",
    summary="the printed lines of Algorithm 3, signs included",
    state=(w, m, wavg),
    define={g_printed: -g(t), N: P(t, beta3 * m(t) + (1 - beta3) * g_printed(t))},
    updates=(
        sp.Eq(w(t + 1), w(t) - eta(t) * N(t)),
        sp.Eq(m(t + 1), beta1 * m(t) + (1 - beta1) * g_printed(t)),
        sp.Eq(wavg(t + 1), c(t) * wavg(t) + (1 - c(t)) * w(t + 1)),
    ),
    query=w,
    evaluate=wavg,
    init={w(1): theta0, m(1): 0, wavg(1): theta0},
    posts=(P,),
    constants=(beta1, beta2, beta3, eps, delta),
    schedules=(eta, c),
    defaults={beta1: sp.Rational(999, 1000), beta2: sp.Rational(999, 1000), beta3: sp.Rational(9, 10),
              eps: sp.Rational(1, 10 ** 8), delta: sp.Rational(1, 10), eta: lr, lr: sp.Rational(1, 10000), c: line7},
    domain={beta1: sp.Interval.open(0, 1), beta2: sp.Interval.open(0, 1), beta3: sp.Interval(0, 1),
            eps: sp.Interval.open(0, sp.oo), delta: sp.Interval.Lopen(0, 1), lr: sp.Interval.open(0, sp.oo)},
    claims=(
        ForAll("Alg. 3 (accelerated SGD based Adam: a descent step, eta_a > 0 and alpha_a >= 0)",
               sp.And(eta_a(t) > 0, alpha_a(t) >= 0), sp.true, assume=APP_A, origin="prose",
               note="caption and §5: an accelerated SGD method; beta1 = 0.999, beta3 = 0.9 from App. A"),
        limit("Alg. 3, line 7 (delta is the weight averaging coefficient: the newest weight 1 - c_t ~ 1/(delta t))",
              t * gamma_avg(t + 1), 1 / delta, assume={c: line7, delta: sp.Rational(1, 10)}, origin="prose",
              printed=r"c = \max(1 - 1/t,\ 1 - 1/(\delta t))",
              note="delta = 0.1 (App. A); for 0 < delta <= 1 the max is 1 - 1/t: a uniform average"),
        ForAll("Alg. 3, lines 7-8 (the newest iterate's weight 1 - c_t lies in [0, 1] for all t >= 1)",
               sp.And(gamma_avg(t + 1) >= 0, gamma_avg(t + 1) <= 1), sp.true,
               assume={c: line7, delta: sp.Rational(1, 10)}, origin="prose"),
    ),
)

ORDER = 14  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).  # Alg. 3's printed signs: an ascent step
EXPECTED = {"beta_a": beta1, "eta_a": -beta3 * (1 - beta1) / beta1, "alpha_a": (beta3 - beta1) / beta1}
