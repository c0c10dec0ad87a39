"""AGNES (Gupta, Siegel & Wojtowytsch, 2023), the paper's Appendix B.1, with time-varying rho_n,
alpha_n and eta_n.

    x'_n    = x_n + alpha_n v_n          (gradient taken here)
    x_{n+1} = x'_n - eta_n g'_n
    v_{n+1} = rho_n (v_n - g'_n)

The paper prints a constant alpha and eta (its setting); the declaration lets both vary with the
step, and the paper's statements are checked in its setting and again with the schedules.
A printed constant is read at the step of the equation it appears in (alpha -> alpha_n, eta -> eta_n).
The paper's step index n is ``t`` here; the method starts at n = 0 with v_0 = 0.
"""
import sympy as sp

from ..declare import Claim, Method, state
from ..symbols import alpha_a, beta_a, eta_a, g, m, t, theta0

x, v = state("x v")
xq = sp.Function("xq")  # x'_n
alpha, eta, rho = sp.Function("alpha"), sp.Function("eta"), sp.Function("rho")
alpha_c, eta_c = sp.symbols("alpha eta")  # the paper's constants
alpha0, eta0 = sp.symbols("alpha0 eta0", positive=True)
n0 = sp.Symbol("n0", positive=True)

METHOD = Method(
    key="agnes",
    name="AGNES",
    reference="Gupta, Siegel & Wojtowytsch (2023), Achieving acceleration despite very noisy gradients",
    section="App. B.1",
    summary="Nesterov-type method with decoupled gradient step; its query points x' follow Eq. (1)",
    state=(x, v),
    define={xq: x(t) + alpha(t) * v(t)},
    updates=(
        sp.Eq(x(t + 1), xq(t) - eta(t) * g(t)),
        sp.Eq(v(t + 1), rho(t) * (v(t) - g(t))),
    ),
    query=xq,
    init={x(0): theta0, v(0): 0},
    t0=0,
    schedules=(alpha, eta, rho),
    defaults={alpha: alpha0, eta: eta0 * (t + n0 + 1) / (t + n0 + 2), rho: (t + n0) / (t + n0 + 3),
              alpha0: sp.Rational(1, 10), eta0: sp.Rational(1, 10), n0: 3},
    domain={alpha0: sp.Interval.open(0, sp.oo), eta0: sp.Interval.open(0, sp.oo), n0: sp.Interval.open(0, sp.oo)},
    paper_setting={alpha: alpha_c, eta: eta_c},
    paper_setting_text="a constant alpha and eta",
    claims=(
        Claim("App. B.1, first rewritten equation", xq(t + 1), xq(t) - eta(t) * g(t) + alpha(t) * v(t + 1),
              printed=r"x'_{n+1} = x'_n - \eta g'_n + \alpha v_{n+1}",
              fix=(xq(t + 1), xq(t) - eta(t) * g(t) + alpha(t + 1) * v(t + 1))),
        Claim("App. B.1, second rewritten equation", -v(t + 1) / rho(t), rho(t - 1) * (-v(t) / rho(t - 1)) + g(t),
              printed=r"-\frac{v_{n+1}}{\rho_n} = \rho_{n-1}\left(-\frac{v_n}{\rho_{n-1}}\right) + g'_n"),
        Claim("App. B.1 (implied momentum)", m(t), -v(t + 1) / rho(t), note="the variable the rewrite uses as m_n",
              origin="prose"),
        Claim("App. B.1 (implied beta_a)", beta_a(t), rho(t - 1), origin="prose"),
        Claim("App. B.1 (implied eta_a)", eta_a(t), alpha(t) * rho(t), origin="prose"),
        Claim("App. B.1 (implied alpha_a)", alpha_a(t), eta(t), origin="prose"),
    ),
)

ORDER = 6  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": rho(t - 1), "eta_a": alpha(t + 1) * rho(t), "alpha_a": eta(t)}
