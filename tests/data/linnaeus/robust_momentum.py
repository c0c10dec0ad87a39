"""The robust momentum method (Cyrus, Hu, Van Scoy, Lessard, ACC 2018), as PEPit's example writes it
(PerformanceEstimation/PEPit, wc_robust_momentum): not in Linnaeus's library, analysed with the same
transfer-function tools.  x_(t+1) = x_t + beta (x_t - x_(t-1)) - alpha grad f(y_t), y_t = x_t + gamma (x_t - x_(t-1)),
alpha = kappa (1 - rho)^2 (1 + rho) / L, beta = kappa rho^3 / (kappa - 1),
gamma = rho^3 / ((kappa - 1) (1 - rho)^2 (1 + rho)), kappa = L / mu the condition number, rho the rate."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

x, x_prev = state("x x_prev")
y = sp.Function("y")
kappa, rho, L = sp.symbols("kappa rho L", positive=True)
a = kappa * (1 - rho) ** 2 * (1 + rho) / L
b = kappa * rho ** 3 / (kappa - 1)
c = rho ** 3 / ((kappa - 1) * (1 - rho) ** 2 * (1 + rho))

METHOD = Method(
    key="robust-momentum",
    name="Robust momentum method (Cyrus et al. 2018)",
    reference="Cyrus, Hu, Van Scoy, Lessard (2018), A robust accelerated optimization algorithm",
    section="-",
    summary="triple-momentum structure, coefficients from the condition number and a chosen rate",
    state=(x, x_prev),
    define={y: x(t) + c * (x(t) - x_prev(t))},
    updates=(sp.Eq(x(t + 1), x(t) + b * (x(t) - x_prev(t)) - a * g(t)), sp.Eq(x_prev(t + 1), x(t))),
    query=y,
    init={x(1): theta0, x_prev(1): theta0},
    constants=(kappa, rho, L),
    defaults={kappa: 10, rho: sp.Rational(4, 5), L: 1},
    domain={kappa: sp.Interval.open(1, sp.oo), rho: sp.Interval.open(0, 1), L: sp.Interval.open(0, sp.oo)},
)
