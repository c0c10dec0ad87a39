"""SGD with Nesterov acceleration of Vaswani, Bach & Schmidt (2019), the paper's Appendix B.4,
with time-varying alpha_k, beta_k, gamma_k and (beyond the paper, which keeps eta constant) eta_k.

    zeta_k  = alpha_k v_k + (1 - alpha_k) w_k            (gradient taken here)
    w_{k+1} = zeta_k - eta_k g_k
    v_{k+1} = beta_k v_k + (1 - beta_k) zeta_k - gamma_k eta_k g_k

The paper's statements are checked in its setting (constant eta, and a constant gamma where the
rewrite needs it) and again with every schedule; the printed eta is read as eta_k.
"""
import sympy as sp

from ..declare import Claim, Method, state
from ..symbols import beta_a, g, m, t, theta0

w, v = state("w v")
zeta = sp.Function("zeta")
eta = sp.Function("eta")
alpha, beta, gamma = sp.Function("alpha"), sp.Function("beta"), sp.Function("gamma")
a0, b0, c0 = sp.symbols("a0 b0 c0")
eta0 = sp.Symbol("eta0", positive=True)

METHOD = Method(
    key="nesterov-sgd",
    name="Nesterov-SGD (Vaswani et al.)",
    reference="Vaswani, Bach & Schmidt (2019), Fast and faster convergence of SGD for over-parameterized models",
    section="App. B.4",
    summary="Nesterov acceleration with three sequences",
    state=(w, v),
    define={zeta: alpha(t) * v(t) + (1 - alpha(t)) * w(t)},
    updates=(
        sp.Eq(w(t + 1), zeta(t) - eta(t) * g(t)),
        sp.Eq(v(t + 1), beta(t) * v(t) + (1 - beta(t)) * zeta(t) - gamma(t) * eta(t) * g(t)),
    ),
    query=zeta,
    init={w(0): theta0, v(0): theta0},
    t0=0,
    schedules=(alpha, beta, gamma, eta),
    defaults={eta: eta0 * (t + 10) / (t + 11), eta0: sp.Rational(1, 10), alpha: a0 * (t + 1) / (t + 2), beta: b0 + (1 - b0) / (t + 2),
              gamma: c0 + 1 / (t + 1), a0: sp.Rational(1, 2), b0: sp.Rational(9, 10), c0: 2},
    domain={eta0: sp.Interval.open(0, sp.oo), a0: sp.Interval(0, 1), b0: sp.Interval(0, 1), c0: sp.Interval(1, sp.oo)},
    paper_setting={gamma: sp.Symbol("gamma"), eta: sp.Symbol("eta")},
    paper_setting_text="a constant gamma and eta",
    claims=(
        Claim("App. B.4, first rewritten equation", zeta(t + 1), zeta(t) - eta(t) * g(t) + alpha(t + 1) * (v(t + 1) - w(t + 1)),
              printed=r"\zeta_{k+1} = \zeta_k - \eta g_k + \alpha_{k+1}[v_{k+1} - w_{k+1}]"),
        Claim("App. B.4, second rewritten equation", v(t + 1) - w(t + 1),
              beta(t) * (1 - alpha(t)) * (v(t) - w(t)) - eta(t) * (gamma(t) - 1) * g(t),
              printed=r"v_{k+1} - w_{k+1} = \beta_k(1-\alpha_k)[v_k - w_k] - \eta(\gamma_k - 1)g_k"),
        Claim("App. B.4 (implied beta_a)", beta_a(t), beta(t) * (1 - alpha(t)), origin="prose"),
        Claim("App. B.4 (implied momentum)", m(t), (v(t + 1) - w(t + 1)) / (eta(t) * (1 - gamma(t))), origin="prose"),
    ),
)

ORDER = 9  # its place in `verify list` (see equivalences/registry.py)

# The map into Eq. (1), derived by hand independently of the engine (tests/test_methods.py checks the
# derived map against it).
EXPECTED = {"beta_a": beta(t) * (1 - alpha(t)) * (1 - gamma(t - 1)) * eta(t - 1) / ((1 - gamma(t)) * eta(t)), "eta_a": eta(t) * (gamma(t) - 1) * alpha(t + 1), "alpha_a": eta(t)}
