"""MaSS (Liu & Belkin, 2020), the paper's Appendix B.3.

    w_{t+1} = u_t - eta1 g_t
    u_{t+1} = (1 + gamma) w_{t+1} - gamma w_t + eta2 g_t      (gradient taken at u)
"""
import sympy as sp

from ..declare import Claim, Method, state
from ..symbols import alpha_a, beta_a, eta_a, g, m, t, theta0

w, u = state("w u")
eta1, eta2, gamma = sp.symbols("eta1 eta2 gamma")
K = eta1 * gamma - eta2

METHOD = Method(
    key="mass",
    name="MaSS",
    reference="Liu & Belkin (2020), Accelerating SGD with momentum for over-parameterized learning",
    section="App. B.3",
    summary="Nesterov momentum with a compensation term eta2 g_t",
    state=(w, u),
    updates=(
        sp.Eq(w(t + 1), u(t) - eta1 * g(t)),
        sp.Eq(u(t + 1), (1 + gamma) * w(t + 1) - gamma * w(t) + eta2 * g(t)),
    ),
    query=u,
    init={w(0): theta0, u(0): theta0},
    t0=0,
    constants=(eta1, eta2, gamma),
    defaults={eta1: sp.Rational(1, 10), eta2: sp.Rational(1, 100), gamma: sp.Rational(9, 10)},
    domain={eta1: sp.Interval.open(0, sp.oo), eta2: sp.Interval(-sp.oo, sp.oo), gamma: sp.Interval.Ropen(0, 1)},
    claims=(
        Claim("App. B.3, first rewritten equation", u(t + 1), u(t) - gamma * (w(t) - u(t)) - (eta1 * (1 + gamma) - eta2) * g(t),
              printed=r"u_{t+1} = u_t - \gamma(w_t - u_t) - [\eta_1(1+\gamma) - \eta_2]g_t"),
        Claim("App. B.3, second rewritten equation", (w(t) - u(t)) / K, gamma * (w(t - 1) - u(t - 1)) / K + g(t),
              printed=r"\frac{w_t - u_t}{\eta_1\gamma - \eta_2} = \gamma\frac{w_{t-1} - u_{t-1}}{\eta_1\gamma - \eta_2} + g_t"),
        Claim("App. B.3 (implied momentum)", m(t), (w(t) - u(t)) / K, origin="prose"),
        Claim("App. B.3 (implied beta_a)", beta_a(t), gamma, origin="prose"),
        Claim("App. B.3 (implied eta_a)", eta_a(t), gamma * K, origin="prose",
              note="the first rewritten equation with m_t = (w_t - u_t)/K"),
        Claim("App. B.3 (implied alpha_a)", alpha_a(t), eta1 * (1 + gamma) - eta2, origin="prose"),
    ),
)

ORDER = 8  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": gamma, "eta_a": eta1 * gamma - eta2, "alpha_a": eta1}
