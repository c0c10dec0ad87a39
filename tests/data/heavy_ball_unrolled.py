"""Heavy ball with its momentum recursion unrolled by one step: a buffer p holds m_(t-1) and
m_(t+1) = beta^2 p_t + beta g_(t-1) + g_t.  Redundant state: m_t = beta p_t + g_(t-1) on every trajectory."""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m, p = state("w m p")
beta = sp.Symbol("beta")
eta = sp.Function("eta")
lr = sp.Symbol("lr", positive=True)

METHOD = Method(
    key="heavy-ball-unrolled",
    name="Heavy ball, unrolled by one step (user-declared)",
    reference="tests/data",
    section="-",
    summary="heavy ball whose momentum update reads m_(t-1) and g_(t-1)",
    state=(w, m, p),
    updates=(
        sp.Eq(m(t + 1), beta ** 2 * p(t) + beta * g(t - 1) + g(t)),
        sp.Eq(p(t + 1), m(t)),
        sp.Eq(w(t + 1), w(t) - eta(t) * m(t + 1)),
    ),
    query=w,
    init={w(1): theta0, m(1): 0, p(1): 0},
    constants=(beta,),
    schedules=(eta,),
    defaults={beta: sp.Rational(9, 10), eta: lr * 10 / (t + 9), lr: sp.Rational(1, 20)},
    domain={beta: sp.Interval.Ropen(0, 1), lr: sp.Interval.open(0, sp.oo)},
)
