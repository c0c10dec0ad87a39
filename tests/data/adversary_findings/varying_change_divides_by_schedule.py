"""Finding (family eq1-varying-change, seed 2 of case_from_seed(2, "eq1-varying-change")): internal error.

Eq. (1) (beta_a = beta, eta_a = eta, alpha_a = 0, m_a,-1 = 0, t0 = 0) under the time-varying change of variables
x = A(t) s, A(t) = [[3 c(t) - 2/3, -c(t)], [1/3, 0]] (det = c(t)/3; c_t = (t + 5)/(t + 4) never vanishes), queried at
y = 3 r = w.  Truth: in the family.  The updates divide by c(t); the witness search of an isolated degenerate step
pins c(k) = 0 and the unrolled coefficients become zoo: ValueError "expected an expression convertible to a
rational function ... got zoo*beta*eta" (trajectory.unroll).  scaled_momentum_schedule.py is the same bug in its
simplest form with the every-step specialisation (AttributeError: 'BooleanFalse' object has no attribute 'lhs')."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

q, r = state('q r')
y = sp.Function('y')
c = sp.Function('c')
beta = sp.Symbol('beta')
eta = sp.Symbol('eta')

MEMBER = True  # the truth (tests/test_adversaries.py::test_a_finding)

METHOD = Method(
    key='finding-varying-change-divides-by-schedule', name='generated adversary (finding-varying-change-divides-by-schedule)', reference='tests/adversaries.py', section='-',
    summary='Eq. (1) under an invertible change of the state variables',
    state=(q, r, ),
    updates=(
        sp.Eq(r(t + 1), beta*eta*q(t)/(3*c(t)) - eta*g(t)/3 + (-9*beta*eta*c(t) + 2*beta*eta + 3*c(t))*r(t)/(3*c(t))),
        sp.Eq(q(t + 1), (-3*eta*c(t + 1) + 2*eta/3 - c(t + 1))*g(t) + (9*beta*eta*c(t + 1) - 2*beta*eta + 3*beta*c(t + 1))*q(t)/(3*c(t)) + (-81*beta*eta*c(t)*c(t + 1) + 18*beta*eta*c(t) + 18*beta*eta*c(t + 1) - 4*beta*eta - 27*beta*c(t)*c(t + 1) + 6*beta*c(t + 1) + 27*c(t)*c(t + 1) - 6*c(t))*r(t)/(3*c(t))),
    ),
    query=y, t0=0,
    init={q(0): 37*theta0/12, r(0): theta0/3},
    define={y: 3*r(t)},
    constants=(beta, eta, ),
    schedules=(c, ),
    defaults={beta: sp.Rational(9, 10), eta: sp.Rational(1, 5), c: (t + 5)/(t + 4)},
)
