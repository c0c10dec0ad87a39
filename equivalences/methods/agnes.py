"""AGNES (Gupta, Siegel & Wojtowytsch, 2023), the paper's Appendix B.1, with a time-varying rho_n.

    x'_n    = x_n + alpha v_n            (gradient taken here)
    x_{n+1} = x'_n - eta g'_n
    v_{n+1} = rho_n (v_n - g'_n)

The paper's step index n is ``t`` here; the method starts at n = 0 with v_0 = 0.
"""
import sympy as sp

from ..declare import Claim, Method, state
from ..symbols import alpha_a, beta_a, eta_a, g, m, t, theta0

x, v = state("x v")
xq = sp.Function("xq")  # x'_n
alpha, eta = sp.symbols("alpha eta")
rho = sp.Function("rho")
n0 = sp.Symbol("n0", positive=True)

METHOD = Method(
    key="agnes",
    name="AGNES",
    reference="Gupta, Siegel & Wojtowytsch (2023), Achieving acceleration despite very noisy gradients",
    section="App. B.1",
    summary="Nesterov-type method with decoupled gradient step; its query points x' follow Eq. (1)",
    state=(x, v),
    define={xq: x(t) + alpha * v(t)},
    updates=(
        sp.Eq(x(t + 1), xq(t) - eta * g(t)),
        sp.Eq(v(t + 1), rho(t) * (v(t) - g(t))),
    ),
    query=xq,
    init={x(0): theta0, v(0): 0},
    t0=0,
    constants=(alpha, eta),
    schedules=(rho,),
    defaults={alpha: sp.Rational(1, 10), eta: sp.Rational(1, 10), rho: (t + n0) / (t + n0 + 3), n0: 3},
    domain={alpha: sp.Interval.open(0, sp.oo), eta: sp.Interval.open(0, sp.oo), n0: sp.Interval.open(0, sp.oo)},
    claims=(
        Claim("App. B.1, first rewritten equation", xq(t + 1), xq(t) - eta * g(t) + alpha * v(t + 1),
              printed=r"x'_{n+1} = x'_n - \eta g'_n + \alpha v_{n+1}"),
        Claim("App. B.1, second rewritten equation", -v(t + 1) / rho(t), rho(t - 1) * (-v(t) / rho(t - 1)) + g(t),
              printed=r"-\frac{v_{n+1}}{\rho_n} = \rho_{n-1}\left(-\frac{v_n}{\rho_{n-1}}\right) + g'_n"),
        Claim("App. B.1 (implied momentum)", m(t), -v(t + 1) / rho(t), note="the variable the rewrite uses as m_n"),
        Claim("App. B.1 (implied beta_a)", beta_a(t), rho(t - 1)),
        Claim("App. B.1 (implied eta_a)", eta_a(t), alpha * rho(t)),
        Claim("App. B.1 (implied alpha_a)", alpha_a(t), eta),
    ),
)
