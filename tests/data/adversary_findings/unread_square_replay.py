"""Finding (family eq1-extra-state, extra = unread-square): the numeric replay fails on a valid member.

    m_(t+1) = beta m_t + g_t,   w_(t+1) = w_t - lr m_(t+1),   r_(t+1) = r_t + g_t^2   (r is never read)

Truth: in the family (heavy ball: beta_a = beta, eta_a = lr, alpha_a = 0).  verify(numeric=False) proves it;
verify(numeric=True) raises ValueError "not linear in g(t)" in the replay compiler.
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m, r = state("w m r")
beta, lr = sp.symbols("beta lr")

MEMBER = True  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key="finding-unread-square", name="heavy ball with an unread sum of squared gradients",
    reference="tests/adversaries.py", section="-", summary="r' = r + g^2 is never read",
    state=(w, m, r),
    updates=(sp.Eq(m(t + 1), beta * m(t) + g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1)),
             sp.Eq(r(t + 1), r(t) + g(t) ** 2)),
    query=w, init={w(1): theta0, m(1): 0, r(1): 0},
    constants=(beta, lr), defaults={beta: sp.Rational(1, 2), lr: sp.Rational(1, 10)},
)
