"""Finding (tests/adversaries.py, family vanishing-gradient): a momentum whose gradient term vanishes at step 3.

    m_(t+1) = beta m_t + (t - 3) g_t,    w_(t+1) = w_t - lr m_(t+1),    t0 = 1

Truth: not in the family.  g_3 never enters the momentum, so w_5 - w_4 has a g_2 term (coefficient
lr beta^2) and no g_3 term; Eq. (1) gives g_2 the coefficient of g_3 times beta_3 (condition (Z) of
tests/adversaries.py).  The engine reports "proved" with beta_a = beta (4 - t)/(3 - t).
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

MEMBER = False  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key="finding-vanishing-gradient-term", name="momentum with a gradient term vanishing at t = 3",
    reference="tests/adversaries.py", section="-", summary="(t - 3) g_t enters the momentum",
    state=(w, m),
    updates=(sp.Eq(m(t + 1), beta * m(t) + (t - 3) * g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0},
    constants=(beta, lr), defaults={beta: sp.Rational(1, 2), lr: sp.Rational(1, 10)},
)
