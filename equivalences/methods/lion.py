"""Lion (Chen et al., 2023), §4.2 of the paper: the sign of an accelerated-SGD direction.

    c_t     = beta1 m_{t-1} + (1 - beta1) g_t
    theta_t = theta_{t-1} - eta_t sign(c_t)
    m_t     = beta2 m_{t-1} + (1 - beta2) g_t

(in this package's indexing: state before step t, weight decay 0).
"""
import sympy as sp

from ..declare import Method, Transform, state
from ..symbols import g, t, theta0

theta, m = state("theta m")
beta1, beta2 = sp.symbols("beta1 beta2")
eta = sp.Function("eta")
lr = sp.Symbol("lr", positive=True)
sign = Transform("sign", "sign", latex=r"\operatorname{sign}")

METHOD = Method(
    key="lion",
    name="Lion",
    reference="Chen et al. (2023), Symbolic discovery of optimization algorithms",
    section="§4.2",
    summary="sign of an accelerated-SGD direction",
    state=(theta, m),
    updates=(
        sp.Eq(theta(t + 1), theta(t) - eta(t) * sign(t, beta1 * m(t) + (1 - beta1) * g(t))),
        sp.Eq(m(t + 1), beta2 * m(t) + (1 - beta2) * g(t)),
    ),
    query=theta,
    init={theta(1): theta0, m(1): 0},
    posts=(sign,),
    constants=(beta1, beta2),
    schedules=(eta,),
    defaults={beta1: sp.Rational(9, 10), beta2: sp.Rational(99, 100), eta: lr * (1 - (t - 1) / 1000), lr: sp.Rational(1, 1000)},
    domain={beta1: sp.Interval(0, 1), beta2: sp.Interval.open(0, 1), lr: sp.Interval.open(0, sp.oo)},
)

ORDER = 2  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta2, "eta_a": beta1 * (1 - beta2) / beta2, "alpha_a": 1 - beta1 - beta1 * (1 - beta2) / beta2}
