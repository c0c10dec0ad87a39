"""Finding (family vanishing-gradient): the gradients of odd steps never enter the momentum.

    m_(t+1) = beta m_t + (1 + (-1)^t)/2 g_t,    w_(t+1) = w_t - lr m_(t+1),    t0 = 0

Truth: not in the family: w_3 - w_2 has a g_0 term (coefficient -lr beta^2) and no g_1 term ((Z) of
tests/adversaries.py).  The engine reports "proved" with beta_a = beta (1 - (-1)^t)/(1 + (-1)^t), which is
undefined at every odd step.
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

MEMBER = False  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key="finding-parity-gradient-term", name="momentum fed only at even steps",
    reference="tests/adversaries.py", section="-", summary="(1 + (-1)^t)/2 g_t enters the momentum",
    state=(w, m), t0=0,
    updates=(sp.Eq(m(t + 1), beta * m(t) + (1 + (-1) ** t) / 2 * g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(0): theta0, m(0): 0},
    constants=(beta, lr), defaults={beta: sp.Rational(1, 2), lr: sp.Rational(1, 10)},
)
