"""Finding (family vanishing-gradient, parity, t0 = 1): a map whose proof fails, reported as neither verdict.

    m_(t+1) = beta m_t + (1 + (-1)^t)/2 g_t,    w_(t+1) = w_t - lr m_(t+1),    t0 = 1

Truth: not in the family: the odd steps' gradients never enter the momentum, so w_5 - w_4 has a g_2 term
(coefficient -lr beta^2) and no g_3 term ((Z) of tests/adversaries.py).  The engine returns the map beta_a = beta (1 - (-1)^t)/(1 + (-1)^t) with
m_init = nan; its initial-state identity fails (residual nan), so report.proved is False, yet report.map is
set and the JSON has not_in_family: null (which the schema reads as in the family) and no witness.
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, lr = sp.symbols("beta lr")

MEMBER = False  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key="finding-parity-gradient-term-t0-1", name="momentum fed only at even steps",
    reference="tests/adversaries.py", section="-", summary="(1 + (-1)^t)/2 g_t enters the momentum",
    state=(w, m), t0=1,
    updates=(sp.Eq(m(t + 1), beta * m(t) + (1 + (-1) ** t) / 2 * g(t)), sp.Eq(w(t + 1), w(t) - lr * m(t + 1))),
    query=w, init={w(1): theta0, m(1): 0},
    constants=(beta, lr), defaults={beta: sp.Rational(1, 2), lr: sp.Rational(1, 10)},
)
