"""Finding (family old-momentum, a member with a constant declared positive=True): internal error.

    m_(t+1) = beta m_t + g_t,   w_(t+1) = w_t - lr m_t,   beta = sp.Symbol("beta", positive=True)

Truth: in the family, beta_a = beta, eta_a = lr/beta, alpha_a = -lr/beta.  The engine proves it, then the
degenerate classification (report.to_json) raises IndexError: sp.solve(beta, beta) is [] for a positive beta.
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta = sp.Symbol("beta", positive=True)
lr = sp.Symbol("lr")

MEMBER = True  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key="finding-positive-beta-old-momentum", name="a step on the previous momentum, beta positive",
    reference="tests/adversaries.py", section="-", summary="w' = w - lr m(t)",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t))),
    query=w, init={w(1): theta0, m(1): 0},
    constants=(beta, lr), defaults={beta: sp.Rational(1, 2), lr: sp.Rational(1, 10)},
)
