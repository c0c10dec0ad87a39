"""Heavy-ball momentum (Polyak), the paper's §3.1, with a learning-rate schedule.

    m_{t+1} = beta m_t + g_t            w_{t+1} = w_t - eta_t m_{t+1}

(§3.1 prints ``w_t = w_{t-1} - eta m_t`` with ``m_t`` built from the gradient at
``w_t`` -- an implicit step; the explicit indexing above is the standard one.)
"""
import sympy as sp

from ..declare import Claim, Method, state
from ..symbols import alpha_a, beta_a, g, t, theta0

w, m = state("w m")
beta = sp.Symbol("beta")
eta = sp.Function("eta")
lr = sp.Symbol("lr", positive=True)

METHOD = Method(
    key="heavy-ball",
    name="Heavy-ball momentum",
    reference="Polyak (1964); the paper's §3.1",
    section="§3.1",
    summary="SGD with momentum: Eq. (1) with alpha_a = 0",
    state=(w, m),
    updates=(
        sp.Eq(m(t + 1), beta * m(t) + g(t)),
        sp.Eq(w(t + 1), w(t) - eta(t) * m(t + 1)),
    ),
    query=w,
    init={w(1): theta0, m(1): 0},
    constants=(beta,),
    schedules=(eta,),
    defaults={beta: sp.Rational(9, 10), eta: lr * 10 / (t + 9), lr: sp.Rational(1, 20)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
    claims=(
        Claim("§3.1, the momentum update (beta is the momentum coefficient: beta_a = beta)", beta_a(t), beta,
              printed=r"m_t = \beta m_{t-1} + \nabla f(w_t)"),
        Claim("§3.3 (alpha_a = 0 recovers SGD with momentum)", alpha_a(t), 0, origin="prose"),
    ),
)

ORDER = 3  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta, "eta_a": eta(t), "alpha_a": 0}
