"""The Triple Momentum method (Van Scoy, Freeman & Lynch, 2018), constant coefficients:
xi_(k+1) = (1 + beta) xi_k - beta xi_(k-1) - alpha grad f(y_k),  y_k = (1 + gamma) xi_k - gamma xi_(k-1)
(its output z_k = (1 + delta) xi_k - delta xi_(k-1) is not a query point and is left out)."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

xi, xi_prev = state("xi xi_prev")
y = sp.Function("y")
alpha, beta, gamma = sp.symbols("alpha beta gamma")

METHOD = Method(
    key="triple-momentum",
    name="Triple Momentum (tests/data/equivalent)",
    reference="Van Scoy, Freeman, Lynch (2018), The fastest known globally convergent first-order method",
    section="-",
    summary="two-step recursion in xi, gradient at (1 + gamma) xi_k - gamma xi_(k-1)",
    state=(xi, xi_prev),
    define={y: (1 + gamma) * xi(t) - gamma * xi_prev(t)},
    updates=(
        sp.Eq(xi(t + 1), (1 + beta) * xi(t) - beta * xi_prev(t) - alpha * g(t)),
        sp.Eq(xi_prev(t + 1), xi(t)),
    ),
    query=y,
    init={xi(1): theta0, xi_prev(1): theta0},
    constants=(alpha, beta, gamma),
    defaults={alpha: sp.Rational(1, 10), beta: sp.Rational(1, 2), gamma: sp.Rational(2, 3)},
    domain={alpha: sp.Interval.open(0, sp.oo)},
)
