"""MARS-approx (Yuan et al., 2024), §4.3 of the paper, with its bias correction
and the Adam-type preconditioner built from the corrected gradient c_t.

    c_t     = g_t + gamma beta1/(1 - beta1) (g_t - g_{t-1})
    m_t     = beta1 m_{t-1} + (1 - beta1) c_t
    v_t     = beta2 v_{t-1} + (1 - beta2) c_t^2            (inside P_t)
    x_{t+1} = x_t - eta_t P_t(m_t / (1 - b beta1^t))       P_t(d) = d / (sqrt(v_t / (1 - beta2^t)) + eps)

``b = 1`` is MARS with bias correction; the paper's §4.3 ignores it (``b = 0``).
Clipping of c_t is left out, as in the paper.
"""
import sympy as sp

from ..declare import Claim, Method, Transform, state
from ..symbols import alpha_a, beta_a, eta_a, g, t, theta0

x, m = state("x m")
c = sp.Function("c")
q = sp.Function("q")  # printed in §4.3 where g is meant
beta1, beta2, gamma, eps, b = sp.symbols("beta1 beta2 gamma epsilon b")
eta = sp.Function("eta")
lr = sp.Symbol("lr", positive=True)
corrected = g(t) + gamma * beta1 / (1 - beta1) * (g(t) - g(t - 1))
P = Transform("P", "adam", params={"beta2": beta2, "eps": eps}, input=corrected, latex="P")
mhat = sp.Function("mhat")

METHOD = Method(
    key="mars",
    name="MARS-approx",
    reference="Yuan, Liu, Wu, Zhou & Gu (2024), MARS: Unleashing the power of variance reduction for training large models",
    section="§4.3",
    summary="variance-reduced momentum with an Adam preconditioner built from c_t",
    state=(x, m),
    define={c: corrected},
    updates=(
        sp.Eq(m(t + 1), beta1 * m(t) + (1 - beta1) * c(t)),
        sp.Eq(x(t + 1), x(t) - eta(t) * P(t, m(t + 1) / (1 - b * beta1 ** t))),
    ),
    query=x,
    init={x(1): theta0, m(1): 0},
    posts=(P,),
    constants=(beta1, beta2, gamma, eps, b),
    schedules=(eta,),
    defaults={beta1: sp.Rational(9, 10), beta2: sp.Rational(99, 100), gamma: sp.Rational(1, 40),
              eps: sp.Rational(1, 10 ** 8), b: 1, eta: lr, lr: sp.Rational(1, 100)},
    domain={beta1: sp.Interval.open(0, 1), beta2: sp.Interval.open(0, 1), gamma: sp.Interval(0, 1),
            eps: sp.Interval.open(0, sp.oo), b: sp.FiniteSet(0, 1), lr: sp.Interval.open(0, sp.oo)},
    paper_setting={b: 0},
    paper_setting_text="no bias correction (b = 0)",
    claims=(
        Claim("§4.3, rewritten momentum (as printed, with q_t)", m(t + 1) - gamma * q(t),
              beta1 * (m(t) - gamma * q(t - 1)) + (1 - beta1) * (1 - gamma) * g(t),
              printed=r"\hat m_t = m_t - \gamma q_t,\quad \hat m_t = \beta_1 \hat m_{t-1} + (1-\beta_1)(1-\gamma) g_t",
              fix=(m(t + 1) - gamma * g(t), beta1 * (m(t) - gamma * g(t - 1)) + (1 - beta1) * (1 - gamma) * g(t))),
        Claim("§4.3, rewritten update", x(t + 1), x(t) - eta(t) * P(t, (m(t + 1) - gamma * g(t)) + gamma * g(t)),
              printed=r"x_{t+1} = x_t - \eta\frac{\hat m_t + \gamma g_t}{\sqrt{v_t} + \epsilon}"),
        # "This formulation illustrates that the momentum update follows the general accelerated SGD framework":
        # the triple the rewrite implies (m_a = m_hat / ((1 - beta1)(1 - gamma)), eta in front of P).
        Claim("§4.3 (implied beta_a)", beta_a(t), beta1, origin="prose"),
        Claim("§4.3 (implied eta_a)", eta_a(t), (1 - beta1) * (1 - gamma), origin="prose"),
        Claim("§4.3 (implied alpha_a)", alpha_a(t), gamma, origin="prose"),
    ),
)

ORDER = 10  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta1, "eta_a": (1 - beta1) * (1 - gamma) / (1 - b * beta1**t), "alpha_a": gamma / (1 - b * beta1**t)}
