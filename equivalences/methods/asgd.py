"""Accelerated SGD of Jain, Kakade, Kidambi, Netrapalli & Sidford (2018), the paper's Appendix B.2.

    y_{i-1} = alpha x_{i-1} + (1 - alpha) v_{i-1}      (gradient taken here)
    x_i     = y_{i-1} - delta g_{i-1}
    z_{i-1} = beta y_{i-1} + (1 - beta) v_{i-1}
    v_i     = z_{i-1} - gamma g_{i-1}

With ``t = i - 1``; the function is evaluated on a tail average of x (not modelled).
"""
import sympy as sp

from ..declare import Claim, Method, state
from ..symbols import alpha_a, beta_a, eta_a, g, m, t, theta0

x, v = state("x v")
y, z = sp.Function("y"), sp.Function("z")
alpha, beta, gamma, delta = sp.symbols("alpha beta gamma delta")
K = gamma - (1 - beta) * alpha * delta

METHOD = Method(
    key="asgd",
    name="ASGD (Jain et al.)",
    reference="Jain, Kakade, Kidambi, Netrapalli & Sidford (2018), Accelerating SGD for least squares regression",
    section="App. B.2",
    summary="accelerated SGD for least squares with four hyperparameters",
    state=(x, v),
    define={y: alpha * x(t) + (1 - alpha) * v(t), z: beta * y(t) + (1 - beta) * v(t)},
    updates=(
        sp.Eq(x(t + 1), y(t) - delta * g(t)),
        sp.Eq(v(t + 1), z(t) - gamma * g(t)),
    ),
    query=y,
    init={x(0): theta0, v(0): theta0},
    t0=0,
    constants=(alpha, beta, gamma, delta),
    defaults={alpha: sp.Rational(1, 2), beta: sp.Rational(1, 10), gamma: sp.Rational(1, 2), delta: sp.Rational(1, 10)},
    domain={alpha: sp.Interval(0, 1), beta: sp.Interval(0, 1), gamma: sp.Interval.open(0, sp.oo),
            delta: sp.Interval.open(0, sp.oo)},
    claims=(
        Claim("App. B.2, first rewritten equation", y(t), y(t - 1) - alpha * delta * g(t - 1) - (1 - alpha) * (y(t - 1) - v(t)),
              printed=r"y_j = y_{j-1} - \alpha\delta g_{j-1} - (1-\alpha)[y_{j-1} - v_j]"),
        Claim("App. B.2, second rewritten equation", (y(t - 1) - v(t)) / K,
              (1 - beta) * alpha * (y(t - 2) - v(t - 1)) / K + g(t - 1),
              printed=r"\frac{y_{j-1} - v_j}{\gamma - (1-\beta)\alpha\delta} = (1-\beta)\alpha"
                      r"\frac{y_{j-2} - v_{j-1}}{\gamma - (1-\beta)\alpha\delta} + g_{j-1}",
              fix=((x(t) - v(t)) / (gamma - delta), (1 - beta) * alpha * (x(t - 1) - v(t - 1)) / (gamma - delta) + g(t - 1))),
        Claim("App. B.2 (implied momentum)", m(t), (y(t) - v(t + 1)) / K, origin="prose"),
        Claim("App. B.2 (implied beta_a)", beta_a(t), (1 - beta) * alpha, origin="prose"),
        Claim("App. B.2 (implied eta_a)", eta_a(t), (1 - alpha) * K, origin="prose",
              note="the first rewritten equation with m_(j-1) = (y_(j-1) - v_j)/K"),
        Claim("App. B.2 (implied alpha_a)", alpha_a(t), alpha * delta, origin="prose"),
    ),
)

ORDER = 7  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": alpha * (1 - beta), "eta_a": (1 - alpha) * (gamma - delta), "alpha_a": delta}
