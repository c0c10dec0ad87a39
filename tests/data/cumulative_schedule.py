"""A user-declared method whose learning rate is a cumulative schedule written as a ``sympy.Sum``:
heavy-ball momentum with the step size of polynomial-decay averaging,

    lr_t = lr * t^r / sum_(k=1..t) k^r        (r = 0: lr / t; no closed form for a general r),

    m_(t+1) = beta m_t + g_t,   w_(t+1) = w_t - lr_t m_(t+1).

The proof is for any schedule ``eta``; the replay evaluates the Sum at every step (numeric/sums.py).
"""
import sympy as sp

from equivalences.declare import Method, state
from equivalences.symbols import g, t, theta0

w, m = state("w m")
beta, r = sp.symbols("beta r")
eta = sp.Function("eta")
lr = sp.Symbol("lr", positive=True)
k = sp.Symbol("k", integer=True, positive=True)

METHOD = Method(
    key="cumulative-lr",
    name="Heavy ball with a cumulative step size (user-declared)",
    reference="tests/data",
    section="-",
    summary="lr_t = lr t^r / sum_(k<=t) k^r, written as a sympy.Sum",
    state=(w, m),
    updates=(
        sp.Eq(m(t + 1), beta * m(t) + g(t)),
        sp.Eq(w(t + 1), w(t) - eta(t) * m(t + 1)),
    ),
    query=w,
    init={w(1): theta0, m(1): 0},
    constants=(beta, r),
    schedules=(eta,),
    defaults={beta: sp.Rational(9, 10), r: sp.Rational(1, 2), lr: sp.Rational(1, 2),
              eta: lr * t ** r / sp.Sum(k ** r, (k, 1, t))},
    domain={beta: sp.Interval.Ropen(0, 1), r: sp.Interval(0, 4), lr: sp.Interval.open(0, sp.oo)},
)
