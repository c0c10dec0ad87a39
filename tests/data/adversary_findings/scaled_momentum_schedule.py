"""Finding (family eq1-varying-change, simplest form): internal error.

Heavy ball with its momentum stored scaled by a schedule, z_t = c_t m_t (c_t = (t + 2)/(t + 1) never vanishes):

    z_(t+1) = c_(t+1) (beta z_t / c_t + g_t),    w_(t+1) = w_t - lr z_(t+1) / c_(t+1)

Truth: in the family (beta_a = beta, eta_a = lr, alpha_a = 0, m_a,0 = 0).  The engine proves it, then the
degenerate classification (report.to_json) specialises c = 0 at every step, an update becomes
Eq(z(t + 1), zoo) = False, and StepSystem raises AttributeError: 'BooleanFalse' object has no attribute 'lhs'.
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, z = state("w z")
beta, lr = sp.symbols("beta lr")
c = sp.Function("c")

MEMBER = True  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key="finding-scaled-momentum", name="heavy ball with its momentum stored scaled by c_t",
    reference="tests/adversaries.py", section="-", summary="z_t = c_t m_t",
    state=(w, z),
    updates=(sp.Eq(z(t + 1), c(t + 1) * (beta * z(t) / c(t) + g(t))), sp.Eq(w(t + 1), w(t) - lr * z(t + 1) / c(t + 1))),
    query=w, init={w(1): theta0, z(1): 0},
    constants=(beta, lr), schedules=(c,), defaults={beta: sp.Rational(1, 2), lr: sp.Rational(1, 10), c: (t + 2) / (t + 1)},
)
