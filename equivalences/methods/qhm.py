"""Quasi-hyperbolic momentum (Ma & Yarats, 2019), cited by the paper (§2).

    g_buf_{t+1} = beta g_buf_t + (1 - beta) g_t
    theta_{t+1} = theta_t - alpha [(1 - nu) g_t + nu g_buf_{t+1}]
"""
import sympy as sp

from ..declare import Method, state
from ..symbols import g, t, theta0

theta, buf = state("theta gbuf")
alpha, beta, nu = sp.symbols("alpha beta nu")

METHOD = Method(
    key="qhm",
    name="Quasi-hyperbolic momentum",
    reference="Ma & Yarats (2019), Quasi-hyperbolic momentum and Adam for deep learning",
    section="§2",
    summary="a weighted average of the gradient and an EMA momentum",
    state=(theta, buf),
    updates=(
        sp.Eq(buf(t + 1), beta * buf(t) + (1 - beta) * g(t)),
        sp.Eq(theta(t + 1), theta(t) - alpha * ((1 - nu) * g(t) + nu * buf(t + 1))),
    ),
    query=theta,
    init={theta(1): theta0, buf(1): 0},
    constants=(alpha, beta, nu),
    defaults={alpha: sp.Rational(1, 10), beta: sp.Rational(999, 1000), nu: sp.Rational(7, 10)},
    domain={alpha: sp.Interval.open(0, sp.oo), beta: sp.Interval.Ropen(0, 1), nu: sp.Interval(0, 1)},
)

ORDER = 5  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta, "eta_a": alpha * nu * (1 - beta), "alpha_a": alpha * (1 - nu)}
